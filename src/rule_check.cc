#include "why500/rule_check.h"

#include <fmt/format.h>

#include "why500/assemble.h"
#include "why500/sniff.h"

namespace why500 {
namespace {

struct MessageOf {
  Format format;
  std::string severity, message;
};

// Collects the finished events of a small text: the messages the rules would see.
class CollectingSink : public EventSink {
 public:
  void OnEvent(Event& e) override {
    if (!e.IsResponse()) events.push_back({e.format, e.severity, e.message});
  }
  void OnQuietResponse(TimeUs) override {}
  std::vector<MessageOf> events;
};

std::vector<MessageOf> EventsOfText(const std::string& text) {
  std::vector<std::string_view> lines;
  std::string_view rest = text;
  while (!rest.empty()) {
    const size_t nl = rest.find('\n');
    lines.push_back(rest.substr(0, nl));
    if (nl == std::string_view::npos) break;
    rest.remove_prefix(nl + 1);
  }
  const Sniffed sniffed = SniffFormat(lines);
  CollectingSink sink;
  Assembler assembler(sniffed.format, 0, &sink);
  uint64_t n = 0;
  for (std::string_view line : lines) assembler.Add(PeelWrapper(sniffed.wrapper, line), ++n);
  assembler.Finish();
  return std::move(sink.events);
}

}  // namespace

std::vector<int> WinnersForText(const RuleSet& rules, const std::string& text) {
  std::vector<int> winners, matched;
  for (const MessageOf& m : EventsOfText(text)) winners.push_back(rules.Classify(m.message, m.format, m.severity, &matched));
  return winners;
}

std::vector<RuleProblem> CheckRuleSamples(const RuleSet& rules) {
  std::vector<RuleProblem> problems;
  for (size_t i = 0; i < rules.rules().size(); ++i) {
    const Rule& r = rules.rules()[i];
    auto problem = [&](const std::string& sample, std::string what) {
      problems.push_back({r.id, r.source, sample, std::move(what)});
    };
    if (r.examples.empty()) problem("", "has no examples");
    if (r.counter_examples.empty()) problem("", "has no counter_examples");
    for (const std::string& ex : r.examples) {
      const std::vector<int> winners = WinnersForText(rules, ex);
      bool won = false;
      std::string others;
      for (int w : winners) {
        won |= w == static_cast<int>(i);
        if (w >= 0 && w != static_cast<int>(i)) others += (others.empty() ? "" : ", ") + rules.rules()[w].id;
      }
      if (!won) problem(ex, others.empty() ? "example matched no rule" : "example won by " + others);
    }
    for (const std::string& counter : r.counter_examples) {
      for (const MessageOf& m : EventsOfText(counter)) {
        if (r.AppliesTo(m.format, m.severity) && rules.Matches(static_cast<int>(i), m.message)) {
          problem(counter, "counter-example matches the pattern");
          break;
        }
      }
    }
  }
  return problems;
}

}  // namespace why500
