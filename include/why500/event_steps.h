// The two steps after assembly, kept apart so that they can run on different threads: the
// classify step (rules, captures, template, change marker: reads the event only) and the
// aggregate step (adds to one input's Aggregate, in input order). Two EventSinks connect them
// to the assembler: one thread doing both, or worker threads classifying batches.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "why500/aggregate.h"
#include "why500/assemble.h"
#include "why500/classify.h"
#include "why500/settle.h"
#include "why500/ordered_batches.h"
#include "why500/pipeline.h"

namespace why500 {

// What the classify step found out about one event. Buffers are reused from event to event.
struct Classified {
  bool outside = false;  // outside --since/--until
  int winner = -1;
  bool evidence = false;
  std::string_view change;  // DetectChange's kind, for an event that is not evidence
  std::vector<int> matched;
  // The winner's captures, extracted only when an observer (--events, --explain) wants them;
  // otherwise the aggregate step extracts them for the one event that starts a group.
  bool has_captures = false;
  std::vector<Capture> captures;
  std::string template_text;
};

// The classify step. Const: any number of threads may share one.
class EventClassifier {
 public:
  EventClassifier(const RuleSet& rules, const PipelineOptions& options);
  void Classify(const Event& e, Classified* c) const;

 private:
  const RuleSet& rules_;
  const PipelineOptions& options_;
  const bool observed_;
};

// Follows the times of one input: its span and its longest silences.
class InputClock {
 public:
  // A clock of one part of an input keeps every silence it meets, in order, for Append.
  explicit InputClock(bool keeps_every_gap = false) : keeps_every_gap_(keeps_every_gap) {}
  void See(TimeUs t);
  // Goes on with the times of the part of the input that follows: the silences found are
  // those one clock would have found seeing both parts' times in turn.
  void Append(const InputClock& later);
  void Fill(InputStats* s) const;

 private:
  void KeepGap(TimeUs from, TimeUs to);
  bool keeps_every_gap_;
  TimeUs first_ = kNoTime, last_ = kNoTime;
  TimeUs first_seen_ = kNoTime;  // the first time seen, where a silence from an earlier part ends
  uint64_t timed_ = 0;
  std::vector<std::pair<TimeUs, TimeUs>> gaps_;  // the longest, longest first; or every one, in order
};

// The aggregate step: adds classified events to one input's aggregate, in input order, and
// tells the observer.
class Aggregator {
 public:
  // What of its input an aggregator sees: all of it, or one part of a file cut into parts
  // (file_parts.h), whose clock keeps every silence and whose settling holds back the refs near
  // its start, which the part before may still tie.
  enum class Span { kWholeInput, kFirstPart, kLaterPart };
  Aggregator(const RuleSet& rules, Aggregate* agg, const PipelineOptions& options, const std::string& input_name,
             bool journal, Span span = Span::kWholeInput);
  void AddQuietResponse(TimeUs time);
  void Add(const Event& e, const Classified& c);
  // What it counted of its input.
  void Fill(InputStats* s) const;
  const InputClock& clock() const { return clock_; }
  // The least time added since the aggregate last settled: a horizon to settle it against.
  TimeUs unsettled_least_time() const { return settle_.least_time(); }

 private:
  void AddResponse(const Event& e);
  void AddNoEvidence(const Event& e, const Classified& c);
  void AddEvidence(const Event& e, const Classified& c);
  void Notify(const Event& e, const Verdict& v);

  const RuleSet& rules_;
  Aggregate* agg_;
  EventObserver* observer_;
  const PipelineOptions& options_;
  const std::string& input_name_;
  const bool journal_;
  InputClock clock_;
  SettleAsRead settle_;
  uint64_t outside_ = 0, suppressed_ = 0, blobs_ = 0;
  uint64_t responses_ = 0, responses_5xx_ = 0;
};

// One thread: each event is classified and added as it comes.
class SequentialSink : public EventSink {
 public:
  SequentialSink(const EventClassifier& classifier, Aggregator* aggregator)
      : classifier_(classifier), aggregator_(aggregator) {}
  void OnQuietResponse(TimeUs time) override { aggregator_->AddQuietResponse(time); }
  void OnEvent(Event& e) override;

 private:
  const EventClassifier& classifier_;
  Aggregator* aggregator_;
  Classified scratch_;
};

// Several threads on one input: the assembling thread copies events into batches, worker
// threads (and the assembling thread, rather than wait) classify whole batches, and the
// assembling thread adds them to the aggregate strictly in input order, so the report is the
// one a single thread writes.
class ParallelSink : public EventSink {
 public:
  ParallelSink(const EventClassifier& classifier, Aggregator* aggregator, int workers);
  void OnQuietResponse(TimeUs time) override;
  void OnEvent(Event& e) override;
  // Adds every batch still in flight; call once the assembler has finished.
  void Finish();

 private:
  struct Item {
    TimeUs quiet_time;  // a quiet response's time, when event < 0
    int32_t event;
  };
  struct Batch {
    std::vector<Item> items;
    std::vector<Event> events;  // slots reused from batch to batch
    std::vector<Classified> classified;
    size_t events_used = 0, text_bytes = 0;
  };

  void Submit();
  void Classify(Batch& b) const;
  void Apply(Batch& b);

  const EventClassifier& classifier_;
  Aggregator* aggregator_;
  OrderedBatches<Batch> batches_;  // last: its threads stop before the rest goes
};

}  // namespace why500
