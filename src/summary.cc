#include "why500/summary.h"

#include <fmt/format.h>

#include "why500/text.h"

namespace why500 {
namespace {

// A change this close before the onset is the first suspect.
constexpr TimeUs kChangeSuspectWindow = 15 * 60 * kUsPerSecond;

std::string Clock(TimeUs t) { return FormatHuman(t).substr(11); }

std::string FirstLine(std::string_view text) { return std::string(text.substr(0, text.find('\n'))); }

std::string Cut(std::string_view s, size_t width) {
  std::string out = TerminalSafe(s.substr(0, std::min(s.size(), width)));
  if (s.size() > width) out += "…";
  return out;
}

}  // namespace

std::string Count(uint64_t n) {
  std::string digits = std::to_string(n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

std::string Plural(uint64_t n, std::string_view one, std::string_view many) {
  return Count(n) + " " + std::string(n == 1 ? one : many);
}

std::string Duration(TimeUs us) {
  const int64_t s = us / kUsPerSecond;
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return fmt::format("{}m{:02}s", s / 60, s % 60);
  if (s < 86400) return fmt::format("{}h{:02}m", s / 3600, s / 60 % 60);
  return fmt::format("{}d{:02}h", s / 86400, s / 3600 % 24);
}

std::string StatusMix(const std::map<int, uint64_t>& status) {
  std::vector<std::pair<int, uint64_t>> by_count(status.begin(), status.end());
  std::stable_sort(by_count.begin(), by_count.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  std::string mix;
  for (const auto& [code, n] : by_count) mix += fmt::format("{}{}×{}", mix.empty() ? "" : " ", code, Count(n));
  return mix;
}

std::string PerUnit(int64_t seconds) {
  if (seconds == 60) return "min";
  if (seconds == 3600) return "hour";
  if (seconds == 86400) return "day";
  if (seconds % 86400 == 0) return fmt::format("{} days", seconds / 86400);
  if (seconds % 3600 == 0) return fmt::format("{} h", seconds / 3600);
  return fmt::format("{} min", seconds / 60);
}

std::string HowBad(const Report& r) {
  if (!r.have_access_log) {
    return fmt::format("5xx not counted (no access log given); {} of cause evidence",
                       Plural(r.totals.evidence_events, "event", "events"));
  }
  const uint64_t responses = r.agg->access_lines;
  std::string s = fmt::format("{} of {}", Plural(r.totals.http_5xx, "5xx", "5xx"), Plural(responses, "response", "responses"));
  if (responses > 0) s += fmt::format(" ({:.1f}%)", 100.0 * static_cast<double>(r.totals.http_5xx) / static_cast<double>(responses));
  if (!r.totals.status_5xx.empty()) s += ": " + StatusMix(r.totals.status_5xx);
  if (r.totals.http_5xx > 0) {
    s += fmt::format("; {} explained by evidence", Count(r.totals.classified_5xx - r.totals.inferred_5xx));
    if (r.totals.inferred_5xx > 0) s += fmt::format(", {} inferred from the access log", Count(r.totals.inferred_5xx));
  }
  return s;
}

std::string SinceWhen(const Report& r) {
  const std::string what = r.onset_basis == "http_5xx" ? "5xx" : "errors";
  if (!r.onset.found) {
    if (r.first_failure == kNoTime) return "no timed failures";
    if (r.onset.steady) {
      return fmt::format("no onset in these logs: {} run at about {:.0f} a {} throughout (first {} UTC)", what,
                         r.onset.baseline, PerUnit(r.timeline.bucket_seconds), FormatHuman(r.first_failure));
    }
    return fmt::format("no clear onset: {} stay near their usual rate (first {} UTC)", what, FormatHuman(r.first_failure));
  }
  const std::string unit = PerUnit(r.timeline.bucket_seconds);
  const TimeUs peak_at = r.timeline.start + static_cast<TimeUs>(r.onset.peak_bucket) * r.timeline.bucket_seconds * kUsPerSecond;
  std::string s = fmt::format("{} UTC: {} rose from about {:.0f} to {} a {} (peak {})", FormatHuman(r.onset_time), what,
                              r.onset.baseline, Count(r.onset.peak), unit, Clock(peak_at).substr(0, 5));
  if (r.onset.at_log_start) s += "; the logs begin inside the incident, it may have started earlier";
  return s;
}

std::string WhatChanged(const Report& r, size_t line_width) {
  const bool onset = r.onset_time != kNoTime;
  const TimeUs reference = onset ? r.onset_time : r.first_failure;
  if (reference == kNoTime) return "";
  const std::string before = onset ? "the onset" : "the first failure";
  if (!r.last_change) return fmt::format("no change seen in the logs before {}", before);
  const Change& c = *r.last_change;
  return fmt::format("{} {} before {} ({} UTC, {}:{})  {}", c.kind, Duration(reference - c.time), before,
                     FormatHuman(c.time), Cut(r.agg->inputs[c.input].name, 80), c.line, Cut(FirstLine(c.text), line_width));
}

std::string FirstStep(const Report& r) {
  if (r.causes.empty()) return "";
  const RankedCause& top = r.causes.front();
  const Group& g = *top.group;
  const TimeUs reference = r.onset_time != kNoTime ? r.onset_time : r.first_failure;
  if (r.last_change && reference - r.last_change->time <= kChangeSuspectWindow &&
      (top.timing == Timing::kAt || top.timing == Timing::kGrew)) {
    const Change& c = *r.last_change;
    return fmt::format("the failures began {} after a {} ({}:{}): if it shipped a change, roll it back first; "
                       "then check #1 {}",
                       Duration(reference - c.time), c.kind, Cut(r.agg->inputs[c.input].name, 80), c.line, g.cause);
  }
  if (g.cause == "unknown") return "no log given explains the 5xx: add the error and application logs of the same minutes";
  if (g.examples.empty()) return fmt::format("check #1 {}: {}", g.cause, TerminalSafe(g.hint));
  const Example& e = g.examples.front();
  return fmt::format("read the first error of #1 {} ({}:{}), then follow its hint", g.cause,
                     Cut(r.agg->inputs[e.input].name, 80), e.line);
}

std::string TimingPhrase(const Report& r, const RankedCause& c) {
  const Group& g = *c.group;
  const bool timed = g.first != kNoTime && r.onset_time != kNoTime;  // the phrases subtract them
  if (!timed && c.timing != Timing::kAt) return "";
  switch (c.timing) {
    case Timing::kAt: return "began at the onset";
    case Timing::kGrew: return fmt::format("there since {}, grew at the onset", Clock(g.first));
    case Timing::kBefore:
      return fmt::format("chronic: there {} before the onset and did not grow", Duration(r.onset_time - g.first));
    case Timing::kAfter: return fmt::format("began {} after the onset", Duration(g.first - r.onset_time));
    case Timing::kUnknown: return "";
  }
  return "";
}

std::string RootPhrase(const Report& r, const RankedCause& c) {
  std::string s;
  if (c.explained_by > 0) {
    const Group& root = *r.causes[static_cast<size_t>(c.explained_by - 1)].group;
    s = fmt::format("symptom of #{} {}", c.explained_by, root.cause);
  }
  if (!c.explains.empty()) {
    s += s.empty() ? "root of " : "; root of ";
    for (size_t i = 0; i < c.explains.size(); ++i) {
      const Group& symptom = *r.causes[static_cast<size_t>(c.explains[i] - 1)].group;
      s += fmt::format("{}#{} {}", i ? ", " : "", c.explains[i], symptom.cause);
    }
  }
  return s;
}

std::string TiePhrase(const Group& g) {
  static constexpr std::string_view kWords[kTieKinds] = {"", "by request id", "by request", "by client",
                                                          "in the same log", "by time only", "inferred from the access log"};
  std::string s;
  for (int t = 1; t < kTieKinds; ++t) {
    if (g.ties[t] == 0) continue;
    s += fmt::format("{}{} {}", s.empty() ? "" : ", ", Count(g.ties[t]), kWords[t]);
  }
  return s;
}

Sparkline DrawSparkline(const std::vector<uint64_t>& counts, int64_t bucket_seconds, size_t max_width) {
  static constexpr std::string_view kBlocks[] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
  Sparkline line;
  if (counts.empty() || max_width == 0) return line;
  const size_t per_column = (counts.size() + max_width - 1) / max_width;
  line.column_seconds = bucket_seconds * static_cast<int64_t>(per_column);
  std::vector<uint64_t> columns;
  for (size_t i = 0; i < counts.size(); i += per_column) {
    uint64_t n = 0;
    for (size_t k = i; k < i + per_column && k < counts.size(); ++k) n += counts[k];
    if (n > line.peak) {
      line.peak = n;
      line.peak_column = columns.size();
    }
    columns.push_back(n);
  }
  line.columns = columns.size();
  for (uint64_t n : columns) {
    // Zero stays blank so that "nothing" and "a little" never look alike.
    line.bars += n == 0 || line.peak == 0 ? std::string_view(" ") : kBlocks[(n * 8 - 1) / line.peak];
  }
  return line;
}

}  // namespace why500
