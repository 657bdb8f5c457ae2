// The aggregate as JSON and back (aggregate_json.h). Records that come once per event
// (evidence, responses) and small records (examples, changes, minutes) are rows, arrays of
// values in a fixed order, to keep a report of a large log small; the rest are objects.
#include "why500/aggregate_json.h"

#include <fmt/format.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace why500 {
namespace {

using nlohmann::json;

constexpr uint64_t kMaxExamplesLimit = 100000;

// The times a report can hold: why500's readers make none later than 1e18 µs (an 18-digit
// journald time, year 33658) and none before 1970 but by a time zone's offset. Past 1e18 the
// report's arithmetic on times (spans, bucket ends, windows around a response) overflows; before
// the epoch the timeline's buckets (rounded toward zero) would not hold their own times, and an
// onset could be found with no failure in it. Such a time is no log's: the report is rejected.
constexpr TimeUs kLatestTime = 1000000000000000000;
constexpr TimeUs kEarliestTime = 0;

// The plain fields of inputs and groups, named once for writing and reading.
template <class S, class T>
using Field = std::pair<const char*, T S::*>;

constexpr Field<InputStats, std::string> kInputTexts[] = {
    {"name", &InputStats::name}, {"format", &InputStats::format}, {"wrapper", &InputStats::wrapper},
    {"error", &InputStats::error}};
constexpr Field<InputStats, uint64_t> kInputCounts[] = {
    {"lines", &InputStats::lines},
    {"bytes", &InputStats::bytes},
    {"parsed_lines", &InputStats::parsed_lines},
    {"unparsed_lines", &InputStats::unparsed_lines},
    {"binary_lines", &InputStats::binary_lines},
    {"truncated_lines", &InputStats::truncated_lines},
    {"cut_entries", &InputStats::cut_entries},
    {"events", &InputStats::events},
    {"responses", &InputStats::responses},
    {"responses_5xx", &InputStats::responses_5xx},
    {"outside_window", &InputStats::outside_window},
    {"journal_suppressed", &InputStats::journal_suppressed},
    {"journal_blobs", &InputStats::journal_blobs},
    {"timed_lines", &InputStats::timed_lines}};
constexpr Field<InputStats, TimeUs> kInputTimes[] = {{"first_time", &InputStats::first_time},
                                                     {"last_time", &InputStats::last_time}};

constexpr Field<Group, std::string> kGroupTexts[] = {{"rule_id", &Group::rule_id},
                                                     {"cause", &Group::cause},
                                                     {"subcause", &Group::subcause},
                                                     {"template", &Group::template_text},
                                                     {"hint", &Group::hint}};
constexpr Field<Group, uint64_t> kGroupCounts[] = {{"events", &Group::events},
                                                   {"http_5xx", &Group::http_5xx},
                                                   {"cut_events", &Group::cut_events},
                                                   {"first_line", &Group::first_line}};
constexpr Field<Group, TimeUs> kGroupTimes[] = {{"first", &Group::first}, {"last", &Group::last}};
constexpr Field<Group, TopValues> kGroupTops[] = {
    {"path", &Group::path}, {"upstream", &Group::upstream}, {"client", &Group::client}, {"host", &Group::host}};

// ---------------------------------------------------------------------------------------------
// Writing

json Time(TimeUs t) { return t == kNoTime ? json(nullptr) : json(t); }

// 64-bit hash keys as hex strings: JSON readers that hold numbers as doubles (jq 1.6,
// JavaScript) would round them if they rewrote the report.
json Key(uint64_t k) { return fmt::format("{:x}", k); }

// The first columns of evidence and responses: the time and the keys correlation ties them by.
template <class Ref>
json TimeAndKeys(const Ref& ref) {
  return json::array({Time(ref.time), Key(ref.id_key), Key(ref.request_key), Key(ref.client_key)});
}

json ExamplesJson(const std::vector<Example>& examples) {
  json rows = json::array();
  for (const Example& e : examples) rows.push_back(json::array({e.input, e.line, e.text}));
  return rows;
}

json TopValuesJson(const TopValues& values) {
  std::vector<std::pair<std::string, uint64_t>> sorted(values.counts().begin(), values.counts().end());
  std::sort(sorted.begin(), sorted.end());  // the map's order is not deterministic
  json rows = json::array();
  for (const auto& [value, n] : sorted) rows.push_back(json::array({value, n}));
  return {{"values", std::move(rows)}, {"other", values.other()}};
}

json InputJson(const InputStats& in) {
  json j = {{"missing_final_newline", in.missing_final_newline}};
  for (const auto& [name, field] : kInputTexts) j[name] = in.*field;
  for (const auto& [name, field] : kInputCounts) j[name] = in.*field;
  for (const auto& [name, field] : kInputTimes) j[name] = Time(in.*field);
  json& gaps = j["gaps"] = json::array();
  for (const auto& [from, to] : in.gaps) gaps.push_back(json::array({Time(from), Time(to)}));
  return j;
}

json TiesJson(const uint64_t (&ties)[kTieKinds]) {
  json j = json::object();
  for (int t = 0; t < kTieKinds; ++t) j[std::string(TieName(static_cast<Tie>(t)))] = ties[t];
  return j;
}

json StatusJson(const std::map<int, uint64_t>& status) {
  json rows = json::array();
  for (const auto& [code, n] : status) rows.push_back(json::array({code, n}));
  return rows;
}

json GroupJson(const Group& g) {
  json j = {{"confidence", std::string(ConfidenceName(g.confidence))},
            {"priority", g.priority},
            {"inferred", g.inferred},
            {"examples", ExamplesJson(g.examples)},
            {"first_input", g.first_input}};
  for (const auto& [name, field] : kGroupTexts) j[name] = g.*field;
  for (const auto& [name, field] : kGroupCounts) j[name] = g.*field;
  for (const auto& [name, field] : kGroupTimes) j[name] = Time(g.*field);
  for (const auto& [name, field] : kGroupTops) j[name] = TopValuesJson(g.*field);
  j["status"] = StatusJson(g.status);
  j["ties"] = TiesJson(g.ties);
  return j;
}

json TallyJson(const SettledTally& t) {
  return {{"http_5xx", t.http_5xx},         {"ties", TiesJson(t.ties)}, {"status", StatusJson(t.status)},
          {"from_backend", t.from_backend}, {"first", Time(t.first)},   {"last", Time(t.last)},
          {"examples", t.examples}};
}

// Settle's folded refs (follow mode): written only when there are some, so reports of runs that
// never settle keep the layout they always had.
json SettledJson(const SettledState& s) {
  json groups = json::array();
  for (const auto& [group, tally] : s.groups) {
    json& g = groups.emplace_back(TallyJson(tally));
    g["group"] = group;
  }
  json minutes = json::array();
  for (const auto& [minute, m] : s.minutes) {
    json per_group = json::array();
    for (const auto& [group, counts] : m.groups) per_group.push_back(json::array({group, counts.evidence, counts.http_5xx}));
    minutes.push_back(json::array({minute, Time(m.first_5xx), Time(m.first_evidence), m.unknown_5xx, std::move(per_group)}));
  }
  json proxy_5xx = json::array();
  for (TimeUs t : s.proxy_5xx) proxy_5xx.push_back(t);
  json ids = json::array();
  for (uint64_t id : s.id_order) ids.push_back(json::array({Key(id), s.request_ids.at(id)}));
  return {{"responses", s.responses}, {"evidence", s.evidence}, {"groups", std::move(groups)},
          {"unknown", TallyJson(s.unknown)}, {"minutes", std::move(minutes)}, {"proxy_5xx", std::move(proxy_5xx)},
          {"request_ids", std::move(ids)}};
}

// ---------------------------------------------------------------------------------------------
// Reading

// Where a value sits, rendered only when it is wrong: "aggregate.groups[2].events",
// "aggregate.evidence[7][4] (group)".
struct Where {
  const Where* parent = nullptr;
  const char* name = nullptr;    // a member, or null for an element
  size_t index = 0;              // the element's index
  const char* column = nullptr;  // the name of a row's column

