// Wires the stages for a run: sources → framing → parse → assemble → classify → aggregate,
// then correlate. The run's threads share its inputs: a big file is cut into parts that any
// thread analyses (file_parts.h); an input not cut has one reading thread, and threads left
// over classify batches of its events. Inputs, parts and batches merge back in order, so the
// output never depends on threads. Observers see each classified event (--events, --explain).
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "why500/access_format.h"
#include "why500/aggregate.h"
#include "why500/classify.h"
#include "why500/file_parts.h"
#include "why500/follow_source.h"
#include "why500/record.h"
#include "why500/source.h"

namespace why500 {
class LiveRun;
}

namespace why500 {

// What classification made of one event.
struct Verdict {
  int rule = -1;                         // winner, or -1
  const std::vector<int>* matched = nullptr;  // every applicable rule that matched
  const std::vector<Capture>* captures = nullptr;
  std::string_view template_text;
};

class EventObserver {
 public:
  virtual ~EventObserver() = default;
  // Called for each classified event and each 5xx response, in input order.
  virtual void OnEvent(const Event& event, const Verdict& verdict, const std::string& input_name) = 0;
};

struct PipelineOptions {
  std::vector<std::string> inputs;
  std::optional<Format> forced_format;
  size_t max_line = 64 * 1024;
  size_t examples = 3;
  int threads = 1;
  EventObserver* observer = nullptr;  // when set, inputs run one after another
  std::shared_ptr<const AccessFormat> access_format;  // --access-format, tried on every line
  TimeUs since = kNoTime, until = kNoTime;  // --since/--until: timed events outside are left out
  std::atomic<uint64_t>* bytes_read = nullptr;  // when set, every input's bytes are added as read
  bool keep_uncorrelated = false;  // keep a copy of the aggregate as it was before Correlate
  // A run of one input settles its aggregate every this many events (SettleAsRead), so that
  // memory stays flat however big the input; 0: never. Runs of several inputs and follow runs
  // (which settle across inputs) leave it unused.
  uint64_t settle_every = 16384;
  // A regular file bigger than this is cut into parts of about this size, analysed side by
  // side and merged in order (file_parts.h); the same for any thread count.
  uint64_t part_bytes = FileParts::kDefaultPartBytes;
  // Follow mode (--follow): every input is followed on a thread of its own until
  // `follow.stop` or its end (stdin closed), and hands its aggregate over to `live` as it goes.
  LiveRun* live = nullptr;
  FollowOptions follow;
};

struct PipelineResult {
  Aggregate agg;
  bool input_error = false;  // some input could not be read (wholly or partly)
  // With keep_uncorrelated: the aggregate before Correlate, the mergeable state (why500 merge);
  // Correlate's ties, duplicates and inferred groups are made again after merging.
  std::optional<Aggregate> uncorrelated;
};

PipelineResult RunPipeline(const RuleSet& rules, const PipelineOptions& options);

// Analyses one input already open; used by RunPipeline and by tests.
void AnalyseSource(const RuleSet& rules, Source* source, uint32_t input, const PipelineOptions& options,
                   Aggregate* agg);

}  // namespace why500
