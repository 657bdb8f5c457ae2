#include "why500/pipeline.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "why500/access_prescan.h"
#include "why500/assemble.h"
#include "why500/correlate.h"
#include "why500/event_steps.h"
#include "why500/file_parts.h"
#include "why500/inputs.h"
#include "why500/line_reader.h"
#include "why500/settle.h"
#include "why500/live.h"
#include "why500/sniff.h"

namespace why500 {
namespace {

constexpr size_t kSniffLines = 64;
constexpr std::chrono::milliseconds kLivePublishEvery{250};
bool FitsMostLines(const AccessFormat& format, const std::vector<std::string_view>& lines, Wrapper wrapper) {
  size_t fits = 0;
  Record rec;
  for (std::string_view line : lines) fits += format.Parse(PeelWrapper(wrapper, line), &rec);
  return fits > 0 && fits * 2 >= lines.size();
}

// The files behind the named inputs: a folder stands for its log files in time order; a folder
// without any stays, so that opening it reports the problem.
std::vector<std::string> ExpandInputs(const std::vector<std::string>& named) {
  std::vector<std::string> files;
  for (const std::string& path : named) {
    auto listed = IsFolder(path) ? LogFilesOfFolder(path) : Expected<std::vector<std::string>>(Error{});
    if (!listed) {
      files.push_back(path);
      continue;
    }
    for (std::string& f : *listed) files.push_back(std::move(f));
  }
  return files;
}

// Opens an input; a folder here is one without log files.
Expected<std::unique_ptr<Source>> OpenInput(const std::string& name) {
  if (!IsFolder(name)) return OpenSource(name);
  auto listed = LogFilesOfFolder(name);
  return listed ? Error{name + ": is a folder"} : listed.error();
}

std::string ShownName(const std::string& name) { return name == "-" ? "<stdin>" : name; }

// The counts of an input that could not be opened: its name and why.
InputStats NotOpened(const std::string& name, const Error& error) {
  InputStats stats;
  stats.name = ShownName(name);
  stats.error = error.message;
  return stats;
}

void FollowInput(const RuleSet& rules, const std::string& name, uint32_t index, const PipelineOptions& options,
                 Aggregate* agg, bool* input_error) {
  auto source = OpenFollowSource(name, options.follow);
  if (!source) {
    const InputStats stats = NotOpened(name, source.error());
    options.live->Publish(index, agg, stats, true);
    agg->inputs.push_back(stats);
    *input_error = true;
    return;
  }
  AnalyseSource(rules, source->get(), index, options, agg);
  if (!agg->inputs.back().error.empty()) *input_error = true;
}

// The first lines of an input, which decide its format. A followed input that pauses before
// it has 64 sniffs on what it has, once it has a line at all.
std::vector<std::string> ReadHead(LineReader* reader, const std::function<void()>& while_empty) {
  std::vector<std::string> head;
  std::string_view line;
  for (;;) {
    while (head.size() < kSniffLines && reader->Next(&line)) head.emplace_back(line);
    if (!head.empty() || !reader->paused()) return head;
    while_empty();
  }
}

// The counts of one input so far.
InputStats StatsOf(InputStats stats, const LineReader& reader, const Assembler& assembler,
                   const Aggregator& aggregator) {
  const LineStats& ls = reader.stats();
  const AssembleStats& as = assembler.stats();
  stats.lines = ls.lines;
  stats.bytes = ls.bytes;
  stats.truncated_lines = ls.truncated_lines;
  stats.missing_final_newline = ls.missing_final_newline;
  stats.parsed_lines = as.parsed_lines;
  stats.unparsed_lines = as.unparsed_lines;
  stats.binary_lines = as.binary_lines;
  stats.cut_entries = as.cut_entries;
  stats.events = as.events;
  aggregator.Fill(&stats);
  if (!reader.error().ok()) stats.error = reader.error().message();
  return stats;
}

// Feeds the assembler every line of `reader` after the first `*line_number`. A followed input
// (`publish` set) that pauses hands over what it has (`publish(true)`: quiet), and does so now
// and then during a long catch-up (`publish(false)`); other inputs never pause.
void ReadLines(LineReader* reader, Wrapper wrapper, uint64_t* line_number, Assembler* assembler,
               const std::function<void(bool quiet)>& publish) {
  std::string_view line;
  auto last_publish = std::chrono::steady_clock::now();
  bool paused = reader->paused();  // the sniffed head may have ended at a pause
  for (;;) {
    if (paused) {
      // Nothing new for a while: the event the assembler holds is as complete as it will get
      // (a writer writes an entry's lines together), so it goes out with the counts.
      assembler->Finish();
      if (publish) publish(true);
      last_publish = std::chrono::steady_clock::now();
    }
    while (reader->Next(&line)) {
      assembler->Add(PeelWrapper(wrapper, line), ++*line_number, line);
      if (publish && *line_number % 4096 == 0 && std::chrono::steady_clock::now() - last_publish > kLivePublishEvery) {
        publish(false);
        last_publish = std::chrono::steady_clock::now();
      }
    }
    if (!reader->paused()) return;
    paused = true;
  }
}

// An access log with threads to spare: they frame and parse its lines ahead of the assembler.
// The reading thread hands them the blocks it reads, whole lines of them; only a line a block
// cannot hold whole (an overlong one, the last one without a newline) it frames itself.
void PrescanLines(const std::vector<std::string_view>& head, LineReader* reader, Wrapper wrapper, int workers,
                  Assembler* assembler) {
  AccessPrescan prescanner(wrapper, assembler, workers, reader->max_line());
  for (std::string_view h : head) prescanner.Add(h);
  for (;;) {
    std::string_view line;
    if (prescanner.AddRun(reader)) continue;
    if (!reader->Next(&line)) break;
    prescanner.Add(line);
  }
  prescanner.Finish();
  reader->CountFramed(prescanner.run_lines(), prescanner.run_truncated());
}

// What one part of a file came to, its lines numbered from the part's start.
struct PartResult {
  explicit PartResult(size_t examples) : agg(examples) {}
  Aggregate agg;
  InputStats stats;  // its counts; the times are in `clock`
  InputClock clock;
  TimeUs horizon = kNoTime;  // the least time it added since it last settled
};

std::unique_ptr<PartResult> AnalysePart(const RuleSet& rules, const Source& file, const FileParts& parts, uint64_t k,
                                        const Sniffed& sniffed, uint32_t input, const std::string& name,
                                        const PipelineOptions& options) {
  auto result = std::make_unique<PartResult>(options.examples);
  auto range = parts.Range(k);
  if (!range) {
    result->stats.error = range.error().message;
    return result;
  }
  if (!*range) return nullptr;  // the part before reaches over it
  std::unique_ptr<Source> source = file.Part((*range)->begin, (*range)->end);
  // Blocks of 1 MiB, or the part's size when smaller: the tests cut logs into parts of a few
  // hundred bytes, and a 1 MiB buffer for each would cost more than reading them.
  const uint64_t block = std::clamp<uint64_t>((*range)->end - (*range)->begin, 4096, 1 << 20);
  LineReader reader(source.get(), options.max_line, static_cast<size_t>(block));
  reader.CountInto(options.bytes_read);
  const auto span = k == 0 ? Aggregator::Span::kFirstPart : Aggregator::Span::kLaterPart;
  Aggregator aggregator(rules, &result->agg, options, name, IsJournalFormat(sniffed.format), span);
  const EventClassifier classifier(rules, options);
  SequentialSink sink(classifier, &aggregator);
  Assembler assembler(sniffed.format, input, &sink, options.access_format.get());
  uint64_t line_number = 0;
  ReadLines(&reader, sniffed.wrapper, &line_number, &assembler, {});
  assembler.Finish();
  result->stats = StatsOf(InputStats(), reader, assembler, aggregator);
  result->clock = aggregator.clock();
  result->horizon = aggregator.unsettled_least_time();
  return result;
}

// The counts of the parts before and of `part`, the one after them.
void AddPartCounts(InputStats* total, const InputStats& part) {
  for (auto field : {&InputStats::lines, &InputStats::bytes, &InputStats::truncated_lines, &InputStats::parsed_lines,
                     &InputStats::unparsed_lines, &InputStats::binary_lines, &InputStats::cut_entries,
                     &InputStats::events, &InputStats::responses, &InputStats::responses_5xx,
                     &InputStats::outside_window, &InputStats::journal_suppressed, &InputStats::journal_blobs}) {
    total->*field += part.*field;
  }
  total->missing_final_newline |= part.missing_final_newline;
  if (total->error.empty()) total->error = part.error;
}

// Merges the parts, in order, into one input's aggregate and counts.
class PartMerger {
 public:
  PartMerger(Aggregate* agg, InputStats* stats, uint32_t input, const PipelineOptions& options)
      : agg_(agg), stats_(stats), input_(input), options_(options) {}

