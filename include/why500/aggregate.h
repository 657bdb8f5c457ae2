// The mergeable aggregate: groups of classified events keyed by rule and message template,
// per-input counts, 5xx responses and evidence keys for correlation, and per-minute counts.
// The same Merge serves per-input workers and the reports of many hosts (`why500 merge`).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "why500/classify.h"
#include "why500/record.h"
#include "why500/rules.h"
#include "why500/text.h"

namespace why500 {

// Counts of distinct values, bounded: past kMaxDistinct new values are only counted as "other".
class TopValues {
 public:
  using Counts = std::unordered_map<std::string, uint64_t, QuickHasher>;
  static constexpr size_t kMaxDistinct = 256;
  void Add(std::string_view value, uint64_t n = 1);
  void Merge(const TopValues& other);
  // Replaces every value by `rewrite(value)`; values that become equal add up.
  template <class Fn>
  void Rewrite(Fn rewrite) {
    Counts old;
    old.swap(counts_);
    for (const auto& [value, n] : old) counts_[rewrite(value)] += n;
  }
  // The `k` most frequent values, ties by value, for deterministic output.
  std::vector<std::pair<std::string, uint64_t>> Top(size_t k) const;
  bool empty() const { return counts_.empty(); }
  // What an aggregate's JSON form carries (aggregate_json.h): the distinct values kept with
  // their counts, and the count of values past kMaxDistinct; Add and AddOther rebuild them.
  const Counts& counts() const { return counts_; }
  uint64_t other() const { return other_; }
  void AddOther(uint64_t n) { other_ += n; }

