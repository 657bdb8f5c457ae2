#include "why500/assemble.h"

#include <array>

#include "why500/formats.h"
#include "why500/text.h"

namespace why500 {
namespace {

constexpr std::string_view kTraceback = "Traceback (most recent call last):";

constexpr std::array<Format, 6> kStructured = {Format::kNginxError, Format::kApacheError, Format::kPhpFpm,
                                               Format::kPhpError,   Format::kAccessCombined, Format::kSyslog};

bool IsChainedTracebackNote(std::string_view line) {
  return StartsWith(line, "During handling of the above exception") ||
         StartsWith(line, "The above exception was the direct cause");
}

// Lines after which the exception itself comes, past blank and indented lines: Spring's
// "... with root cause", and Node's crash preamble "/app/server.js:10" (source line, caret).
bool AnnouncesExceptionBelow(std::string_view line) {
  if (EndsWith(line, "with root cause")) return true;
  const size_t colon = line.rfind(':');
  if (colon == std::string_view::npos || colon + 1 == line.size() || line.find(' ') != std::string_view::npos) {
    return false;
  }
  for (size_t i = colon + 1; i < line.size(); ++i) {
    if (!IsDigit(line[i])) return false;
  }
  return line[0] == '/' || StartsWith(line, "file://") || StartsWith(line, "node:");
}

// Whether the last line of `text` announces an exception that follows on the next lines.
bool AnnouncesException(std::string_view text) {
  const size_t nl = text.rfind('\n');
  const std::string_view last = Trim(nl == std::string_view::npos ? text : text.substr(nl + 1));
  return EndsWith(last, "with root cause") || last.find("rror") != std::string_view::npos ||
         last.find("xception") != std::string_view::npos || last.find("CRITICAL") != std::string_view::npos ||
         last.find("FATAL") != std::string_view::npos;
}

}  // namespace

Assembler::Assembler(Format format, uint32_t input, EventSink* sink)
    : format_(format), input_(input), sink_(sink) {}

void Assembler::Add(std::string_view line, uint64_t line_number, std::string_view raw) {
  raw_ = raw.empty() ? line : raw;
  if (LooksBinary(line)) {
    Flush();
    ++stats_.binary_lines;
    ++stats_.unparsed_lines;
    return;
  }
  Record rec;
  // A header of the input's format, or of the pending event's format after a switch.
  Format header = Format::kGeneric;
  if (format_ != Format::kGeneric && ParseLine(format_, line, &rec)) {
    header = format_;
  } else if (has_pending_ && pending_.format != format_ && pending_.format != Format::kGeneric &&
             ParseLine(pending_.format, line, &rec)) {
    header = pending_.format;
  }
  if (header != Format::kGeneric) {
    if (header == Format::kSyslog && rec.join_key.empty()) {  // journalctl's "-- Boot ... --" lines
      Flush();
      return;
    }
    if (has_pending_ && JoinsPending(header, rec)) {
      Append(line, rec.message);
      return;
    }
    Flush();
    Start(header, rec, line, line_number);
    return;
  }
  // Not a header of the input's format: another format's header (mixed or pasted logs)...
  for (Format f : kStructured) {
    if (f == format_ || !ParseLine(f, line, &rec)) continue;
    if (format_ != Format::kGeneric) ++stats_.format_switches;
    Flush();
    Start(f, rec, line, line_number);
    return;
  }
  // ...else a continuation of the pending event, else a message alone.
  if (has_pending_ && ContinuesPending(line)) {
    Append(line, line);
    return;
  }
  if (format_ != Format::kGeneric) ++stats_.unparsed_lines;
  Flush();
  if (Trim(line).empty()) return;
  ParseGeneric(line, &rec);
  Start(Format::kGeneric, rec, line, line_number);
}

void Assembler::Finish() { Flush(); }

void Assembler::Start(Format f, const Record& rec, std::string_view line, uint64_t line_number) {
  if (IsAccessFormat(f)) {
    // Responses never continue: a quiet one is only counted, a 5xx becomes an event at once.
    if (rec.status < 500 || rec.backend_response) {
      sink_->OnQuietResponse(rec.time);
      return;
    }
    pending_.Clear();
    pending_.format = format_ == Format::kAccessCommon ? Format::kAccessCommon : Format::kAccessCombined;
    pending_.input = input_;
    pending_.line = line_number;
    pending_.line_count = 1;
    pending_.time = rec.time;
    pending_.status = rec.status;
    pending_.client.assign(rec.client);
    pending_.method.assign(rec.method);
    pending_.path.assign(rec.path);
    pending_.text.assign(raw_);
    ++stats_.events;
    sink_->OnEvent(pending_);
    return;
  }
  pending_.Clear();
  pending_.format = f;
  pending_.input = input_;
  pending_.line = line_number;
  pending_.line_count = 1;
  pending_.time = rec.time;
  pending_.severity.assign(rec.severity);
  pending_.pid.assign(rec.pid);
  pending_.connection.assign(rec.connection);
  pending_.join_key.assign(rec.join_key);
  pending_.text.assign(raw_);
  pending_.entry_bytes = line.size();
  pending_.message.assign(rec.message);
  has_pending_ = true;
  in_traceback_ = StartsWith(Trim(rec.message), kTraceback);
  traceback_ended_ = false;
  root_cause_pending_ = AnnouncesExceptionBelow(Trim(line));
}

void Assembler::Append(std::string_view line, std::string_view message_part) {
  ++pending_.line_count;
  pending_.entry_bytes += 1 + line.size();
  if (pending_.text.size() + line.size() > kMaxEventBytes || pending_.line_count > kMaxEventLines) return;
  pending_.text.push_back('\n');
  pending_.text.append(raw_);
  pending_.message.push_back('\n');
  pending_.message.append(message_part);
  if (EndsWith(Trim(line), "with root cause")) root_cause_pending_ = true;
}

bool Assembler::JoinsPending(Format f, const Record& rec) {
  if (pending_.format != f || rec.join_key.empty()) return false;
  // journald stores each output line of a service as an entry of its own: a traceback arrives
  // one entry a line, and its lines rejoin when the same process writes a continuation.
  if (f == Format::kSyslog) return rec.join_key == pending_.join_key && rec.pid == pending_.pid && ContinuesPending(rec.message);
  return rec.join_key == "+" || rec.join_key == pending_.join_key;
}

bool Assembler::ContinuesPending(std::string_view line) {
  const std::string_view trimmed = Trim(line);
  if (StartsWith(trimmed, kTraceback)) {
    // logger.exception() writes its message, then the traceback; an unrelated line before a
    // traceback must not lend it its time, so the traceback then starts an event of its own.
    if (!in_traceback_ && !traceback_ended_ && !AnnouncesException(pending_.text)) return false;
    in_traceback_ = true;
    traceback_ended_ = false;
    return true;
  }
  if (root_cause_pending_) {  // the exception announced by the pending event follows
    if (!trimmed.empty() && !IsSpace(line[0])) root_cause_pending_ = false;
    return true;
  }
  if (in_traceback_) {
    if (!line.empty() && !IsSpace(line[0]) && !trimmed.empty()) {
      in_traceback_ = false;  // the exception line closes the traceback
      traceback_ended_ = true;
    }
    return true;
  }
  if (traceback_ended_) {
    if (trimmed.empty() || IsChainedTracebackNote(trimmed)) return true;
    traceback_ended_ = false;
  }
  return IsContinuation(pending_.format, line);
}

void Assembler::Flush() {
  if (!has_pending_) return;
  has_pending_ = false;
  in_traceback_ = false;
  traceback_ended_ = false;
  root_cause_pending_ = false;
  FinishEvent(&pending_);
  if (pending_.cut) ++stats_.cut_entries;
  ++stats_.events;
  sink_->OnEvent(pending_);
}

}  // namespace why500
