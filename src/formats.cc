#include "why500/formats.h"

#include <algorithm>
#include <array>

#include "why500/text.h"

namespace why500 {
namespace {

struct FormatNameEntry {
  std::string_view name;
  Format format;
};

constexpr std::array<FormatNameEntry, 17> kNames = {{
    {"nginx_error", Format::kNginxError},
    {"apache_error", Format::kApacheError},
    {"php_fpm", Format::kPhpFpm},
    {"php_error", Format::kPhpError},
    {"access_combined", Format::kAccessCombined},
    {"access_common", Format::kAccessCommon},
    {"access_json", Format::kAccessJson},
    {"syslog", Format::kSyslog},
    {"journal_json", Format::kJournalJson},
    {"json", Format::kJsonLines},
    {"logfmt", Format::kLogfmt},
    {"generic", Format::kGeneric},
    {"journal", Format::kSyslog},
    {"nginx_access", Format::kAccessCombined},
    {"apache_access", Format::kAccessCombined},
    {"combined", Format::kAccessCombined},
    {"common", Format::kAccessCommon},
}};

// Go's panic dump: "goroutine 1 [running]:" and unindented frames "main.handler(0xc000010000)".
bool IsGoFrameLine(std::string_view line) {
  if (StartsWith(line, "goroutine ") && EndsWith(line, "]:")) return true;
  // A frame names a package-qualified function ("main.handler(", "net/http.(*conn).serve(").
  const size_t paren = line.find('(');
  if (line.size() < 4 || line.back() != ')' || paren == std::string_view::npos || paren == 0) return false;
  const std::string_view name = line.substr(0, paren);
  return name.find(' ') == std::string_view::npos && (name.find('.') != std::string_view::npos || name == "panic");
}

bool IsFrameLine(std::string_view line) {
  if (IsGoFrameLine(line)) return true;
  // PHP "#0 /x.php(12): f()", "Stack trace:", "  thrown in", Java "Caused by:", "... 42 more".
  if (line.size() > 1 && line[0] == '#' && IsDigit(line[1])) return true;
  // Laravel writes "[stacktrace]" and closes its JSON context with "\"}" on a line of its own.
  return StartsWith(line, "Stack trace:") || StartsWith(line, "Caused by: ") || StartsWith(line, "Next ") ||
         StartsWith(line, "... ") || StartsWith(line, "thrown in ") || line == "[stacktrace]" || line == "\"}" ||
         StartsWith(line, "[previous exception] ");
}

// "java.lang.IllegalStateException: boom", "org.x.FooError": the first line of a JVM stack
// trace, which loggers print unindented right under the log line that carries it.
bool IsQualifiedExceptionLine(std::string_view line) {
  if (line.empty() || !(line[0] >= 'a' && line[0] <= 'z')) return false;
  const size_t end = std::min(line.find(':'), line.size());
  const std::string_view name = line.substr(0, end);
  if (name.find(' ') != std::string_view::npos || name.find('.') == std::string_view::npos) return false;
  const std::string_view last = name.substr(name.rfind('.') + 1);
  return !last.empty() && last[0] >= 'A' && last[0] <= 'Z' &&
         (EndsWith(last, "Exception") || EndsWith(last, "Error") || EndsWith(last, "Throwable"));
}

}  // namespace

std::string_view FormatName(Format f) {
  for (const auto& e : kNames) {
    if (e.format == f) return e.name;
  }
  return "generic";
}

std::optional<Format> FormatFromName(std::string_view name) {
  for (const auto& e : kNames) {
    if (e.name == name) return e.format;
  }
  return std::nullopt;
}

void Event::Clear() {
  format = Format::kGeneric;
  input = 0;
  line = 0;
  line_count = 0;
  time = kNoTime;
  status = 0;
  cut = false;
  backend_response = false;
  entry_bytes = 0;
  request_ms = upstream_ms = -1;
  upstream_status = -1;
  for (std::string* s : {&severity, &pid, &connection, &client, &method, &path, &host, &server, &upstream,
                         &request_id, &join_key, &text, &message}) {
    s->clear();
  }
}

bool ParseLine(Format f, std::string_view line, Record* out) {
  switch (f) {
    case Format::kNginxError: return ParseNginxError(line, out);
    case Format::kApacheError: return ParseApacheError(line, out);
    case Format::kPhpFpm: return ParsePhpFpm(line, out);
    case Format::kPhpError: return ParsePhpError(line, out);
    case Format::kAccessCombined:
    case Format::kAccessCommon: return ParseAccess(line, out, nullptr);
    case Format::kAccessJson: return ParseJsonAccess(line, out);
    case Format::kSyslog: return ParseSyslog(line, out);
    case Format::kJournalJson: return ParseJournalJson(line, out);
    case Format::kJsonLines: return ParseJsonLine(line, out);
    case Format::kLogfmt: return ParseLogfmt(line, out);
    case Format::kGeneric: return ParseGeneric(line, out);
  }
  return false;
}

void FinishEvent(Event* event) {
  switch (event->format) {
    case Format::kNginxError: FinishNginxError(event); break;
    case Format::kApacheError: FinishApacheError(event); break;
    case Format::kPhpFpm: FinishPhpFpm(event); break;
    case Format::kSyslog:
    case Format::kJournalJson: FinishSyslog(event); break;
    case Format::kJsonLines:
    case Format::kLogfmt: break;
    case Format::kGeneric: FinishGeneric(event); break;
    case Format::kPhpError:
    case Format::kAccessCombined:
    case Format::kAccessCommon:
    case Format::kAccessJson: break;
  }
}

bool IsContinuation(Format f, std::string_view line) {
  switch (f) {
    // Error logs write every entry with its header, so a line without one belongs to the entry
    // before it: nginx writes FastCGI stderr raw, and pasted logs arrive hard-wrapped. A line
    // that starts with a date of its own ("2026-11-21 10:00:03,133 WARNING ...") is an
    // application's entry between the server's, as in one container's output of both.
    case Format::kNginxError:
    case Format::kApacheError:
    case Format::kPhpFpm:
    case Format::kPhpError: {
      TimeUs own_time;
      return !ParseLeadingIsoTime(line, &own_time);
    }
    case Format::kAccessCombined:
    case Format::kAccessCommon:
    case Format::kAccessJson: return false;
    case Format::kJournalJson:
    case Format::kJsonLines:
    case Format::kLogfmt: return false;  // every line is an entry of its own
    case Format::kSyslog:  // journalctl indents the further lines of a multi-line message
    case Format::kGeneric:
      return !line.empty() && (IsSpace(line[0]) || IsFrameLine(line) || IsQualifiedExceptionLine(line));
  }
  return false;
}

void AppendPeeledPhpMessages(std::string_view text, std::string* out) {
  constexpr std::string_view kPhpMessage = "PHP message: ";
  size_t pos = 0;
  for (;;) {
    const size_t k = text.find(kPhpMessage, pos);
    if (k == std::string_view::npos) break;
    std::string_view before = text.substr(pos, k - pos);
    while (!before.empty() && (before.back() == ' ' || before.back() == ';' || before.back() == '\n')) {
      before.remove_suffix(1);
    }
    // php-fpm's decorated worker output puts the level first ("NOTICE: PHP message: ..."): drop it.
    const bool bare_level = !before.empty() && before.back() == ':' && before.find(' ') == std::string_view::npos;
    if (!before.empty() && !bare_level) {
      out->append(before);
      out->push_back('\n');
    }
    pos = k + kPhpMessage.size();
  }
  out->append(text.substr(pos));
}

}  // namespace why500
