// Rule files: the input is one rule file's JSON text. It is parsed and validated as --rules
// files are; a file that loads is compiled into a RuleSet, its examples and counter-examples
// are checked as --check-rules does, and each rule's hint is rendered from its own captures.
// RE2 memory stays bounded: each pattern has its own budget (16 MB, set in classify.cc) and
// only files of at most kMaxRules rules with patterns of at most kMaxPattern bytes compile.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_support.h"
#include "why500/classify.h"
#include "why500/rule_check.h"
#include "why500/rules.h"

using namespace why500;
using namespace why500::fuzz;

namespace {

constexpr size_t kMaxRules = 16;
constexpr size_t kMaxPattern = 512;
constexpr size_t kMaxSamples = 32;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto parsed = ParseRuleFile(AsText(data, size), "fuzz.json");
  if (!parsed) {
    WHY500_FUZZ_CHECK(parsed.error().message.rfind("fuzz.json", 0) == 0);  // errors name the file
    Touch(parsed.error().message);
    return 0;
  }
  std::vector<Rule>& rules = *parsed;
  size_t samples = 0;
  for (const Rule& r : rules) {
    WHY500_FUZZ_CHECK(!r.id.empty() && !r.pattern.empty() && !r.cause.empty() && !r.hint.empty());
    WHY500_FUZZ_CHECK(r.priority >= 0 && r.priority <= 100);
    WHY500_FUZZ_CHECK(r.source == "fuzz.json");
    if (r.pattern.size() > kMaxPattern) return 0;
    samples += r.examples.size() + r.counter_examples.size();
  }
  if (rules.size() > kMaxRules || samples > kMaxSamples) return 0;

  auto compiled = RuleSet::Compile(rules);
  if (!compiled) {
    Touch(compiled.error().message);
    return 0;
  }
  const RuleSet& set = **compiled;
  WHY500_FUZZ_CHECK(set.rules().size() == rules.size());
  for (const RuleProblem& p : CheckRuleSamples(set)) {
    Touch(p.rule_id);
    Touch(p.problem);
  }
  Event event;
  std::vector<Capture> captures;
  std::vector<int> matched;
  for (size_t i = 0; i < set.rules().size(); ++i) {
    const Rule& r = set.rules()[i];
    for (const std::string& example : r.examples) {
      const int winner = set.Classify(example, Format::kGeneric, "error", &matched);
      WHY500_FUZZ_CHECK(winner < static_cast<int>(set.rules().size()));
      // The Set pass and each rule's own regex agree on what matches.
      for (int m : matched) WHY500_FUZZ_CHECK(set.Matches(m, example));
      size_t start = 0;
      captures.clear();
      if (set.Extract(static_cast<int>(i), example, &captures, &start)) {
        WHY500_FUZZ_CHECK(start <= example.size());
        WHY500_FUZZ_CHECK(set.Matches(static_cast<int>(i), example));
      }
      event.message = example;
      Touch(RenderHint(r.hint, captures, event));
    }
  }
  return 0;
}
