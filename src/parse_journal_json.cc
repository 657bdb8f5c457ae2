// journalctl -o json: one object a line. The message is MESSAGE (a string, or an array of bytes
// when it is not valid UTF-8), the process SYSLOG_IDENTIFIER/_COMM and _PID, the time
// __REALTIME_TIMESTAMP (microseconds since the epoch, as a string).
#include <algorithm>
#include <nlohmann/json.hpp>

#include "why500/formats.h"
#include "why500/text.h"

namespace why500 {
namespace {

// The field as text: strings as they are, byte arrays as their bytes, numbers printed.
std::string FieldText(const nlohmann::json& doc, const char* key) {
  const auto it = doc.find(key);
  if (it == doc.end()) return {};
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_unsigned()) return std::to_string(it->get<uint64_t>());
  if (it->is_array()) {
    std::string bytes;
    for (const auto& b : *it) {
      if (b.is_number_unsigned() && b.get<uint64_t>() < 256) bytes.push_back(static_cast<char>(b.get<uint64_t>()));
    }
    return bytes;
  }
  return {};
}

}  // namespace

bool ParseJournalJson(std::string_view s, Record* out) {
  if (s.empty() || s.front() != '{' || s.find("\"__REALTIME_TIMESTAMP\"") == std::string_view::npos) return false;
  const nlohmann::json doc = nlohmann::json::parse(s.begin(), s.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) return false;
  // The views of a Record must outlive this call: the fields live in per-thread buffers until
  // the next line is parsed on this thread, which is as long as the assembler needs them.
  thread_local std::string message, ident, pid, host;
  message = FieldText(doc, "MESSAGE");
  ident = FieldText(doc, "SYSLOG_IDENTIFIER");
  if (ident.empty()) ident = FieldText(doc, "_COMM");
  if (ident.empty()) ident = FieldText(doc, "_SYSTEMD_UNIT");
  pid = FieldText(doc, "_PID");
  host = FieldText(doc, "_HOSTNAME");
  Record r;
  const std::string realtime = FieldText(doc, "__REALTIME_TIMESTAMP");
  r.time = kNoTime;
  // At most 18 digits: always an int64 (std::stoll throws past it); today's times have 16.
  if (!realtime.empty() && realtime.size() <= 18 &&
      std::all_of(realtime.begin(), realtime.end(), [](char c) { return IsDigit(c); })) {
    r.time = static_cast<TimeUs>(std::stoll(realtime));
  }
  r.message = message;
  r.join_key = ident.empty() ? std::string_view("journal") : std::string_view(ident);
  r.pid = pid;
  r.server = host;
  *out = r;
  return true;
}

}  // namespace why500
