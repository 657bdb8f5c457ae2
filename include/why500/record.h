// The values that flow between stages: a parsed line (Record) and an assembled event (Event).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "why500/time_parse.h"

namespace why500 {

enum class Format : uint8_t {
  kNginxError,
  kApacheError,
  kPhpFpm,
  kPhpError,
  kAccessCombined,
  kAccessCommon,
  kAccessJson,  // JSON access logs (nginx escape=json formats and the like)
  kSyslog,       // syslog files and journalctl text output; the message keeps its own format
  kJournalJson,  // journalctl -o json
  kJsonLines,    // application logs written as JSON objects, one a line
  kLogfmt,       // application logs written as key=value pairs
  kGeneric,
};
constexpr int kFormatCount = 12;

std::string_view FormatName(Format f);
// Accepts the canonical names and aliases (nginx_access, apache_access).
std::optional<Format> FormatFromName(std::string_view name);
inline bool IsAccessFormat(Format f) {
  return f == Format::kAccessCombined || f == Format::kAccessCommon || f == Format::kAccessJson;
}
// Formats whose lines come from many processes, each line tagged with its process.
inline bool IsJournalFormat(Format f) { return f == Format::kSyslog || f == Format::kJournalJson; }

// One line parsed by its format. Views point into the line and live as long as it does.
struct Record {
  TimeUs time = kNoTime;
  int status = 0;  // HTTP status of an access line, else 0
  bool backend_response = false;  // a backend's own access line (php-fpm), behind a proxy's log
  bool request_time_in_us = false;  // Apache's %D: request_time counts microseconds, not seconds
  std::string_view severity, pid, connection, client, method, path, host, server, upstream;
  std::string_view request_id, request_time, upstream_time, upstream_status;  // custom access formats
  std::string_view message;   // the part of the line the format calls its message
  std::string_view join_key;  // lines with the same non-empty key in a row form one event
};

// One event: a log entry with its continuation lines, owned, ready for classification.
// Its strings are reused from event to event, so steady state allocates nothing.
struct Event {
  Format format = Format::kGeneric;
  uint32_t input = 0;      // index of the input it came from
  uint64_t line = 0;       // 1-based line number of its first line
  uint32_t line_count = 0;
  TimeUs time = kNoTime;
  int status = 0;
  bool cut = false;        // nginx cut the entry at its 2048-byte limit
  bool backend_response = false;  // a backend's own access line (php-fpm), see Record
  size_t entry_bytes = 0;  // bytes of its lines as the server wrote them (wrappers peeled), newlines included
  // From custom access formats: the last upstream tried. -1 when the log does not carry the field;
  // upstream_status 0 when it logged "-" (no upstream answered).
  int64_t request_ms = -1, upstream_ms = -1;
  int upstream_status = -1;
  std::string severity, pid, connection, client, method, path, host, server, upstream, request_id, join_key;
  std::string text;     // the lines as read (after wrapper peeling), joined with '\n'
  std::string message;  // what the rules see: see docs/rules.md

  void Clear();
  bool IsResponse() const { return IsAccessFormat(format); }
};

}  // namespace why500