  void Add(PartResult&& part) {
    part.agg.ShiftLines(stats_->lines);
    agg_->Merge(std::move(part.agg));
    clock_.Append(part.clock);
    AddPartCounts(stats_, part.stats);
    if (options_.settle_every == 0) return;
    // Settled against the part just merged, as a single reader would have at its end: the refs
    // the part held back near its start settle now, beside those of the part before.
    std::vector<InputHorizon> horizons(input_ + size_t{1});
    horizons[input_] = InputHorizon{part.horizon, stats_->lines};
    Settle(agg_, horizons);
  }

  void Finish() { clock_.Fill(stats_); }

 private:
  Aggregate* agg_;
  InputStats* stats_;
  const uint32_t input_;
  const PipelineOptions& options_;
  InputClock clock_;
};

// Whether a file may be cut into parts: a regular file of a format with lines that start an
// event whatever came before (StartsEventAlone), in a run with no observer waiting on events
// in input order. (Follow runs never ask: they read on until stopped.)
bool CutsIntoParts(const Source& source, Format format, const PipelineOptions& options) {
  return !options.observer && source.PartableSize() > options.part_bytes && MayStartEventsAlone(format);
}

// An input whose rest is left to parts: what AnalyseOrCut read of it.
struct Opened {
  InputStats stats;  // its name, format and wrapper
  Sniffed sniffed;
};

// AnalyseSource, but when `cut` is set and the input may be cut into parts, it stops after the
// head and returns true: `*cut` says how to read the rest.
bool AnalyseOrCut(const RuleSet& rules, Source* source, uint32_t input, const PipelineOptions& options,
                  Aggregate* agg, Opened* cut) {
  InputStats stats;
  stats.name = options.inputs.size() > input ? ShownName(options.inputs[input]) : "<memory>";
  LineReader reader(source, options.max_line);
  reader.CountInto(options.bytes_read);
  LiveRun* live = options.live;
  const std::vector<std::string> head = ReadHead(&reader, [&] {
    if (live) live->Publish(input, agg, stats, true);  // shown while it waits for its first line
  });
  std::vector<std::string_view> head_views(head.begin(), head.end());
  Sniffed sniffed = SniffFormat(head_views);
  if (options.forced_format) sniffed.format = *options.forced_format;
  stats.format = std::string(FormatName(sniffed.format));
  if (options.access_format && FitsMostLines(*options.access_format, head_views, sniffed.wrapper)) {
    sniffed.format = Format::kAccessCombined;
    stats.format = "access_custom";
  }
  stats.wrapper = std::string(WrapperName(sniffed.wrapper));
  if (cut && CutsIntoParts(*source, sniffed.format, options)) {
    if (options.bytes_read) options.bytes_read->fetch_sub(reader.stats().bytes);  // the parts read the head again
    cut->stats = std::move(stats);
    cut->sniffed = sniffed;
    return true;
  }

  Aggregator aggregator(rules, agg, options, stats.name, IsJournalFormat(sniffed.format));
  const EventClassifier classifier(rules, options);
  // Extra threads parse an access log's lines ahead of the reading thread, or classify the
  // events of other logs, which costs more than reading and assembling them; not when events
  // must reach an observer or the live view as soon as they are read.
  const int workers = options.observer || live ? 0 : options.threads - 1;
  const bool prescan = workers > 0 && IsAccessFormat(sniffed.format);  // live and observed runs have none
  std::unique_ptr<SequentialSink> sequential;
  std::unique_ptr<ParallelSink> parallel;
  EventSink* sink = nullptr;
  if (workers > 0 && !prescan) {
    parallel = std::make_unique<ParallelSink>(classifier, &aggregator, workers);
    sink = parallel.get();
  } else {
    sequential = std::make_unique<SequentialSink>(classifier, &aggregator);
    sink = sequential.get();
  }
  Assembler assembler(sniffed.format, input, sink, options.access_format.get());
  uint64_t line_number = 0;
  if (prescan) {
    PrescanLines(head_views, &reader, sniffed.wrapper, workers, &assembler);
  } else {
    for (std::string_view h : head_views) assembler.Add(PeelWrapper(sniffed.wrapper, h), ++line_number, h);
    std::function<void(bool)> publish;
    if (live) {
      publish = [&](bool quiet) { live->Publish(input, agg, StatsOf(stats, reader, assembler, aggregator), quiet); };
    }
    ReadLines(&reader, sniffed.wrapper, &line_number, &assembler, publish);
  }
  assembler.Finish();
  if (parallel) parallel->Finish();
  stats = StatsOf(stats, reader, assembler, aggregator);
  if (live) live->Publish(input, agg, stats, true);
  agg->inputs.push_back(std::move(stats));
  return false;
}

// An input as the threads of a run share it (InputScheduler).
struct InputWork {
  explicit InputWork(size_t examples) : agg(examples) {}
  Aggregate agg;
  bool error = false;    // it could not be read (wholly or partly)
  bool started = false;  // a thread has taken it up: opened it, and analysed it or cut it
  // When it is cut into parts: the file, kept open while parts read it, and the merge's state.
  bool cut = false;
  std::unique_ptr<Source> source;
  Opened opened;
  std::unique_ptr<FileParts> parts;
  std::unique_ptr<PartMerger> merger;
  std::vector<std::unique_ptr<PartResult>> finished;  // parts analysed, not merged yet
  std::vector<char> is_finished;
  uint64_t next_part = 0, merged = 0;
  bool merging = false;
};

// The threads of a run share its inputs. A thread takes, in input order, the first task it
// finds: a part of an input already cut, or an input nobody has taken up, which it opens and
// analyses whole or cuts into parts (then the others join in). Whichever thread finishes the
// next part of an input merges it. Threads start parts of an input at most 2 x threads ahead of
// its merge, and prefer earlier inputs' parts, so memory stays flat.
class InputScheduler {
 public:
  InputScheduler(const RuleSet& rules, const PipelineOptions& options, size_t threads)
      : rules_(rules), options_(options), threads_(threads), ahead_(2 * threads) {
    for (size_t i = 0; i < options.inputs.size(); ++i) inputs_.push_back(std::make_unique<InputWork>(options.examples));
    remaining_ = inputs_.size();
  }

