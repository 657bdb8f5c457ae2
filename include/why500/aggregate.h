// The mergeable aggregate: groups of classified events keyed by rule and message template,
// per-input counts, 5xx responses and evidence keys for correlation, and per-minute counts.
// The same Merge serves per-input workers now and reports of many hosts later.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "why500/classify.h"
#include "why500/record.h"
#include "why500/rules.h"

namespace why500 {

// Counts of distinct values, bounded: past kMaxDistinct new values are only counted as "other".
class TopValues {
 public:
  static constexpr size_t kMaxDistinct = 256;
  void Add(std::string_view value, uint64_t n = 1);
  void Merge(const TopValues& other);
  // The `k` most frequent values, ties by value, for deterministic output.
  std::vector<std::pair<std::string, uint64_t>> Top(size_t k) const;
  bool empty() const { return counts_.empty(); }

 private:
  std::unordered_map<std::string, uint64_t> counts_;
  uint64_t other_ = 0;
};

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
  uint64_t unparsed_lines = 0, binary_lines = 0, truncated_lines = 0, cut_entries = 0;
  uint64_t events = 0, responses = 0, responses_5xx = 0;
  bool missing_final_newline = false;
  std::string error;  // empty when the input was read to its end
};

// A 5xx access-log response, kept for correlation.
struct ResponseRef {
  TimeUs time = kNoTime;
  uint64_t request_key = 0;  // client + method + path
  uint64_t client_key = 0;
  uint32_t input = 0;
  uint64_t line = 0;
  int status = 0;
  int example = -1;        // index into Aggregate::response_examples, or -1
  bool backend = false;    // a backend's own access line (php-fpm)
  bool duplicate = false;  // set by Correlate: a backend line the proxy's log also holds
  int group = -1;          // set by Correlate: the group that explains it
};

// Where a classified event happened and which request it concerned.
struct EvidenceRef {
  TimeUs time = kNoTime;
  uint64_t request_key = 0;
  uint64_t client_key = 0;
  uint32_t group = 0;
  uint32_t input = 0;
  uint64_t line = 0;
};

struct Change {
  TimeUs time = kNoTime;
  std::string kind;  // reload, restart, start, stop
  uint32_t input = 0;
  uint64_t line = 0;
  std::string text;
};

struct MinuteCounts {
  uint64_t http_5xx = 0, evidence = 0;
};

class Aggregate {
 public:
  explicit Aggregate(size_t max_examples = 3) : max_examples_(max_examples) {}

  // A classified event (winner `rule` of `rules`) becomes evidence in its group.
  void AddEvidence(const Event& event, const RuleSet& rules, int rule, std::string_view template_text,
                   const std::vector<Capture>& captures);
  // An access-log response with status >= 500.
  void AddResponse5xx(const Event& event);
  void AddChange(const Event& event, std::string_view kind);
  void SeeTime(TimeUs t);
  void Merge(Aggregate&& other);

  std::vector<InputStats> inputs;
  std::vector<Group> groups;
  std::vector<ResponseRef> responses;
  std::vector<EvidenceRef> evidence;
  std::vector<Example> response_examples;
  std::vector<Change> changes;
  std::map<int64_t, MinuteCounts> minutes;  // minute since epoch → counts
  uint64_t events = 0, evidence_events = 0, access_lines = 0;
  TimeUs first = kNoTime, last = kNoTime;
  size_t max_examples() const { return max_examples_; }

 private:
  Group& GroupFor(const RuleSet& rules, int rule, std::string_view template_text, const Event& event,
                  const std::vector<Capture>& captures);
  std::unordered_map<std::string, uint32_t> index_;  // rule id + '\x1f' + template → group
  std::string key_;                                  // reused lookup key
  size_t max_examples_;
};

// Minutes since the epoch, the timeline's unit.
int64_t MinuteOf(TimeUs t);

// Keys shared by evidence and responses; 0 when the fields are missing.
uint64_t RequestKey(std::string_view client, std::string_view method, std::string_view path);
uint64_t ClientKey(std::string_view client);

}  // namespace why500
