// why500's entry point: turns Options into a run and the run's outcome into an exit code.
// Everything else lives in the library; errors arrive here as values.
#include <fmt/format.h>
#include <fcntl.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <optional>
#include <thread>
#include <tuple>

#include "why500/cli.h"
#include "why500/classify.h"
#include "why500/correlate.h"
#include "why500/follow_view.h"
#include "why500/live.h"
#include "why500/merge_reports.h"
#include "why500/observers.h"
#include "why500/pipeline.h"
#include "why500/progress.h"
#include "why500/redact.h"
#include "why500/report.h"
#include "why500/rule_check.h"
#include "why500/source.h"
#include "why500/taxonomy.h"
#include "why500/text.h"
#include "why500/time_bound.h"

namespace why500 {
namespace {

enum ExitCode { kOk = 0, kFailOn = 1, kUsage = 2, kInputError = 3 };

int Fail(int code, const std::string& message) {
  std::fprintf(stderr, "why500: %s\n", TerminalSafe(message).c_str());
  return code;
}

// Writes all of `s` to stdout; false when the reader went away (a closed pipe is a quiet exit).
bool WriteOut(const std::string& s) {
  return std::fwrite(s.data(), 1, s.size(), stdout) == s.size() && std::fflush(stdout) == 0;
}

bool UseColor(const std::string& mode) {
  if (mode == "always") return true;
  if (mode == "never") return false;
  const char* no_color = std::getenv("NO_COLOR");
  const char* term = std::getenv("TERM");
  return isatty(STDOUT_FILENO) && !(no_color && *no_color) && !(term && std::string(term) == "dumb");
}

bool ValidFailOn(const std::string& v) {
  Confidence c;
  return v.empty() || v == "any" || v == "unknown" || ParseConfidence(v, &c) || IsKnownCause(v);
}

bool FailOnMet(const Report& r, const std::string& v) {
  if (v.empty()) return false;
  Confidence min_confidence;
  const bool by_confidence = ParseConfidence(v, &min_confidence);
  for (const RankedCause& c : r.causes) {
    const Group& g = *c.group;
    if (v == g.cause) return true;
    if (g.cause == "unknown") continue;
    if (v == "any" || (by_confidence && g.confidence >= min_confidence)) return true;
  }
  return false;
}

int ListRules(const RuleSet& rules) {
  std::string out;
  for (const Rule& r : rules.rules()) {
    out += fmt::format("{:<56} {:<20} {:<3} {:<6} {}\n", r.id, r.cause, r.priority, ConfidenceName(r.confidence),
                       r.source);
  }
  out += fmt::format("{} rules\n", rules.rules().size());
  return WriteOut(out) ? kOk : kOk;
}

int CheckRules(const RuleSet& rules) {
  const std::vector<RuleProblem> problems = CheckRuleSamples(rules);
  std::string out;
  for (const RuleProblem& p : problems) {
    out += fmt::format("{}: rule '{}': {}\n", p.source, p.rule_id, p.problem);
    if (!p.sample.empty()) out += "    " + TerminalSafe(p.sample.substr(0, 300)) + "\n";
  }
  size_t samples = 0;
  for (const Rule& r : rules.rules()) samples += r.examples.size() + r.counter_examples.size();
  out += fmt::format("{} rules, {} samples checked, {} problems\n", rules.rules().size(), samples, problems.size());
  WriteOut(out);
  return problems.empty() ? kOk : kUsage;
}

// Makes `zone` the local zone of this process, so that local log times convert through it.
bool UseTimeZone(const std::string& zone) {
  if (zone.empty()) return true;
  const bool known = zone == "UTC" || zone == "GMT" ||
                     (zone.find("..") == std::string::npos && access(("/usr/share/zoneinfo/" + zone).c_str(), R_OK) == 0);
  if (!known) return false;
  setenv("TZ", zone.c_str(), 1);
  tzset();
  return true;
}

TimeUs Now() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The options checked before anything is read, into `po`; an Error is a usage error.
Status CheckOptions(const Options& o, PipelineOptions* po) {
  if (!UseTimeZone(o.tz)) return Error{"unknown --tz '" + o.tz + "' (an IANA zone such as Europe/Berlin, or UTC)"};
  SetAssumedYear(o.year);
  if (o.with_aggregate && o.format != "json") {
    return Error{"--with-aggregate adds to the JSON report: use it with --format json"};
  }
  if (!ValidFailOn(o.fail_on)) {
    return Error{"--fail-on takes any, low, medium, high or a cause id, not '" + o.fail_on + "'"};
  }
  const TimeUs now = Now();
  for (auto [text, bound, name] : {std::tuple{&o.since, &po->since, "--since"}, {&o.until, &po->until, "--until"}}) {
    if (text->empty()) continue;
    auto t = ParseTimeBound(*text, now);
    if (!t) return Error{std::string(name) + ": " + t.error().message};
    *bound = *t;
  }
  if (po->since != kNoTime && po->until != kNoTime && po->since > po->until) {
    return Error{"--since " + o.since + " is after --until " + o.until};
  }
  if (!o.access_format.empty()) {
    auto format = AccessFormat::Compile(o.access_format);
    if (!format) return format.error();
    po->access_format = std::make_shared<const AccessFormat>(std::move(*format));
  }
  if (o.input_format.empty()) return Status();
  po->forced_format = FormatFromName(o.input_format);
  if (!po->forced_format) return Error{"unknown --input-format '" + o.input_format + "'"};
  return Status();
}

Expected<std::shared_ptr<const RuleSet>> LoadRuleSet(const Options& o) {
  auto loaded = LoadRules(o.rule_paths, !o.no_default_rules);
  if (!loaded) return loaded.error();
  return RuleSet::Compile(std::move(*loaded));
}

// Where --explain and --events write; closes a file it opened.
struct EventOutput {
  std::unique_ptr<Redactor> redactor;
  std::unique_ptr<EventObserver> observer;
  std::FILE* file = nullptr;
  ~EventOutput() {
    if (file && file != stdout) std::fclose(file);
  }
};

bool SameFile(const std::string& a, const std::string& b) {
  struct stat sa {}, sb {};
  return stat(a.c_str(), &sa) == 0 && stat(b.c_str(), &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

Status OpenEventOutput(const Options& o, const RuleSet& rules, const std::vector<std::string>& inputs,
                       EventOutput* out) {
  if (!o.explain.empty()) {
    out->observer = std::make_unique<ExplainWriter>(rules, stdout, UseColor(o.color));
  } else if (!o.events.empty()) {
    // Opening the file for writing empties it: never a log this run is to read.
    for (const std::string& input : inputs) {
      if (o.events != "-" && input != "-" && SameFile(o.events, input)) {
        return Error{"--events file '" + o.events + "' is an input: writing the events there would empty it"};
      }
    }
    out->file = o.events == "-" ? stdout : std::fopen(o.events.c_str(), "w");
    if (!out->file) return Error{"cannot write --events file '" + o.events + "'"};
    out->redactor = o.redact ? std::make_unique<Redactor>() : nullptr;
    out->observer = std::make_unique<EventsWriter>(rules, out->file, out->redactor.get());
  }
  return Status();
}

// --redact: the report's aggregate and the mergeable one it may carry.
void RedactAll(Aggregate* agg, std::optional<Aggregate>* mergeable) {
  const Redactor redactor;
  RedactAggregate(redactor, agg);
  if (*mergeable) RedactAggregate(redactor, &**mergeable);
}

// Says on stderr which inputs could not be read (unless `said` already) and which look binary;
// true when one could not be read.
bool NoteInputs(const Aggregate& agg, const std::set<std::string>& said = {}) {
  bool error = false;
  for (const InputStats& in : agg.inputs) {
    if (!in.error.empty()) {
      if (said.count(in.error) == 0) Fail(kInputError, in.error);
      error = true;
    }
    if (in.binary_lines * 2 > in.lines) {
      Fail(kOk, in.name + ": " + std::to_string(in.binary_lines) + " of " + std::to_string(in.lines) +
                    " lines look like binary data, not a log");
    }
  }
  return error;
}

// The report in the format asked for, with `mergeable` as its aggregate when there is one
// (--with-aggregate).
std::string RenderReport(const Options& o, const Report& report, const Aggregate* mergeable) {
  TextOptions text;
  text.color = UseColor(o.color);
  text.top = o.top;
  text.examples = std::min<size_t>(o.examples, 2);
  if (o.format == "json") return RenderJson(report, mergeable);
  if (o.format == "markdown") return RenderMarkdown(report, text);
  return RenderText(report, text);
}

// The exit code of a run that wrote `report`: `status` unless --fail-on is met.
int ExitCodeOf(const Options& o, const Report& report, int status) {
  if (status != kOk) return status;
  return FailOnMet(report, o.fail_on) ? kFailOn : kOk;
}

// Writes the report of `agg` (correlated) and returns the run's exit code.
int WriteReport(const Options& o, const Aggregate& agg, const std::optional<Aggregate>& mergeable, double elapsed,
                int status) {
  const Report report = BuildReport(agg, elapsed);
  WriteOut(RenderReport(o, report, mergeable ? &*mergeable : nullptr));
  return ExitCodeOf(o, report, status);
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

int Analyse(const Options& o, const RuleSet& rules, PipelineOptions po) {
  EventOutput events;
  const Status opened = OpenEventOutput(o, rules, po.inputs, &events);
  if (!opened.ok()) return Fail(kUsage, opened.message());
  po.observer = events.observer.get();
  po.keep_uncorrelated = o.with_aggregate;
  const auto start = std::chrono::steady_clock::now();
  std::atomic<uint64_t> bytes_read{0};
  po.bytes_read = &bytes_read;
  // A stream on stdout (--explain, --events -) may share the terminal: no progress line then.
  const bool streaming = !o.explain.empty() || o.events == "-";
  auto progress = streaming ? nullptr : std::make_unique<ProgressLine>(&bytes_read, KnownInputBytes(po.inputs), stderr);
  PipelineResult result = RunPipeline(rules, po);
  progress.reset();  // the line is erased before anything else is written
  if (o.redact) RedactAll(&result.agg, &result.uncorrelated);
  const double elapsed = SecondsSince(start);
  NoteInputs(result.agg);
  const int status = result.input_error ? kInputError : kOk;
  if (!o.explain.empty() || o.events == "-") return status;  // the event stream was the output
  return WriteReport(o, result.agg, result.uncorrelated, elapsed, status);
}

// "10:42:13": the time of day of `t` in UTC.
std::string ClockTime(TimeUs t) {
  const int64_t seconds_of_day = (t / kUsPerSecond) % 86400;
  return fmt::format("{:02}:{:02}:{:02}", seconds_of_day / 3600, seconds_of_day / 60 % 60, seconds_of_day % 60);
}

// Ctrl-C and SIGTERM end follow mode: the sources see the flag within a poll and end, then the
// final report is written. A second Ctrl-C is not caught: it ends a run that does not stop.
std::atomic<bool> g_stop_following{false};

extern "C" void OnStopSignal(int signal_number) {
  g_stop_following.store(true);
  std::signal(signal_number, SIG_DFL);
}

// Inputs that cannot be opened, said at once in follow mode rather than when the run ends;
// the messages are those the sources will give (SystemError), so that they are not said twice.
std::set<std::string> SayUnreadable(const std::vector<std::string>& inputs) {
  std::set<std::string> said;
  for (const std::string& name : inputs) {
    if (name == "-" || ::access(name.c_str(), R_OK) == 0) continue;
    const std::string message = SystemError(name, "cannot open", errno).message;
    said.insert(message);
    Fail(kInputError, message);
  }
  return said;
}

// The report of what `live` has so far, built on `snapshot`; `mergeable`, when given, gets the
// aggregate the report may carry (--with-aggregate).
Report SnapshotReport(const Options& o, LiveRun* live, double elapsed, Aggregate* snapshot,
                      std::optional<Aggregate>* mergeable) {
  std::optional<Aggregate> none;
  if (!mergeable) mergeable = &none;
  *snapshot = live->Snapshot();
  if (o.with_aggregate) *mergeable = *snapshot;
  Correlate(snapshot);
  if (o.redact) RedactAll(snapshot, mergeable);
  return BuildReport(*snapshot, elapsed);
}

// Follow mode: the pipeline runs on its own thread and hands its aggregate to `live`; this
// thread shows a snapshot every --interval that brought news, until every input has ended
// (Ctrl-C, stdin closed); then the final report.
int Follow(const Options& o, const RuleSet& rules, PipelineOptions po) {
  EventOutput events;
  const Status opened = OpenEventOutput(o, rules, po.inputs, &events);
  if (!opened.ok()) return Fail(kUsage, opened.message());
  po.observer = events.observer.get();
  const std::set<std::string> said = SayUnreadable(po.inputs);
  LiveRun live(po.examples);
  po.live = &live;
  po.follow.stop = &g_stop_following;
  std::signal(SIGINT, OnStopSignal);
  std::signal(SIGTERM, OnStopSignal);
  const auto start = std::chrono::steady_clock::now();
  std::atomic<bool> done{false};
  PipelineResult result;
  std::thread reading([&] {
    result = RunPipeline(rules, po);
    done = true;
  });
  // The event stream on stdout (--explain, --events -) is the output: no report beside it.
  const bool streaming = !o.explain.empty() || o.events == "-";
  FollowView view(stdout, !streaming && TerminalRows(stdout) > 0);
  const auto interval = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double>(o.interval));
  uint64_t shown = UINT64_MAX;  // a terminal gets its first drawing at the first tick, news or not
  Aggregate snapshot;
  for (auto tick = start + interval; !done; tick += interval) {
    while (!done && std::chrono::steady_clock::now() < tick) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (done || streaming || live.generation() == shown) continue;
    shown = live.generation();
    const Report report = SnapshotReport(o, &live, SecondsSince(start), &snapshot, nullptr);
    const std::string status = fmt::format("why500 --follow: {} lines read, {} UTC; Ctrl-C ends with the final report",
                                           report.totals.lines, ClockTime(Now()));
    if (!view.Update(RenderReport(o, report, nullptr), RankingKey(report, o.top), status)) g_stop_following = true;
  }
  reading.join();
  std::optional<Aggregate> mergeable;  // on the final report only
  const Report report = SnapshotReport(o, &live, SecondsSince(start), &snapshot, &mergeable);
  NoteInputs(snapshot, said);
  const int status = result.input_error ? kInputError : kOk;
  if (streaming) return status;
  view.Final(RenderReport(o, report, mergeable ? &*mergeable : nullptr));
  return ExitCodeOf(o, report, status);
}

// why500 merge: each report's aggregate, in the order given, merged and then correlated as one
// run would be, and reported with the usual options.
int Merge(const Options& o, const RuleSet& rules) {
  const auto start = std::chrono::steady_clock::now();
  auto merged = MergeReports(o.reports, rules);
  if (!merged) return Fail(kUsage, merged.error().message);
  std::optional<Aggregate> mergeable;
  if (o.with_aggregate) mergeable = *merged;
  Correlate(&*merged);
  if (o.redact) RedactAll(&*merged, &mergeable);
  const int status = NoteInputs(*merged) ? kInputError : kOk;
  return WriteReport(o, *merged, mergeable, SecondsSince(start), status);
}

int Run(const Options& o) {
  PipelineOptions po;
  const Status checked = CheckOptions(o, &po);
  if (!checked.ok()) return Fail(kUsage, checked.message());
  auto rules = LoadRuleSet(o);
  if (!rules) return Fail(kUsage, rules.error().message);
  if (o.list_rules) return ListRules(**rules);
  if (o.check_rules) return CheckRules(**rules);
  if (o.merge) return Merge(o, **rules);

  po.inputs = o.explain.empty() ? o.inputs : std::vector<std::string>{o.explain};
  po.max_line = o.max_line;
  po.examples = o.examples;
  po.threads = o.threads > 0 ? o.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (po.inputs.empty()) {
    if (isatty(STDIN_FILENO)) return Fail(kUsage, "no input given: name log files, or - to read stdin (--help)");
    po.inputs.push_back("-");
  }
  if (!o.follow) return Analyse(o, **rules, std::move(po));
  if (po.inputs.size() > 1 && (!o.explain.empty() || !o.events.empty())) {
    return Fail(kUsage, "--follow with --explain or --events reads one input, not " + std::to_string(po.inputs.size()));
  }
  return Follow(o, **rules, std::move(po));
}

// Started with stdin, stdout or stderr closed (`why500 ... >&-`), the next file opened would take
// that descriptor: the report would land in the --events file, or an input would be read as
// stdin. Each closed one is held by /dev/null opened write-only, so writes vanish as before and
// reading `-` still fails with "Bad file descriptor".
void HoldStandardDescriptors() {
  for (int fd = 0; fd <= 2; ++fd) {
    if (::fcntl(fd, F_GETFD) != -1 || errno != EBADF) continue;
    const int held = ::open("/dev/null", O_WRONLY);
    if (held >= 0 && held != fd) {
      ::dup2(held, fd);
      ::close(held);
    }
  }
}

// glibc gives freed memory back to the kernel (trimming the heap, unmapping big blocks), and
// the next settling of refs (settle.h) or file part faults it in again, page by page. A page
// fault costs about 10 us on the VMs here, and 1 GiB of mixed log took 11,700 of them, 6,400
// with this: 2-6% of one thread's time. Peak RSS rises by 2-4 MiB at 1 and 4 GiB.
void KeepFreedMemory() {
#if defined(__GLIBC__)
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  mallopt(M_MMAP_THRESHOLD, 8 << 20);
#endif
}

}  // namespace
}  // namespace why500

int main(int argc, char** argv) {
  why500::HoldStandardDescriptors();
  why500::KeepFreedMemory();
  why500::CommandLine cl = why500::ParseCommandLine(argc, argv);
  if (cl.exit_code) {
    std::fprintf(*cl.exit_code == 0 ? stdout : stderr, "%s\n", cl.message.c_str());
    return *cl.exit_code;
  }
  return why500::Run(cl.options);
}