  void Run() {
    std::vector<std::thread> helpers;
    for (size_t t = 1; t < threads_; ++t) helpers.emplace_back([this] { Work(); });
    Work();
    for (std::thread& t : helpers) t.join();
  }

  InputWork& input(size_t i) { return *inputs_[i]; }

 private:
  struct Task {
    size_t input = 0;
    bool whole = false;  // take the input up; else analyse part `part`
    uint64_t part = 0;
  };

  void Work() {
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      Task task;
      if (!Take(&task)) {
        if (remaining_ == 0) return;
        cv_.wait(lock);
        continue;
      }
      lock.unlock();
      if (task.whole) {
        const bool cut = TakeUp(task.input);
        lock.lock();
        InputWork& w = *inputs_[task.input];
        if (cut) {
          w.cut = true;
        } else {
          --remaining_;
        }
      } else {
        InputWork& w = *inputs_[task.input];
        std::unique_ptr<PartResult> result = AnalysePart(rules_, *w.source, *w.parts, task.part, w.opened.sniffed,
                                                         static_cast<uint32_t>(task.input), w.opened.stats.name,
                                                         options_);
        lock.lock();
        w.finished[task.part] = std::move(result);
        w.is_finished[task.part] = 1;
        MergeFinished(&w, &lock);
      }
      cv_.notify_all();
    }
  }

