// Access logs in the common and combined shapes (nginx "combined" and "main", Apache
// "common" and "combined"): client ident user [time] "request" status bytes ["referer" "agent" ...].
#include <cstring>

#include "why500/formats.h"
#include "why500/text.h"

namespace why500 {
namespace {

// Advances past one space-separated token; false at the end.
bool SkipToken(std::string_view s, size_t* i) {
  const size_t sp = s.find(' ', *i);
  if (sp == std::string_view::npos) return false;
  *i = sp + 1;
  return true;
}

bool ParseAccessTimeText(std::string_view s, TimeUs* out) {
  CivilTime t;
  if (!ParseDmyHms(s, 0, &t)) return false;
  if (s.size() == 20 && s[11] == ' ') {
    *out = LocalCivilToUtc(t);
    return true;
  }
  if (s.size() < 26 || s[11] != ':') return false;
  size_t pos = 20;
  t.micros = ParseFraction(s, &pos);
  int offset;
  if (pos + 6 > s.size() || s[pos] != ' ' || !ParseUtcOffset(s.substr(pos + 1, 5), &offset)) return false;
  *out = CivilToUtc(t, offset);
  return true;
}

}  // namespace

// "21/Nov/2026:10:00:00 +0000", or Werkzeug's "21/Nov/2026 10:00:00" (local time).
bool ParseAccessTime(std::string_view s, TimeUs* out) {
  // A busy log writes the same second on many lines in a row: the last time read on this thread
  // is kept with its text (the machine's zone, the only other input, does not change in a run).
  struct Last {
    bool kept = false;
    char text[32];
    size_t size = 0;
    TimeUs time = kNoTime;
  };
  thread_local Last last;
  if (last.kept && s.size() == last.size && std::memcmp(s.data(), last.text, s.size()) == 0) {
    *out = last.time;
    return true;
  }
  if (!ParseAccessTimeText(s, out)) return false;
  if (s.size() <= sizeof(last.text)) {
    std::memcpy(last.text, s.data(), s.size());
    last.size = s.size();
    last.time = *out;
    last.kept = true;
  }
  return true;
}

bool SplitRequest(std::string_view request, std::string_view* method, std::string_view* path) {
  const size_t sp = FindByte(request, ' ');
  if (sp == std::string_view::npos) return false;
  *method = request.substr(0, sp);
  std::string_view target = request.substr(sp + 1);
  target = target.substr(0, FindByte(target, ' '));
  *path = target.substr(0, FindByte(target, '?'));
  return true;
}

bool ParseResponseFragment(std::string_view s, Record* out) {
  Record r;
  // Rails: "Completed 500 Internal Server Error in 25ms (ActiveRecord: 1.2ms)"
  const size_t completed = s.find("Completed ");
  if (completed != std::string_view::npos && ParseDigits(s, completed + 10, 3) >= 100 &&
      s.compare(completed + 13, 1, " ") == 0) {
    r.status = ParseDigits(s, completed + 10, 3);
    *out = r;
    return true;
  }
  const size_t http = s.find("HTTP/");
  if (http == std::string_view::npos) return false;
  // uWSGI's request log: "GET /x => generated 0 bytes in 0 msecs (HTTP/1.1 500) 0 headers ..."
  if (http > 0 && s[http - 1] == '(') {
    const size_t sp = s.find(' ', http);
    if (sp == std::string_view::npos || ParseDigits(s, sp + 1, 3) < 100 || s.compare(sp + 4, 1, ")") != 0) return false;
    r.status = ParseDigits(s, sp + 1, 3);
    *out = r;
    return true;
  }
  // A quoted request and its status: "GET /x HTTP/1.1" 502 ...
  const size_t close = s.find("\" ", http);
  const size_t open = s.rfind('"', http);
  if (close == std::string_view::npos || open == std::string_view::npos || close > http + 12) return false;
  const int status = ParseDigits(s, close + 2, 3);
  if (status < 100 || (close + 5 < s.size() && s[close + 5] != ' ')) return false;
  SplitRequest(s.substr(open + 1, http - open - 2), &r.method, &r.path);
  r.status = status;
  *out = r;
  return true;
}

bool ParseAccess(std::string_view s, Record* out, bool* combined) {
  size_t i = 0;
  const size_t client_end = FindByte(s, ' ');
  if (client_end == std::string_view::npos || client_end == 0 || client_end > 64) return false;
  Record r;
  r.client = s.substr(0, client_end);
  size_t open;
  if (HasAt(s, client_end, " - - [")) {
    // Nearly every line has no ident and no user: the time's bracket is where the search below
    // would find it first.
    i = client_end + 3;
    open = client_end + 4;
  } else {
    i = client_end + 1;
    if (!SkipToken(s, &i)) return false;  // ident
    // The user may contain spaces in odd setups; find the bracketed time instead of counting.
    open = s.find(" [", i - 1);
  }
  if (open != std::string_view::npos && open <= i + 128) {
    const size_t close = FindShort(s, "] \"", open);
    if (close == std::string_view::npos || close > open + 40) return false;
    const std::string_view time = s.substr(open + 2, close - open - 2);
    if (!ParseAccessTime(time, &r.time) && !ParseLeadingIsoTime(time, &r.time)) return false;
    i = close + 3;
  } else {
    // php-fpm's access.log writes the time without brackets: %R - %u %t "%m %r" %s. Its 5xx count
    // unless the proxy's access log holds the same failures (see Correlate).
    r.backend_response = true;
    const size_t user_end = s.find(' ', i);
    if (user_end == std::string_view::npos || user_end > i + 64) return false;
    i = user_end + 1;
    if (!ParseAccessTime(s.substr(i, 26), &r.time) || s.compare(i + 26, 2, " \"") != 0) return false;
    i += 28;
  }
  // The request ends at the first quote not escaped with a backslash.
  size_t end = i;
  for (;;) {
    end = FindByte(s, '"', end);
    if (end == std::string_view::npos) return false;
    if (s[end - 1] != '\\') break;
    ++end;
  }
  SplitRequest(s.substr(i, end - i), &r.method, &r.path);
  i = end + 1;
  if (i + 4 > s.size() || s[i] != ' ') return false;
  const int status = ParseDigits(s, i + 1, 3);
  if (status < 100) return false;
  r.status = status;
  i += 4;
  if (combined) *combined = s.find(" \"", i) != std::string_view::npos;
  *out = r;
  return true;
}

}  // namespace why500
