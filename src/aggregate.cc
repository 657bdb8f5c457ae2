#include "why500/aggregate.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <unordered_set>

#include "why500/text.h"

namespace why500 {
namespace {

constexpr size_t kMaxResponseExamples = 16;
constexpr int64_t kChangeBurstSeconds = 5;
constexpr size_t kChangeLookBack = 8;

void SeeGroupTime(Group* g, TimeUs t) {
  if (t == kNoTime) return;
  if (g->first == kNoTime || t < g->first) g->first = t;
  if (g->last == kNoTime || t > g->last) g->last = t;
}

// The kinds of change lines a burst holds, one bit each (KindBit), so that what the burst
// amounts to does not depend on the order its lines came in, nor on where a file was cut into
// parts (file_parts.h): merged bursts add up their kinds.
constexpr std::string_view kChangeKinds[] = {"start", "stop", "restart", "reload", "deploy", "migration", "recycle"};
constexpr uint8_t kOtherKind = 1 << 7;

uint8_t KindBit(std::string_view kind) {
  for (size_t i = 0; i < std::size(kChangeKinds); ++i) {
    if (kChangeKinds[i] == kind) return static_cast<uint8_t>(1u << i);
  }
  return kOtherKind;
}

bool Holds(uint8_t kinds, std::string_view kind) { return (kinds & KindBit(kind)) != 0; }

// What a burst of change lines amounts to: a stop and a start are a restart; a reload with its
// workers' starts and stops stays one. `first` is the burst's first kind.
std::string_view BurstKind(std::string_view first, uint8_t kinds) {
  if (kinds == KindBit(first)) return first;
  if (Holds(kinds, "recycle")) return "recycle";  // a worker replaced on schedule
  if (Holds(kinds, "migration") || Holds(kinds, "deploy")) return "deploy";
  if (Holds(kinds, "reload")) return Holds(kinds, "restart") ? "restart" : "reload";
  return "restart";
}

std::string_view IdAfter(std::string_view text, size_t at) {
  size_t end = at;
  while (end < text.size() && end - at < 128) {
    const char ch = text[end];
    if (ch == ' ' || ch == '"' || ch == '\'' || ch == ',' || ch == ']' || ch == '}' || ch == '\n' || ch == ';') break;
    ++end;
  }
  return text.substr(at, end - at);
}

}  // namespace

std::string_view TieName(Tie t) {
  switch (t) {
    case Tie::kNone: return "none";
    case Tie::kRequestId: return "request_id";
    case Tie::kRequest: return "request";
    case Tie::kClient: return "client";
    case Tie::kSameLog: return "same_log";
    case Tie::kTimeWindow: return "time_window";
    case Tie::kInferred: return "inferred";
  }
  return "none";
}

uint64_t RequestIdKey(std::string_view request_id) {
  return request_id.empty() || request_id == "-" ? 0 : HashBytes(request_id, 0x51ed270b27b52a5bULL);
}

// Every marker below holds "_id" or "-id" (either case): most texts hold neither, and one pass
// over them tells, where seven finds would each stop at every 'r', 'x' or '"'.
bool MayNameRequestId(std::string_view text) {
  // memchr for the separators: far faster than a byte loop over long evidence lines, on the
  // thread that adds events in order.
  for (const char separator : {'_', '-'}) {
    const char* end = text.data() + text.size();
    for (const char* p = text.data(); end - p > 2; ++p) {
      p = static_cast<const char*>(std::memchr(p, separator, static_cast<size_t>(end - p - 2)));
      if (p == nullptr) break;
      if ((p[1] | 0x20) == 'i' && (p[2] | 0x20) == 'd') return true;
    }
  }
  return false;
}

std::string_view RequestIdOf(const Event& event) {
  if (!event.request_id.empty()) return event.request_id;
  if (!MayNameRequestId(event.text)) return {};
  static constexpr std::string_view kMarkers[] = {"request_id=", "\"request_id\":\"", "\"request_id\": \"",
                                                  "req_id=",     "X-Request-ID: ",     "x-request-id: ",
                                                  "request_id: "};
  for (std::string_view marker : kMarkers) {
    const size_t at = event.text.find(marker);
    if (at != std::string::npos) return IdAfter(event.text, at + marker.size());
  }
  return {};
}

void TopValues::Add(std::string_view value, uint64_t n) {
  if (value.empty()) return;
  thread_local std::string key;
  key.assign(value);
  auto it = counts_.find(key);
  if (it != counts_.end()) {
    it->second += n;
  } else if (counts_.size() < kMaxDistinct) {
    counts_.emplace(key, n);
  } else {
    other_ += n;
  }
}

void TopValues::Merge(const TopValues& other) {
  for (const auto& [value, n] : other.counts_) Add(value, n);
  other_ += other.other_;
}

std::vector<std::pair<std::string, uint64_t>> TopValues::Top(size_t k) const {
  std::vector<std::pair<std::string, uint64_t>> all(counts_.begin(), counts_.end());
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  if (all.size() > k) all.resize(k);
  return all;
}

int64_t MinuteOf(TimeUs t) {
  int64_t s = t / kUsPerSecond;
  if (t % kUsPerSecond < 0) --s;
  return s >= 0 ? s / 60 : (s - 59) / 60;
}

uint64_t RequestKey(std::string_view client, std::string_view method, std::string_view path) {
  if (client.empty() || path.empty()) return 0;
  return HashBytes(path, HashBytes(method, HashBytes(client)));
}

uint64_t ClientKey(std::string_view client) { return client.empty() ? 0 : HashBytes(client); }

void Aggregate::SeeTime(TimeUs t) {
  if (t == kNoTime) return;
  if (first == kNoTime || t < first) first = t;
  if (last == kNoTime || t > last) last = t;
}

Group& Aggregate::Slot(std::string_view rule_id, std::string_view template_text, bool* created) {
  key_.assign(rule_id);
  key_.push_back('\x1f');
  key_.append(template_text);
  const auto [it, inserted] = index_.try_emplace(key_, static_cast<uint32_t>(groups.size()));
  *created = inserted;
  if (!inserted) return groups[it->second];
  Group& g = groups.emplace_back();
  g.rule_id = rule_id;
  g.template_text = template_text;
  return g;
}

Group& Aggregate::GroupFor(const RuleSet& rules, int rule, std::string_view template_text, const Event& event,
                           const std::vector<Capture>* captures) {
  const Rule& r = rules.rules()[rule];
  bool created = false;
  Group& g = Slot(r.id, template_text, &created);
  if (!created) return g;
  g.rule = rule;
  g.cause = r.cause;
  g.subcause = r.subcause;
  g.confidence = r.confidence;
  g.priority = r.priority;
  // Only a new group's hint needs the captures: one regex run per group, not per event.
  std::vector<Capture> extracted;
  if (captures == nullptr) {
    if (rules.HintUsesCaptures(rule)) rules.Extract(rule, event.message, &extracted, nullptr);
    captures = &extracted;
  }
  g.hint = RenderHint(r.hint, *captures, event);
  g.first_input = event.input;
  g.first_line = event.line;
  return g;
}

Group& Aggregate::InferredGroup(std::string_view cause, std::string_view subcause, std::string_view template_text,
                               std::string_view hint) {
  const std::string rule_id = "inferred." + std::string(cause) + "." + std::string(subcause);
  bool created = false;
  Group& g = Slot(rule_id, template_text, &created);
  if (!created) return g;
  g.cause = cause;
  g.subcause = subcause;
  g.confidence = Confidence::kLow;
  g.hint = hint;
  g.inferred = true;
  g.first_input = UINT32_MAX;  // never seen in a log: after every group on a tie
  return g;
}

void Aggregate::AddEvidence(const Event& event, const RuleSet& rules, int rule, std::string_view template_text,
                            const std::vector<Capture>* captures) {
  Group& g = GroupFor(rules, rule, template_text, event, captures);
  ++g.events;
  ++evidence_events;
  if (event.cut) ++g.cut_events;
  SeeGroupTime(&g, event.time);
  g.path.Add(event.path);
  g.upstream.Add(event.upstream);
  g.client.Add(event.client);
  g.host.Add(event.host);
  if (g.examples.size() < max_examples_) g.examples.push_back({event.input, event.line, event.text});
  if (event.time != kNoTime) ++minutes[MinuteOf(event.time)].evidence;
  evidence.push_back({event.time, RequestIdKey(RequestIdOf(event)), RequestKey(event.client, event.method, event.path), ClientKey(event.client),
                      static_cast<uint32_t>(&g - groups.data()), event.input, event.line});
}

void Aggregate::AddResponse5xx(const Event& event) {
  ResponseRef r;
  r.time = event.time;
  r.id_key = RequestIdKey(RequestIdOf(event));
  r.request_key = RequestKey(event.client, event.method, event.path);
  r.request_ms = event.request_ms;
  r.upstream_ms = event.upstream_ms;
  r.upstream_status = event.upstream_status;
  r.client_key = ClientKey(event.client);
  r.input = event.input;
  r.line = event.line;
  r.status = event.status;
  r.backend = event.backend_response;
  if (response_examples.size() < kMaxResponseExamples) {
    r.example = static_cast<int>(response_examples.size());
    response_examples.push_back({event.input, event.line, event.text});
  }
  responses.push_back(r);  // the timeline counts it once Correlate knows it is no duplicate
}

void Aggregate::AddChange(const Event& event, std::string_view kind) {
  AddOrFoldChange({event.time, std::string(kind), event.input, event.line, event.text});
}

void Aggregate::AddOrFoldChange(Change change) {
  if (change.kinds == 0) change.kinds = KindBit(change.kind);
  // One reload writes a burst of lines (signal received, reconfiguring, workers starting and
  // stopping): the first line of a burst stands for it.
  // Interleaved processes finish their events out of order, so a burst's lines may arrive after
  // a later change's: look back a few changes, not only at the last.
  const size_t look_back = std::min<size_t>(changes.size(), kChangeLookBack);
  for (size_t i = changes.size(); i > changes.size() - look_back; --i) {
    Change& prev = changes[i - 1];
    if (prev.input == change.input && prev.time != kNoTime && change.time != kNoTime &&
        std::llabs(change.time - prev.time) <= kChangeBurstSeconds * kUsPerSecond) {
      if (prev.kinds == 0) prev.kinds = KindBit(prev.kind);
      prev.kinds |= change.kinds;
      prev.kind = std::string(BurstKind(prev.kind, prev.kinds));
      // Events of interleaved processes may finish out of order: the burst starts at its earliest line.
      if (change.line < prev.line) {
        prev.time = std::min(prev.time, change.time);
        prev.line = change.line;
        prev.text = std::move(change.text);
      }
      return;
    }
  }
  changes.push_back(std::move(change));
}

uint64_t SettledMinute::http_5xx() const {
  uint64_t n = unknown_5xx;
  for (const auto& [group, counts] : groups) n += counts.http_5xx;
  return n;
}

void SettledState::AddRequestId(uint64_t id, uint32_t group) {
  if (!request_ids.emplace(id, group).second) return;
  id_order.push_back(id);
  if (id_order.size() > kMaxRequestIds) {
    request_ids.erase(id_order.front());
    id_order.pop_front();
  }
}

namespace {

TimeUs Earliest(TimeUs a, TimeUs b) { return a == kNoTime ? b : b == kNoTime ? a : std::min(a, b); }

// `from`'s examples (response example indices) shifted by `base`, after `into`'s: they are
// later responses. Only the first `max_examples` can ever be shown.
void AddTally(SettledTally* into, const SettledTally& from, int base, int cap, size_t max_examples) {
  into->http_5xx += from.http_5xx;
  for (int t = 0; t < kTieKinds; ++t) into->ties[t] += from.ties[t];
  for (const auto& [status, n] : from.status) into->status[status] += n;
  into->from_backend += from.from_backend;
  into->first = Earliest(into->first, from.first);
  if (from.last != kNoTime && (into->last == kNoTime || from.last > into->last)) into->last = from.last;
  for (int example : from.examples) {
    if (base + example < cap && into->examples.size() < max_examples) into->examples.push_back(base + example);
  }
}

}  // namespace

void SettledState::Merge(const SettledState& other, const std::vector<uint32_t>& group_remap, int example_base,
                         int examples_cap, size_t max_examples, const std::vector<EvidenceRef>& earlier) {
  for (const auto& [group, tally] : other.groups) {
    AddTally(&groups[group_remap[group]], tally, example_base, examples_cap, max_examples);
  }
  AddTally(&unknown, other.unknown, example_base, examples_cap, max_examples);
  for (const auto& [minute, from] : other.minutes) {
    SettledMinute& into = minutes[minute];
    into.first_5xx = Earliest(into.first_5xx, from.first_5xx);
    into.first_evidence = Earliest(into.first_evidence, from.first_evidence);
    into.unknown_5xx += from.unknown_5xx;
    for (const auto& [group, counts] : from.groups) {
      SettledGroupMinute& g = into.groups[group_remap[group]];
      g.evidence += counts.evidence;
      g.http_5xx += counts.http_5xx;
    }
  }
  const size_t middle = proxy_5xx.size();
  proxy_5xx.insert(proxy_5xx.end(), other.proxy_5xx.begin(), other.proxy_5xx.end());
  std::inplace_merge(proxy_5xx.begin(), proxy_5xx.begin() + static_cast<std::ptrdiff_t>(middle), proxy_5xx.end());
  if (!other.id_order.empty()) {
    std::unordered_set<uint64_t> earlier_ids;
    for (const EvidenceRef& e : earlier) {
      if (e.id_key != 0) earlier_ids.insert(e.id_key);
    }
    for (uint64_t id : other.id_order) {
      if (earlier_ids.count(id) == 0) AddRequestId(id, group_remap[other.request_ids.at(id)]);
    }
  }
  responses += other.responses;
  evidence += other.evidence;
}

void Aggregate::ShiftLines(uint64_t lines) {
  for (Group& g : groups) {
    g.first_line += lines;
    for (Example& e : g.examples) e.line += lines;
  }
  for (ResponseRef& r : responses) r.line += lines;
  for (EvidenceRef& e : evidence) e.line += lines;
  for (Example& e : response_examples) e.line += lines;
  for (Change& c : changes) c.line += lines;
}

void Aggregate::Merge(Aggregate&& other, uint32_t input_offset) {
  auto shift = [input_offset](uint32_t* input) { *input += input_offset; };
  for (InputStats& s : other.inputs) inputs.push_back(std::move(s));
  std::vector<uint32_t> remap(other.groups.size());
  for (size_t i = 0; i < other.groups.size(); ++i) {
    Group& src = other.groups[i];
    for (Example& e : src.examples) shift(&e.input);
    if (src.first_input != UINT32_MAX) shift(&src.first_input);  // UINT32_MAX: inferred, never seen in a log
    key_.assign(src.rule_id);
    key_.push_back('\x1f');
    key_.append(src.template_text);
    auto it = index_.find(key_);
    if (it == index_.end()) {
      remap[i] = static_cast<uint32_t>(groups.size());
      index_.emplace(key_, remap[i]);
      groups.push_back(std::move(src));
      continue;
    }
    remap[i] = it->second;
    Group& dst = groups[it->second];
    dst.events += src.events;
    dst.http_5xx += src.http_5xx;
    for (int t = 0; t < kTieKinds; ++t) dst.ties[t] += src.ties[t];
    dst.cut_events += src.cut_events;
    for (const auto& [status, n] : src.status) dst.status[status] += n;
    SeeGroupTime(&dst, src.first);
    SeeGroupTime(&dst, src.last);
    dst.path.Merge(src.path);
    dst.upstream.Merge(src.upstream);
    dst.client.Merge(src.client);
    dst.host.Merge(src.host);
    for (Example& e : src.examples) {
      if (dst.examples.size() < max_examples_) dst.examples.push_back(std::move(e));
    }
  }
  if (!other.settled.empty()) {  // before this->evidence grows: only what came first counts as earlier
    settled.Merge(other.settled, remap, static_cast<int>(response_examples.size()),
                  static_cast<int>(kMaxResponseExamples), max_examples_, evidence);
  }
  for (EvidenceRef e : other.evidence) {
    e.group = remap[e.group];
    shift(&e.input);
    evidence.push_back(e);
  }
  const int example_base = static_cast<int>(response_examples.size());
  for (ResponseRef r : other.responses) {
    if (r.example >= 0) {
      r.example = example_base + r.example < static_cast<int>(kMaxResponseExamples) ? example_base + r.example : -1;
    }
    if (r.group >= 0) r.group = static_cast<int>(remap[static_cast<size_t>(r.group)]);
    shift(&r.input);
    responses.push_back(r);
  }
  for (Example& e : other.response_examples) {
    shift(&e.input);
    if (response_examples.size() < kMaxResponseExamples) response_examples.push_back(std::move(e));
  }
  for (Change& c : other.changes) {
    shift(&c.input);
    AddOrFoldChange(std::move(c));  // a burst may span two parts of one file
  }
  for (const auto& [minute, counts] : other.minutes) {
    minutes[minute].http_5xx += counts.http_5xx;
    minutes[minute].evidence += counts.evidence;
  }
  events += other.events;
  evidence_events += other.evidence_events;
  access_lines += other.access_lines;
  SeeTime(other.first);
  SeeTime(other.last);
}

void Aggregate::SortChanges() {
  std::stable_sort(changes.begin(), changes.end(), [](const Change& a, const Change& b) { return a.time < b.time; });
}

}  // namespace why500
