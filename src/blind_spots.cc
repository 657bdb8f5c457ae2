// What the report could not see, said out loud: an engineer trusts a tool that says where it
// is blind.
#include <fmt/format.h>

#include "why500/inputs.h"
#include "why500/report.h"
#include "why500/text.h"

namespace why500 {
namespace {

constexpr TimeUs kNotableGap = 10 * 60 * kUsPerSecond;
constexpr TimeUs kGapToMeanInterval = 20;  // a gap this many times the usual interval is a silence

std::string Percent(uint64_t part, uint64_t whole) {
  return whole == 0 ? "0%" : fmt::format("{:.2g}%", 100.0 * static_cast<double>(part) / static_cast<double>(whole));
}

std::string Minutes(TimeUs us) { return fmt::format("{} min", us / (60 * kUsPerSecond)); }

// Only silences that touch the incident matter; without an onset, every notable one does.
bool DuringIncident(const Report& r, TimeUs from, TimeUs to) {
  if (r.onset_time == kNoTime) return true;
  return to >= r.onset_time - kNotableGap && (r.agg->last == kNoTime || from <= r.agg->last);
}

void InputSpots(const Report& r, const InputStats& in, std::vector<BlindSpot>* out) {
  auto add = [&](std::string kind, uint64_t count, std::string detail) {
    if (count > 0) out->push_back({std::move(kind), in.name, count, std::move(detail)});
  };
  if (!in.error.empty()) out->push_back({"input_error", in.name, 1, in.error});
  add("unparsed", in.unparsed_lines,
      fmt::format("{} of {} lines ({}) could not be parsed as {}", in.unparsed_lines, in.lines,
                  Percent(in.unparsed_lines, in.lines), in.format.empty() ? "any format" : in.format));
  add("binary", in.binary_lines, fmt::format("{} lines look like binary data, not log text", in.binary_lines));
  add("truncated", in.truncated_lines,
      fmt::format("{} lines were longer than --max-line and were cut", in.truncated_lines));
  add("cut", in.cut_entries,
      fmt::format("{} entries were cut by nginx at its 2048-byte limit: their cause may be in the lost part",
                  in.cut_entries));
  add("journal_suppressed", in.journal_suppressed,
      fmt::format("journald suppressed {} messages (rate limiting): evidence may be missing", in.journal_suppressed));
  add("journal_blobs", in.journal_blobs,
      fmt::format("{} journal messages were shown as [blob data]: rerun journalctl with --all", in.journal_blobs));
  add("filtered", in.outside_window,
      fmt::format("{} events outside --since/--until were left out", in.outside_window));
  if (in.timed_lines < 2) return;
  const TimeUs mean = (in.last_time - in.first_time) / static_cast<TimeUs>(in.timed_lines - 1);
  for (const auto& [from, to] : in.gaps) {
    if (to - from < std::max<TimeUs>(kNotableGap, mean * kGapToMeanInterval) || !DuringIncident(r, from, to)) continue;
    out->push_back({"gap", in.name, static_cast<uint64_t>((to - from) / kUsPerSecond),
                    fmt::format("silent for {} from {} to {} UTC", Minutes(to - from), FormatHuman(from),
                                FormatHuman(to))});
  }
}

}  // namespace

std::vector<BlindSpot> FindBlindSpots(const Report& r) {
  std::vector<BlindSpot> out;
  const Aggregate& agg = *r.agg;
  for (size_t i = 0; i < agg.inputs.size(); ++i) {
    const InputStats& in = agg.inputs[i];
    InputSpots(r, in, &out);
    if (i + 1 == agg.inputs.size()) break;
    const InputStats& next = agg.inputs[i + 1];
    if (RotationBase(in.name) != RotationBase(next.name) || in.last_time == kNoTime || next.first_time == kNoTime) continue;
    if (next.first_time - in.last_time >= kNotableGap) {
      out.push_back({"rotation_gap", next.name, static_cast<uint64_t>((next.first_time - in.last_time) / kUsPerSecond),
                     fmt::format("{} missing between {} (ends {}) and {} (starts {} UTC)",
                                 Minutes(next.first_time - in.last_time), in.name, FormatHuman(in.last_time),
                                 next.name, FormatHuman(next.first_time))});
    }
  }
  if (!r.have_access_log) {
    out.push_back({"no_access_log", "", 0,
                   "no access log was given: 5xx counts are not known, causes are ranked by evidence alone"});
  } else if (r.totals.unclassified_5xx > 0) {
    out.push_back({"no_evidence", "", r.totals.unclassified_5xx,
                   fmt::format("{} of {} 5xx responses ({}) have no evidence in the logs given", r.totals.unclassified_5xx,
                               r.totals.http_5xx, Percent(r.totals.unclassified_5xx, r.totals.http_5xx))});
  }
  if (r.have_access_log && r.totals.http_5xx > 0 && agg.evidence_events == 0) {
    out.push_back({"no_error_log", "", 0, "no error log evidence was found: add the error and application logs"});
  }
  return out;
}

}  // namespace why500
