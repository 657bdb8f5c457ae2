#include "why500/text.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "test_random.h"

using namespace why500;

TEST_CASE("UTF-8 validation and repair", "[text]") {
  CHECK(IsValidUtf8("plain ascii"));
  CHECK(IsValidUtf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));
  CHECK_FALSE(IsValidUtf8("\xc0\xaf"));          // overlong "/"
  CHECK_FALSE(IsValidUtf8("\xed\xa0\x80"));      // a surrogate
  CHECK_FALSE(IsValidUtf8("\xe2\x82"));          // cut short
  CHECK(RepairUtf8("a\xffz") == "a\xef\xbf\xbdz");
  CHECK(RepairUtf8("\xe2\x82") == "\xef\xbf\xbd\xef\xbf\xbd");
}

TEST_CASE("text for terminals carries no control sequences", "[text]") {
  CHECK(TerminalSafe("\x1b[31mred\x1b[0m") == "\\x1b[31mred\\x1b[0m");
  CHECK(TerminalSafe("a\bb\rc\td\x07") == "a\\x08b\\rc\\td\\x07");
  CHECK(TerminalSafe("\xc2\x9b" "2J") == "\\u009b2J");  // C1 CSI
  CHECK(TerminalSafe("caf\xc3\xa9") == "caf\xc3\xa9");
  CHECK(TerminalSafe("bad \xff byte") == "bad \\xff byte");
}

TEST_CASE("bidi controls are escaped for terminals, other non-ASCII text is kept", "[text]") {
  // U+202E RIGHT-TO-LEFT OVERRIDE would show "invoice\u202efdp.exe" as "invoiceexe.pdf".
  CHECK(TerminalSafe("invoice\xe2\x80\xae" "fdp.exe") == "invoice\\u202efdp.exe");
  CHECK(TerminalSafe("\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad") == "\\u202a\\u202b\\u202c\\u202d");
  CHECK(TerminalSafe("\xe2\x81\xa6x\xe2\x81\xa9") == "\\u2066x\\u2069");  // isolates
  CHECK(TerminalSafe("\xe2\x80\x8e\xe2\x80\x8f\xd8\x9c") == "\\u200e\\u200f\\u061c");  // marks
  CHECK(TerminalSafe("\xc2\x85") == "\\u0085");  // NEL, a C1 control
  // Neighbours of those ranges pass: a dash, an ellipsis, an arrow, Arabic and Hebrew letters.
  CHECK(TerminalSafe("\xe2\x80\x94 \xe2\x80\xa6 \xe2\x86\x92 \xd8\xb9 \xd7\xa9 \xc2\xa0") ==
        "\xe2\x80\x94 \xe2\x80\xa6 \xe2\x86\x92 \xd8\xb9 \xd7\xa9 \xc2\xa0");
}

TEST_CASE("binary lines are told from text in any script", "[text]") {
  CHECK(LooksBinary(std::string("a\0b", 3)));
  CHECK(LooksBinary("\x01\x02\x03\x04\x05\x06 abc"));
  CHECK(LooksBinary("\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8 abc"));
  CHECK_FALSE(LooksBinary("2026/11/21 10:00:00 [error] 1#1: *1 upstream timed out"));
  CHECK_FALSE(LooksBinary("\xe6\x95\xb0\xe6\x8d\xae\xe5\xba\x93\xe8\xbf\x9e\xe6\x8e\xa5\xe5\xa4\xb1\xe8\xb4\xa5"));
  CHECK_FALSE(LooksBinary("one stray \xff byte in a long line of ordinary text"));
}

TEST_CASE("binary lines: a NUL or control byte is seen at every offset of the block scans", "[text]") {
  const std::string text =
      "an ordinary log line that is long enough for several words, and then for more: it spans two of the 64-byte "
      "blocks the scan tests at once, its 16-byte blocks and an 8-byte tail";
  for (size_t at = 0; at < text.size(); ++at) {
    std::string with_nul = text;
    with_nul[at] = '\0';
    INFO("offset " << at);
    CHECK(LooksBinary(with_nul));
  }
  // Control soup counts wherever it sits; a clean word next to it does not hide it.
  std::string soup = text;
  for (size_t at = 3; at < soup.size(); at += 2) soup[at] = '\x01';
  CHECK(LooksBinary(soup));
  // Every printable ASCII byte, and tab, CR and ESC, is text.
  std::string printable = "\t\r\x1b";
  for (int c = 0x20; c < 0x7f; ++c) printable.push_back(static_cast<char>(c));
  CHECK_FALSE(LooksBinary(printable));
}

namespace {

// The byte-at-a-time definitions the block scans must agree with.
bool ReferenceValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const size_t n = Utf8SequenceLength(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

bool ReferenceLooksBinary(std::string_view line) {
  size_t odd = 0;
  for (const char ch : line) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == 0) return true;
    if (c < 0x20 && c != '\t' && c != '\r' && c != 0x1b) ++odd;
  }
  for (size_t k = 0; k < line.size();) {
    const size_t n = Utf8SequenceLength(line, k);
    odd += n == 0;
    k += n == 0 ? 1 : n;
  }
  return odd > 4 && odd * 10 > line.size();
}

}  // namespace

