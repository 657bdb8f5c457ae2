#include "why500/event_steps.h"

#include <algorithm>

#include "why500/changes.h"
#include "why500/template.h"
#include "why500/text.h"

namespace why500 {
namespace {

constexpr TimeUs kMinGap = 10 * 60 * kUsPerSecond;  // silences shorter than this are never blind spots
constexpr size_t kKeptGaps = 3;
// A batch holds this many lines' items, events or bytes of event text at most. Event slots
// keep their strings' capacity from batch to batch, so the event count bounds memory too.
constexpr size_t kBatchItems = 4096;
constexpr size_t kBatchEvents = 512;
constexpr size_t kBatchBytes = 1 << 20;
// A slot keeps up to this much of a string's capacity for the next event: past it, a slot that
// once held a long stack trace would keep that much memory for as long as the run lasts, and
// with every slot of every batch doing so, memory would creep up towards slots × longest event.
constexpr size_t kSlotKeeps = 1024;

void ReleaseIfOversized(std::string* slot, size_t next_size) {
  if (slot->capacity() > kSlotKeeps && next_size <= kSlotKeeps) std::string().swap(*slot);
}

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

// --since/--until: a timed event outside the window is left out (and counted); an untimed
// one stays, since nothing says it is outside.
bool OutsideWindow(TimeUs t, const PipelineOptions& options) {
  return t != kNoTime && ((options.since != kNoTime && t < options.since) ||
                          (options.until != kNoTime && t > options.until));
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Classify step

EventClassifier::EventClassifier(const RuleSet& rules, const PipelineOptions& options)
    : rules_(rules), options_(options), observed_(options.observer != nullptr) {}

void EventClassifier::Classify(const Event& e, Classified* c) const {
  c->outside = OutsideWindow(e.time, options_);
  c->winner = -1;
  c->evidence = false;
  c->change = {};
  c->matched.clear();
  if (c->outside || e.IsResponse()) return;
  // Without an observer only evidence matters, and the rule set may skip what can't be.
  const auto want = observed_ ? RuleSet::Want::kEveryMatch : RuleSet::Want::kEvidence;
  // A multi-line message is templated on the line its match starts on: the run that finds the
  // winner tells where, when it can.
  const bool multi_line = e.message.find('\n') != std::string::npos;
  size_t start = std::string_view::npos;
  c->winner = rules_.Classify(e.message, e.format, e.severity, &c->matched, want,
                              multi_line && !observed_ ? &start : nullptr);
  c->evidence = c->winner >= 0 && !rules_.rules()[c->winner].benign();
  if (!c->evidence) {
    c->change = DetectChange(e);
    return;
  }
  // The winner's own regex runs only when its captures or its match position are needed: an
  // observer, or the line of a multi-line message to template. A hint citing captures needs
  // them only for the first event of its group, which the aggregate step knows.
  c->captures.clear();
  std::string_view segment = e.message;
  c->has_captures = observed_;
  if (observed_ || (multi_line && start == std::string_view::npos)) {
    start = 0;
    rules_.Extract(c->winner, e.message, observed_ ? &c->captures : nullptr, &start);
  }
  if (multi_line) segment = LineAt(e.message, start);
  MakeTemplate(segment, &c->template_text);
}

// ---------------------------------------------------------------------------------------------
// Aggregate step

void InputClock::See(TimeUs t) {
  if (t == kNoTime) return;
  ++timed_;
  if (first_ == kNoTime) {
    first_ = last_ = first_seen_ = t;
    return;
  }
  if (t > last_) {
    if (t - last_ >= kMinGap) KeepGap(last_, t);
    last_ = t;
  }
  first_ = std::min(first_, t);
}

// A silence ends at a time above every one before it. In the later part that is its first time
// or the end of one of its own silences (a time that ends a silence only after the earlier
// part's latest time is that far above its own part's latest too), so those are all to check.
void InputClock::Append(const InputClock& later) {
  if (later.timed_ == 0) return;
  if (timed_ == 0) {
    first_ = later.first_;
    last_ = later.last_;
    first_seen_ = later.first_seen_;
    timed_ = later.timed_;
    for (const auto& [from, to] : later.gaps_) KeepGap(from, to);
    return;
  }
  const TimeUs earlier_last = last_;
  if (later.first_seen_ > earlier_last && later.first_seen_ - earlier_last >= kMinGap) {
    KeepGap(earlier_last, later.first_seen_);
  }
  for (const auto& [own_from, to] : later.gaps_) {
    const TimeUs from = std::max(earlier_last, own_from);
    if (to > from && to - from >= kMinGap) KeepGap(from, to);
  }
  first_ = std::min(first_, later.first_);
  last_ = std::max(last_, later.last_);
  timed_ += later.timed_;
}

void InputClock::Fill(InputStats* s) const {
  s->first_time = first_;
  s->last_time = last_;
  s->timed_lines = timed_;
  s->gaps = gaps_;
}

void InputClock::KeepGap(TimeUs from, TimeUs to) {
  gaps_.emplace_back(from, to);
  if (keeps_every_gap_) return;
  std::stable_sort(gaps_.begin(), gaps_.end(),
                   [](const auto& a, const auto& b) { return a.second - a.first > b.second - b.first; });
  if (gaps_.size() > kKeptGaps) gaps_.pop_back();
}

Aggregator::Aggregator(const RuleSet& rules, Aggregate* agg, const PipelineOptions& options,
                       const std::string& input_name, bool journal, Span span)
    : rules_(rules),
      agg_(agg),
      observer_(options.observer),
      options_(options),
      input_name_(input_name),
      journal_(journal),
      clock_(span != Span::kWholeInput),
      settle_(options.settle_every, span == Span::kLaterPart) {}

void Aggregator::AddQuietResponse(TimeUs time) {
  if (OutsideWindow(time, options_)) {
    ++outside_;
    return;
  }
  clock_.See(time);
  settle_.See(time);
  agg_->SeeTime(time);
  ++agg_->access_lines;
  ++responses_;
}

void Aggregator::Add(const Event& e, const Classified& c) {
  if (c.outside) {
    ++outside_;
    return;
  }
  clock_.See(e.time);
  settle_.See(e.time);
  agg_->SeeTime(e.time);
  ++agg_->events;
  if (e.IsResponse()) {
    AddResponse(e);
  } else {
    if (e.status >= 500) AddResponse(e);  // an application's own request line (JSON, logfmt) failed
    if (c.evidence) {
      AddEvidence(e, c);
    } else {
      AddNoEvidence(e, c);
    }
  }
  settle_.Added(agg_, e.input, e.line);
}

void Aggregator::Fill(InputStats* s) const {
  s->responses = responses_;
  s->responses_5xx = responses_5xx_;
  s->outside_window = outside_;
  s->journal_suppressed = suppressed_;
  s->journal_blobs = blobs_;
  clock_.Fill(s);
}

void Aggregator::AddResponse(const Event& e) {
  ++agg_->access_lines;
  ++responses_;
  ++responses_5xx_;
  agg_->AddResponse5xx(e);
  Notify(e, Verdict());
}

// No rule, or a benign one, won: the event may still record a change (a reload, a restart).
void Aggregator::AddNoEvidence(const Event& e, const Classified& c) {
  if (journal_) {
    suppressed_ += JournalSuppressed(e.message);
    blobs_ += JournalBlob(e.text);
  }
  if (!c.change.empty()) agg_->AddChange(e, c.change);
  Verdict verdict;
  verdict.rule = c.winner;
  verdict.matched = &c.matched;
  Notify(e, verdict);
}

void Aggregator::AddEvidence(const Event& e, const Classified& c) {
  agg_->AddEvidence(e, rules_, c.winner, c.template_text, c.has_captures ? &c.captures : nullptr);
  Verdict verdict;
  verdict.rule = c.winner;
  verdict.matched = &c.matched;
  verdict.captures = &c.captures;
  verdict.template_text = c.template_text;
  Notify(e, verdict);
}

void Aggregator::Notify(const Event& e, const Verdict& v) {
  if (observer_) observer_->OnEvent(e, v, input_name_);
}

// ---------------------------------------------------------------------------------------------
// Sinks

void SequentialSink::OnEvent(Event& e) {
  classifier_.Classify(e, &scratch_);
  aggregator_->Add(e, scratch_);
}

ParallelSink::ParallelSink(const EventClassifier& classifier, Aggregator* aggregator, int workers)
    : classifier_(classifier),
      aggregator_(aggregator),
      batches_(workers, [this](Batch& b) { Classify(b); }, [this](Batch& b) { Apply(b); }) {}

void ParallelSink::OnQuietResponse(TimeUs time) {
  Batch& b = batches_.filling();
  b.items.push_back({time, -1});
  if (b.items.size() >= kBatchItems) Submit();
}

void ParallelSink::OnEvent(Event& e) {
  Batch& b = batches_.filling();
  if (b.events_used == b.events.size()) {
    b.events.emplace_back();
    b.classified.emplace_back();
  }
  Event& slot = b.events[b.events_used];
  ReleaseIfOversized(&slot.text, e.text.size());
  ReleaseIfOversized(&slot.message, e.message.size());
  slot = e;  // copy-assigned into a reused slot: no allocation once warm
  b.text_bytes += e.text.size() + e.message.size();
  b.items.push_back({kNoTime, static_cast<int32_t>(b.events_used++)});
  if (b.items.size() >= kBatchItems || b.events_used >= kBatchEvents || b.text_bytes >= kBatchBytes) Submit();
}

void ParallelSink::Finish() {
  if (!batches_.filling().items.empty()) Submit();
  batches_.Finish();
}

void ParallelSink::Submit() {
  Batch& next = batches_.Submit();
  next.items.clear();
  next.events_used = 0;
  next.text_bytes = 0;
}

void ParallelSink::Classify(Batch& b) const {
  for (size_t i = 0; i < b.events_used; ++i) classifier_.Classify(b.events[i], &b.classified[i]);
}

void ParallelSink::Apply(Batch& b) {
  for (const Item& item : b.items) {
    if (item.event < 0) {
      aggregator_->AddQuietResponse(item.quiet_time);
    } else {
      aggregator_->Add(b.events[item.event], b.classified[item.event]);
    }
  }
}

}  // namespace why500
