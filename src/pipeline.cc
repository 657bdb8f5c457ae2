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

void AnalyseInput(const RuleSet& rules, const std::string& name, uint32_t index, const PipelineOptions& options,
                  Aggregate* agg, bool* input_error) {
  auto source = options.live ? OpenFollowSource(name, options.follow) : OpenInput(name);
  if (!source) {
    InputStats stats;
    stats.name = ShownName(name);
    stats.error = source.error().message;
    if (options.live) options.live->Publish(index, agg, stats, true);
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
  LineReader reader(source.get(), options.max_line);
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

// A regular file cut into parts (file_parts.h): threads analyse parts side by side, each into
// an aggregate of its own, and whichever thread finishes the next part in order merges it, so
// the report is the same for any thread count. Threads start parts at most a few ahead of the
// merge, so that memory stays flat.
void AnalyseParts(const RuleSet& rules, const Source& file, const FileParts& parts, const Sniffed& sniffed,
                  uint32_t input, const PipelineOptions& options, InputStats* stats, Aggregate* agg) {
  const uint64_t n = parts.count();
  const uint64_t threads = static_cast<uint64_t>(std::max(1, options.threads));
  const uint64_t ahead = 2 * threads;
  std::vector<std::unique_ptr<PartResult>> finished(n);
  std::vector<char> is_finished(n, 0);
  PartMerger merger(agg, stats, input, options);
  std::mutex mu;
  std::condition_variable cv;
  uint64_t next = 0, merged = 0;
  bool merging = false;
  auto work = [&] {
    std::unique_lock<std::mutex> lock(mu);
    for (;;) {
      cv.wait(lock, [&] { return next >= n || next < merged + ahead; });
      if (next >= n) return;
      const uint64_t k = next++;
      lock.unlock();
      std::unique_ptr<PartResult> result = AnalysePart(rules, file, parts, k, sniffed, input, stats->name, options);
      lock.lock();
      finished[k] = std::move(result);
      is_finished[k] = 1;
      if (merging) continue;  // the merging thread takes this one in turn
      merging = true;
      while (merged < n && is_finished[merged]) {
        std::unique_ptr<PartResult> part = std::move(finished[merged]);
        lock.unlock();
        if (part) merger.Add(std::move(*part));
        lock.lock();
        ++merged;
        cv.notify_all();
      }
      merging = false;
    }
  };
  std::vector<std::thread> helpers;
  for (uint64_t t = 1; t < threads && t < n; ++t) helpers.emplace_back(work);
  work();
  for (std::thread& t : helpers) t.join();
  merger.Finish();
}

// Whether a file may be cut into parts: a regular file of a format with lines that start an
// event whatever came before (StartsEventAlone), in a run with no observer waiting on events
// in input order.
bool CutsIntoParts(const Source& source, Format format, const PipelineOptions& options) {
  return !options.observer && !options.live && source.PartableSize() > options.part_bytes &&
         !IsJournalFormat(format) && format != Format::kGeneric;
}

}  // namespace

void AnalyseSource(const RuleSet& rules, Source* source, uint32_t input, const PipelineOptions& options,
                   Aggregate* agg) {
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
  if (CutsIntoParts(*source, sniffed.format, options)) {
    const AccessFormat* custom = options.access_format.get();
    const FileParts parts(*source, options.part_bytes, options.max_line, [&](std::string_view line) {
      return StartsEventAlone(sniffed.format, custom, PeelWrapper(sniffed.wrapper, line));
    });
    // The parts read the head again.
    if (options.bytes_read) options.bytes_read->fetch_sub(reader.stats().bytes);
    AnalyseParts(rules, *source, parts, sniffed, input, options, &stats, agg);
    agg->inputs.push_back(std::move(stats));
    return;
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
}

PipelineResult RunPipeline(const RuleSet& rules, const PipelineOptions& named) {
  PipelineResult result{Aggregate(named.examples), false};
  PipelineOptions options = named;
  options.inputs = ExpandInputs(named.inputs);
  const size_t n = options.inputs.size();
  const size_t threads_wanted = static_cast<size_t>(std::max(1, options.threads));
  // A followed input never ends on its own: each needs a thread of its own.
  const size_t workers = options.live ? n : options.observer ? 1 : std::min(threads_wanted, n);
  if (options.live) {
    std::vector<std::string> names;
    for (const std::string& name : options.inputs) names.push_back(ShownName(name));
    options.live->Begin(names);
  }
  // Threads left over once each input has one classify within the inputs (AnalyseSource).
  options.threads = workers == 0 ? 1 : static_cast<int>(std::max<size_t>(1, threads_wanted / std::max<size_t>(1, n)));
  // Inputs read side by side at their own speeds share no horizon to settle against: the
  // evidence of one may be for the responses of another, read later.
  if (n != 1 || options.live) options.settle_every = 0;
  std::vector<Aggregate> partials;
  partials.reserve(n);
  for (size_t i = 0; i < n; ++i) partials.emplace_back(options.examples);
  std::vector<char> errors(n, 0);
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < n; i = next++) {
      bool error = false;
      AnalyseInput(rules, options.inputs[i], static_cast<uint32_t>(i), options, &partials[i], &error);
      errors[i] = error;
    }
  };
  std::vector<std::thread> threads;
  for (size_t t = 1; t < workers; ++t) threads.emplace_back(work);
  work();
  for (std::thread& t : threads) t.join();
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
