#include "why500/pipeline.h"

#include <algorithm>
#include <atomic>
#include <thread>

#include "why500/assemble.h"
#include "why500/changes.h"
#include "why500/correlate.h"
#include "why500/inputs.h"
#include "why500/line_reader.h"
#include "why500/sniff.h"
#include "why500/template.h"
#include "why500/text.h"

namespace why500 {
namespace {

constexpr size_t kSniffLines = 64;
constexpr TimeUs kMinGap = 10 * 60 * kUsPerSecond;  // silences shorter than this are never blind spots
constexpr size_t kKeptGaps = 3;

// Follows the times of one input: its span and its longest silences.
class InputClock {
 public:
  void See(TimeUs t) {
    if (t == kNoTime) return;
    ++timed_;
    if (first_ == kNoTime) {
      first_ = last_ = t;
      return;
    }
    if (t > last_) {
      if (t - last_ >= kMinGap) KeepGap(last_, t);
      last_ = t;
    }
    first_ = std::min(first_, t);
  }

  void Fill(InputStats* s) const {
    s->first_time = first_;
    s->last_time = last_;
    s->timed_lines = timed_;
    s->gaps = gaps_;
  }

 private:
  void KeepGap(TimeUs from, TimeUs to) {
    gaps_.emplace_back(from, to);
    std::stable_sort(gaps_.begin(), gaps_.end(),
                     [](const auto& a, const auto& b) { return a.second - a.first > b.second - b.first; });
    if (gaps_.size() > kKeptGaps) gaps_.pop_back();
  }

  TimeUs first_ = kNoTime, last_ = kNoTime;
  uint64_t timed_ = 0;
  std::vector<std::pair<TimeUs, TimeUs>> gaps_;
};

// journald's own notes that it dropped or hid messages: "Suppressed 1532 messages from
// nginx.service" (rate limiting) and "[12.3K blob data]" (binary MESSAGE fields).
uint64_t JournalSuppressed(std::string_view message) {
  message = Trim(message);
  if (!StartsWith(message, "Suppressed ") || message.find(" messages from ") == std::string_view::npos) return 0;
  uint64_t n = 0;
  for (size_t i = 11; i < message.size() && IsDigit(message[i]); ++i) n = n * 10 + (message[i] - '0');
  return n;
}
bool JournalBlob(std::string_view text) { return text.find(" blob data]") != std::string_view::npos; }

// Classifies each assembled event and adds it to the aggregate.
class ClassifyingSink : public EventSink {
 public:
  ClassifyingSink(const RuleSet& rules, Aggregate* agg, const PipelineOptions& options, const std::string& input_name,
                  bool journal)
      : rules_(rules),
        agg_(agg),
        observer_(options.observer),
        since_(options.since),
        until_(options.until),
        input_name_(input_name),
        journal_(journal) {}

  void OnQuietResponse(TimeUs time) override {
    if (Outside(time)) return;
    clock_.See(time);
    agg_->SeeTime(time);
    ++agg_->access_lines;
    ++responses_;
  }

  void OnEvent(Event& e) override {
    if (Outside(e.time)) return;
    clock_.See(e.time);
    agg_->SeeTime(e.time);
    ++agg_->events;
    if (e.IsResponse()) {
      OnResponse(e);
      return;
    }
    if (e.status >= 500) OnResponse(e);  // an application's own request line (JSON, logfmt) failed
    const int winner = rules_.Classify(e.message, e.format, e.severity, &matched_,
                                       observer_ ? RuleSet::Want::kEveryMatch : RuleSet::Want::kEvidence);
    if (winner < 0 || rules_.rules()[winner].benign()) {
      OnNoEvidence(e, winner);
    } else {
      OnEvidence(e, winner);
    }
  }

  // What the sink counted of its input.
  void Fill(InputStats* s) const {
    s->responses = responses_;
    s->responses_5xx = responses_5xx_;
    s->outside_window = outside_;
    s->journal_suppressed = suppressed_;
    s->journal_blobs = blobs_;
    clock_.Fill(s);
  }

 private:
  void OnResponse(const Event& e) {
    ++agg_->access_lines;
    ++responses_;
    ++responses_5xx_;
    agg_->AddResponse5xx(e);
    Notify(e, Verdict());
  }

  // No rule, or a benign one, won: the event may still record a change (a reload, a restart).
  void OnNoEvidence(const Event& e, int benign_winner) {
    if (journal_) {
      suppressed_ += JournalSuppressed(e.message);
      blobs_ += JournalBlob(e.text);
    }
    const std::string_view change = DetectChange(e);
    if (!change.empty()) agg_->AddChange(e, change);
    Verdict verdict;
    verdict.rule = benign_winner;
    verdict.matched = &matched_;
    Notify(e, verdict);
  }

