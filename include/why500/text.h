// Byte-level text helpers: UTF-8 repair, escaping for terminals and small string_view utilities.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace why500 {

// True when every byte sequence of `s` is valid UTF-8 (no overlongs, no surrogates).
bool IsValidUtf8(std::string_view s);

// Appends `s` to `out` with every invalid UTF-8 sequence replaced by U+FFFD.
void AppendRepairedUtf8(std::string_view s, std::string* out);
std::string RepairUtf8(std::string_view s);

// The length of the valid UTF-8 sequence that starts at `s[i]` (1 to 4), or 0 when none does.
size_t Utf8SequenceLength(std::string_view s, size_t i);

// Appends `s` with each byte that belongs to no valid UTF-8 sequence replaced by `with`: the
// same length, so offsets into `s` hold for the copy too.
void AppendUtf8Masked(std::string_view s, char with, std::string* out);

// Appends `s` so that no byte of it can steer a terminal: C0/C1 controls, DEL, ESC and
// the bidi controls that reorder text on screen become visible escapes (\x1b, \t, \r,
// \u009b, \u202e), invalid UTF-8 bytes become \xNN.
void AppendTerminalSafe(std::string_view s, std::string* out);
std::string TerminalSafe(std::string_view s);

// True when the line looks like binary data rather than text (NUL bytes or many controls).
bool LooksBinary(std::string_view line);

// Copies `from` into `to`, reusing its buffer: `assign` first checks whether `from` lies inside
// `to` and takes a slower path for that, which costs a few dozen instructions a call on the
// copies made for every event. `from` must not point into `to`.
inline void CopyInto(std::string* to, std::string_view from) {
  to->clear();
  to->append(from.data(), from.size());
}

inline bool StartsWith(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.compare(0, p.size(), p) == 0;
}
inline bool EndsWith(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.compare(s.size() - p.size(), p.size(), p) == 0;
}
// Whether `what` is at `p` in `s`: for the short literals parsers and templating test at one
// position, compared in line rather than through a memcmp call (most differ at the first bytes).
inline bool HasAt(std::string_view s, size_t p, std::string_view what) {
  if (p > s.size() || s.size() - p < what.size()) return false;
  for (size_t k = 0; k < what.size(); ++k) {
    if (s[p + k] != what[k]) return false;
  }
  return true;
}
inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }
inline bool IsSpace(char c) { return c == ' ' || c == '\t'; }
std::string_view Trim(std::string_view s);

// Parses exactly `n` leading decimal digits of `s` at `pos`; -1 when they are not all digits.
// Inline: every access line's status and every timestamp's fields come through here.
inline int ParseDigits(std::string_view s, size_t pos, size_t n) {
  if (pos + n > s.size()) return -1;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (!IsDigit(s[i])) return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

// `s.find(c, from)` for the short fields of a log line (a client, a method, a path): the first
// 64 bytes are compared in line, 16 at a time, and only a longer search calls memchr, whose
// call and set-up cost more than such a field's bytes. Reads no byte outside `s`.
inline size_t FindByte(std::string_view s, char c, size_t from = 0) {
  size_t i = from;
#if defined(__SSE2__)
  const __m128i needle = _mm_set1_epi8(c);
  for (const size_t stop = from + 64; i + 16 <= s.size() && i < stop; i += 16) {
    const __m128i block = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + i));
    const unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(block, needle)));
    if (mask != 0) return i + static_cast<size_t>(__builtin_ctz(mask));
  }
#endif
  if (i >= s.size()) return std::string_view::npos;
  const void* hit = std::memchr(s.data() + i, c, s.size() - i);
  return hit == nullptr ? std::string_view::npos : static_cast<size_t>(static_cast<const char*>(hit) - s.data());
}

// `s.find(needle, from)` by FindByte on the needle's first byte, for short non-empty needles
// (", ", "] \"") in short fields.
inline size_t FindShort(std::string_view s, std::string_view needle, size_t from = 0) {
  for (size_t at = FindByte(s, needle.front(), from); at != std::string_view::npos;
       at = FindByte(s, needle.front(), at + 1)) {
    if (HasAt(s, at, needle)) return at;
  }
  return std::string_view::npos;
}

// The line of a multi-line text that holds byte `offset` (the last line past the end).
std::string_view LineAt(std::string_view text, size_t offset);

// Where `needle` first occurs in `haystack`, as std::string_view::find says; faster on short
// needles whose first byte is common (a space, a vowel), which std::find stops at one by one.
size_t FindBytes(std::string_view haystack, std::string_view needle);

// A hash for tables that live in memory only (recent verdicts and templates, groups and their
// top values): 8 bytes a step, in four lanes on long text, several times as fast as std::hash
// on a log message. Its values may change between versions, so it must never be written out
// (HashBytes is, in saved aggregates).
uint64_t QuickHash(std::string_view s);

// QuickHash for the in-memory tables keyed by strings (the groups, a group's top values).
struct QuickHasher {
  size_t operator()(std::string_view s) const { return static_cast<size_t>(QuickHash(s)); }
};

// A 64-bit FNV-1a hash, for keys built from several fields.
uint64_t HashBytes(std::string_view s, uint64_t seed = 1469598103934665603ULL);

}  // namespace why500
