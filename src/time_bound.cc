#include "why500/time_bound.h"

#include "why500/text.h"

namespace why500 {
namespace {

// Reads `n` digits at `*pos`, advancing it; -1 when they are not all there.
int Digits(std::string_view s, size_t* pos, size_t n) {
  const int v = ParseDigits(s, *pos, n);
  if (v >= 0) *pos += n;
  return v;
}

bool ParseRelative(std::string_view s, TimeUs now, TimeUs* out) {
  if (s == "now") {
    *out = now;
    return true;
  }
  if (StartsWith(s, "-")) s.remove_prefix(1);
  if (EndsWith(s, " ago")) s.remove_suffix(4);
  int64_t n = 0;
  size_t i = 0;
  for (; i < s.size() && i < 9 && IsDigit(s[i]); ++i) n = n * 10 + (s[i] - '0');
  if (i == 0 || i + 1 != s.size()) return false;
  int64_t unit = 0;
  switch (s[i]) {
    case 's': unit = 1; break;
    case 'm': unit = 60; break;
    case 'h': unit = 3600; break;
    case 'd': unit = 86400; break;
    case 'w': unit = 7 * 86400; break;
    default: return false;
  }
  *out = now - n * unit * kUsPerSecond;
  return true;
}

bool ParseAbsolute(std::string_view s, TimeUs* out) {
  CivilTime t;
  size_t pos = 0;
  t.year = Digits(s, &pos, 4);
  if (t.year < 0 || pos >= s.size() || (s[pos] != '-' && s[pos] != '/')) return false;
  const char sep = s[pos++];
  t.month = Digits(s, &pos, 2);
  if (t.month < 0 || pos >= s.size() || s[pos++] != sep) return false;
  t.day = Digits(s, &pos, 2);
  if (t.day < 0) return false;
  if (pos < s.size()) {
    if (s[pos] != 'T' && s[pos] != ' ') return false;
    ++pos;
    t.hour = Digits(s, &pos, 2);
    if (t.hour < 0 || pos >= s.size() || s[pos++] != ':') return false;
    t.minute = Digits(s, &pos, 2);
    if (t.minute < 0) return false;
    if (pos < s.size() && s[pos] == ':') {
      ++pos;
      t.second = Digits(s, &pos, 2);
      if (t.second < 0) return false;
      t.micros = ParseFraction(s, &pos);
    }
  }
  if (!t.Valid()) return false;
  if (pos == s.size()) {
    *out = LocalCivilToUtc(t);
    return true;
  }
  int offset = 0;
  if (!ParseUtcOffset(Trim(s.substr(pos)), &offset)) return false;
  *out = CivilToUtc(t, offset);
  return true;
}

}  // namespace

Expected<TimeUs> ParseTimeBound(std::string_view text, TimeUs now) {
  const std::string_view s = Trim(text);
  TimeUs t = kNoTime;
  if (ParseRelative(s, now, &t) || ParseAbsolute(s, &t)) return t;
  return Error{"'" + std::string(text) +
               "' is not a time: use a span back from now (15m, 2h, 1d) or a date and time "
               "(2026-11-21T10:00:00Z, 2026-11-21 10:00, 2026/11/21 10:00:30)"};
}

}  // namespace why500
