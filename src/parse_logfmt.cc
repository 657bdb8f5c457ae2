// logfmt application logs (Go's logrus/slog/zap text, Heroku, Grafana tools):
//   time=2026-11-21T10:00:00Z level=error msg="query failed" err="dial tcp 10.0.0.5:5432: connect: connection refused"
// The message is msg followed by the error, the time the time field, the level the level field.
#include <initializer_list>
#include <vector>

#include "why500/formats.h"
#include "why500/text.h"

namespace why500 {
namespace {

struct Pair {
  std::string_view key;
  std::string value;  // unquoted, escapes undone
};

bool IsKeyChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || IsDigit(c) || c == '_' || c == '.' || c == '-' ||
         c == '@';
}

// Splits `s` into key=value pairs; false when it is not logfmt (a word that is no pair, say).
bool SplitPairs(std::string_view s, std::vector<Pair>* pairs) {
  pairs->clear();
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    if (i == s.size()) break;
    const size_t key_start = i;
    while (i < s.size() && IsKeyChar(s[i])) ++i;
    if (i == key_start || i >= s.size() || s[i] != '=') return false;
    Pair p{s.substr(key_start, i - key_start), {}};
    ++i;
    if (i < s.size() && s[i] == '"') {
      for (++i; i < s.size() && s[i] != '"'; ++i) {
        if (s[i] == '\\' && i + 1 < s.size()) {
          ++i;
          p.value.push_back(s[i] == 'n' ? '\n' : s[i] == 't' ? '\t' : s[i]);
        } else {
          p.value.push_back(s[i]);
        }
      }
      if (i >= s.size()) return false;  // an unclosed quote
      ++i;
    } else {
      const size_t start = i;
      while (i < s.size() && s[i] != ' ') ++i;
      p.value.assign(s.substr(start, i - start));
    }
    pairs->push_back(std::move(p));
  }
  return pairs->size() >= 3;
}

const std::string* Value(const std::vector<Pair>& pairs, std::initializer_list<std::string_view> keys) {
  for (std::string_view key : keys) {
    for (const Pair& p : pairs) {
      if (p.key == key && !p.value.empty()) return &p.value;
    }
  }
  return nullptr;
}

}  // namespace

bool ParseLogfmt(std::string_view s, Record* out) {
  // Record views must outlive this call: the values live in per-thread buffers until the next
  // line is parsed on this thread, which is as long as the assembler needs them.
  thread_local std::vector<Pair> pairs;
  thread_local std::string message, level;
  if (s.empty() || !IsKeyChar(s[0]) || s.find('=') == std::string_view::npos || !SplitPairs(s, &pairs)) return false;
  // Heroku's router writes at=error code=H12 desc="Request timeout": no msg, so the line itself is the message.
  const std::string* msg = Value(pairs, {"msg", "message"});
  const std::string* lvl = Value(pairs, {"level", "lvl", "severity", "at"});
  if (!msg && !lvl) return false;  // key=value text, but no log line
  message = msg ? *msg : std::string(s);
  if (const std::string* err = Value(pairs, {"err", "error", "exception", "stack", "stacktrace"})) {
    if (!message.empty()) message.push_back('\n');
    message += *err;
  }
  level = lvl ? *lvl : std::string();
  Record r;
  if (const std::string* status = Value(pairs, {"status", "status_code", "http_status"})) {
    const int code = ParseDigits(*status, 0, 3);
    if (code >= 100 && status->size() == 3) r.status = code;
  }
  if (const std::string* t = Value(pairs, {"time", "ts", "timestamp", "t"})) {
    TimeUs time;
    if (ParseLeadingIsoTime(*t, &time)) r.time = time;
  }
  if (const std::string* id = Value(pairs, {"request_id", "req_id", "requestId"})) r.request_id = *id;
  r.message = message;
  r.severity = level;
  *out = r;
  return true;
}

}  // namespace why500