  // Under the lock.
  bool Take(Task* task) {
    for (size_t i = 0; i < inputs_.size(); ++i) {
      InputWork& w = *inputs_[i];
      if (!w.started) {
        w.started = true;
        *task = Task{i, true, 0};
        return true;
      }
      if (w.cut && w.next_part < w.parts->count() && w.next_part < w.merged + ahead_) {
        *task = Task{i, false, w.next_part++};
        return true;
      }
    }
    return false;
  }

  // Opens input `i` and analyses it whole, or cuts it into parts (returns true).
  bool TakeUp(size_t i) {
    InputWork& w = *inputs_[i];
    const std::string& name = options_.inputs[i];
    auto source = OpenInput(name);
    if (!source) {
      w.agg.inputs.push_back(NotOpened(name, source.error()));
      w.error = true;
      return false;
    }
    if (!AnalyseOrCut(rules_, source->get(), static_cast<uint32_t>(i), options_, &w.agg, &w.opened)) {
      w.error = !w.agg.inputs.back().error.empty();
      return false;
    }
    w.source = std::move(*source);
    const AccessFormat* custom = options_.access_format.get();
    const Sniffed sniffed = w.opened.sniffed;
    w.parts = std::make_unique<FileParts>(*w.source, options_.part_bytes, options_.max_line,
                                          [sniffed, custom](std::string_view line) {
                                            return StartsEventAlone(sniffed.format, custom,
                                                                    PeelWrapper(sniffed.wrapper, line));
                                          });
    w.finished.resize(w.parts->count());
    w.is_finished.assign(w.parts->count(), 0);
    w.merger = std::make_unique<PartMerger>(&w.agg, &w.opened.stats, static_cast<uint32_t>(i), options_);
    return true;
  }

