#include "why500/file_parts.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "test_random.h"
#include "test_support.h"
#include "why500/event_steps.h"
#include "why500/source.h"

using namespace why500;

namespace {

// In these logs an event starts at a line beginning "2026" (a header); others continue it.
bool StartsWithHeader(std::string_view line) { return line.rfind("2026", 0) == 0; }

// The ranges of every part that has one, checked to cover the file in order, end to end.
std::vector<PartRange> RangesOf(const Source& file, uint64_t part_bytes, size_t max_line = 1 << 16) {
  const FileParts parts(file, part_bytes, max_line, StartsWithHeader);
  std::vector<PartRange> ranges;
  for (uint64_t k = 0; k < parts.count(); ++k) {
    auto range = parts.Range(k);
    REQUIRE(range);
    if (!*range) continue;
    if (!ranges.empty()) CHECK(ranges.back().end == (*range)->begin);
    CHECK((*range)->begin < (*range)->end);
    ranges.push_back(**range);
  }
  REQUIRE_FALSE(ranges.empty());
  CHECK(ranges.front().begin == 0);
  CHECK(ranges.back().end == file.PartableSize());
  return ranges;
}

std::string Slice(const std::string& text, const PartRange& r) { return text.substr(r.begin, r.end - r.begin); }

}  // namespace

TEST_CASE("file parts: cuts fall at event starts only, the parts cover the file once", "[parts]") {
  TestRandom random(7);
  std::string log;
  for (int e = 0; e < 400; ++e) {
    log += "2026/11/21 10:00:" + std::to_string(e % 60) + " [error] event " + std::to_string(e) + "\n";
    log += random.Join(6, [&] { return std::string("  at frame ") + std::to_string(random.Next() % 1000) + "\n"; });
    if (e % 50 == 0) log += "\r\n";  // a blank line inside an entry, written with "\r\n"
  }
  log += "2026/11/21 10:01:00 [error] the last event, no newline";
  TempFile f(log);
  auto source = OpenSource(f.path);
  REQUIRE(source);
  REQUIRE((*source)->PartableSize() == log.size());
  for (uint64_t part_bytes : {1, 37, 100, 1000, 5000, 1 << 20}) {
    INFO("parts of " << part_bytes << " bytes");
    const std::vector<PartRange> ranges = RangesOf(**source, part_bytes);
    for (const PartRange& r : ranges) {
      CHECK(StartsWithHeader(Slice(log, r)));  // every part opens with an event's header
      CHECK((r.begin == 0 || log[r.begin - 1] == '\n'));
    }
    if (part_bytes >= log.size()) CHECK(ranges.size() == 1);
    if (part_bytes == 1000) CHECK(ranges.size() >= log.size() / 1000 - 1);
  }
}

TEST_CASE("file parts: a span without an event start belongs to the part before it", "[parts]") {
  // One event of 3000 bytes of continuation lines between two short ones.
  std::string log = "2026 first\n";
  while (log.size() < 3000) log += "  continued line of the first event\n";
  const size_t second = log.size();
  log += "2026 second\n2026 third\n";
  TempFile f(log);
  auto source = OpenSource(f.path);
  REQUIRE(source);
  const std::vector<PartRange> ranges = RangesOf(**source, 500);
  REQUIRE(ranges.size() == 2);
  CHECK(ranges[0].end == second);  // parts 1 to 5 have no event start of their own
}

TEST_CASE("file parts: an overlong line is judged by its first bytes, as the reader keeps them", "[parts]") {
  std::string log = "2026 first\n" + std::string(10000, 'x') + "\n" + "2026" + std::string(10000, 'y') + "\nzz\n";
  TempFile f(log);
  auto source = OpenSource(f.path);
  REQUIRE(source);
  const std::vector<PartRange> ranges = RangesOf(**source, 4000, 100);
  REQUIRE(ranges.size() == 2);
  CHECK(ranges[1].begin == 11 + 10001);
}

TEST_CASE("file parts: the last 2 x part_bytes come in parts of a quarter, so that threads finish together",
          "[parts]") {
  std::string log;
  while (log.size() < 10000) log += "2026 line " + std::to_string(log.size()) + "\n";
  log.resize(10000);
  log.back() = '\n';
  TempFile f(log);
  auto source = OpenSource(f.path);
  REQUIRE(source);
  const FileParts parts(**source, 1000, 1 << 16, StartsWithHeader);
  REQUIRE(parts.count() == 8 + 8);  // 8000 bytes in parts of 1000, then 2000 in parts of 250
  for (uint64_t k = 0; k <= 8; ++k) CHECK(parts.NominalStart(k) == k * 1000);
  for (uint64_t k = 8; k <= 16; ++k) CHECK(parts.NominalStart(k) == 8000 + (k - 8) * 250);
  const std::vector<PartRange> ranges = RangesOf(**source, 1000);
  CHECK(ranges.size() == 16);
  CHECK(ranges.back().end - ranges.back().begin < 300);

  // A file of at most 2 x part_bytes is all tail: quarter parts from the start.
  const FileParts small(**source, 6000, 1 << 16, StartsWithHeader);
  CHECK(small.count() == 7);  // 10000 bytes in parts of 1500
  CHECK(small.NominalStart(1) == 1500);
  CHECK(small.NominalStart(7) == 10000);
}

TEST_CASE("file parts: only regular files are cut", "[parts]") {
  CHECK(MemorySource("2026 a\n2026 b\n")->PartableSize() == 0);
  CHECK(MemorySource("2026 a\n")->Part(0, 1) == nullptr);
}

TEST_CASE("input clock: the silences of parts appended are those of one clock over all", "[parts]") {
  constexpr TimeUs kMinute = 60 * kUsPerSecond;
  TestRandom random(11);
  int with_three_gaps = 0;
  for (int round = 0; round < 200; ++round) {
    // Times that mostly move on, sometimes jump ahead by up to an hour, sometimes fall back.
    std::vector<TimeUs> times;
    TimeUs t = 1'700'000'000 * kUsPerSecond;
    for (int i = 0; i < 60; ++i) {
      const uint32_t r = random.Next() % 10;
      t += r < 6 ? kMinute : r < 8 ? static_cast<TimeUs>(random.Next() % 60) * kMinute : -30 * kMinute;
      times.push_back(random.Next() % 7 == 0 ? kNoTime : t);
    }
    InputClock whole;
    for (TimeUs x : times) whole.See(x);
    InputClock appended;
    for (size_t from = 0; from < times.size();) {
      const size_t to = std::min(times.size(), from + 1 + random.Next() % 20);
      InputClock part(true);
      for (size_t i = from; i < to; ++i) part.See(times[i]);
      appended.Append(part);
      appended.Append(InputClock(true));  // a part without times changes nothing
      from = to;
    }
    InputStats a, b;
    whole.Fill(&a);
    appended.Fill(&b);
    INFO("round " << round);
    CHECK(a.first_time == b.first_time);
    CHECK(a.last_time == b.last_time);
    CHECK(a.timed_lines == b.timed_lines);
    CHECK(a.gaps == b.gaps);
    with_three_gaps += a.gaps.size() == 3;
  }
  CHECK(with_three_gaps > 50);  // the longest three of many silences, kept in order
}
