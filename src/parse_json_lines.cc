// Application logs written as JSON lines (pino, winston, bunyan, structlog, logstash, zap ...):
// the message is the message field followed by any error's message and stack, the time the
// time field, the level the level field. An HTTP status of 500 or more marks a response.
#include <initializer_list>
#include <nlohmann/json.hpp>

#include "why500/formats.h"
#include "why500/text.h"

namespace why500 {
namespace {

using nlohmann::json;

const json* Find(const json& doc, std::initializer_list<const char*> keys) {
  for (const char* key : keys) {
    const auto it = doc.find(key);
    if (it != doc.end() && !it->is_null()) return &*it;
  }
  return nullptr;
}

void AppendText(const json& v, std::string* out) {
  if (!out->empty()) out->push_back('\n');
  out->append(v.is_string() ? v.get<std::string>() : v.dump());
}

// An error value: a string, or an object with message/type/stack (pino's "err", winston's "error").
void AppendError(const json& err, std::string* out) {
  if (!err.is_object()) {
    AppendText(err, out);
    return;
  }
  if (const json* stack = Find(err, {"stack", "stack_trace", "backtrace", "trace"})) {
    AppendText(*stack, out);  // a stack starts with "Type: message" already
    return;
  }
  std::string line;
  if (const json* type = Find(err, {"type", "name", "class", "kind"})) line = type->is_string() ? type->get<std::string>() : "";
  if (const json* msg = Find(err, {"message", "msg"})) {
    line += line.empty() ? "" : ": ";
    line += msg->is_string() ? msg->get<std::string>() : msg->dump();
  }
  if (!line.empty()) AppendText(json(line), out);
}

// Epoch seconds (zap), milliseconds (pino), microseconds or nanoseconds, told apart by size; or
// an ISO-8601 string.
bool JsonTime(const json& v, TimeUs* out) {
  if (v.is_number()) {
    const double x = v.get<double>();
    if (x <= 0 || x >= 1e19) return false;  // past 1e19 ns (year 2286) no reading fits an int64
    if (x > 1e17) {
      *out = static_cast<TimeUs>(x / 1000.0);
    } else if (x > 1e14) {
      *out = static_cast<TimeUs>(x);
    } else if (x > 1e11) {
      *out = static_cast<TimeUs>(x * 1000.0);
    } else {
      *out = static_cast<TimeUs>(x * 1e6);
    }
    return true;
  }
  if (!v.is_string()) return false;
  return ParseLeadingIsoTime(v.get<std::string>(), out);
}

int StatusValue(const json& v) {
  if (v.is_number_integer()) return v.get<int>();
  if (v.is_string()) return ParseDigits(v.get<std::string>(), 0, 3);
  return 0;
}

// The HTTP status a request log line reports, flat or nested (pino's res.statusCode); 0 if none.
int HttpStatus(const json& doc) {
  if (const json* s = Find(doc, {"status", "statusCode", "status_code", "http_status"})) {
    const int status = StatusValue(*s);
    if (status >= 100 && status <= 599) return status;
  }
  for (const char* outer : {"res", "response", "http"}) {
    const auto it = doc.find(outer);
    if (it == doc.end() || !it->is_object()) continue;
    if (const json* s = Find(*it, {"statusCode", "status", "status_code"})) {
      const int status = StatusValue(*s);
      if (status >= 100 && status <= 599) return status;
    }
  }
  return 0;
}

}  // namespace

bool ParseJsonLine(std::string_view s, Record* out) {
  if (s.size() < 2 || s.front() != '{' || s.back() != '}') return false;
  const json doc = json::parse(s.begin(), s.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) return false;
  // Record views must outlive this call: the values live in per-thread buffers until the next
  // line is parsed on this thread, which is as long as the assembler needs them.
  thread_local std::string message, level, request_id;
  message.clear();
  level.clear();
  if (const json* msg = Find(doc, {"msg", "message", "@message", "event", "log"})) AppendText(*msg, &message);
  if (const json* err = Find(doc, {"err", "error", "exception", "exc_info", "stack_trace", "stack"})) AppendError(*err, &message);
  if (message.empty()) message.assign(s);  // no known field: the object itself is the message
  if (const json* l = Find(doc, {"level", "severity", "lvl", "log.level", "levelname"})) {
    level = l->is_string() ? l->get<std::string>() : l->dump();
  }
  Record r;
  r.status = HttpStatus(doc);
  if (const json* t = Find(doc, {"time", "timestamp", "@timestamp", "ts", "datetime", "asctime"})) {
    TimeUs time;
    if (JsonTime(*t, &time)) r.time = time;
  }
  request_id.clear();
  if (const json* id = Find(doc, {"request_id", "requestId", "req_id", "reqId", "x_request_id", "request.id"})) {
    request_id = id->is_string() ? id->get<std::string>() : id->dump();
  }
  r.message = message;
  r.severity = level;
  r.request_id = request_id;
  *out = r;
  return true;
}

}  // namespace why500
