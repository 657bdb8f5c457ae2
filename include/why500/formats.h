// Per-format line parsing and event finishing. Each format recognises the header of an
// entry (ParseLine) and, once continuation lines are joined, derives the message the rules
// see and the trailing request fields (FinishEvent). See docs/rules.md for each message.
#pragma once

#include <string_view>

#include "why500/record.h"

namespace why500 {

// Parses `line` as the start of an entry of format `f`; false when it is not one.
bool ParseLine(Format f, std::string_view line, Record* out);

// The byte every entry header of format `f` starts with, '\0' when it may start with any: a
// line of a mixed log is tried against the formats in turn, and those it cannot start are
// skipped without a call. Each parser checks its first byte again.
constexpr char FirstByteOf(Format f) {
  switch (f) {
    case Format::kApacheError:  // "[Sat Nov 21 10:00:00.123456 2026] [level] ..."
    case Format::kPhpFpm:       // "[21-Nov-2026 10:00:00] WARNING: ..."
    case Format::kPhpError:     // "[21-Nov-2026 10:00:00 UTC] PHP Fatal error: ..."
      return '[';
    case Format::kJournalJson:
    case Format::kAccessJson:
    case Format::kJsonLines:
      return '{';
    case Format::kNginxError:
    case Format::kAccessCombined:
    case Format::kAccessCommon:
    case Format::kSyslog:
    case Format::kLogfmt:
    case Format::kGeneric:
      return '\0';
  }
  return '\0';
}
// Whether `line` may be an entry header of format `f` by its first byte (FirstByteOf).
constexpr bool MayStartEntry(Format f, std::string_view line) {
  const char first = FirstByteOf(f);
  return first == '\0' || (!line.empty() && line.front() == first);
}

// Fills the message (and tail fields) of an assembled event from its text.
void FinishEvent(Event* event);

// Whether a line that is not an entry header continues the event before it.
bool IsContinuation(Format f, std::string_view line);

// The parsers behind ParseLine, exposed for tests.
bool ParseNginxError(std::string_view line, Record* out);
bool ParseApacheError(std::string_view line, Record* out);
bool ParsePhpFpm(std::string_view line, Record* out);
bool ParsePhpError(std::string_view line, Record* out);
bool ParseAccess(std::string_view line, Record* out, bool* combined);
// "21/Nov/2026:10:00:00 +0000" (or Werkzeug's "21/Nov/2026 10:00:00", local time).
bool ParseAccessTime(std::string_view s, TimeUs* out);
// "GET /path?query HTTP/1.1" → method and path (without the query); false, and neither set,
// when the request has no space.
bool SplitRequest(std::string_view request, std::string_view* method, std::string_view* path);
// A response in a line of no known shape: an access-log fragment ("GET /x HTTP/1.1" 502 ...),
// uWSGI's request log ((HTTP/1.1 500)) or Rails' "Completed 500 ...". Fills method, path and
// status; the time stays unknown.
bool ParseResponseFragment(std::string_view line, Record* out);
bool ParseJsonAccess(std::string_view line, Record* out);
bool ParseJsonLine(std::string_view line, Record* out);
bool ParseLogfmt(std::string_view line, Record* out);
bool ParseSyslog(std::string_view line, Record* out);
bool ParseJournalJson(std::string_view line, Record* out);
bool ParseGeneric(std::string_view line, Record* out);

void FinishNginxError(Event* event);
void FinishApacheError(Event* event);
void FinishPhpFpm(Event* event);
void FinishSyslog(Event* event);
void FinishGeneric(Event* event);

// "2026-11-21T10:00:00Z", "2026-11-21 10:00:00,123", "[2026-11-21 10:00:00 +0000]" at the start of `s`.
bool ParseLeadingIsoTime(std::string_view s, TimeUs* out);

// Splits `PHP message: ` separated text (nginx FastCGI stderr, Apache AH01071) into lines.
void AppendPeeledPhpMessages(std::string_view text, std::string* out);

}  // namespace why500
