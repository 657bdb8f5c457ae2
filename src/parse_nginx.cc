// nginx error log: "2026/11/21 10:00:00 [error] 1234#1234: *567 message, client: ..., request: ..."
#include "why500/formats.h"
#include "why500/text.h"

namespace why500 {
namespace {

constexpr std::string_view kFastCgiStderr = "FastCGI sent in stderr: \"";
constexpr size_t kNginxMaxEntry = 2048;  // NGX_MAX_ERROR_STR, including the newline

// The value after `key` in the request tail: quoted values end at their closing quote.
std::string_view TailValue(std::string_view tail, std::string_view key) {
  size_t k = tail.find(key);
  if (k == std::string_view::npos) return {};
  std::string_view v = tail.substr(k + key.size());
  if (!v.empty() && v.front() == '"') {
    v.remove_prefix(1);
    size_t end = 0;
    while ((end = v.find('"', end)) != std::string_view::npos) {
      if (end + 1 == v.size() || v[end + 1] == ',') return v.substr(0, end);
      ++end;
    }
    return v;
  }
  const size_t comma = v.find(", ");
  return comma == std::string_view::npos ? v : v.substr(0, comma);
}

void SplitRequest(std::string_view request, std::string* method, std::string* path) {
  const size_t sp = request.find(' ');
  if (sp == std::string_view::npos) return;
  method->assign(request.substr(0, sp));
  std::string_view target = request.substr(sp + 1);
  const size_t end = target.find(' ');
  if (end != std::string_view::npos) target = target.substr(0, end);
  const size_t q = target.find('?');
  path->assign(target.substr(0, q));
}

}  // namespace

bool ParseNginxError(std::string_view s, Record* out) {
  // "YYYY/MM/DD HH:MM:SS [" is 21 bytes.
  if (s.size() < 22 || s[4] != '/' || s[7] != '/' || s[10] != ' ' || s[13] != ':' || s[16] != ':' ||
      s[19] != ' ' || s[20] != '[') {
    return false;
  }
  CivilTime t;
  if (!ParseYmdHms(s, 0, &t)) return false;
  const size_t close = s.find("] ", 21);
  if (close == std::string_view::npos || close > 30) return false;
  Record r;
  r.time = LocalCivilToUtc(t);
  r.severity = s.substr(21, close - 21);
  size_t i = close + 2;
  const size_t colon = s.find(": ", i);
  if (colon != std::string_view::npos && colon < i + 48 && s.find('#', i) < colon) {
    r.pid = s.substr(i, s.find('#', i) - i);
    i = colon + 2;
    if (i < s.size() && s[i] == '*') {
      const size_t sp = s.find(' ', i);
      if (sp != std::string_view::npos) {
        r.connection = s.substr(i + 1, sp - i - 1);
        i = sp + 1;
      }
    }
  }
  r.message = s.substr(std::min(i, s.size()));
  *out = r;
  return true;
}

void FinishNginxError(Event* e) {
  std::string_view msg = e->message;
  const size_t tail = msg.rfind(", client: ");
  thread_local std::string untailed;
  if (tail != std::string_view::npos) {
    // The tail ends its line; lines after it (pasted or foreign continuation lines) stay.
    const size_t tail_end = msg.find('\n', tail);
    const std::string_view t = msg.substr(tail + 2, tail_end == std::string_view::npos ? std::string_view::npos
                                                                                        : tail_end - tail - 2);
    e->client.assign(TailValue(t, "client: "));
    e->server.assign(TailValue(t, "server: "));
    e->upstream.assign(TailValue(t, "upstream: "));
    e->host.assign(TailValue(t, "host: "));
    SplitRequest(TailValue(t, "request: "), &e->method, &e->path);
    if (tail_end == std::string_view::npos) {
      msg = msg.substr(0, tail);
    } else {
      untailed.assign(msg.substr(0, tail));
      untailed.append(msg.substr(tail_end));
      msg = untailed;
    }
  } else if (e->entry_bytes + 1 >= kNginxMaxEntry - 8 && e->entry_bytes + 1 <= kNginxMaxEntry) {
    e->cut = true;  // nginx writes at most 2048 bytes an entry; a longer one was not cut by nginx
  }
  thread_local std::string peeled;
  peeled.clear();
  const size_t fcgi = msg.find(kFastCgiStderr);
  if (fcgi != std::string_view::npos) {
    peeled.append(msg.substr(0, fcgi));
    std::string_view stderr_text = msg.substr(fcgi + kFastCgiStderr.size());
    // nginx's own words follow the closing quote: keep them, on a line of their own.
    std::string_view context;
    const size_t quote = stderr_text.rfind("\" while ");
    if (quote != std::string_view::npos) {
      context = stderr_text.substr(quote + 2);
      stderr_text = stderr_text.substr(0, quote);
    } else if (EndsWith(stderr_text, "\"")) {
      stderr_text.remove_suffix(1);
    }
    AppendPeeledPhpMessages(stderr_text, &peeled);
    if (!context.empty()) {
      peeled.push_back('\n');
      peeled.append(context);
    }
  } else {
    peeled.append(msg);
  }
  e->message.swap(peeled);
}

}  // namespace why500