  std::string Path() const {
    if (!parent) return name;
    std::string p = parent->Path();
    if (name) return p + "." + name;
    p += "[" + std::to_string(index) + "]";
    if (column) p += std::string(" (") + column + ")";
    return p;
  }
};

Where Member(const Where& w, const char* name) { return {&w, name, 0, nullptr}; }
Where Element(const Where& w, size_t index, const char* column = nullptr) { return {&w, nullptr, index, column}; }

struct AsTime {
  TimeUs* out;
};
struct AsKey {
  uint64_t* out;
};
struct AsSetTime {
  TimeUs* out;
};
struct AsMinute {
  int64_t* out;
};

// Reads values into fields, keeping the first problem; after one, reading stops early.
class Reader {
 public:
  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  bool Fail(const Where& w, std::string_view problem) {
    if (error_.empty()) error_ = w.Path() + ": " + std::string(problem);
    return false;
  }

  // The member `at.name` of `obj` (an object), or null when it is missing.
  const json* Find(const json& obj, const Where& at) {
    auto it = obj.find(at.name);
    if (it != obj.end()) return &*it;
    Fail(at, "missing");
    return nullptr;
  }
  const json* Object(const json& v, const Where& at) {
    if (v.is_object()) return &v;
    Fail(at, "expected an object");
    return nullptr;
  }
  const json* Array(const json& obj, const Where& at) {
    const json* v = Find(obj, at);
    if (!v) return nullptr;
    if (v->is_array()) return v;
    Fail(at, "expected an array");
    return nullptr;
  }
  // Element `at` as a row of `n` values.
  const json* Row(const json& v, const Where& at, size_t n) {
    if (v.is_array() && v.size() == n) return &v;
    Fail(at, fmt::format("expected an array of {} values", n));
    return nullptr;
  }

