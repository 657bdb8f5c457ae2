// Lines of no recognised format: the line is the message. A leading ISO-8601-like timestamp
// ("2026-11-21T10:00:00Z", "2026-11-21 10:00:00,123", "[2026-11-21 10:00:00 +0000]") gives the time.
#include "why500/formats.h"
#include "why500/text.h"

namespace why500 {
bool ParseLeadingIsoTime(std::string_view s, TimeUs* out) {
  size_t i = 0;
  if (!s.empty() && s[0] == '[') i = 1;
  // Ruby's Logger: "F, [2026-11-21T10:03:04.132491 #24811] FATAL -- : ..."
  if (s.size() > 4 && s[1] == ',' && s[2] == ' ' && s[3] == '[') i = 4;
  if (s.size() < i + 19 || s[i + 4] != '-' || s[i + 7] != '-' || (s[i + 10] != 'T' && s[i + 10] != ' ') ||
      s[i + 13] != ':' || s[i + 16] != ':') {
    return false;
  }
  CivilTime t;
  if (!ParseYmdHms(s, i, &t)) return false;
  size_t pos = i + 19;
  t.micros = ParseFraction(s, &pos);
  if (pos < s.size() && s[pos] == ' ') ++pos;
  size_t zone_end = pos;
  while (zone_end < s.size() && s[zone_end] != ' ' && s[zone_end] != ']') ++zone_end;
  int offset;
  if (zone_end > pos && ParseUtcOffset(s.substr(pos, zone_end - pos), &offset)) {
    *out = CivilToUtc(t, offset);
  } else {
    *out = LocalCivilToUtc(t);
  }
  return true;
}

// Django's runserver and Werkzeug: "[21/Nov/2026 10:00:00] ..." in local time.
bool ParseLeadingBracketedDmy(std::string_view s, TimeUs* out) {
  CivilTime t;
  if (s.size() < 22 || s[0] != '[' || s[12] != ' ' || s[21] != ']' || !ParseDmyHms(s, 1, &t)) return false;
  *out = LocalCivilToUtc(t);
  return true;
}

bool ParseGeneric(std::string_view s, Record* out) {
  Record r;
  if (!ParseLeadingIsoTime(s, &r.time) && !ParseLeadingBracketedDmy(s, &r.time)) r.time = kNoTime;
  r.message = s;
  *out = r;
  return true;
}

namespace {

// "[error] 1046#1046: *2094 ": an nginx header whose date was cut off when the line was pasted.
size_t DatelessNginxHeader(std::string_view s) {
  if (s.empty() || s[0] != '[') return 0;
  const size_t close = s.find("] ");
  if (close == std::string_view::npos || close > 8) return 0;
  size_t i = close + 2;
  const size_t start = i;
  while (i < s.size() && IsDigit(s[i])) ++i;
  if (i == start || i >= s.size() || s[i] != '#') return 0;
  ++i;
  while (i < s.size() && IsDigit(s[i])) ++i;
  if (s.compare(i, 2, ": ") != 0) return 0;
  i += 2;
  if (i < s.size() && s[i] == '*') {
    const size_t sp = s.find(' ', i);
    if (sp != std::string_view::npos) i = sp + 1;
  }
  return i;
}


// "[proxy_fcgi:error] [pid 41:tid 140] ": an Apache header whose time was cut off.
size_t DatelessApacheHeader(std::string_view s, std::string_view* level) {
  if (s.size() < 10 || s[0] != '[') return 0;
  const size_t close = s.find("] [pid ");
  if (close == std::string_view::npos || close > 40) return 0;
  const std::string_view bracket = s.substr(1, close - 1);
  if (bracket.find(' ') != std::string_view::npos) return 0;
  const size_t pid_end = s.find("] ", close + 2);
  if (pid_end == std::string_view::npos || pid_end > close + 40) return 0;
  *level = bracket.substr(bracket.rfind(':') == std::string_view::npos ? 0 : bracket.rfind(':') + 1);
  return pid_end + 2;
}

}  // namespace

void FinishGeneric(Event* e) {
  // A pasted nginx or Apache entry without its date: read it as its server's log would be read.
  std::string_view level;
  const size_t apache = DatelessApacheHeader(e->message, &level);
  if (apache > 0) {
    e->severity.assign(level);
    e->message.erase(0, apache);
    e->format = Format::kApacheError;
    FinishApacheError(e);
    return;
  }
  const size_t header = DatelessNginxHeader(e->message);
  if (header > 0 || (e->message.find(", client: ") != std::string::npos &&
                     e->message.find(", server: ") != std::string::npos)) {
    if (header > 0) {
      e->severity.assign(e->message, 1, e->message.find(']') - 1);
      e->format = Format::kNginxError;
    }
    e->message.erase(0, header);
    FinishNginxError(e);
    e->cut = false;  // the pasted text's length says nothing about nginx's limit
    return;
  }
  // Pasted nginx/Apache fragments still carry PHP-FPM wrappers.
  if (e->message.find("PHP message: ") == std::string::npos) return;
  thread_local std::string out;
  out.clear();
  AppendPeeledPhpMessages(e->message, &out);
  e->message.swap(out);
}

}  // namespace why500
