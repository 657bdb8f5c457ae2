// The Markdown report. Log text is attacker-controlled: it goes through TerminalSafe and then
// into code spans or fences long enough that no backtick run inside can close them, and table
// cells get their pipes escaped, so a log line can neither steer a terminal nor restyle the page.
#include <fmt/format.h>

#include <algorithm>

#include "why500/report.h"
#include "why500/summary.h"
#include "why500/text.h"

namespace why500 {
namespace {

constexpr size_t kLineWidth = 300;

size_t LongestBacktickRun(std::string_view s) {
  size_t longest = 0, run = 0;
  for (char c : s) {
    run = c == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  return longest;
}

std::string Clip(std::string_view s, size_t width) {
  std::string out = TerminalSafe(s.substr(0, std::min(s.size(), width)));
  if (s.size() > width) out += "…";
  return out;
}

// Inline code that holds any text: the fence is one backtick longer than the longest run inside.
std::string Code(std::string_view raw, size_t width = kLineWidth) {
  std::string text = Clip(raw, width);
  const std::string fence(LongestBacktickRun(text) + 1, '`');
  const bool pad = !text.empty() && (text.front() == '`' || text.back() == '`');
  return fence + (pad ? " " : "") + text + (pad ? " " : "") + fence;
}

// Plain prose from a log (hints quote captures): escaped, with Markdown's active characters neutralised.
std::string Prose(std::string_view raw) {
  std::string out;
  for (char c : TerminalSafe(raw)) {
    if (std::string_view("\\`*_[]<>|#").find(c) != std::string_view::npos) out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

std::string FirstLine(std::string_view text) { return std::string(text.substr(0, text.find('\n'))); }

void Situation(const Report& r, std::string* out) {
  *out += fmt::format("- **How bad:** {}\n", HowBad(r));
  *out += fmt::format("- **Since:** {}\n", SinceWhen(r));
  if (!r.last_change) {
    const std::string none = WhatChanged(r, 0);
    if (!none.empty()) *out += fmt::format("- **Changed:** {}\n", none);
  } else {
    const Change& c = *r.last_change;
    const TimeUs reference = r.onset_time != kNoTime ? r.onset_time : r.first_failure;
    *out += fmt::format("- **Changed:** {} {} before the {} ({} UTC) {}\n", c.kind, Duration(reference - c.time),
                        r.onset_time != kNoTime ? "onset" : "first failure", FormatHuman(c.time),
                        Code(FirstLine(c.text), 200));
  }
  const std::string next = FirstStep(r);
  if (!next.empty()) *out += fmt::format("- **Next:** {}\n", Prose(next));
  const bool by_5xx = r.onset_basis == "http_5xx";
  const std::vector<uint64_t>& counts = by_5xx ? r.timeline.http_5xx : r.timeline.evidence;
  if (counts.size() >= 2) {
    const Sparkline line = DrawSparkline(counts, r.timeline.bucket_seconds, 60);
    const TimeUs peak_at = r.timeline.start + static_cast<TimeUs>(line.peak_column) * line.column_seconds * kUsPerSecond;
    *out += fmt::format("- **{} per {}:** `{}` peak {} at {} UTC\n", by_5xx ? "5xx" : "Errors",
                        PerUnit(line.column_seconds), line.bars, Count(line.peak), FormatHuman(peak_at).substr(11, 5));
  }
}

void CauseTable(const Report& r, size_t top, std::string* out) {
  *out += "\n| # | cause | confidence | 5xx | events | began | first seen (UTC) |\n";
  *out += "|---:|---|---|---:|---:|---|---|\n";
  for (size_t i = 0; i < r.causes.size() && i < top; ++i) {
    const RankedCause& c = r.causes[i];
    const Group& g = *c.group;
    *out += fmt::format("| {} | `{}` {} | {} | {} | {} | {} | {} |\n", c.rank, g.cause, Prose(g.subcause),
                        ConfidenceName(g.confidence), r.have_access_log ? Count(g.http_5xx) : "n/a", Count(g.events),
                        c.timing == Timing::kUnknown ? "" : TimingName(c.timing),
                        g.first == kNoTime ? "" : FormatHuman(g.first));
  }
}

void CauseDetail(const Report& r, const RankedCause& c, const TextOptions& o, std::string* out) {
  const Group& g = *c.group;
  *out += fmt::format("\n### {}. `{}` {}\n\n", c.rank, g.cause, Prose(g.subcause));
  std::string facts = fmt::format("Confidence {}", ConfidenceName(g.confidence));
  if (g.events > 0) facts += ", " + Plural(g.events, "event", "events");
  if (r.have_access_log) {
    facts += ", " + Plural(g.http_5xx, "5xx", "5xx");
    if (!g.status.empty()) facts += " (" + StatusMix(g.status) + ")";
  }
  for (const std::string& part : {TimingPhrase(r, c), RootPhrase(r, c), TiePhrase(g)}) {
    if (!part.empty()) facts += "; " + part;
  }
  *out += facts + ".\n\n";
  *out += "Template: " + Code(g.template_text) + "\n\n";
  const size_t shown = std::min(g.examples.size(), o.examples);
  if (shown > 0) {
    std::string lines;
    for (size_t i = 0; i < shown; ++i) {
      const Example& e = g.examples[i];
      lines += fmt::format("{}:{}  {}\n", Clip(r.agg->inputs[e.input].name, 120), e.line, Clip(FirstLine(e.text), kLineWidth));
    }
    const std::string fence(std::max<size_t>(3, LongestBacktickRun(lines) + 1), '`');
    *out += fence + "text\n" + lines + fence + "\n\n";
  }
  *out += "**Next:** " + Prose(g.hint) + "\n";
}

}  // namespace

std::string RenderMarkdown(const Report& r, const TextOptions& o) {
  std::string out;
  std::string title = "why500: no cause found";
  if (!r.causes.empty()) {
    const Group& top = *r.causes.front().group;
    title = fmt::format("why500: most likely `{}` ({})", top.cause, Prose(top.subcause));
  }
  out += "## " + title + "\n\n";
  Situation(r, &out);
  if (!r.causes.empty()) CauseTable(r, o.top, &out);
  for (size_t i = 0; i < r.causes.size() && i < o.top; ++i) CauseDetail(r, r.causes[i], o, &out);
  if (!r.blind_spots.empty()) {
    out += "\n### Blind spots\n\n";
    for (const BlindSpot& b : r.blind_spots) {
      out += "- " + (b.input.empty() ? "" : Code(b.input, 120) + ": ") + Prose(b.detail) + "\n";
    }
  }
  std::string inputs;
  for (const InputStats& in : r.agg->inputs) {
    inputs += fmt::format("{}{} ({}, {})", inputs.empty() ? "" : ", ", Code(in.name, 120),
                          in.format.empty() ? "-" : in.format, Plural(in.lines, "line", "lines"));
  }
  out += fmt::format("\n<sub>why500 {} read {}.</sub>\n", r.version, inputs);
  return out;
}

}  // namespace why500
