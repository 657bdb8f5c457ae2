// Access logs written as JSON, one object a line (nginx log_format escape=json, Caddy, Traefik,
// ingress controllers): a status and a request, under the names such formats use.
#include <initializer_list>
#include <nlohmann/json.hpp>

#include "why500/formats.h"
#include "why500/text.h"

namespace why500 {
namespace {

using nlohmann::json;

// The first of `keys` present, as text (numbers printed), stored in `out`.
bool Take(const json& doc, std::initializer_list<const char*> keys, std::string* out) {
  for (const char* key : keys) {
    const auto it = doc.find(key);
    if (it == doc.end() || it->is_null()) continue;
    if (it->is_string()) {
      *out = it->get<std::string>();
    } else if (it->is_number()) {
      *out = it->dump();
    } else {
      continue;
    }
    return !out->empty();
  }
  return false;
}

}  // namespace

bool ParseJsonAccess(std::string_view s, Record* out) {
  if (s.empty() || s.front() != '{' || s.find("status\"") == std::string_view::npos) return false;
  const json doc = json::parse(s.begin(), s.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) return false;
  // Record views must outlive this call: the values live in per-thread buffers until the next
  // line is parsed on this thread, which is as long as the assembler needs them.
  thread_local std::string status, request, method, path, client, time, host, upstream, request_id, rtime, utime,
      ustatus;
  if (!Take(doc, {"status", "http_status", "response_status"}, &status)) return false;
  Record r;
  r.status = ParseDigits(status, 0, 3);
  if (r.status < 100 || status.size() != 3) return false;
  if (Take(doc, {"request"}, &request)) {
    const size_t sp = request.find(' ');
    if (sp != std::string::npos) {
      method = request.substr(0, sp);
      path = request.substr(sp + 1, request.find(' ', sp + 1) - sp - 1);
    }
  } else {
    if (!Take(doc, {"request_uri", "uri", "path", "url"}, &path)) return false;
    Take(doc, {"request_method", "method"}, &method);
  }
  r.method = method;
  r.path = std::string_view(path).substr(0, path.find('?'));
  if (Take(doc, {"remote_addr", "client_ip", "client", "remote_ip", "ClientHost"}, &client)) r.client = client;
  if (Take(doc, {"time_iso8601", "time", "@timestamp", "timestamp", "ts"}, &time)) {
    TimeUs t;
    if (ParseLeadingIsoTime(time, &t)) r.time = t;
  }
  if (Take(doc, {"host", "http_host", "server_name"}, &host)) r.host = host;
  if (Take(doc, {"upstream_addr", "upstream"}, &upstream)) r.upstream = upstream;
  if (Take(doc, {"request_id", "req_id", "requestId", "x_request_id", "http_x_request_id"}, &request_id)) r.request_id = request_id;
  if (Take(doc, {"request_time", "duration"}, &rtime)) r.request_time = rtime;
  if (Take(doc, {"upstream_response_time"}, &utime)) r.upstream_time = utime;
  if (Take(doc, {"upstream_status"}, &ustatus)) r.upstream_status = ustatus;
  *out = r;
  return true;
}

}  // namespace why500
