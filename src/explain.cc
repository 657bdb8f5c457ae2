// --explain: what fail2ban-regex does for a filter, for why500's rules. Log text is escaped.
#include <fmt/format.h>

#include "why500/observers.h"
#include "why500/text.h"

namespace why500 {

void ExplainWriter::OnEvent(const Event& e, const Verdict& v, const std::string& input_name) {
  auto bold = [&](const std::string& s) { return color_ ? "\x1b[1m" + s + "\x1b[0m" : s; };
  std::string out = bold(fmt::format("{}:{}", TerminalSafe(input_name), e.line));
  out += fmt::format("  {}", FormatName(e.format));
  if (e.line_count > 1) out += fmt::format(" ({} lines)", e.line_count);
  if (e.time != kNoTime) out += "  " + FormatRfc3339(e.time);
  if (e.cut) out += "  [cut by nginx at 2048 bytes]";
  out += "\n";
  if (e.IsResponse()) {
    out += fmt::format("  response {} {} {} from {}\n", e.status, TerminalSafe(e.method), TerminalSafe(e.path),
                       TerminalSafe(e.client));
  } else {
    out += "  message: " + TerminalSafe(e.message.substr(0, 400)) + (e.message.size() > 400 ? "…" : "") + "\n";
  }
  if (v.rule >= 0) {
    const Rule& r = rules_.rules()[v.rule];
    out += fmt::format("  winner: {}  → {} / {}  [{}, priority {}]  ({})\n", bold(r.id), r.cause, r.subcause,
                       ConfidenceName(r.confidence), r.priority, r.source);
    if (r.benign()) {
      out += "  (a known-harmless message: not evidence)\n";
    } else {
      out += "  template: " + TerminalSafe(v.template_text) + "\n";
      for (const Capture& c : *v.captures) out += fmt::format("    {} = {}\n", c.name, TerminalSafe(c.value));
    }
  } else if (!e.IsResponse()) {
    out += "  winner: none (no rule matched)\n";
  }
  if (v.matched) {
    for (int i : *v.matched) {
      if (i == v.rule) continue;
      const Rule& r = rules_.rules()[i];
      out += fmt::format("  also matched: {}  → {}  [priority {}]\n", r.id, r.cause, r.priority);
    }
  }
  out += "\n";
  std::fwrite(out.data(), 1, out.size(), out_);
}

}  // namespace why500
