// Joins lines into events: continuation lines (stack traces, raw FastCGI stderr) go to the
// entry before them, php-fpm's per-line worker output is rejoined, and a line that does not
// fit the input's format is tried against the others before it falls back to `generic`.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string_view>
#include <vector>

#include "why500/access_format.h"
#include "why500/record.h"

namespace why500 {

class EventSink {
 public:
  virtual ~EventSink() = default;
  // Called once per finished event; the event is reused after the call returns.
  virtual void OnEvent(Event& event) = 0;
  // Called for every access line with status < 500: counted, never classified.
  virtual void OnQuietResponse(TimeUs time) = 0;
};

struct AssembleStats {
  uint64_t events = 0;
  uint64_t parsed_lines = 0;     // read by a format: a header, a continuation, a blank or marker line
  uint64_t unparsed_lines = 0;   // fit no header of the input's format and no continuation
  uint64_t binary_lines = 0;     // NUL bytes or control-character soup
  uint64_t cut_entries = 0;      // nginx entries cut at 2048 bytes
  uint64_t format_switches = 0;  // lines parsed by another format than the sniffed one
};

// Whether Assembler::Add starts a new event at `line` (wrapper peeled) whatever it holds: a
// header of `format` that joins no entry before it, or a line of the custom format. Never for
// journal formats (whose pending events wait per process) nor generic text. A file is cut into
// parts only at such lines (file_parts.h).
bool StartsEventAlone(Format format, const AccessFormat* custom, std::string_view line);
// Whether StartsEventAlone can hold for any line of `format`.
bool MayStartEventsAlone(Format format);

class Assembler {
 public:
  static constexpr size_t kMaxEventBytes = 256 * 1024;
  static constexpr uint32_t kMaxEventLines = 2000;

  // `custom`, when set, is a user's access-log format, tried first on every line.
  Assembler(Format format, uint32_t input, EventSink* sink, const AccessFormat* custom = nullptr);
  // `line` is what the formats read (wrapper peeled); `raw` the line as read, kept as evidence
  // (empty: the same as `line`). Both are only looked at during the call.
  void Add(std::string_view line, uint64_t line_number, std::string_view raw = {});
  // Whether Add would only count `line` as a quiet response (an access line of status < 500),
  // and its time. Const and thread-safe: the access prescan (access_prescan.h) asks it ahead of
  // Add, on other threads.
  bool IsQuietResponse(std::string_view line, TimeUs* time) const;
  // What Add does with such a line, told its time.
  void AddQuietResponse(TimeUs time);
  void Finish();  // flushes every pending event
  const AssembleStats& stats() const { return stats_; }

 private:
  void Start(Format f, const Record& rec, std::string_view line, uint64_t line_number);
  void Append(std::string_view line, std::string_view message_part);
  bool JoinsPending(Format f, const Record& rec);
  bool ContinuesPending(std::string_view line);
  void Flush();

  // An event being assembled, with the state of the multi-line shapes it may be inside.
  struct Pending {
    Event event;
    bool active = false;
    bool in_traceback = false;        // inside a Python traceback
    bool traceback_ended = false;     // just after a traceback's exception line (chains may follow)
    bool root_cause_pending = false;  // the exception announced by the event follows
    uint32_t held_blanks = 0;         // blank lines after it, joined if the event goes on
    uint64_t process = 0;             // ProcessOf its join key and pid: compared before them
    // As a new one, keeping its strings' room.
    void Clear() {
      event.Clear();
      active = in_traceback = traceback_ended = root_cause_pending = false;
      held_blanks = 0;
      process = 0;
    }
  };
  static constexpr size_t kMaxParked = 64;

  // journald interleaves the lines of many processes: the pending event of the process a
  // syslog line comes from becomes main_, and the one it replaces waits in parked_.
  void SwitchProcess(const Record& rec);
  void FlushParked();

  Format format_;
  uint32_t input_;
  EventSink* sink_;
  const AccessFormat* custom_;
  // Pending events are held by pointer: a switch of process swaps two pointers, and taking one
  // from the middle of parked_ moves no events. One that leaves parked_ is kept for the next
  // switch, with its strings' room.
  std::unique_ptr<Pending> TakeSpare();
  std::unique_ptr<Pending> main_ = std::make_unique<Pending>();
  std::deque<std::unique_ptr<Pending>> parked_;  // the oldest first
  std::vector<std::unique_ptr<Pending>> spare_;
  std::string_view raw_;  // the line of the current Add call, as read
  AssembleStats stats_;
};

}  // namespace why500
