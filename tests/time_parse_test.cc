#include "why500/time_parse.h"

#include <catch2/catch.hpp>

using namespace why500;

TEST_CASE("years of dates written without one do not run backwards across New Year", "[time]") {
  CivilTime jan2;
  jan2.year = 2027;
  jan2.month = 1;
  jan2.day = 2;
  CHECK(InferYear(12, 31, jan2) == 2026);  // last night's lines
  CHECK(InferYear(1, 1, jan2) == 2027);
  CHECK(InferYear(1, 3, jan2) == 2027);    // a clock a day ahead is tolerated
  CivilTime nov22;
  nov22.year = 2026;
  nov22.month = 11;
  nov22.day = 22;
  CHECK(InferYear(11, 21, nov22) == 2026);
  CHECK(InferYear(12, 25, nov22) == 2025);
}

TEST_CASE("times print as RFC 3339 in UTC", "[time]") {
  CivilTime t;
  t.year = 2026;
  t.month = 11;
  t.day = 21;
  t.hour = 10;
  CHECK(FormatRfc3339(CivilToUtc(t, 3600)) == "2026-11-21T09:00:00Z");
  t.micros = 1500;
  CHECK(FormatRfc3339(CivilToUtc(t, 0)) == "2026-11-21T10:00:00.001500Z");
  int offset = 0;
  CHECK(ParseUtcOffset("-05:30", &offset));
  CHECK(offset == -(5 * 3600 + 30 * 60));
  CHECK_FALSE(ParseUtcOffset("+5", &offset));
  CivilTime p;
  CHECK(ParseYmdHms("2026/11/21 10:00:00", 0, &p));
  CHECK_FALSE(ParseYmdHms("2026/13/21 10:00:00", 0, &p));
  CHECK(ParseDmyHms("21/Nov/2026:10:00:00", 0, &p));
  CHECK(p.month == 11);
}
