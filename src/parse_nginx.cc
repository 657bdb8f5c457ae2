// nginx error log: "2026/11/21 10:00:00 [error] 1234#1234: *567 message, client: ..., request: ..."
#include <algorithm>
#include <cstring>
#include <utility>

#include "why500/formats.h"
#include "why500/text.h"

namespace why500 {
namespace {

constexpr std::string_view kFastCgiStderr = "FastCGI sent in stderr: \"";
constexpr size_t kNginxMaxEntry = 2048;  // NGX_MAX_ERROR_STR, including the newline

// A value of the request tail, `v` starting where it does: a quoted value ends at its closing
// quote (one followed by ',' or the end), another at ", ". `used` gets the bytes it spans.
std::string_view ValueAt(std::string_view v, size_t* used) {
  if (!v.empty() && v.front() == '"') {
    for (size_t end = 1; (end = FindByte(v, '"', end)) != std::string_view::npos; ++end) {
      if (end + 1 == v.size() || v[end + 1] == ',') {
        *used = end + 1;
        return v.substr(1, end - 1);
      }
    }
    *used = v.size();
    return v.substr(1);
  }
  *used = std::min(FindShort(v, ", "), v.size());
  return v.substr(0, *used);
}

// The value after `key` in the request tail, wherever `key` first is.
std::string_view TailValue(std::string_view tail, std::string_view key) {
  const size_t k = FindBytes(tail, key);  // most tails lack the upstream or the host: a scan to the end
  size_t used;
  return k == std::string_view::npos ? std::string_view() : ValueAt(tail.substr(k + key.size()), &used);
}

// Where `needle` (which starts with ',') last starts in `s`: from the back, one comma at a time
// (memrchr). std::string_view::rfind compares the whole needle at every position instead.
size_t LastOf(std::string_view s, std::string_view needle) {
  for (size_t end = s.size(); end > 0;) {
    const void* at = memrchr(s.data(), ',', end);
    if (at == nullptr) break;
    const size_t pos = static_cast<size_t>(static_cast<const char*>(at) - s.data());
    if (HasAt(s, pos, needle)) return pos;
    end = pos;
  }
  return std::string_view::npos;
}

struct TailFields {
  std::string_view client, server, request, upstream, host;
};

// The fields of the tail that events keep, with their keys as nginx writes them.
constexpr std::pair<std::string_view, std::string_view TailFields::*> kTailKeys[] = {
    {"client: ", &TailFields::client},     {"server: ", &TailFields::server}, {"request: ", &TailFields::request},
    {"upstream: ", &TailFields::upstream}, {"host: ", &TailFields::host},
};

// The request tail read field by field ("client: 1.2.3.4, server: x, request: "GET / HTTP/1.1",
// upstream: "...", host: "...""), once; a field the walk does not reach (a tail that breaks
// the shape, or one inside another's value) is looked for by its key, as before.
TailFields ReadTail(std::string_view tail) {
  TailFields f;
  for (size_t i = 0; i < tail.size();) {
    const size_t colon = FindShort(tail, ": ", i);
    if (colon == std::string_view::npos) break;
    const std::string_view key = tail.substr(i, colon + 2 - i);
    size_t used;
    const std::string_view value = ValueAt(tail.substr(colon + 2), &used);
    for (const auto& [name, field] : kTailKeys) {
      if (key == name && (f.*field).data() == nullptr) f.*field = value;
    }
    i = colon + 2 + used;
    if (i < tail.size() && !HasAt(tail, i, ", ")) break;
    i += 2;
  }
  for (const auto& [name, field] : kTailKeys) {
    if ((f.*field).data() == nullptr) f.*field = TailValue(tail, name);
  }
  return f;
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
  const size_t close = FindShort(s, "] ", 21);
  if (close == std::string_view::npos || close > 30) return false;
  Record r;
  r.time = LocalCivilToUtc(t);
  r.severity = s.substr(21, close - 21);
  size_t i = close + 2;
  const size_t colon = FindShort(s, ": ", i);
  const size_t hash = colon != std::string_view::npos && colon < i + 48 ? FindByte(s, '#', i) : std::string_view::npos;
  if (hash < colon) {
    r.pid = s.substr(i, hash - i);
    i = colon + 2;
    if (i < s.size() && s[i] == '*') {
      const size_t sp = FindByte(s, ' ', i);
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
  const size_t tail = LastOf(msg, ", client: ");
  thread_local std::string untailed;
  if (tail != std::string_view::npos) {
    // The tail ends its line; lines after it (pasted or foreign continuation lines) stay.
    const size_t tail_end = msg.find('\n', tail);
    const std::string_view t = msg.substr(tail + 2, tail_end == std::string_view::npos ? std::string_view::npos
                                                                                        : tail_end - tail - 2);
    const TailFields f = ReadTail(t);
    CopyInto(&e->client, f.client);
    CopyInto(&e->server, f.server);
    CopyInto(&e->upstream, f.upstream);
    CopyInto(&e->host, f.host);
    std::string_view method, path;
    if (SplitRequest(f.request, &method, &path)) {
      CopyInto(&e->method, method);
      CopyInto(&e->path, path);
    }
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
  const size_t fcgi = FindBytes(msg, kFastCgiStderr);
  if (fcgi == std::string_view::npos) {
    // The message is what is left once the tail is out: the start of the event's own, or the
    // two pieces put together around it.
    if (msg.data() == e->message.data()) {
      e->message.resize(msg.size());
    } else {
      e->message.swap(untailed);
    }
    return;
  }
  thread_local std::string peeled;
  peeled.assign(msg.substr(0, fcgi));
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
  e->message.swap(peeled);
}

}  // namespace why500
