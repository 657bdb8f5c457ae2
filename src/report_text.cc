// The terminal report. Every string that came from a log passes through TerminalSafe.
#include <fmt/format.h>

#include "why500/report.h"
#include "why500/text.h"

namespace why500 {
namespace {

constexpr size_t kEvidenceWidth = 220;

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
  int64_t s = us / kUsPerSecond;
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return fmt::format("{}m{:02}s", s / 60, s % 60);
  if (s < 86400) return fmt::format("{}h{:02}m", s / 3600, s / 60 % 60);
  return fmt::format("{}d{:02}h", s / 86400, s / 3600 % 24);
}

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
  const std::string fivexx =
      r.have_access_log ? Plural(r.totals.http_5xx, "5xx", "5xx") : "5xx not counted (no access log)";
  *out += st.Bold(fmt::format("why500 {}", r.version));
  *out += fmt::format(": {}, {}, {}, {}, {:.2f} s\n", Plural(agg.inputs.size(), "input", "inputs"),
                      Plural(r.totals.lines, "line", "lines"), fivexx, window, r.elapsed_seconds);
  for (const InputStats& in : agg.inputs) {
    std::string line = fmt::format("  {}  {}  {}", Safe(in.name, 120), in.format.empty() ? "-" : in.format,
                                   Plural(in.lines, "line", "lines"));
    if (in.wrapper != "none" && !in.wrapper.empty()) line += fmt::format("  (wrapped: {})", in.wrapper);
    if (in.unparsed_lines) line += fmt::format("  {} unparsed", Count(in.unparsed_lines));
    if (in.binary_lines) line += fmt::format(" ({} binary)", Count(in.binary_lines));
    if (in.truncated_lines) line += fmt::format("  {} over the line limit (cut)", Count(in.truncated_lines));
    if (in.cut_entries) line += fmt::format("  {} cut by nginx at 2048 bytes", Plural(in.cut_entries, "entry", "entries"));
    if (!in.error.empty()) line += "  " + st.Wrap("1;31", "error: " + TerminalSafe(in.error));
    else if (in.lines == 0) line += "  (empty)";
    *out += line + "\n";
  }
  if (!r.have_access_log && !r.causes.empty()) {
    *out += st.Dim("  no access log given: causes are ranked by evidence; how many 5xx each explains is not known") +
            "\n";
  }
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
    std::string mix;
    for (const auto& [status, n] : g.status) mix += fmt::format("{}{}×{}", mix.empty() ? "" : " ", status, Count(n));
    if (!mix.empty()) head += " (" + mix + ")";
  }
  *out += head + "\n";
  if (g.first != kNoTime) {
    *out += st.Dim(fmt::format("    first {}  last {} UTC", FormatHuman(g.first), FormatHuman(g.last))) + "\n";
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

}  // namespace

std::string RenderText(const Report& r, const TextOptions& o) {
  const Style st{o.color};
  std::string out;
  RenderHeader(r, st, &out);
  out += "\n";
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
  return out;
}

}  // namespace why500
