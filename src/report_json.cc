// The JSON report of shared/report-schema.md ("why500.report/1"). nlohmann types stay in here (and in
// aggregate_json, the mergeable aggregate --with-aggregate adds).
#include <cmath>
#include <nlohmann/json.hpp>

#include "why500/aggregate_json.h"
#include "why500/report.h"
#include "why500/summary.h"

namespace why500 {
namespace {

using nlohmann::ordered_json;

ordered_json Time(TimeUs t) { return t == kNoTime ? ordered_json(nullptr) : ordered_json(FormatRfc3339(t)); }

ordered_json TopJson(const TopValues& values) {
  ordered_json arr = ordered_json::array();
  for (const auto& [value, n] : values.Top(5)) arr.push_back({{"value", value}, {"count", n}});
  return arr;
}

ordered_json InputsJson(const Aggregate& agg) {
  ordered_json arr = ordered_json::array();
  for (const InputStats& in : agg.inputs) {
    arr.push_back({{"name", in.name},
                   {"format", in.format.empty() ? ordered_json(nullptr) : ordered_json(in.format)},
                   {"lines", in.lines},
                   {"bytes", in.bytes},
                   {"parsed_lines", in.parsed_lines},
                   {"unparsed_lines", in.unparsed_lines},
                   {"error", in.error.empty() ? ordered_json(nullptr) : ordered_json(in.error)},
                   {"wrapper", in.wrapper.empty() ? "none" : in.wrapper},
                   {"events", in.events},
                   {"responses", in.responses},
                   {"binary_lines", in.binary_lines},
                   {"truncated_lines", in.truncated_lines},
                   {"cut_entries", in.cut_entries},
                   {"outside_window", in.outside_window},
                   {"first", Time(in.first_time)},
                   {"last", Time(in.last_time)}});
  }
  return arr;
}

ordered_json CauseJson(const Report& r, const RankedCause& c) {
  const Group& g = *c.group;
  ordered_json status = ordered_json::object();
  for (const auto& [code, n] : g.status) status[std::to_string(code)] = n;
  ordered_json fields = ordered_json::object();
  if (!g.upstream.empty()) fields["upstream"] = TopJson(g.upstream);
  if (!g.path.empty()) fields["path"] = TopJson(g.path);
  if (!g.client.empty()) fields["client"] = TopJson(g.client);
  if (!g.host.empty()) fields["host"] = TopJson(g.host);
  ordered_json ties = ordered_json::object();
  for (int t = 1; t < kTieKinds; ++t) {
    if (g.ties[t] > 0) ties[std::string(TieName(static_cast<Tie>(t)))] = g.ties[t];
  }
  ordered_json examples = ordered_json::array();
  for (const Example& e : g.examples) {
    examples.push_back({{"input", r.agg->inputs[e.input].name}, {"line", e.line}, {"text", e.text}});
  }
  return {{"rank", c.rank},
          {"cause", g.cause},
          {"subcause", g.subcause},
          {"rule", g.rule_id.empty() ? ordered_json(nullptr) : ordered_json(g.rule_id)},
          {"confidence", ConfidenceName(g.confidence)},
          {"score", std::round(c.score * 1000) / 1000},
          {"events", g.events},
          {"http_5xx", g.http_5xx},
          {"status", status},
          {"first", Time(g.first)},
          {"last", Time(g.last)},
          {"template", g.template_text},
          {"fields", fields},
          {"examples", examples},
          {"hint", g.hint},
          {"cut_events", g.cut_events},
          {"tier", c.tier},
          {"timing", TimingName(c.timing)},
          {"explains", c.explains},
          {"explained_by", c.explained_by > 0 ? ordered_json(c.explained_by) : ordered_json(nullptr)},
          {"ties", ties},
          {"inferred", g.inferred}};
}

ordered_json ChangeJson(const Aggregate& agg, const Change& c) {
  return {{"time", Time(c.time)}, {"kind", c.kind}, {"input", agg.inputs[c.input].name}, {"line", c.line}, {"text", c.text}};
}

ordered_json OnsetJson(const Report& r) {
  if (!r.onset.found) return nullptr;
  const TimeUs width = r.timeline.bucket_seconds * kUsPerSecond;
  return {{"time", Time(r.onset_time)},
          {"bucket_start", Time(r.timeline.start + static_cast<TimeUs>(r.onset.bucket) * width)},
          {"basis", r.onset_basis},
          {"baseline", r.onset.baseline},
          {"peak", r.onset.peak},
          {"peak_bucket_start", Time(r.timeline.start + static_cast<TimeUs>(r.onset.peak_bucket) * width)},
          {"at_log_start", r.onset.at_log_start}};
}

template <class Json>
std::string Dump(const Json& v, int indent = 2) {
  return v.dump(indent, ' ', false, Json::error_handler_t::replace);
}

// The aggregate (--with-aggregate) with one record a line (an input, a group, an evidence row):
// less than half the size of the indented form, whose rows would take a line per value.
std::string AggregateText(const nlohmann::json& aggregate) {
  std::string out = "{\n    \"version\": " + Dump(aggregate.at("version"), -1);
  for (const auto& [key, value] : aggregate.items()) {
    if (key == "version") continue;
    out += ",\n    " + Dump(nlohmann::json(key), -1) + ": ";
    if (!value.is_array() || value.empty()) {
      out += Dump(value, -1);
      continue;
    }
    for (size_t i = 0; i < value.size(); ++i) out += (i == 0 ? "[\n      " : ",\n      ") + Dump(value[i], -1);
    out += "\n    ]";
  }
  return out + "\n  }";
}

}  // namespace

std::string RenderJson(const Report& r, const Aggregate* aggregate) {
  const Aggregate& agg = *r.agg;
  ordered_json doc;
  doc["schema"] = "why500.report/1";
  doc["tool"] = {{"name", "why500"}, {"version", r.version}};
  doc["generated_at"] = FormatRfc3339(r.generated_at / kUsPerSecond * kUsPerSecond);
  doc["elapsed_seconds"] = std::round(r.elapsed_seconds * 1000) / 1000;
  doc["inputs"] = InputsJson(agg);
  doc["window"] = {{"first", Time(agg.first)}, {"last", Time(agg.last)}};
  doc["totals"] = {{"lines", r.totals.lines},
                   {"events", r.totals.events},
                   {"http_5xx", r.totals.http_5xx},
                   {"evidence_events", r.totals.evidence_events},
                   {"classified_5xx", r.totals.classified_5xx},
                   {"unclassified_5xx", r.totals.unclassified_5xx},
                   {"unparsed_lines", r.totals.unparsed_lines},
                   {"cut_entries", r.totals.cut_entries},
                   {"truncated_lines", r.totals.truncated_lines},
                   {"access_log", r.have_access_log},
                   {"responses", agg.access_lines},
                   {"inferred_5xx", r.totals.inferred_5xx}};
  ordered_json causes = ordered_json::array();
  for (const RankedCause& c : r.causes) causes.push_back(CauseJson(r, c));
  doc["causes"] = std::move(causes);
  doc["timeline"] = {{"bucket_seconds", r.timeline.bucket_seconds},
                     {"start", Time(r.timeline.start)},
                     {"http_5xx", r.timeline.http_5xx},
                     {"evidence", r.timeline.evidence}};
  doc["onset"] = OnsetJson(r);
  ordered_json changes = ordered_json::array();
  for (const Change& c : agg.changes) changes.push_back(ChangeJson(agg, c));
  doc["changes"] = std::move(changes);
  if (r.last_change) {
    ordered_json last = ChangeJson(agg, *r.last_change);
    const TimeUs reference = r.onset_time != kNoTime ? r.onset_time : r.first_failure;
    last["before"] = r.onset_time != kNoTime ? "onset" : "first_failure";
    last["seconds_before"] = static_cast<double>(reference - r.last_change->time) / kUsPerSecond;
    doc["last_change"] = std::move(last);
  } else {
    doc["last_change"] = nullptr;
  }
  ordered_json blind = ordered_json::array();
  for (const BlindSpot& b : r.blind_spots) {
    blind.push_back({{"kind", b.kind},
                     {"input", b.input.empty() ? ordered_json(nullptr) : ordered_json(b.input)},
                     {"count", b.count},
                     {"detail", b.detail}});
  }
  doc["blind_spots"] = std::move(blind);
  const std::string next = FirstStep(r);
  doc["next_step"] = next.empty() ? ordered_json(nullptr) : ordered_json(next);
  // Invalid UTF-8 from the logs is replaced, never passed through: the output is always valid JSON.
  std::string text = Dump(doc);
  if (aggregate) {  // the last member, one record a line
    text.resize(text.size() - 2);  // "\n}"
    text += ",\n  \"aggregate\": " + AggregateText(AggregateToJson(*aggregate)) + "\n}";
  }
  return text + "\n";
}

}  // namespace why500