 private:
  Counts counts_;
  uint64_t other_ = 0;
};

// How a 5xx response was tied to its cause, strongest first.
enum class Tie : uint8_t {
  kNone,
  kRequestId,  // the same request id ($request_id, X-Request-ID, an app's request_id field)
  kRequest,    // the same client, method and path within seconds
  kClient,     // the same client within seconds
  kSameLog,    // the same log at the same moment, or a few lines away when untimed
  kTimeWindow, // only the time: evidence of another log within seconds
  kInferred,   // no evidence: inferred from the access line's own upstream fields
};
constexpr int kTieKinds = 7;
std::string_view TieName(Tie t);

struct Example {
  uint32_t input = 0;
  uint64_t line = 0;
  std::string text;
};

struct Group {
  int rule = -1;  // index into the RuleSet
  std::string rule_id, cause, subcause, template_text, hint;
  Confidence confidence = Confidence::kLow;
  int priority = 0;
  uint64_t events = 0;
  uint64_t http_5xx = 0;   // responses tied to this group by correlation
  uint64_t ties[kTieKinds] = {};  // those responses by how they were tied
  bool inferred = false;   // made by Correlate from access lines alone, no evidence line behind it
  uint64_t cut_events = 0;
  std::map<int, uint64_t> status;
  TimeUs first = kNoTime, last = kNoTime;
  TopValues path, upstream, client, host;
  std::vector<Example> examples;
  uint32_t first_input = 0;  // where it was first seen: the deterministic tie-break
  uint64_t first_line = 0;
};

struct InputStats {
  std::string name;
  std::string format;  // canonical format name as sniffed or forced
  std::string wrapper;
  uint64_t lines = 0, bytes = 0;
  uint64_t parsed_lines = 0;  // lines == parsed_lines + unparsed_lines, each line counted once
  uint64_t unparsed_lines = 0, binary_lines = 0, truncated_lines = 0, cut_entries = 0;
  uint64_t events = 0, responses = 0, responses_5xx = 0;
  bool missing_final_newline = false;
  uint64_t outside_window = 0;  // events left out by --since/--until
  uint64_t journal_suppressed = 0, journal_blobs = 0;  // journald's "Suppressed N messages", "[NB blob data]"
  TimeUs first_time = kNoTime, last_time = kNoTime;
  uint64_t timed_lines = 0;
  std::vector<std::pair<TimeUs, TimeUs>> gaps;  // the longest silences between timed lines, longest first
  std::string error;  // empty when the input was read to its end
};


// A 5xx access-log response, kept for correlation.
struct ResponseRef {
  TimeUs time = kNoTime;
  uint64_t id_key = 0;       // request id
  uint64_t request_key = 0;  // client + method + path
  uint64_t client_key = 0;
  int64_t request_ms = -1, upstream_ms = -1;  // see Event
  int upstream_status = -1;
  uint32_t input = 0;
  uint64_t line = 0;
  int status = 0;
  int example = -1;        // index into Aggregate::response_examples, or -1
  bool backend = false;    // a backend's own access line (php-fpm)
  bool duplicate = false;  // set by Correlate: a backend line the proxy's log also holds
  int group = -1;          // set by Correlate: the group that explains it
  Tie tie = Tie::kNone;    // set by Correlate: how
};

// Where a classified event happened and which request it concerned.
struct EvidenceRef {
  TimeUs time = kNoTime;
  uint64_t id_key = 0;
  uint64_t request_key = 0;
  uint64_t client_key = 0;
  uint32_t group = 0;
  uint32_t input = 0;
  uint64_t line = 0;
};

struct Change {
  TimeUs time = kNoTime;
  std::string kind;  // reload, restart, start, stop, deploy (migrations), recycle (routine worker replacement)
  uint32_t input = 0;
  uint64_t line = 0;
  std::string text;
  uint8_t kinds = 0;  // the kinds of the burst's lines, one bit each (aggregate.cc); 0: only `kind`
};

struct MinuteCounts {
  uint64_t http_5xx = 0, evidence = 0;
};

// What Settle (settle.h) keeps of the responses and evidence it folded away, so that Correlate
// and BuildReport count them as if they were still there. Bounded by minutes × groups, plus the
// few recent proxy 5xx times and the capped request-id map correlation still needs.

// Settled responses of one group (or of `unknown`): what Correlate adds back to the group.
struct SettledTally {
  uint64_t http_5xx = 0;
  uint64_t ties[kTieKinds] = {};
  std::map<int, uint64_t> status;
  uint64_t from_backend = 0;  // upstream_status == status: the unknown group's hint reads it
  TimeUs first = kNoTime, last = kNoTime;  // an inferred or unknown group's times come from its responses
  // Indices into Aggregate::response_examples, smallest first (response order): an inferred or
  // unknown group's examples are its first responses that have one.
  std::vector<int> examples;
};

// One group's settled activity in one minute: the causes' series (BuildReport) read it.
struct SettledGroupMinute {
  uint64_t evidence = 0, http_5xx = 0;
};

// One minute of settled refs. Timeline buckets are whole minutes wide and start on a minute, so
// a minute always falls in one bucket.
struct SettledMinute {
  TimeUs first_5xx = kNoTime;       // earliest non-duplicate response: a bucket's first failure
  TimeUs first_evidence = kNoTime;  // earliest evidence event: the same without an access log
  uint64_t unknown_5xx = 0;         // non-duplicate responses nothing explained
  std::map<uint32_t, SettledGroupMinute> groups;  // by group index
  uint64_t http_5xx() const;
};

struct SettledState {
  std::map<uint32_t, SettledTally> groups;  // by group index
  SettledTally unknown;                     // untied non-duplicate responses
  std::map<int64_t, SettledMinute> minutes;  // minute since epoch → what settled there
  // Proxy 5xx times a backend response still unsettled may be a duplicate of (sorted).
  std::vector<TimeUs> proxy_5xx;
  // Request id → group of the first evidence event of that request folded away, so the id tie
  // still holds for later responses. Each entry came before any unsettled evidence of that id.
  // Capped: past kMaxRequestIds the oldest entry goes (id_order: oldest first).
  static constexpr size_t kMaxRequestIds = 65536;
  std::unordered_map<uint64_t, uint32_t> request_ids;
  std::deque<uint64_t> id_order;
  uint64_t responses = 0, evidence = 0;  // refs folded so far

