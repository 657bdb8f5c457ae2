#include "why500/time_parse.h"

#include <array>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <unordered_map>

#include "why500/text.h"

namespace why500 {

int64_t DaysFromCivil(int year, int month, int day) {
  // Howard Hinnant's days_from_civil.
  const int64_t y = static_cast<int64_t>(year) - (month <= 2 ? 1 : 0);
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t mp = (month + 9) % 12;
  const int64_t doy = (153 * mp + 2) / 5 + day - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

int MonthFromAbbrev(std::string_view s) {
  static constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                               "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (s.size() < 3) return 0;
  for (size_t i = 0; i < kMonths.size(); ++i) {
    if (s.substr(0, 3) == kMonths[i]) return static_cast<int>(i) + 1;
  }
  return 0;
}

bool CivilTime::Valid() const {
  return year >= 1970 && year <= 9999 && month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour >= 0 &&
         hour <= 23 && minute >= 0 && minute <= 59 && second >= 0 && second <= 60;
}

namespace {
int assumed_year = 0;
}  // namespace

void SetAssumedYear(int year) { assumed_year = year; }
int AssumedYear() { return assumed_year; }

int InferYear(int month, int day, const CivilTime& today) {
  const int64_t ahead = DaysFromCivil(today.year, month, day) - DaysFromCivil(today.year, today.month, today.day);
  return ahead > 1 ? today.year - 1 : today.year;
}

bool ParseYmdHms(std::string_view s, size_t pos, CivilTime* out) {
  if (s.size() < pos + 19 || s[pos + 13] != ':' || s[pos + 16] != ':') return false;
  out->year = ParseDigits(s, pos, 4);
  out->month = ParseDigits(s, pos + 5, 2);
  out->day = ParseDigits(s, pos + 8, 2);
  out->hour = ParseDigits(s, pos + 11, 2);
  out->minute = ParseDigits(s, pos + 14, 2);
  out->second = ParseDigits(s, pos + 17, 2);
  return out->Valid();
}

bool ParseDmyHms(std::string_view s, size_t pos, CivilTime* out) {
  if (s.size() < pos + 20 || s[pos + 2] != '/' || s[pos + 6] != '/' || s[pos + 14] != ':' || s[pos + 17] != ':') {
    return false;
  }
  out->day = ParseDigits(s, pos, 2);
  out->month = MonthFromAbbrev(s.substr(pos + 3, 3));
  out->year = ParseDigits(s, pos + 7, 4);
  out->hour = ParseDigits(s, pos + 12, 2);
  out->minute = ParseDigits(s, pos + 15, 2);
  out->second = ParseDigits(s, pos + 18, 2);
  return out->Valid();
}

TimeUs CivilToUtc(const CivilTime& t, int offset_seconds) {
  const int64_t days = DaysFromCivil(t.year, t.month, t.day);
  const int64_t secs = days * 86400 + t.hour * 3600 + t.minute * 60 + t.second - offset_seconds;
  return secs * kUsPerSecond + t.micros;
}

namespace {

// The C library's offset of local time from UTC, at the half hour of `t`'s hour.
int AskLocalOffset(const CivilTime& t) {
  std::tm tm{};
  tm.tm_year = t.year - 1900;
  tm.tm_mon = t.month - 1;
  tm.tm_mday = t.day;
  tm.tm_hour = t.hour;
  tm.tm_min = 30;
  tm.tm_isdst = -1;
  const std::time_t local = std::mktime(&tm);
  const int64_t as_utc = DaysFromCivil(t.year, t.month, t.day) * 86400 + t.hour * 3600 + 30 * 60;
  return local == static_cast<std::time_t>(-1) ? 0 : static_cast<int>(as_utc - local);
}

// Offset of local time from UTC at a wall-clock hour, asked of the C library once per hour.
int LocalOffsetAt(const CivilTime& t) {
  const int64_t key = (DaysFromCivil(t.year, t.month, t.day) * 24 + t.hour);
  // Lines come in time order, so nearly every one asks for the hour the one before did: that
  // answer is kept on each thread, without the lock.
  thread_local int64_t last_key = INT64_MIN;
  thread_local int last_offset = 0;
  if (key == last_key) return last_offset;
  static std::mutex mu;
  static std::unordered_map<int64_t, int> cache;
  std::lock_guard<std::mutex> lock(mu);
  auto it = cache.find(key);
  if (it == cache.end()) {
    if (cache.size() > 100000) cache.clear();
    it = cache.emplace(key, AskLocalOffset(t)).first;
  }
  last_key = key;
  last_offset = it->second;
  return last_offset;
}

}  // namespace

TimeUs LocalCivilToUtc(const CivilTime& t) { return CivilToUtc(t, LocalOffsetAt(t)); }

bool ParseUtcOffset(std::string_view s, int* offset_seconds) {
  if (s == "Z" || s == "z" || s == "UTC" || s == "GMT") {
    *offset_seconds = 0;
    return true;
  }
  if (s.size() < 5 || (s[0] != '+' && s[0] != '-')) return false;
  const int hh = ParseDigits(s, 1, 2);
  const size_t mpos = s[3] == ':' ? 4 : 3;
  const int mm = ParseDigits(s, mpos, 2);
  if (hh < 0 || mm < 0 || s.size() != mpos + 2) return false;
  *offset_seconds = (s[0] == '-' ? -1 : 1) * (hh * 3600 + mm * 60);
  return true;
}

int ParseFraction(std::string_view s, size_t* pos) {
  if (*pos >= s.size() || (s[*pos] != '.' && s[*pos] != ',')) return 0;
  size_t i = *pos + 1;
  int micros = 0, digits = 0;
  while (i < s.size() && IsDigit(s[i])) {
    if (digits < 6) {
      micros = micros * 10 + (s[i] - '0');
      ++digits;
    }
    ++i;
  }
  if (i == *pos + 1) return 0;
  while (digits < 6) {
    micros *= 10;
    ++digits;
  }
  *pos = i;
  return micros;
}

namespace {

void Split(TimeUs t, CivilTime* c) {
  int64_t secs = t / kUsPerSecond;
  int64_t micros = t % kUsPerSecond;
  if (micros < 0) {
    micros += kUsPerSecond;
    --secs;
  }
  int64_t days = secs / 86400;
  int64_t rem = secs % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  // Howard Hinnant's civil_from_days.
  const int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const int64_t m = mp < 10 ? mp + 3 : mp - 9;
  c->year = static_cast<int>(yoe + era * 400 + (m <= 2 ? 1 : 0));
  c->month = static_cast<int>(m);
  c->day = static_cast<int>(d);
  c->hour = static_cast<int>(rem / 3600);
  c->minute = static_cast<int>(rem / 60 % 60);
  c->second = static_cast<int>(rem % 60);
  c->micros = static_cast<int>(micros);
}

}  // namespace

std::string FormatRfc3339(TimeUs t) {
  CivilTime c;
  Split(t, &c);
  char buf[40];
  if (c.micros != 0) {
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", c.year, c.month, c.day, c.hour,
                  c.minute, c.second, c.micros);
  } else {
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", c.year, c.month, c.day, c.hour, c.minute,
                  c.second);
  }
  return buf;
}

std::string FormatHuman(TimeUs t) {
  CivilTime c;
  Split(t, &c);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d", c.year, c.month, c.day, c.hour, c.minute,
                c.second);
  return buf;
}

}  // namespace why500