  // Under the lock, which it lets go while it merges: the parts finished next in order, unless
  // another thread is at it (it takes this one in turn).
  void MergeFinished(InputWork* w, std::unique_lock<std::mutex>* lock) {
    if (w->merging) return;
    w->merging = true;
    const uint64_t n = w->parts->count();
    while (w->merged < n && w->is_finished[w->merged]) {
      std::unique_ptr<PartResult> part = std::move(w->finished[w->merged]);
      lock->unlock();
      if (part) w->merger->Add(std::move(*part));
      lock->lock();
      ++w->merged;
    }
    w->merging = false;
    if (w->merged < n) return;
    w->merger->Finish();
    w->error = !w->opened.stats.error.empty();
    w->agg.inputs.push_back(std::move(w->opened.stats));
    w->source.reset();
    --remaining_;
  }

  const RuleSet& rules_;
  const PipelineOptions& options_;
  const size_t threads_;
  const uint64_t ahead_;
  std::vector<std::unique_ptr<InputWork>> inputs_;
  size_t remaining_ = 0;  // inputs not done
  std::mutex mu_;
  std::condition_variable cv_;
};

}  // namespace

void AnalyseSource(const RuleSet& rules, Source* source, uint32_t input, const PipelineOptions& options,
                   Aggregate* agg) {
  AnalyseOrCut(rules, source, input, options, agg, nullptr);
}

// Follow mode: a followed input never ends on its own, so each has a thread of its own.
void FollowInputs(const RuleSet& rules, const PipelineOptions& options, std::vector<Aggregate>* partials,
                  std::vector<char>* errors) {
  std::vector<std::string> names;
  for (const std::string& name : options.inputs) names.push_back(ShownName(name));
  options.live->Begin(names);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < options.inputs.size(); ++i) {
    threads.emplace_back([&, i] {
      bool error = false;
      FollowInput(rules, options.inputs[i], static_cast<uint32_t>(i), options, &(*partials)[i], &error);
      (*errors)[i] = error;
    });
  }
  for (std::thread& t : threads) t.join();
}

PipelineResult RunPipeline(const RuleSet& rules, const PipelineOptions& named) {
  PipelineResult result{Aggregate(named.examples), false};
  PipelineOptions options = named;
  options.inputs = ExpandInputs(named.inputs);
  const size_t n = options.inputs.size();
  const size_t threads_wanted = static_cast<size_t>(std::max(1, options.threads));
  // An input analysed whole (not cut into parts) classifies on the threads left over once each
  // input has one (AnalyseSource).
  options.threads = static_cast<int>(std::max<size_t>(1, threads_wanted / std::max<size_t>(1, n)));
  // Inputs read side by side at their own speeds share no horizon to settle against: the
  // evidence of one may be for the responses of another, read later.
  if (n != 1 || options.live) options.settle_every = 0;
  std::vector<Aggregate> partials;
  partials.reserve(n);
  std::vector<char> errors(n, 0);
  if (options.live) {
    for (size_t i = 0; i < n; ++i) partials.emplace_back(options.examples);
    FollowInputs(rules, options, &partials, &errors);
  } else {
    // An observer sees events in input order: one thread.
    InputScheduler scheduler(rules, options, options.observer ? 1 : threads_wanted);
    scheduler.Run();
    for (size_t i = 0; i < n; ++i) {
      partials.push_back(std::move(scheduler.input(i).agg));
      errors[i] = scheduler.input(i).error;
    }
  }
  // Merging in input order keeps the report independent of the thread count.
  for (size_t i = 0; i < n; ++i) {
    result.agg.Merge(std::move(partials[i]));
    result.input_error |= errors[i] != 0;
  }
  result.agg.SortChanges();
  if (options.keep_uncorrelated) result.uncorrelated = result.agg;  // Correlate changes the aggregate
  Correlate(&result.agg);
  return result;
}

}  // namespace why500
