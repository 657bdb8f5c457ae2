// PHP-FPM's own log ("[21-Nov-2026 10:00:00] WARNING: [pool www] ...") and PHP's error_log
// ("[21-Nov-2026 10:00:00 UTC] PHP Fatal error:  ...").
#include "why500/formats.h"
#include "why500/text.h"

namespace why500 {
namespace {

constexpr std::string_view kSaidIntoStderr = " said into stderr: \"";
constexpr std::string_view kSaidIntoStdout = " said into stdout: \"";

// "21-Nov-2026 10:00:00" with an optional ".123456"; `pos` ends after it.
bool ParsePhpDate(std::string_view s, size_t* pos, CivilTime* t) {
  if (s.size() < 21 || s[0] != '[' || s[3] != '-' || s[7] != '-' || s[12] != ' ' || s[15] != ':' ||
      s[18] != ':') {
    return false;
  }
  t->day = ParseDigits(s, 1, 2);
  t->month = MonthFromAbbrev(s.substr(4, 3));
  t->year = ParseDigits(s, 8, 4);
  t->hour = ParseDigits(s, 13, 2);
  t->minute = ParseDigits(s, 16, 2);
  t->second = ParseDigits(s, 19, 2);
  *pos = 21;
  t->micros = ParseFraction(s, pos);
  return t->Valid();
}

bool IsFpmLevel(std::string_view level) {
  return level == "DEBUG" || level == "NOTICE" || level == "WARNING" || level == "ERROR" || level == "ALERT";
}

// For "[pool www] child 123 said into stderr: \"text\"": the key "[pool www] child 123" and the text.
bool SplitWorkerOutput(std::string_view msg, std::string_view* key, std::string_view* text) {
  size_t k = msg.find(kSaidIntoStderr);
  if (k == std::string_view::npos) k = msg.find(kSaidIntoStdout);
  if (k == std::string_view::npos) return false;
  *key = msg.substr(0, k);
  std::string_view t = msg.substr(k + kSaidIntoStderr.size());
  // php-fpm closes the quote, or ends a cut line with "...", or adds ", pipe is closed".
  for (std::string_view end : {"\", pipe is closed", "\""}) {
    if (EndsWith(t, end)) {
      t.remove_suffix(end.size());
      break;
    }
  }
  *text = t;
  return true;
}

}  // namespace

bool ParsePhpFpm(std::string_view s, Record* out) {
  CivilTime t;
  size_t i;
  if (!ParsePhpDate(s, &i, &t) || i + 2 > s.size() || s[i] != ']' || s[i + 1] != ' ') return false;
  const size_t colon = FindShort(s, ": ", i + 2);
  if (colon == std::string_view::npos) return false;
  const std::string_view level = s.substr(i + 2, colon - i - 2);
  if (!IsFpmLevel(level)) return false;
  Record r;
  r.time = LocalCivilToUtc(t);
  r.severity = level;
  r.message = s.substr(colon + 2);
  std::string_view key, text;
  if (SplitWorkerOutput(r.message, &key, &text)) {
    r.join_key = key;
    r.message = text;
    const size_t child = key.find("child ");
    if (child != std::string_view::npos) r.pid = key.substr(child + 6);
  }
  *out = r;
  return true;
}

bool ParsePhpError(std::string_view s, Record* out) {
  CivilTime t;
  size_t i;
  if (!ParsePhpDate(s, &i, &t) || i >= s.size() || s[i] != ' ') return false;
  const size_t close = FindShort(s, "] ", i);
  if (close == std::string_view::npos || close > i + 40) return false;
  const std::string_view zone = s.substr(i + 1, close - i - 1);
  Record r;
  int offset;
  // A named zone other than UTC cannot be resolved without a zone database: local time it is.
  r.time = ParseUtcOffset(zone, &offset) ? CivilToUtc(t, offset) : LocalCivilToUtc(t);
  r.message = s.substr(close + 2);
  // Xdebug/PHP "PHP Stack trace:" and "PHP   1. {main}() ..." lines carry their own date.
  const std::string_view after_php = StartsWith(r.message, "PHP  ") ? Trim(r.message.substr(4)) : std::string_view();
  if (StartsWith(r.message, "PHP Stack trace:") || (!after_php.empty() && IsDigit(after_php[0]))) {
    r.join_key = "+";
  }
  *out = r;
  return true;
}

void FinishPhpFpm(Event* e) {
  if (e->join_key.empty()) return;
  thread_local std::string out;
  out.clear();
  AppendPeeledPhpMessages(e->message, &out);
  e->message.swap(out);
}

}  // namespace why500
