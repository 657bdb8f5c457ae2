#include "why500/assemble.h"

#include <array>

#include "why500/formats.h"
#include "why500/text.h"

namespace why500 {
namespace {

constexpr std::string_view kTraceback = "Traceback (most recent call last):";

constexpr std::array<Format, 10> kStructured = {Format::kNginxError, Format::kApacheError,    Format::kPhpFpm,
                                               Format::kPhpError,   Format::kAccessCombined, Format::kSyslog,
                                               Format::kJournalJson, Format::kAccessJson, Format::kJsonLines,
                                               Format::kLogfmt};

// nginx logs one value per upstream tried ("0.004, 60.001", "502, 504", internal redirects
// after " : "): the last one is the upstream that answered, or failed, the request.
std::string_view LastListed(std::string_view s) {
  const size_t sep = s.find_last_of(",:");
  return Trim(sep == std::string_view::npos ? s : s.substr(sep + 1));
}

// "60.002" → 60002; "-" or a missing field → -1.
int64_t Millis(std::string_view s) {
  s = LastListed(s);
  int64_t ms = 0;
  size_t i = 0;
  for (; i < s.size() && i < 10 && IsDigit(s[i]); ++i) ms = ms * 10 + (s[i] - '0');  // a 10th digit: too long
  if (i == 0 || i > 9) return -1;
  ms *= 1000;
  if (i < s.size() && s[i] == '.') {
    int64_t scale = 100;
    for (++i; i < s.size() && IsDigit(s[i]); ++i, scale /= 10) ms += (s[i] - '0') * scale;
  }
  return i == s.size() ? ms : -1;
}

// Apache's %D: "60002345" → 60002.
int64_t MillisOfMicros(std::string_view s) {
  int64_t us = 0;
  size_t i = 0;
  for (; i < s.size() && i < 15 && IsDigit(s[i]); ++i) us = us * 10 + (s[i] - '0');
  return i > 0 && i == s.size() ? us / 1000 : -1;
}

// -1 when the log has no such field, 0 for "-" (no upstream answered), else the status.
int UpstreamStatus(std::string_view s) {
  if (s.empty()) return -1;
  s = LastListed(s);
  if (s == "-") return 0;
  const int code = ParseDigits(s, 0, 3);
  return s.size() == 3 && code >= 100 ? code : -1;
}

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

// Which process a journald line comes from, as a number: the parked events of other processes
// are told apart by it before their strings are compared.
uint64_t ProcessOf(std::string_view join_key, std::string_view pid) { return HashBytes(pid, HashBytes(join_key)); }

// Event::Clear() leaves every field empty: only those the record has need copying, and most
// records have few (an access line no upstream, an error line no request id).
void CopyIfAny(std::string_view from, std::string* to) {
  if (!from.empty()) CopyInto(to, from);
}

}  // namespace

bool MayStartEventsAlone(Format format) { return !IsJournalFormat(format) && format != Format::kGeneric; }

bool StartsEventAlone(Format format, const AccessFormat* custom, std::string_view line) {
  if (!MayStartEventsAlone(format) || LooksBinary(line)) return false;
  Record rec;
  if (custom && custom->Parse(line, &rec)) return true;
  // Add: a header of the input's format joins the pending event only through its join key.
  return ParseLine(format, line, &rec) && rec.join_key.empty();
}

Assembler::Assembler(Format format, uint32_t input, EventSink* sink, const AccessFormat* custom)
    : format_(format), input_(input), sink_(sink), custom_(custom) {}

void Assembler::Add(std::string_view line, uint64_t line_number, std::string_view raw) {
  raw_ = raw.empty() ? line : raw;
  if (LooksBinary(line)) {
    Flush();
    ++stats_.binary_lines;
    ++stats_.unparsed_lines;
    return;
  }
  Record rec;
  if (custom_ && custom_->Parse(line, &rec)) {
    Flush();
    Start(Format::kAccessCombined, rec, line, line_number);
    ++stats_.parsed_lines;
    return;
  }
  // A header of the input's format, or of the pending event's format after a switch.
  Format header = Format::kGeneric;
  if (format_ != Format::kGeneric && ParseLine(format_, line, &rec)) {
    header = format_;
  } else if (main_->active && main_->event.format != format_ && main_->event.format != Format::kGeneric &&
             ParseLine(main_->event.format, line, &rec)) {
    header = main_->event.format;
  }
  if (header != Format::kGeneric) {
    if (header == Format::kSyslog && rec.join_key.empty()) {  // journalctl's "-- Boot ... --" lines
      Flush();
      FlushParked();
      ++stats_.parsed_lines;
      return;
    }
    if (IsJournalFormat(header)) SwitchProcess(rec);
    if (main_->active && JoinsPending(header, rec)) {
      Append(line, rec.message);
      ++stats_.parsed_lines;
      return;
    }
    Flush();
    Start(header, rec, line, line_number);
    ++stats_.parsed_lines;
    return;
  }
  // Not a header of the input's format: another format's header (mixed or pasted logs)...
  for (Format f : kStructured) {
    if (f == format_ || !MayStartEntry(f, line) || !ParseLine(f, line, &rec)) continue;
    if (format_ != Format::kGeneric) ++stats_.format_switches;
    Flush();
    Start(f, rec, line, line_number);
    ++stats_.parsed_lines;
    return;
  }
  // ...else a continuation of the pending event, else a message alone.
  if (main_->active && ContinuesPending(line)) {
    Append(line, line);
    ++stats_.parsed_lines;
    return;
  }
  if (Trim(line).empty() && main_->active) {
    // A blank line may sit inside an entry (Laravel's "[previous exception]" block follows one):
    // held until the next line says whether the entry goes on.
    ++main_->held_blanks;
    ++stats_.parsed_lines;
    return;
  }
  Flush();
  if (Trim(line).empty()) {
    ++stats_.parsed_lines;  // a blank line between entries: read, and nothing in it
    return;
  }
  if (ParseResponseFragment(line, &rec) && rec.status >= 500) {
    TimeUs time = kNoTime;
    if (ParseLeadingIsoTime(line, &time)) rec.time = time;
    Start(Format::kAccessCombined, rec, line, line_number);
    ++stats_.parsed_lines;
    return;
  }
  ParseGeneric(line, &rec);
  // In a structured input, a line of no format is unparsed; one with its own timestamp is an
  // application's line, read as generic, and counts as parsed.
  if (format_ != Format::kGeneric && rec.time == kNoTime) {
    ++stats_.unparsed_lines;
  } else {
    ++stats_.parsed_lines;
  }
  Start(Format::kGeneric, rec, line, line_number);
}

// Mirrors the start of Add: a binary line, then the custom format, then the input's own; a
// header of an access format that parses with status < 500 goes nowhere but the count.
bool Assembler::IsQuietResponse(std::string_view line, TimeUs* time) const {
  if (!IsAccessFormat(format_) || LooksBinary(line)) return false;
  Record rec;
  const bool parsed = (custom_ && custom_->Parse(line, &rec)) || ParseLine(format_, line, &rec);
  if (!parsed || rec.status >= 500) return false;
  *time = rec.time;
  return true;
}

void Assembler::AddQuietResponse(TimeUs time) {
  Flush();
  sink_->OnQuietResponse(time);
  ++stats_.parsed_lines;
}

void Assembler::Finish() {
  Flush();
  FlushParked();
}

void Assembler::SwitchProcess(const Record& rec) {
  const uint64_t process = ProcessOf(rec.join_key, rec.pid);
  auto same_process = [&](const Pending& p) {
    return p.process == process && p.event.join_key == rec.join_key && p.event.pid == rec.pid;
  };
  if (!main_->active || !IsJournalFormat(main_->event.format) || same_process(*main_)) return;
  if (parked_.size() == kMaxParked) {  // bounded: the longest-waiting event goes out
    std::swap(main_, parked_.front());
    Flush();
    std::swap(main_, parked_.front());
    spare_.push_back(std::move(parked_.front()));
    parked_.pop_front();
  }
  parked_.push_back(TakeSpare());
  std::swap(main_, parked_.back());
  for (size_t i = 0; i + 1 < parked_.size(); ++i) {
    if (!same_process(*parked_[i])) continue;
    std::swap(main_, parked_[i]);
    spare_.push_back(std::move(parked_[i]));
    parked_.erase(parked_.begin() + static_cast<long>(i));
    return;
  }
}

std::unique_ptr<Assembler::Pending> Assembler::TakeSpare() {
  if (spare_.empty()) return std::make_unique<Pending>();
  std::unique_ptr<Pending> p = std::move(spare_.back());
  spare_.pop_back();
  p->Clear();
  return p;
}

void Assembler::FlushParked() {
  for (std::unique_ptr<Pending>& p : parked_) {
    std::swap(main_, p);
    Flush();
    std::swap(main_, p);
    spare_.push_back(std::move(p));
  }
  parked_.clear();
}

void Assembler::Start(Format f, const Record& rec, std::string_view line, uint64_t line_number) {
  if (IsAccessFormat(f)) {
    // Responses never continue: a quiet one is only counted, a 5xx becomes an event at once.
    if (rec.status < 500) {
      sink_->OnQuietResponse(rec.time);
      return;
    }
    main_->event.Clear();
    main_->event.format = IsAccessFormat(format_) ? format_ : f;
    main_->event.input = input_;
    main_->event.line = line_number;
    main_->event.line_count = 1;
    main_->event.time = rec.time;
    main_->event.status = rec.status;
    main_->event.backend_response = rec.backend_response;
    CopyIfAny(rec.client, &main_->event.client);
    CopyIfAny(rec.method, &main_->event.method);
    CopyIfAny(rec.path, &main_->event.path);
    CopyIfAny(rec.host, &main_->event.host);
    CopyIfAny(rec.upstream, &main_->event.upstream);
    CopyIfAny(rec.request_id, &main_->event.request_id);
    main_->event.request_ms = rec.request_time_in_us ? MillisOfMicros(rec.request_time) : Millis(rec.request_time);
    main_->event.upstream_ms = Millis(rec.upstream_time);
    main_->event.upstream_status = UpstreamStatus(rec.upstream_status);
    CopyInto(&main_->event.text, raw_);
    ++stats_.events;
    sink_->OnEvent(main_->event);
    return;
  }
  main_->event.Clear();
  main_->event.format = f;
  main_->event.input = input_;
  main_->event.line = line_number;
  main_->event.line_count = 1;
  main_->event.time = rec.time;
  main_->event.status = rec.status;  // an application's request line may carry one
  CopyIfAny(rec.severity, &main_->event.severity);
  CopyIfAny(rec.pid, &main_->event.pid);
  CopyIfAny(rec.connection, &main_->event.connection);
  CopyIfAny(rec.join_key, &main_->event.join_key);
  CopyIfAny(rec.request_id, &main_->event.request_id);
  CopyInto(&main_->event.text, raw_);
  main_->event.entry_bytes = line.size();
  CopyInto(&main_->event.message, rec.message);
  main_->active = true;
  main_->held_blanks = 0;
  main_->process = IsJournalFormat(f) ? ProcessOf(rec.join_key, rec.pid) : 0;  // only they are parked
  main_->in_traceback = StartsWith(Trim(rec.message), kTraceback);
  main_->traceback_ended = false;
  main_->root_cause_pending = AnnouncesExceptionBelow(Trim(rec.message));
}

void Assembler::Append(std::string_view line, std::string_view message_part) {
  for (; main_->held_blanks > 0; --main_->held_blanks) {
    ++main_->event.line_count;
    main_->event.text.push_back('\n');
    main_->event.message.push_back('\n');
  }
  ++main_->event.line_count;
  main_->event.entry_bytes += 1 + line.size();
  if (main_->event.text.size() + line.size() > kMaxEventBytes || main_->event.line_count > kMaxEventLines) return;
  main_->event.text.push_back('\n');
  main_->event.text.append(raw_);
  main_->event.message.push_back('\n');
  main_->event.message.append(message_part);
  if (EndsWith(Trim(message_part), "with root cause")) main_->root_cause_pending = true;
}

bool Assembler::JoinsPending(Format f, const Record& rec) {
  if (main_->event.format != f || rec.join_key.empty()) return false;
  // journald stores each output line of a service as an entry of its own: a traceback arrives
  // one entry a line, and its lines rejoin when the same process writes a continuation.
  if (IsJournalFormat(f)) {
    return rec.join_key == main_->event.join_key && rec.pid == main_->event.pid && ContinuesPending(rec.message);
  }
  return rec.join_key == "+" || rec.join_key == main_->event.join_key;
}

bool Assembler::ContinuesPending(std::string_view line) {
  const std::string_view trimmed = Trim(line);
  if (StartsWith(trimmed, kTraceback)) {
    // logger.exception() writes its message, then the traceback; an unrelated line before a
    // traceback must not lend it its time, so the traceback then starts an event of its own.
    if (!main_->in_traceback && !main_->traceback_ended && !AnnouncesException(main_->event.text)) return false;
    main_->in_traceback = true;
    main_->traceback_ended = false;
    return true;
  }
  if (main_->root_cause_pending) {  // the exception announced by the pending event follows
    if (!trimmed.empty() && !IsSpace(line[0])) main_->root_cause_pending = false;
    return true;
  }
  if (main_->in_traceback) {
    if (!line.empty() && !IsSpace(line[0]) && !trimmed.empty()) {
      main_->in_traceback = false;  // the exception line closes the traceback
      main_->traceback_ended = true;
    }
    return true;
  }
  if (main_->traceback_ended) {
    // Blank lines, an indented second line of the exception's message (psycopg2's "\tIs the
    // server running ...") and the note that chains the next traceback keep it open.
    if (trimmed.empty() || IsSpace(line[0]) || IsChainedTracebackNote(trimmed)) return true;
    main_->traceback_ended = false;
  }
  return IsContinuation(main_->event.format, line);
}

void Assembler::Flush() {
  if (!main_->active) return;
  main_->active = false;
  main_->in_traceback = false;
  main_->traceback_ended = false;
  main_->root_cause_pending = false;
  FinishEvent(&main_->event);
  if (main_->event.cut) ++stats_.cut_entries;
  ++stats_.events;
  sink_->OnEvent(main_->event);
}

}  // namespace why500
