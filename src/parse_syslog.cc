// syslog and journalctl text output: the prefix gives time, host, identifier and pid; the
// message behind it is parsed again by its own format (an nginx or php-fpm line keeps its shape).
//   RFC 3164, journalctl short/short-precise: "Nov 21 10:00:01 web1 php-fpm[1234]: message"
//   journalctl short-iso(-precise):           "2026-11-21T10:00:01+0000 web1 nginx[1]: message"
//   journalctl short-full:                    "Sat 2026-11-21 10:00:01 UTC web1 nginx[1]: message"
//   RFC 5424:                                 "<34>1 2026-11-21T10:00:01.003Z web1 app 1234 ID47 - message"
#include <ctime>

#include "why500/formats.h"
#include "why500/text.h"

namespace why500 {
namespace {

// Today's date, for the year of dates written without one.
CivilTime Today() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  CivilTime t;
  t.year = tm.tm_year + 1900;
  t.month = tm.tm_mon + 1;
  t.day = tm.tm_mday;
  return t;
}

// "Nov 21 10:00:01" (day space-padded), optional ".123456". Advances `pos`.
bool ParseBsdTime(std::string_view s, size_t* pos, TimeUs* out) {
  if (s.size() < *pos + 15) return false;
  const std::string_view t = s.substr(*pos);
  if (t[3] != ' ' || t[6] != ' ' || t[9] != ':' || t[12] != ':') return false;
  CivilTime c;
  c.month = MonthFromAbbrev(t.substr(0, 3));
  c.day = t[4] == ' ' ? ParseDigits(t, 5, 1) : ParseDigits(t, 4, 2);
  c.hour = ParseDigits(t, 7, 2);
  c.minute = ParseDigits(t, 10, 2);
  c.second = ParseDigits(t, 13, 2);
  size_t p = 15;
  c.micros = ParseFraction(t, &p);
  if (c.month == 0 || c.day <= 0) return false;
  static const CivilTime today = Today();
  c.year = AssumedYear() > 0 ? AssumedYear() : InferYear(c.month, c.day, today);
  if (!c.Valid()) return false;
  *out = LocalCivilToUtc(c);
  *pos += p;
  return true;
}

// "2026-11-21T10:00:01.123+00:00" up to the next space. Advances `pos`.
bool ParseIsoToken(std::string_view s, size_t* pos, TimeUs* out) {
  const size_t end = s.find(' ', *pos);
  if (end == std::string_view::npos) return false;
  const std::string_view t = s.substr(*pos, end - *pos);
  if (t.size() < 19 || t[4] != '-' || t[7] != '-' || t[10] != 'T' || t[13] != ':' || t[16] != ':') return false;
  CivilTime c;
  if (!ParseYmdHms(t, 0, &c)) return false;
  size_t p = 19;
  c.micros = ParseFraction(t, &p);
  int offset;
  if (p == t.size()) {
    *out = LocalCivilToUtc(c);
  } else if (ParseUtcOffset(t.substr(p), &offset)) {
    *out = CivilToUtc(c, offset);
  } else {
    return false;
  }
  *pos = end;
  return true;
}

// "Sat 2026-11-21 10:00:01 UTC" (journalctl short-full). Advances `pos`.
bool ParseFullTime(std::string_view s, size_t* pos, TimeUs* out) {
  const std::string_view t = s.substr(*pos);
  if (t.size() < 24 || t[3] != ' ' || t[8] != '-' || t[14] != ' ' || t[17] != ':') return false;
  CivilTime c;
  if (!ParseYmdHms(t, 4, &c)) return false;
  size_t p = 23;
  c.micros = ParseFraction(t, &p);
  if (p >= t.size() || t[p] != ' ') return false;
  const size_t zone_end = t.find(' ', p + 1);
  if (zone_end == std::string_view::npos) return false;
  int offset;
  *out = ParseUtcOffset(t.substr(p + 1, zone_end - p - 1), &offset) ? CivilToUtc(c, offset) : LocalCivilToUtc(c);
  *pos += zone_end;
  return true;
}

bool IsIdentChar(char c) { return c != ' ' && c != '[' && c != ':' && c != '\t'; }

// "host ident[pid]: " or "host ident: " at `pos`. Fills pid and join key; returns the message start.
size_t ParseTag(std::string_view s, size_t pos, Record* r) {
  if (pos >= s.size() || s[pos] != ' ') return 0;
  const size_t host_end = s.find(' ', pos + 1);
  if (host_end == std::string_view::npos || host_end == pos + 1 || s[host_end - 1] == ':') return 0;
  size_t i = host_end + 1;
  const size_t ident_start = i;
  while (i < s.size() && IsIdentChar(s[i]) && i - ident_start < 64) ++i;
  if (i == ident_start || i >= s.size()) return 0;
  const size_t ident_end = i;
  if (s[i] == '[') {
    const size_t close = s.find(']', i);
    if (close == std::string_view::npos || close > i + 12) return 0;
    r->pid = s.substr(i + 1, close - i - 1);
    i = close + 1;
  }
  if (i >= s.size() || s[i] != ':') return 0;
  r->join_key = s.substr(ident_start, ident_end - ident_start);
  r->server = s.substr(pos + 1, host_end - pos - 1);
  ++i;
  if (i < s.size() && s[i] == ' ') ++i;
  return i;
}

// "<34>1 2026-11-21T10:00:01Z host app procid msgid [sd] message"
bool ParseRfc5424(std::string_view s, size_t pos, Record* r) {
  if (!ParseIsoToken(s, &pos, &r->time)) return false;
  std::string_view fields[4];  // host, app, procid, msgid
  for (auto& f : fields) {
    if (pos >= s.size() || s[pos] != ' ') return false;
    const size_t end = s.find(' ', pos + 1);
    if (end == std::string_view::npos) return false;
    f = s.substr(pos + 1, end - pos - 1);
    pos = end;
  }
  ++pos;
  if (pos < s.size() && s[pos] == '[') {  // structured data: [id k="v" ...]...
    while (pos < s.size() && s[pos] == '[') {
      const size_t close = s.find(']', pos);
      if (close == std::string_view::npos) return false;
      pos = close + 1;
    }
  } else if (s.compare(pos, 1, "-") == 0) {
    ++pos;
  }
  if (pos < s.size() && s[pos] == ' ') ++pos;
  r->server = fields[0];
  r->join_key = fields[1];
  if (fields[2] != "-") r->pid = fields[2];
  r->message = s.substr(std::min(pos, s.size()));
  return true;
}

}  // namespace