  template <class T>
  void Get(const json& obj, const Where& w, const char* name, T out) {
    const Where at = Member(w, name);
    if (const json* v = Find(obj, at)) Read(*v, at, out);
  }
  template <class T>
  void Column(const json& row, const Where& w, size_t i, const char* column, T out) {
    Read(row[i], Element(w, i, column), out);
  }
  // Column `i`, an index below `size` (or -1 when `or_none`).
  template <class T>
  void IndexColumn(const json& row, const Where& w, size_t i, const char* column, size_t size, bool or_none,
                   T* out) {
    int64_t n = 0;
    Index(row[i], Element(w, i, column), size, or_none, &n);
    if (ok()) *out = static_cast<T>(n);
  }
  // Calls `read(element, where)` for each element of the array `name` of `obj` until the first problem.
  template <class Fn>
  void Each(const json& obj, const Where& w, const char* name, Fn read) {
    const Where at = Member(w, name);
    const json* arr = Array(obj, at);
    for (size_t i = 0; arr && ok() && i < arr->size(); ++i) read((*arr)[i], Element(at, i));
  }
  // The same, for elements that must be rows of `n` values.
  template <class Fn>
  void Rows(const json& obj, const Where& w, const char* name, size_t n, Fn read) {
    Each(obj, w, name, [&](const json& v, const Where& at) {
      if (const json* row = Row(v, at, n)) read(*row, at);
    });
  }
  // The same, for elements that must be objects.
  template <class Fn>
  void Objects(const json& obj, const Where& w, const char* name, Fn read) {
    Each(obj, w, name, [&](const json& v, const Where& at) {
      if (Object(v, at)) read(v, at);
    });
  }