  void OnEvidence(const Event& e, int winner) {
    // The winner's own regex runs only when its captures or its match position are needed: a
    // hint citing captures, --explain, or the line of a multi-line message to template.
    captures_.clear();
    std::string_view segment = e.message;
    const bool multi_line = segment.find('\n') != std::string_view::npos;
    const bool wants_captures = observer_ != nullptr || rules_.rules()[winner].hint.find('{') != std::string::npos;
    if (multi_line || wants_captures) {
      size_t start = 0;
      rules_.Extract(winner, e.message, &captures_, &start);
      if (multi_line) segment = LineAt(e.message, start);
    }
    MakeTemplate(segment, &template_);
    agg_->AddEvidence(e, rules_, winner, template_, captures_);
    Verdict verdict;
    verdict.rule = winner;
    verdict.matched = &matched_;
    verdict.captures = &captures_;
    verdict.template_text = template_;
    Notify(e, verdict);
  }

  // --since/--until: a timed event outside the window is left out (and counted); an untimed
  // one stays, since nothing says it is outside.
  bool Outside(TimeUs t) {
    const bool outside = t != kNoTime && ((since_ != kNoTime && t < since_) || (until_ != kNoTime && t > until_));
    outside_ += outside;
    return outside;
  }

  void Notify(const Event& e, const Verdict& v) {
    if (observer_) observer_->OnEvent(e, v, input_name_);
  }

  const RuleSet& rules_;
  Aggregate* agg_;
  EventObserver* observer_;
  const TimeUs since_, until_;
  const std::string& input_name_;
  const bool journal_;
  InputClock clock_;
  uint64_t outside_ = 0, suppressed_ = 0, blobs_ = 0;
  std::vector<int> matched_;
  std::vector<Capture> captures_;
  std::string template_;
  uint64_t responses_ = 0, responses_5xx_ = 0;
};

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

void AnalyseInput(const RuleSet& rules, const std::string& name, uint32_t index, const PipelineOptions& options,
                  Aggregate* agg, bool* input_error) {
  auto source = OpenInput(name);
  if (!source) {
    InputStats stats;
    stats.name = name == "-" ? "<stdin>" : name;
    stats.error = source.error().message;
    agg->inputs.push_back(stats);
    *input_error = true;
    return;
  }
  AnalyseSource(rules, source->get(), index, options, agg);
  agg->inputs.back().name = name == "-" ? "<stdin>" : name;
  if (!agg->inputs.back().error.empty()) *input_error = true;
}

}  // namespace

void AnalyseSource(const RuleSet& rules, Source* source, uint32_t input, const PipelineOptions& options,
                   Aggregate* agg) {
  InputStats stats;
  stats.name = options.inputs.size() > input ? options.inputs[input] : "<memory>";
  LineReader reader(source, options.max_line);
  reader.CountInto(options.bytes_read);
  // The first lines decide the format; they are kept so they can be fed afterwards.
  std::vector<std::string> head;
  std::string_view line;
  while (head.size() < kSniffLines && reader.Next(&line)) head.emplace_back(line);
  std::vector<std::string_view> head_views(head.begin(), head.end());
  Sniffed sniffed = SniffFormat(head_views);
  if (options.forced_format) sniffed.format = *options.forced_format;
  stats.format = std::string(FormatName(sniffed.format));
  if (options.access_format && FitsMostLines(*options.access_format, head_views, sniffed.wrapper)) {
    sniffed.format = Format::kAccessCombined;
    stats.format = "access_custom";
  }
  stats.wrapper = std::string(WrapperName(sniffed.wrapper));

  ClassifyingSink sink(rules, agg, options, stats.name, IsJournalFormat(sniffed.format));
  Assembler assembler(sniffed.format, input, &sink, options.access_format.get());
  uint64_t line_number = 0;
  for (std::string_view h : head_views) assembler.Add(PeelWrapper(sniffed.wrapper, h), ++line_number, h);
  while (reader.Next(&line)) assembler.Add(PeelWrapper(sniffed.wrapper, line), ++line_number, line);
  assembler.Finish();

  const LineStats& ls = reader.stats();
  const AssembleStats& as = assembler.stats();
  stats.lines = ls.lines;
  stats.bytes = ls.bytes;
  stats.truncated_lines = ls.truncated_lines;
  stats.missing_final_newline = ls.missing_final_newline;
  stats.unparsed_lines = as.unparsed_lines;
  stats.binary_lines = as.binary_lines;
  stats.cut_entries = as.cut_entries;
  stats.events = as.events;
  sink.Fill(&stats);
  if (!reader.error().ok()) stats.error = reader.error().message();
  agg->inputs.push_back(std::move(stats));
}

PipelineResult RunPipeline(const RuleSet& rules, const PipelineOptions& named) {
  PipelineResult result{Aggregate(named.examples), false};
  PipelineOptions options = named;
  options.inputs = ExpandInputs(named.inputs);
  const size_t n = options.inputs.size();
  const size_t workers = options.observer ? 1 : std::min<size_t>(std::max(1, options.threads), n);
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
  // Changes read in time order whatever input they came from.
  std::stable_sort(result.agg.changes.begin(), result.agg.changes.end(),
                   [](const Change& a, const Change& b) { return a.time < b.time; });
  Correlate(&result.agg);
  return result;
}

}  // namespace why500