  bool empty() const { return responses == 0 && evidence == 0; }
  // Adds `id` → `group` unless the id is known; past the cap the oldest id makes room.
  void AddRequestId(uint64_t id, uint32_t group);
  // Adds the settled state of an aggregate merged after this one: its groups renumbered by
  // `group_remap`, its response examples shifted by `example_base` (kept below `examples_cap`,
  // as Aggregate::Merge keeps them). `earlier` is this aggregate's unsettled evidence: an id
  // it holds came before the other's folded one, so the other's is not the first.
  void Merge(const SettledState& other, const std::vector<uint32_t>& group_remap, int example_base, int examples_cap,
             size_t max_examples, const std::vector<EvidenceRef>& earlier);
};

class Aggregate {
 public:
  explicit Aggregate(size_t max_examples = 3) : max_examples_(max_examples) {}

  // A classified event (winner `rule` of `rules`) becomes evidence in its group. `captures`
  // are the winner's; null when not extracted, and then extracted if a new group's hint cites them.
  void AddEvidence(const Event& event, const RuleSet& rules, int rule, std::string_view template_text,
                   const std::vector<Capture>* captures);
  // An access-log response with status >= 500.
  void AddResponse5xx(const Event& event);
  void AddChange(const Event& event, std::string_view kind);
  // The group of 5xx responses whose cause Correlate inferred from access-log fields alone.
  Group& InferredGroup(std::string_view cause, std::string_view subcause, std::string_view template_text,
                       std::string_view hint);
  void SeeTime(TimeUs t);
  // Adds `other` after this aggregate. Input indices of `other` (its examples, evidence,
  // responses, changes) are shifted by `input_offset`: 0 for partials already numbered in one
  // run, inputs.size() for an aggregate of another run, whose inputs count from 0 too.
  void Merge(Aggregate&& other, uint32_t input_offset = 0);
  // Changes in time order, whatever input they came from (stable: equal times keep input order).
  void SortChanges();
  // Adds `lines` to every line number it holds: a part of a file numbers its lines from its
  // own start, and the lines of the parts before it come first.
  void ShiftLines(uint64_t lines);

  std::vector<InputStats> inputs;
  std::vector<Group> groups;
  std::vector<ResponseRef> responses;
  std::vector<EvidenceRef> evidence;
  std::vector<Example> response_examples;
  std::vector<Change> changes;
  std::map<int64_t, MinuteCounts> minutes;  // minute since epoch → counts
  SettledState settled;  // refs folded away by Settle (settle.h); empty unless follow mode settles
  uint64_t events = 0, evidence_events = 0, access_lines = 0;
  TimeUs first = kNoTime, last = kNoTime;
  size_t max_examples() const { return max_examples_; }

 private:
  // Adds a change, or folds it into a change of the same input's burst (kChangeBurstSeconds).
  void AddOrFoldChange(Change change);
  // The group keyed by rule id and template; `*created` says it is new, with only those two set.
  Group& Slot(std::string_view rule_id, std::string_view template_text, bool* created);
  Group& GroupFor(const RuleSet& rules, int rule, std::string_view template_text, const Event& event,
                  const std::vector<Capture>* captures);
  std::unordered_map<std::string, uint32_t, QuickHasher> index_;  // rule id + '\x1f' + template → group
  std::string key_;                                  // reused lookup key
  size_t max_examples_;
};

// Minutes since the epoch, the timeline's unit.
int64_t MinuteOf(TimeUs t);

// Keys shared by evidence and responses; 0 when the fields are missing.
uint64_t RequestIdKey(std::string_view request_id);
// The request id an event carries: its own field, else one written in its text
// ("request_id=…", "\"request_id\":\"…\"", "X-Request-ID: …"); empty when none.
std::string_view RequestIdOf(const Event& event);
uint64_t RequestKey(std::string_view client, std::string_view method, std::string_view path);
uint64_t ClientKey(std::string_view client);

}  // namespace why500