  void Read(const json& v, const Where& w, uint64_t* out) {
    if (v.is_number_unsigned()) {
      *out = v.get<uint64_t>();
    } else if (v.is_number_integer() && v.get<int64_t>() >= 0) {
      *out = static_cast<uint64_t>(v.get<int64_t>());
    } else {
      Fail(w, "expected a whole number >= 0");
    }
  }
  void Read(const json& v, const Where& w, int64_t* out) { Signed(v, w, INT64_MIN + 1, INT64_MAX, out); }
  void Read(const json& v, const Where& w, uint32_t* out) {
    int64_t n = 0;
    if (Signed(v, w, 0, UINT32_MAX, &n)) *out = static_cast<uint32_t>(n);
  }
  void Read(const json& v, const Where& w, int* out) {
    int64_t n = 0;
    if (Signed(v, w, INT_MIN, INT_MAX, &n)) *out = static_cast<int>(n);
  }
  void Read(const json& v, const Where& w, bool* out) {
    if (v.is_boolean()) {
      *out = v.get<bool>();
    } else {
      Fail(w, "expected true or false");
    }
  }
  void Read(const json& v, const Where& w, std::string* out) {
    if (v.is_string()) {
      *out = v.get_ref<const std::string&>();
    } else {
      Fail(w, "expected a string");
    }
  }
  void Read(const json& v, const Where& w, AsTime t) {
    if (v.is_null()) {
      *t.out = kNoTime;
    } else {
      Signed(v, w, kEarliestTime, kLatestTime, t.out);
    }
  }
  // A time that must be there (not null).
  void Read(const json& v, const Where& w, AsSetTime t) {
    if (v.is_null()) {
      Fail(w, "expected a time, not null");
    } else {
      Signed(v, w, kEarliestTime, kLatestTime, t.out);
    }
  }
  // A minute since the epoch of a time in range (the key of a per-minute count).
  void Read(const json& v, const Where& w, AsMinute m) {
    Signed(v, w, MinuteOf(kEarliestTime), MinuteOf(kLatestTime), m.out);
  }
  // The first and last time of something: both null (no time seen) or both times, in order.
  void Span(const Where& w, TimeUs first, TimeUs last) {
    if ((first == kNoTime) != (last == kNoTime)) {
      Fail(w, "the first and last times must both be null or both be times");
    } else if (first > last) {
      Fail(w, "the first time is after the last");
    }
  }
  void Read(const json& v, const Where& w, AsKey k) {
    const std::string* s = v.is_string() ? &v.get_ref<const std::string&>() : nullptr;
    uint64_t n = 0;
    bool hex = s && !s->empty() && s->size() <= 16;
    for (size_t i = 0; hex && i < s->size(); ++i) {
      const char c = (*s)[i];
      const int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
      hex = digit >= 0;
      n = n << 4 | static_cast<uint64_t>(digit);
    }
    if (hex) {
      *k.out = n;
    } else {
      Fail(w, "expected a key of 1 to 16 lowercase hex digits");
    }
  }
  void Read(const json& v, const Where& w, Confidence* out) {
    std::string name;
    Read(v, w, &name);
    if (ok() && !ParseConfidence(name, out)) Fail(w, "expected low, medium or high");
  }
  void Read(const json& v, const Where& w, TopValues* out) {
    if (!Object(v, w)) return;
    Rows(v, w, "values", 2, [&](const json& row, const Where& at) {
      std::string value;
      uint64_t n = 0;
      Column(row, at, 0, "value", &value);
      Column(row, at, 1, "count", &n);
      if (ok()) out->Add(value, n);
    });
    uint64_t other = 0;
    Get(v, w, "other", &other);
    out->AddOther(other);
  }
  // An index below `size`, or -1 when `or_none`.
  void Index(const json& v, const Where& w, size_t size, bool or_none, int64_t* out) {
    if (!Signed(v, w, or_none ? -1 : 0, INT64_MAX, out)) return;
    if (*out >= 0 && static_cast<uint64_t>(*out) >= size) {
      Fail(w, fmt::format("{} is out of range (there are {})", *out, size));
    }
  }

 private:
  bool Signed(const json& v, const Where& w, int64_t lo, int64_t hi, int64_t* out) {
    bool fits = false;
    if (v.is_number_unsigned()) {
      const uint64_t u = v.get<uint64_t>();
      fits = u <= static_cast<uint64_t>(hi) && (lo <= 0 || u >= static_cast<uint64_t>(lo));
      if (fits) *out = static_cast<int64_t>(u);
    } else if (v.is_number_integer()) {
      const int64_t n = v.get<int64_t>();
      fits = n >= lo && n <= hi;
      if (fits) *out = n;
    }
    if (!fits) Fail(w, fmt::format("expected a whole number from {} to {}", lo, hi));
    return fits;
  }

