// Apache error log, 2.4: "[Sat Nov 21 10:00:00.123456 2026] [proxy_fcgi:error] [pid 1:tid 2] [client 1.2.3.4:5] AH...",
// and 2.2: "[Sat Nov 21 10:00:00 2026] [error] [client 1.2.3.4] message".
#include <algorithm>

#include "why500/formats.h"
#include "why500/text.h"

namespace why500 {
namespace {

constexpr std::string_view kGotError = "AH01071: Got error '";

// "Sat Nov 21 10:00:00.123456 2026" (the day may be space-padded).
bool ParseApacheTime(std::string_view s, TimeUs* out) {
  if (s.size() < 24 || s[3] != ' ' || s[7] != ' ') return false;
  CivilTime t;
  t.month = MonthFromAbbrev(s.substr(4, 3));
  size_t i = 8;
  if (s[i] == ' ') ++i;
  const size_t day_len = (i + 1 < s.size() && IsDigit(s[i + 1])) ? 2 : 1;
  t.day = ParseDigits(s, i, day_len);
  i += day_len;
  if (i + 9 > s.size() || s[i] != ' ' || s[i + 3] != ':' || s[i + 6] != ':') return false;
  t.hour = ParseDigits(s, i + 1, 2);
  t.minute = ParseDigits(s, i + 4, 2);
  t.second = ParseDigits(s, i + 7, 2);
  i += 9;
  t.micros = ParseFraction(s, &i);
  if (i + 5 > s.size() || s[i] != ' ') return false;
  t.year = ParseDigits(s, i + 1, 4);
  if (!t.Valid()) return false;
  *out = LocalCivilToUtc(t);
  return true;
}

// Removes "[client 1.2.3.4:5] " or "[remote ...] " from near the start of `msg`; returns the address.
std::string_view TakeClient(std::string_view* msg, std::string* rest) {
  for (std::string_view tag : {"[client ", "[remote "}) {
    const size_t k = FindShort(*msg, tag);
    if (k == std::string_view::npos || k > 160) continue;
    const size_t end = FindShort(*msg, "] ", k);
    if (end == std::string_view::npos) continue;
    std::string_view addr = msg->substr(k + tag.size(), end - k - tag.size());
    rest->assign(msg->substr(0, k));
    rest->append(msg->substr(end + 2));
    *msg = *rest;
    // Strip the port of "1.2.3.4:5" and "[::1]:5"; a bare IPv6 address keeps its colons.
    const size_t colon = addr.rfind(':');
    if (colon != std::string_view::npos && addr.find(':') == colon) addr = addr.substr(0, colon);
    return addr;
  }
  return {};
}

int HexValue(char c) {
  if (IsDigit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Undoes Apache 2.4's escaping of logged text (ap_escape_errorlog_item): "\\n" was a line
// break, "\\\\" a backslash, "\\\"" a quote, "\\xHH" a control byte.
void AppendApacheUnescaped(std::string_view s, std::string* out) {
  size_t i = 0;
  while (i < s.size()) {
    const size_t slash = std::min(s.find('\\', i), s.size());
    out->append(s.data() + i, slash - i);  // the text up to the next escape, at once
    i = slash;
    if (i == s.size()) break;
    const char next = i + 1 < s.size() ? s[i + 1] : '\0';
    if (next == 'n') {
      out->push_back('\n');
    } else if (next == 't') {
      out->push_back('\t');
    } else if (next == '\\' || next == '"') {
      out->push_back(next);
    } else if (next == 'x' && i + 3 < s.size() && HexValue(s[i + 2]) >= 0 && HexValue(s[i + 3]) >= 0) {
      out->push_back(static_cast<char>(HexValue(s[i + 2]) * 16 + HexValue(s[i + 3])));
      i += 2;
    } else {
      out->push_back('\\');  // not an escape: the backslash stays, the next byte is read as text
      ++i;
      continue;
    }
    i += 2;
  }
}

}  // namespace

bool ParseApacheError(std::string_view s, Record* out) {
  if (s.size() < 30 || s[0] != '[') return false;
  const size_t close = FindByte(s, ']');
  if (close == std::string_view::npos || close > 40) return false;
  Record r;
  if (!ParseApacheTime(s.substr(1, close - 1), &r.time)) return false;
  size_t i = close + 1;
  if (i + 2 > s.size() || s[i] != ' ') return false;
  if (s[i + 1] != '[') {  // a custom ErrorLogFormat of the time and the message alone
    r.message = s.substr(i + 1);
    *out = r;
    return true;
  }
  const size_t lvl_end = FindByte(s, ']', i + 2);
  if (lvl_end == std::string_view::npos) return false;
  r.severity = s.substr(i + 2, lvl_end - i - 2);
  const size_t module_colon = r.severity.rfind(':');
  if (module_colon != std::string_view::npos) r.severity = r.severity.substr(module_colon + 1);
  i = lvl_end + 1;
  if (StartsWith(s.substr(i), " [pid ")) {
    const size_t pid_end = FindByte(s, ']', i);
    if (pid_end != std::string_view::npos) {
      r.pid = s.substr(i + 6, pid_end - i - 6);
      const size_t tid = r.pid.find(':');
      if (tid != std::string_view::npos) r.pid = r.pid.substr(0, tid);
      i = pid_end + 1;
    }
  }
  if (i < s.size() && s[i] == ' ') ++i;
  r.message = s.substr(i);
  *out = r;
  return true;
}

void FinishApacheError(Event* e) {
  thread_local std::string without_client, out;
  std::string_view msg = e->message;
  const std::string_view client = TakeClient(&msg, &without_client);
  if (!client.empty()) e->client.assign(client);
  const size_t referer = msg.rfind(", referer: ");
  if (referer != std::string_view::npos) msg = msg.substr(0, referer);
  out.clear();
  const size_t got = msg.find(kGotError);
  if (got != std::string_view::npos) {
    std::string_view inner = msg.substr(got + kGotError.size());
    if (EndsWith(inner, "'")) inner.remove_suffix(1);
    AppendApacheUnescaped(msg.substr(0, got + 9), &out);  // keep "AH01071: " for context
    out.push_back('\n');
    thread_local std::string unescaped;
    unescaped.clear();
    AppendApacheUnescaped(inner, &unescaped);
    AppendPeeledPhpMessages(unescaped, &out);
  } else {
    AppendApacheUnescaped(msg, &out);
  }
  e->message.swap(out);
}

}  // namespace why500