TEST_CASE("UTF-8 and binary checks: the block scans agree with byte-by-byte ones", "[text]") {
  // Mostly ASCII text with, at random offsets and lengths (across 8- and 16-byte blocks), a few
  // control bytes, NULs, valid multi-byte characters and invalid bytes.
  const std::string pieces[] = {"a", "log line ", "\t", "\x01", "\x1b", std::string(1, '\0'), "\xc3\xa9",
                                "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xff", "\xc3", "\xed\xa0\x80"};
  TestRandom random(12345);
  for (int round = 0; round < 4000; ++round) {
    const std::string line =
        random.Join(40, [&] { return pieces[random.Next() % 100 < 85 ? random.Next() % 2 : 2 + random.Next() % 10]; });
    INFO("round " << round);
    CHECK(IsValidUtf8(line) == ReferenceValidUtf8(line));
    CHECK(LooksBinary(line) == ReferenceLooksBinary(line));
  }
}

TEST_CASE("FindBytes finds what std::string_view::find finds", "[text]") {
  // Needles of 1 to 20 bytes in haystacks that cross the 16-byte blocks at every offset, with
  // near misses (first and last bytes right, a middle one wrong) and matches at either end.
  const std::string pieces[] = {"a", "at ", "ab", "a b", "abc", "xyz", " ", "abcdefghijklmnopq", "\n", "at b"};
  TestRandom random(99);
  for (int round = 0; round < 20000; ++round) {
    const std::string haystack = random.Join(30, [&] { return pieces[random.Next() % 10]; });
    const std::string needle = random.Join(4, [&] { return pieces[random.Next() % 10]; });
    INFO("haystack '" << haystack << "', needle '" << needle << "'");
    CHECK(FindBytes(haystack, needle) == std::string_view(haystack).find(needle));
  }
}

// FindByte compares the first 64 bytes in line, 16 at a time, and hands the rest to memchr;
// FindShort builds on it. Both must agree with find for every length, start and position,
// across those block edges, and read nothing past the view (a view into a longer buffer whose
// next byte is the one sought).
TEST_CASE("FindByte and FindShort agree with find at every length, start and position", "[text]") {
  TestRandom random(7);
  for (size_t length = 0; length <= 150; ++length) {
    std::string buffer(length + 1, 'a');
    for (char& c : buffer) c = "ab, :]\""[random.Next() % 7];
    buffer[length] = '#';  // just past the view: never found
    const std::string_view s(buffer.data(), length);
    for (size_t from = 0; from <= length + 1; ++from) {
      for (const char c : {'b', ',', ']', '"', '#'}) {
        INFO("length " << length << " from " << from << " char " << c);
        CHECK(FindByte(s, c, from) == s.find(c, from));
      }
      for (const std::string_view needle : {", ", "] \"", ": ", "bb", "#"}) {
        INFO("length " << length << " from " << from << " needle " << needle);
        CHECK(FindShort(s, needle, from) == s.find(needle, from));
      }
    }
  }
}

TEST_CASE("HasAt tells whether a literal starts at a position, up to the text's end", "[text]") {
  CHECK(HasAt("upstream: x", 0, "upstream: "));
  CHECK(HasAt("a, client: b", 1, ", client: "));
  CHECK_FALSE(HasAt("a, client", 1, ", client: "));  // runs past the end
  CHECK_FALSE(HasAt("a, clienT: b", 1, ", client: "));
  CHECK(HasAt("abc", 3, ""));
  CHECK_FALSE(HasAt("abc", 4, ""));  // past the end: no position to be at
  CHECK_FALSE(HasAt("", 0, "x"));
}

TEST_CASE("CopyInto replaces a string's text and keeps its buffer", "[text]") {
  std::string to(100, 'x');
  const char* buffer = to.data();
  const std::string line = "2026/11/21 10:00:00 [error] 12#12: *3 connect() failed";
  CopyInto(&to, line);
  CHECK(to == line);
  CHECK(to.data() == buffer);  // no allocation: the event's strings are reused from line to line
  CopyInto(&to, std::string_view(line).substr(20, 7));
  CHECK(to == "[error]");
  CopyInto(&to, std::string_view());
  CHECK(to.empty());
  std::string longer(300, 'y');
  CopyInto(&to, longer);  // grows when it must
  CHECK(to == longer);
}

// The recent-verdict and template tables pick a slot from QuickHash's low bits: messages that
// differ in one byte anywhere (a pid, a port) must spread over the slots, not share a few.
TEST_CASE("QuickHash spreads messages that differ in one byte over a table's slots", "[text]") {
  constexpr size_t kSlots = 2048;
  // A short message, and a long one whose bytes go through every lane of the long-text loop.
  const std::string refused =
      "connect() failed (111: Connection refused) while connecting to upstream, client: 10.0.0.";
  for (const std::string& base : {refused, refused + refused + refused}) {
    std::vector<int> load(kSlots);
    size_t distinct = 0;
    std::set<uint64_t> seen;
    for (int i = 0; i < 4096; ++i) {
      std::string m = base + std::to_string(i);
      m[static_cast<size_t>(i) % base.size()] ^= 0x20;  // and one byte flipped somewhere before
      const uint64_t h = QuickHash(m);
      distinct += seen.insert(h).second;
      ++load[h % kSlots];
      CHECK(QuickHash(m) == h);
    }
    CHECK(distinct == 4096);
    CHECK(*std::max_element(load.begin(), load.end()) <= 12);  // 2 expected a slot
    // Every one-bit change anywhere changes the hash: a lane left out of the result would not.
    std::set<uint64_t> flipped{QuickHash(base)};
    for (size_t at = 0; at < base.size(); ++at) {
      for (int bit = 0; bit < 8; ++bit) {
        std::string m = base;
        m[at] = static_cast<char>(m[at] ^ (1 << bit));
        flipped.insert(QuickHash(m));
      }
    }
    CHECK(flipped.size() == 1 + 8 * base.size());
  }
  CHECK(QuickHash("") != QuickHash(std::string(1, '\0')));
  CHECK(QuickHash("abcdefgh") != QuickHash("abcdefgh1"));
}