  std::string error_;
};

void ReadExamples(Reader& r, const json& obj, const Where& w, const char* name, size_t inputs,
                  std::vector<Example>* out) {
  r.Rows(obj, w, name, 3, [&](const json& row, const Where& at) {
    Example& e = out->emplace_back();
    r.IndexColumn(row, at, 0, "input", inputs, false, &e.input);
    r.Column(row, at, 1, "line", &e.line);
    r.Column(row, at, 2, "text", &e.text);
  });
}

void ReadInputs(Reader& r, const json& j, const Where& root, std::vector<InputStats>* out) {
  r.Objects(j, root, "inputs", [&](const json& o, const Where& w) {
    InputStats& s = out->emplace_back();
    for (const auto& [name, field] : kInputTexts) r.Get(o, w, name, &(s.*field));
    for (const auto& [name, field] : kInputCounts) r.Get(o, w, name, &(s.*field));
    for (const auto& [name, field] : kInputTimes) r.Get(o, w, name, AsTime{&(s.*field)});
    if (r.ok()) r.Span(Member(w, "first_time"), s.first_time, s.last_time);
    r.Get(o, w, "missing_final_newline", &s.missing_final_newline);
    r.Rows(o, w, "gaps", 2, [&](const json& row, const Where& gap_at) {
      auto& [from, to] = s.gaps.emplace_back();
      r.Column(row, gap_at, 0, "from", AsSetTime{&from});
      r.Column(row, gap_at, 1, "to", AsSetTime{&to});
      if (r.ok()) r.Span(gap_at, from, to);
    });
  });
}

void ReadTies(Reader& r, const json& o, const Where& w, uint64_t (&ties)[kTieKinds]) {
  const Where ties_at = Member(w, "ties");
  const json* found = r.ok() ? r.Find(o, ties_at) : nullptr;
  if (!found || !r.Object(*found, ties_at)) return;
  for (int t = 0; t < kTieKinds; ++t) {
    const std::string name(TieName(static_cast<Tie>(t)));
    r.Get(*found, ties_at, name.c_str(), &ties[t]);
  }
}

void ReadStatus(Reader& r, const json& o, const Where& w, std::map<int, uint64_t>* status) {
  r.Rows(o, w, "status", 2, [&](const json& row, const Where& status_at) {
    int code = 0;
    uint64_t n = 0;
    r.Column(row, status_at, 0, "status", &code);
    r.Column(row, status_at, 1, "count", &n);
    (*status)[code] += n;
  });
}

void ReadGroups(Reader& r, const json& j, const Where& root, size_t inputs, std::vector<Group>* out) {
  r.Objects(j, root, "groups", [&](const json& o, const Where& w) {
    Group& g = out->emplace_back();
    for (const auto& [name, field] : kGroupTexts) r.Get(o, w, name, &(g.*field));
    for (const auto& [name, field] : kGroupCounts) r.Get(o, w, name, &(g.*field));
    for (const auto& [name, field] : kGroupTimes) r.Get(o, w, name, AsTime{&(g.*field)});
    if (r.ok()) r.Span(Member(w, "first"), g.first, g.last);
    for (const auto& [name, field] : kGroupTops) r.Get(o, w, name, &(g.*field));
    r.Get(o, w, "confidence", &g.confidence);
    r.Get(o, w, "priority", &g.priority);
    r.Get(o, w, "inferred", &g.inferred);
    r.Get(o, w, "first_input", &g.first_input);
    ReadExamples(r, o, w, "examples", inputs, &g.examples);
    ReadTies(r, o, w, g.ties);
    ReadStatus(r, o, w, &g.status);
  });
}

// The first columns of evidence and responses: the time and the keys correlation ties them by.
template <class Ref>
void ReadTimeAndKeys(Reader& r, const json& row, const Where& w, Ref* ref) {
  r.Column(row, w, 0, "time", AsTime{&ref->time});
  r.Column(row, w, 1, "id_key", AsKey{&ref->id_key});
  r.Column(row, w, 2, "request_key", AsKey{&ref->request_key});
  r.Column(row, w, 3, "client_key", AsKey{&ref->client_key});
}

void ReadEvidence(Reader& r, const json& j, const Where& root, size_t inputs, size_t groups,
                  std::vector<EvidenceRef>* out) {
  r.Rows(j, root, "evidence", 7, [&](const json& row, const Where& w) {
    EvidenceRef& e = out->emplace_back();
    ReadTimeAndKeys(r, row, w, &e);
    r.IndexColumn(row, w, 4, "group", groups, false, &e.group);
    r.IndexColumn(row, w, 5, "input", inputs, false, &e.input);
    r.Column(row, w, 6, "line", &e.line);
  });
}

void ReadResponses(Reader& r, const json& j, const Where& root, size_t inputs, size_t examples,
                   std::vector<ResponseRef>* out) {
  r.Rows(j, root, "responses", 12, [&](const json& row, const Where& w) {
    ResponseRef& resp = out->emplace_back();
    ReadTimeAndKeys(r, row, w, &resp);
    r.Column(row, w, 4, "request_ms", &resp.request_ms);
    r.Column(row, w, 5, "upstream_ms", &resp.upstream_ms);
    r.Column(row, w, 6, "upstream_status", &resp.upstream_status);
    r.IndexColumn(row, w, 7, "input", inputs, false, &resp.input);
    r.Column(row, w, 8, "line", &resp.line);
    r.Column(row, w, 9, "status", &resp.status);
    r.IndexColumn(row, w, 10, "example", examples, true, &resp.example);
    r.Column(row, w, 11, "backend", &resp.backend);
  });
}

void ReadChanges(Reader& r, const json& j, const Where& root, size_t inputs, std::vector<Change>* out) {
  r.Rows(j, root, "changes", 5, [&](const json& row, const Where& w) {
    Change& c = out->emplace_back();
    r.Column(row, w, 0, "time", AsTime{&c.time});
    r.Column(row, w, 1, "kind", &c.kind);
    r.IndexColumn(row, w, 2, "input", inputs, false, &c.input);
    r.Column(row, w, 3, "line", &c.line);
    r.Column(row, w, 4, "text", &c.text);
  });
}

void ReadMinutes(Reader& r, const json& j, const Where& root, std::map<int64_t, MinuteCounts>* out) {
  r.Rows(j, root, "minutes", 3, [&](const json& row, const Where& w) {
    int64_t minute = 0;
    MinuteCounts counts;
    r.Column(row, w, 0, "minute", AsMinute{&minute});
    r.Column(row, w, 1, "http_5xx", &counts.http_5xx);
    r.Column(row, w, 2, "evidence", &counts.evidence);
    MinuteCounts& into = (*out)[minute];
    into.http_5xx += counts.http_5xx;
    into.evidence += counts.evidence;
  });
}

void ReadTally(Reader& r, const json& o, const Where& w, size_t examples, SettledTally* t) {
  r.Get(o, w, "http_5xx", &t->http_5xx);
  r.Get(o, w, "from_backend", &t->from_backend);
  r.Get(o, w, "first", AsTime{&t->first});
  r.Get(o, w, "last", AsTime{&t->last});
  if (r.ok()) r.Span(Member(w, "first"), t->first, t->last);
  ReadTies(r, o, w, t->ties);
  ReadStatus(r, o, w, &t->status);
  r.Each(o, w, "examples", [&](const json& v, const Where& at) {
    int64_t index = 0;
    r.Index(v, at, examples, false, &index);
    if (r.ok()) t->examples.push_back(static_cast<int>(index));
  });
}

// A settled minute's last column: rows of group, evidence, http_5xx.
void ReadMinuteGroups(Reader& r, const json& v, const Where& at, size_t groups, SettledMinute* m) {
  if (!v.is_array()) {
    r.Fail(at, "expected an array");
    return;
  }
  for (size_t k = 0; r.ok() && k < v.size(); ++k) {
    const Where row_at = Element(at, k);
    const json* row = r.Row(v[k], row_at, 3);
    if (!row) return;
    uint32_t group = 0;
    SettledGroupMinute counts;
    r.IndexColumn(*row, row_at, 0, "group", groups, false, &group);
    r.Column(*row, row_at, 1, "evidence", &counts.evidence);
    r.Column(*row, row_at, 2, "http_5xx", &counts.http_5xx);
    m->groups[group].evidence += counts.evidence;
    m->groups[group].http_5xx += counts.http_5xx;
  }
}

// A settled minute's first 5xx (or evidence) time: a time in `minute` when it counts some, else null.
void CheckFirstOfMinute(Reader& r, const Where& w, int64_t minute, TimeUs first, bool counted) {
  if (counted && first == kNoTime) {
    r.Fail(w, "null, but the minute counts some");
  } else if (!counted && first != kNoTime) {
    r.Fail(w, "a time, but the minute counts none");
  } else if (first != kNoTime && MinuteOf(first) != minute) {
    r.Fail(w, fmt::format("{} is not in minute {}", first, minute));
  }
}

// The evidence each minute counts is the evidence of that minute, kept or settled: the timeline
// and the causes' series count the same events, and the onset's bucket holds its first failure.
void CheckMinuteEvidence(Reader& r, const Where& root, const Aggregate& agg) {
  std::map<int64_t, uint64_t> counted;
  for (const EvidenceRef& e : agg.evidence) {
    if (e.time != kNoTime) ++counted[MinuteOf(e.time)];
  }
  for (const auto& [minute, m] : agg.settled.minutes) {
    for (const auto& [group, counts] : m.groups) counted[minute] += counts.evidence;
  }
  for (const auto& [minute, counts] : agg.minutes) {
    auto it = counted.find(minute);
    const uint64_t n = it == counted.end() ? 0 : it->second;
    if (counts.evidence != n) {
      r.Fail(Member(root, "minutes"), fmt::format("minute {} counts {} evidence events, but {} are in it", minute,
                                                  counts.evidence, n));
      return;
    }
    if (it != counted.end()) counted.erase(it);
  }
  for (const auto& [minute, n] : counted) {
    if (n == 0) continue;
    r.Fail(Member(root, "minutes"), fmt::format("minute {} holds {} evidence events, but is not counted", minute, n));
    return;
  }
}

// "settled" (follow mode's folded refs) is optional: reports of runs that never settled lack it.
void ReadSettled(Reader& r, const json& j, const Where& root, size_t groups, size_t examples, SettledState* s) {
  const Where w = Member(root, "settled");
  auto found = j.find("settled");
  if (found == j.end() || !r.ok() || !r.Object(*found, w)) return;
  const json& o = *found;
  r.Get(o, w, "responses", &s->responses);
  r.Get(o, w, "evidence", &s->evidence);
  r.Objects(o, w, "groups", [&](const json& g, const Where& at) {
    uint32_t group = 0;
    int64_t index = 0;
    const Where group_at = Member(at, "group");
    if (const json* v = r.Find(g, group_at)) r.Index(*v, group_at, groups, false, &index);
    group = static_cast<uint32_t>(index);
    if (r.ok()) ReadTally(r, g, at, examples, &s->groups[group]);
  });
  const Where unknown_at = Member(w, "unknown");
  if (const json* u = r.ok() ? r.Find(o, unknown_at) : nullptr; u && r.Object(*u, unknown_at)) {
    ReadTally(r, *u, unknown_at, examples, &s->unknown);
  }
  r.Rows(o, w, "minutes", 5, [&](const json& row, const Where& at) {
    int64_t minute = 0;
    SettledMinute m;
    r.Column(row, at, 0, "minute", AsMinute{&minute});
    r.Column(row, at, 1, "first_5xx", AsTime{&m.first_5xx});
    r.Column(row, at, 2, "first_evidence", AsTime{&m.first_evidence});
    r.Column(row, at, 3, "unknown_5xx", &m.unknown_5xx);
    ReadMinuteGroups(r, row[4], Element(at, 4, "groups"), groups, &m);
    uint64_t evidence = 0;
    for (const auto& [group, counts] : m.groups) evidence += counts.evidence;
    // A minute's first failure is in it exactly when it counts some: the onset's bucket finds
    // its first failure there.
    if (r.ok()) CheckFirstOfMinute(r, Element(at, 1, "first_5xx"), minute, m.first_5xx, m.http_5xx() > 0);
    if (r.ok()) CheckFirstOfMinute(r, Element(at, 2, "first_evidence"), minute, m.first_evidence, evidence > 0);
    if (r.ok()) s->minutes[minute] = std::move(m);
  });
  r.Each(o, w, "proxy_5xx", [&](const json& v, const Where& at) {
    TimeUs t = 0;
    r.Read(v, at, AsSetTime{&t});
    if (r.ok()) s->proxy_5xx.push_back(t);
  });
  std::sort(s->proxy_5xx.begin(), s->proxy_5xx.end());
  r.Rows(o, w, "request_ids", 2, [&](const json& row, const Where& at) {
    uint64_t id = 0;
    uint32_t group = 0;
    r.Column(row, at, 0, "id", AsKey{&id});
    r.IndexColumn(row, at, 1, "group", groups, false, &group);
    if (r.ok()) s->AddRequestId(id, group);
  });
}

}  // namespace

