#include "why500/access_format.h"

#include <array>

#include "why500/formats.h"
#include "why500/text.h"

namespace why500 {
namespace {

using Field = AccessFormat::Field;

struct NamedField {
  std::string_view name;
  Field field;
};

// nginx variables and Apache directives that name a field the report uses; others are skipped.
constexpr std::array<NamedField, 31> kFields = {{
    {"$remote_addr", Field::kClient},          {"$http_x_forwarded_for", Field::kSkip},
    {"$time_local", Field::kTimeLocal},        {"$time_iso8601", Field::kTimeIso},
    {"$request", Field::kRequest},             {"$request_method", Field::kMethod},
    {"$request_uri", Field::kPath},            {"$uri", Field::kPath},
    {"$status", Field::kStatus},               {"$host", Field::kHost},
    {"$http_host", Field::kHost},              {"$server_name", Field::kHost},
    {"$upstream_addr", Field::kUpstream},      {"$request_id", Field::kRequestId},
    {"$http_x_request_id", Field::kRequestId}, {"$request_time", Field::kRequestTime},
    {"$upstream_response_time", Field::kUpstreamTime}, {"$upstream_status", Field::kUpstreamStatus},
    {"%h", Field::kClient},                    {"%a", Field::kClient},
    {"%t", Field::kTimeLocal},                 {"%r", Field::kRequest},
    {"%m", Field::kMethod},                    {"%U", Field::kPath},
    {"%>s", Field::kStatus},                   {"%s", Field::kStatus},
    {"%v", Field::kHost},                      {"%{Host}i", Field::kHost},
    {"%{X-Request-ID}i", Field::kRequestId},   {"%D", Field::kRequestMicros},
    {"%T", Field::kRequestTime},
}};

bool IsVarChar(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || IsDigit(c) || c == '_'; }

// The length of the variable or directive that starts `spec` at `i` (0: none).
size_t TokenLength(std::string_view spec, size_t i) {
  if (spec[i] == '$') {
    size_t j = i + 1;
    if (j < spec.size() && spec[j] == '{') {  // ${var}
      const size_t close = spec.find('}', j);
      return close == std::string_view::npos ? 0 : close - i + 1;
    }
    while (j < spec.size() && IsVarChar(spec[j])) ++j;
    return j - i > 1 ? j - i : 0;
  }
  if (spec[i] == '%' && i + 1 < spec.size()) {
    size_t j = i + 1;
    if (spec[j] == '%') return 0;  // a literal percent
    while (j < spec.size() && (spec[j] == '>' || spec[j] == '<' || spec[j] == '!' || IsDigit(spec[j]) || spec[j] == ',')) ++j;
    if (j < spec.size() && spec[j] == '{') {
      const size_t close = spec.find('}', j);
      if (close == std::string_view::npos) return 0;
      j = close + 1;
    }
    return j < spec.size() ? j - i + 1 : 0;
  }
  return 0;
}

Field FieldOf(std::string_view token) {
  std::string name(token);
  if (StartsWith(name, "${")) name = "$" + name.substr(2, name.size() - 3);
  // Apache's %<s and %>s, %400,501s: what matters is the letter.
  if (name.size() > 2 && name[0] == '%' && name.back() == 's' && name.find('{') == std::string::npos) name = "%s";
  for (const NamedField& f : kFields) {
    if (f.name == name) return f.field;
  }
  return Field::kSkip;
}

bool ParseTimeIso(std::string_view v, TimeUs* out) { return ParseLeadingIsoTime(v, out); }

// The access-log time, with or without Apache's brackets.
bool ParseTimeLocal(std::string_view v, TimeUs* out) {
  if (!v.empty() && v.front() == '[') v.remove_prefix(1);
  if (!v.empty() && v.back() == ']') v.remove_suffix(1);
  return ParseAccessTime(v, out);
}

bool SetField(Field f, std::string_view v, Record* r) {
  switch (f) {
    case Field::kClient: r->client = v; break;
    case Field::kTimeLocal: return ParseTimeLocal(v, &r->time);
    case Field::kTimeIso: return ParseTimeIso(v, &r->time);
    case Field::kRequest: SplitRequest(v, &r->method, &r->path); break;
    case Field::kMethod: r->method = v; break;
    case Field::kPath: r->path = v.substr(0, v.find('?')); break;
    case Field::kStatus: {
      const int status = ParseDigits(v, 0, 3);
      if (status < 100 || v.size() != 3) return false;
      r->status = status;
      break;
    }
    case Field::kHost: r->host = v; break;
    case Field::kUpstream: r->upstream = v; break;
    case Field::kRequestId: r->request_id = v; break;
    case Field::kRequestTime: r->request_time = v; break;
    case Field::kRequestMicros:
      r->request_time = v;
      r->request_time_in_us = true;
      break;
    case Field::kUpstreamTime: r->upstream_time = v; break;
    case Field::kUpstreamStatus: r->upstream_status = v; break;
    case Field::kSkip: break;
  }
  return true;
}

}  // namespace

Expected<AccessFormat> AccessFormat::Compile(std::string_view spec) {
  AccessFormat f;
  std::string literal;
  bool has_status = false;
  for (size_t i = 0; i < spec.size();) {
    const size_t n = TokenLength(spec, i);
    if (n == 0) {
      literal.push_back(spec[i] == '%' && i + 1 < spec.size() && spec[i + 1] == '%' ? spec[i++] : spec[i]);
      ++i;
      continue;
    }
    const Field field = FieldOf(spec.substr(i, n));
    has_status |= field == Field::kStatus;
    f.pieces_.push_back({literal, field});
    literal.clear();
    i += n;
  }
  f.tail_ = literal;
  if (!has_status) return Error{"--access-format has no status field ($status or %s): cannot tell 5xx responses"};
  for (size_t i = 1; i < f.pieces_.size(); ++i) {
    if (f.pieces_[i].literal.empty()) {
      return Error{"--access-format has two fields with nothing between them: cannot tell where one ends"};
    }
  }
  return f;
}

bool AccessFormat::Parse(std::string_view line, Record* out) const {
  Record r;
  size_t pos = 0;
  for (size_t i = 0; i < pieces_.size(); ++i) {
    const Piece& p = pieces_[i];
    if (line.compare(pos, p.literal.size(), p.literal) != 0) return false;
    pos += p.literal.size();
    // The value runs to the next literal (or the tail, or the end of the line).
    const std::string& next = i + 1 < pieces_.size() ? pieces_[i + 1].literal : tail_;
    size_t end = next.empty() ? line.size() : line.find(next, pos);
    if (end == std::string_view::npos) return false;
    if (!SetField(p.field, line.substr(pos, end - pos), &r)) return false;
    pos = end;
  }
  if (r.status == 0) return false;
  *out = r;
  return true;
}

}  // namespace why500
