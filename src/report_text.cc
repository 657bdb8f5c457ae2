// The terminal report. Every string that came from a log passes through TerminalSafe.
#include <fmt/format.h>

#include "why500/report.h"
#include "why500/summary.h"
#include "why500/text.h"

namespace why500 {
namespace {

constexpr size_t kEvidenceWidth = 220;
constexpr size_t kSparklineWidth = 60;

struct Style {
  bool on;
  std::string Wrap(std::string_view code, std::string_view text) const {
    if (!on) return std::string(text);
    return fmt::format("\x1b[{}m{}\x1b[0m", code, text);
  }
  std::string Bold(std::string_view t) const { return Wrap("1", t); }
  std::string Dim(std::string_view t) const { return Wrap("2", t); }
  std::string Hint(std::string_view t) const { return Wrap("36", t); }
  std::string Confidence(why500::Confidence c) const {
    const std::string_view name = ConfidenceName(c);
    switch (c) {
      case why500::Confidence::kHigh: return Wrap("1;31", name);
      case why500::Confidence::kMedium: return Wrap("33", name);
      case why500::Confidence::kLow: return Wrap("2", name);
    }
    return std::string(name);
  }
};

std::string Safe(std::string_view s, size_t width) {
  std::string out = TerminalSafe(s.substr(0, std::min(s.size(), width)));
  if (s.size() > width) out += "…";
  return out;
}

std::string FirstLine(std::string_view text) { return std::string(text.substr(0, text.find('\n'))); }

void RenderHeader(const Report& r, const Style& st, std::string* out) {
  const Aggregate& agg = *r.agg;
  std::string window = "no timestamps";
  if (agg.first != kNoTime) {
    window = fmt::format("{} → {} UTC ({})", FormatHuman(agg.first), FormatHuman(agg.last).substr(11),
                         Duration(agg.last - agg.first));
    if (FormatHuman(agg.first).substr(0, 10) != FormatHuman(agg.last).substr(0, 10)) {
      window = fmt::format("{} → {} UTC ({})", FormatHuman(agg.first), FormatHuman(agg.last),
                           Duration(agg.last - agg.first));
    }
  }
  *out += st.Bold(fmt::format("why500 {}", r.version));
  *out += fmt::format(": {}, {}, {}, {:.2f} s\n", Plural(agg.inputs.size(), "input", "inputs"),
                      Plural(r.totals.lines, "line", "lines"), window, r.elapsed_seconds);
  for (const InputStats& in : agg.inputs) {
    std::string line = fmt::format("  {}  {}  {}", Safe(in.name, 120), in.format.empty() ? "-" : in.format,
                                   Plural(in.lines, "line", "lines"));
    if (in.wrapper != "none" && !in.wrapper.empty()) line += fmt::format("  (wrapped: {})", in.wrapper);
    if (in.unparsed_lines) line += fmt::format("  {} unparsed", Count(in.unparsed_lines));
    if (!in.error.empty()) line += "  " + st.Wrap("1;31", "error: " + TerminalSafe(in.error));
    else if (in.lines == 0) line += "  (empty)";
    *out += line + "\n";
  }
}

// The three questions of a page, then the timeline: how bad, since when, what changed.
void RenderSituation(const Report& r, const Style& st, std::string* out) {
  auto row = [&](std::string_view label, const std::string& text) {
    if (!text.empty()) *out += st.Bold(fmt::format("{:<9}", label)) + " " + text + "\n";
  };
  row("How bad", HowBad(r));
  row("Since", SinceWhen(r));
  row("Changed", WhatChanged(r, 120));
  row("Next", FirstStep(r));
  const bool by_5xx = r.onset_basis == "http_5xx";
  const std::vector<uint64_t>& counts = by_5xx ? r.timeline.http_5xx : r.timeline.evidence;
  if (counts.size() < 2) return;
  const Sparkline line = DrawSparkline(counts, r.timeline.bucket_seconds, kSparklineWidth);
  const std::string label = fmt::format("{}/{}", by_5xx ? "5xx" : "errors", PerUnit(line.column_seconds));
  *out += st.Bold(fmt::format("{:<9}", label)) + " " + st.Wrap("31", line.bars) + "\n";
  const TimeUs peak_at = r.timeline.start + static_cast<TimeUs>(line.peak_column) * line.column_seconds * kUsPerSecond;
  *out += std::string(10 + line.peak_column, ' ') +
          st.Dim(fmt::format("^ peak {} at {}", Count(line.peak), FormatHuman(peak_at).substr(11, 5))) + "\n";
  const TimeUs end = r.timeline.start + static_cast<TimeUs>(counts.size()) * r.timeline.bucket_seconds * kUsPerSecond;
  *out += std::string(10, ' ') + st.Dim(fmt::format("{} … {} UTC", FormatHuman(r.timeline.start).substr(11, 5),
                                                     FormatHuman(end).substr(11, 5))) + "\n";
}

void RenderFields(const Group& g, const Style& st, std::string* out) {
  std::string line;
  auto add = [&](std::string_view label, const TopValues& values) {
    const auto top = values.Top(2);
    if (top.empty()) return;
    line += line.empty() ? "    " : "  ";
    line += st.Dim(std::string(label) + ":");
    for (const auto& [value, n] : top) line += fmt::format(" {} ({})", Safe(value, 80), Count(n));
  };
  add("path", g.path);
  add("upstream", g.upstream);
  add("client", g.client);
  add("host", g.host);
  if (!line.empty()) *out += line + "\n";
}

void RenderCause(const Report& r, const RankedCause& c, const TextOptions& o, const Style& st, std::string* out) {
  const Group& g = *c.group;
  std::string head = fmt::format("{:>2}. {}  {}  [{}]", c.rank, st.Bold(g.cause), g.subcause,
                                 st.Confidence(g.confidence));
  if (g.events > 0) head += "  " + Plural(g.events, "event", "events");
  if (r.have_access_log) {
    head += "  " + Plural(g.http_5xx, "5xx", "5xx");
    if (!g.status.empty()) head += " (" + StatusMix(g.status) + ")";
  }
  *out += head + "\n";
  std::string when;
  if (g.first != kNoTime) when = fmt::format("first {}  last {} UTC", FormatHuman(g.first), FormatHuman(g.last));
  for (const std::string& part : {TimingPhrase(r, c), RootPhrase(r, c)}) {
    if (!part.empty()) when += (when.empty() ? "" : "  · ") + part;
  }
  if (!when.empty()) *out += "    " + st.Dim(when) + "\n";
  const std::string ties = TiePhrase(g);
  if (r.have_access_log && !ties.empty() && g.ties[static_cast<int>(Tie::kRequest)] != g.http_5xx) {
    *out += "    " + st.Dim("5xx tied " + ties) + "\n";
  }
  *out += "    " + Safe(g.template_text, kEvidenceWidth) + "\n";
  if (g.cut_events) *out += st.Dim(fmt::format("    {} cut by nginx at 2048 bytes: the end of the message is missing", Plural(g.cut_events, "entry", "entries"))) + "\n";
  RenderFields(g, st, out);
  const Aggregate& agg = *r.agg;
  for (size_t i = 0; i < g.examples.size() && i < o.examples; ++i) {
    const Example& e = g.examples[i];
    const std::string where = fmt::format("{}:{}", Safe(agg.inputs[e.input].name, 80), e.line);
    *out += "    " + st.Dim(where) + "  " + Safe(FirstLine(e.text), kEvidenceWidth) + "\n";
  }
  *out += "    " + st.Hint("→ " + TerminalSafe(g.hint)) + "\n";
}

void RenderChanges(const Report& r, const Style& st, std::string* out) {
  const Aggregate& agg = *r.agg;
  if (agg.changes.empty()) return;
  *out += "\n" + st.Bold("Changes seen in the logs") + "\n";
  const size_t shown = std::min<size_t>(agg.changes.size(), 5);
  for (size_t i = agg.changes.size() - shown; i < agg.changes.size(); ++i) {
    const Change& c = agg.changes[i];
    const std::string when = c.time == kNoTime ? "(no time)" : FormatHuman(c.time);
    *out += fmt::format("  {}  {:<7}  {}  {}\n", when, c.kind,
                        st.Dim(fmt::format("{}:{}", Safe(agg.inputs[c.input].name, 80), c.line)),
                        Safe(FirstLine(c.text), 160));
  }
}

void RenderBlindSpots(const Report& r, const Style& st, std::string* out) {
  if (r.blind_spots.empty()) return;
  *out += "\n" + st.Bold("Blind spots") + "\n";
  for (const BlindSpot& b : r.blind_spots) {
    const std::string where = b.input.empty() ? "" : Safe(b.input, 80) + ": ";
    *out += "  " + where + TerminalSafe(b.detail) + "\n";
  }
}

}  // namespace

std::string RenderText(const Report& r, const TextOptions& o) {
  const Style st{o.color};
  std::string out;
  RenderHeader(r, st, &out);
  out += "\n";
  if (r.totals.http_5xx > 0 || r.totals.evidence_events > 0) {
    RenderSituation(r, st, &out);
    out += "\n";
  }
  if (r.causes.empty()) {
    out += r.totals.lines == 0 ? "Nothing to analyse: the input is empty.\n"
                               : "No cause evidence and no 5xx responses found.\n";
  }
  for (size_t i = 0; i < r.causes.size() && i < o.top; ++i) {
    RenderCause(r, r.causes[i], o, st, &out);
    out += "\n";
  }
  if (r.causes.size() > o.top) {
    out += st.Dim(fmt::format("… and {} more (--top N shows more, --format json shows all)\n", r.causes.size() - o.top));
  }
  RenderChanges(r, st, &out);
  RenderBlindSpots(r, st, &out);
  return out;
}

}  // namespace why500