json AggregateToJson(const Aggregate& agg) {
  json inputs = json::array();
  for (const InputStats& in : agg.inputs) inputs.push_back(InputJson(in));
  json groups = json::array();
  for (const Group& g : agg.groups) groups.push_back(GroupJson(g));
  json evidence = json::array();
  for (const EvidenceRef& e : agg.evidence) {
    json& row = evidence.emplace_back(TimeAndKeys(e));
    row.insert(row.end(), {e.group, e.input, e.line});
  }
  json responses = json::array();
  for (const ResponseRef& r : agg.responses) {
    json& row = responses.emplace_back(TimeAndKeys(r));
    row.insert(row.end(),
               {r.request_ms, r.upstream_ms, r.upstream_status, r.input, r.line, r.status, r.example, r.backend});
  }
  json changes = json::array();
  for (const Change& c : agg.changes) changes.push_back(json::array({Time(c.time), c.kind, c.input, c.line, c.text}));
  json minutes = json::array();
  for (const auto& [minute, counts] : agg.minutes) {
    minutes.push_back(json::array({minute, counts.http_5xx, counts.evidence}));
  }
  json out = {{"version", kAggregateJsonVersion},
          {"max_examples", agg.max_examples()},
          {"events", agg.events},
          {"evidence_events", agg.evidence_events},
          {"access_lines", agg.access_lines},
          {"first", Time(agg.first)},
          {"last", Time(agg.last)},
          {"inputs", std::move(inputs)},
          {"groups", std::move(groups)},
          {"evidence", std::move(evidence)},
          {"responses", std::move(responses)},
          {"response_examples", ExamplesJson(agg.response_examples)},
          {"changes", std::move(changes)},
          {"minutes", std::move(minutes)}};
  if (!agg.settled.empty()) out["settled"] = SettledJson(agg.settled);
  return out;
}