bool ParseSyslog(std::string_view s, Record* out) {
  Record r;
  // journalctl's own lines: "-- Boot 3e9c... --", "-- No entries --", "-- Logs begin at ... --".
  if (StartsWith(s, "-- ") && EndsWith(s, " --")) {
    *out = r;
    return true;
  }
  size_t pos = 0;
  if (!s.empty() && s[0] == '<') {  // a priority: "<34>"
    const size_t close = s.find('>');
    if (close == std::string_view::npos || close > 4) return false;
    pos = close + 1;
  }
  if (s.compare(pos, 2, "1 ") == 0 && pos > 0) {
    if (!ParseRfc5424(s, pos + 2, &r)) return false;
  } else {
    if (!ParseBsdTime(s, &pos, &r.time) && !ParseIsoToken(s, &pos, &r.time) && !ParseFullTime(s, &pos, &r.time)) {
      return false;
    }
    const size_t msg = ParseTag(s, pos, &r);
    if (msg == 0) return false;
    r.message = s.substr(msg);
  }
  // The kernel's own clock: "[12345.678901] Out of memory: ..."
  if (r.join_key == "kernel" && StartsWith(r.message, "[")) {
    const size_t close = r.message.find("] ");
    if (close != std::string_view::npos && close < 20) r.message.remove_prefix(close + 2);
  }
  *out = r;
  return true;
}

void FinishSyslog(Event* e) {
  // The message may be a line of another format (nginx and php-fpm log to journald in their
  // own shape): read it as that format, with the journal's time.
  constexpr Format kInner[] = {Format::kNginxError, Format::kApacheError, Format::kPhpFpm, Format::kPhpError};
  const std::string_view first = std::string_view(e->message).substr(0, e->message.find('\n'));
  for (Format f : kInner) {
    Record rec;
    if (!ParseLine(f, first, &rec)) continue;
    thread_local std::string inner;
    inner.assign(rec.message);
    inner.append(std::string_view(e->message).substr(first.size()));
    e->severity.assign(rec.severity);
    if (!rec.connection.empty()) e->connection.assign(rec.connection);
    e->message.swap(inner);
    e->format = f;
    FinishEvent(e);
    return;
  }
  FinishGeneric(e);
}

}  // namespace why500
