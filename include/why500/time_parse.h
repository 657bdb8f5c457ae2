// Time values and the timestamp shapes of the supported log formats.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

namespace why500 {

// Microseconds since the Unix epoch, UTC. kNoTime means the log did not say.
using TimeUs = int64_t;
constexpr TimeUs kNoTime = std::numeric_limits<int64_t>::min();
constexpr TimeUs kUsPerSecond = 1000000;

// Days since 1970-01-01 of a proleptic Gregorian date.
int64_t DaysFromCivil(int year, int month, int day);

// 1..12 for "Jan".."Dec" (case-sensitive, as logs write them); 0 otherwise.
int MonthFromAbbrev(std::string_view s);

// A broken-down wall-clock time as a log writes it.
struct CivilTime {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  int micros = 0;
  bool Valid() const;
};

// "YYYY?MM?DD?HH:MM:SS" at `pos` of `s`, whatever the date separators and the one before the
// time (callers check those they require). False when a field is missing or out of range.
bool ParseYmdHms(std::string_view s, size_t pos, CivilTime* out);
// "DD/Mon/YYYY?HH:MM:SS" (access logs) at `pos`, the same way.
bool ParseDmyHms(std::string_view s, size_t pos, CivilTime* out);

// The year of a month and day written without one (syslog, journalctl short), seen on `today`:
// this year, unless that date lies more than a day ahead, then last year. So a log that runs
// across New Year reads December as last year and January as this one.
int InferYear(int month, int day, const CivilTime& today);

// The year to give dates written without one, instead of inferring it (--year); 0 = infer.
// Set once before any input is read, like the time zone.
void SetAssumedYear(int year);
int AssumedYear();

// UTC instant of a wall-clock time written with a known offset from UTC (seconds east).
TimeUs CivilToUtc(const CivilTime& t, int offset_seconds);

// UTC instant of a wall-clock time written in the machine's local zone (TZ honoured).
// Offsets are cached per hour, so this is cheap in a hot loop.
TimeUs LocalCivilToUtc(const CivilTime& t);

// "+0100" / "-0530" / "Z" / "+01:00" → seconds east of UTC; false when not an offset.
bool ParseUtcOffset(std::string_view s, int* offset_seconds);

// Parses ".123456" style fractions at `pos` (advancing it); returns microseconds.
int ParseFraction(std::string_view s, size_t* pos);

// RFC 3339 in UTC: "2026-11-21T10:00:00Z", with ".123456" only when micros are non-zero.
std::string FormatRfc3339(TimeUs t);
// "2026-11-21 10:00:00" in UTC, for terminal output.
std::string FormatHuman(TimeUs t);

}  // namespace why500