Expected<Aggregate> AggregateFromJson(const json& j, const RuleSet& rules) {
  Reader r;
  const Where root{nullptr, "aggregate", 0, nullptr};
  if (!r.Object(j, root)) return Error{r.error()};
  const Where version_at = Member(root, "version");
  if (const json* v = r.Find(j, version_at); v && !(v->is_number_integer() && *v == kAggregateJsonVersion)) {
    r.Fail(version_at, fmt::format("{} is not supported: this why500 reads version {} (merge reports written by "
                                   "the same version of why500)",
                                   v->dump(), kAggregateJsonVersion));
  }
  uint64_t max_examples = 0;
  r.Get(j, root, "max_examples", &max_examples);
  if (r.ok() && max_examples > kMaxExamplesLimit) {
    r.Fail(Member(root, "max_examples"), fmt::format("{} is more than {}", max_examples, kMaxExamplesLimit));
  }
  if (!r.ok()) return Error{r.error()};

  Aggregate loaded(max_examples);
  r.Get(j, root, "events", &loaded.events);
  r.Get(j, root, "evidence_events", &loaded.evidence_events);
  r.Get(j, root, "access_lines", &loaded.access_lines);
  r.Get(j, root, "first", AsTime{&loaded.first});
  r.Get(j, root, "last", AsTime{&loaded.last});
  if (r.ok()) r.Span(Member(root, "first"), loaded.first, loaded.last);
  ReadInputs(r, j, root, &loaded.inputs);
  const size_t inputs = loaded.inputs.size();
  ReadGroups(r, j, root, inputs, &loaded.groups);
  ReadEvidence(r, j, root, inputs, loaded.groups.size(), &loaded.evidence);
  ReadExamples(r, j, root, "response_examples", inputs, &loaded.response_examples);
  ReadResponses(r, j, root, inputs, loaded.response_examples.size(), &loaded.responses);
  ReadChanges(r, j, root, inputs, &loaded.changes);
  ReadMinutes(r, j, root, &loaded.minutes);
  ReadSettled(r, j, root, loaded.groups.size(), loaded.response_examples.size(), &loaded.settled);
  if (r.ok()) CheckMinuteEvidence(r, root, loaded);
  if (!r.ok()) return Error{r.error()};

  // Rule indices belong to the run that wrote the report: find each rule again by its id.
  std::unordered_map<std::string_view, int> by_id;
  for (size_t i = 0; i < rules.rules().size(); ++i) by_id.emplace(rules.rules()[i].id, static_cast<int>(i));
  for (Group& g : loaded.groups) {
    auto it = by_id.find(g.rule_id);
    g.rule = it == by_id.end() ? -1 : it->second;
  }
  // Merging into an empty aggregate indexes the groups by rule and template, as adding would.
  Aggregate out(max_examples);
  out.Merge(std::move(loaded));
  return out;
}

Expected<Aggregate> AggregateOfReport(std::string_view report_json, const RuleSet& rules) {
  json report;
  try {
    report = json::parse(report_json);
  } catch (const json::exception& e) {
    return Error{e.what()};
  }
  auto it = report.is_object() ? report.find("aggregate") : report.end();
  if (it == report.end()) return Error{"no aggregate; write reports with --format json --with-aggregate"};
  return AggregateFromJson(*it, rules);
}

}  // namespace why500
