// Checks rules against their own samples: each example must be won by its rule when read as
// a log, and no counter-example may match its rule's pattern.
#pragma once

#include <string>
#include <vector>

#include "why500/classify.h"

namespace why500 {

struct RuleProblem {
  std::string rule_id, source, sample, problem;
};

std::vector<RuleProblem> CheckRuleSamples(const RuleSet& rules);

// Classifies `text` as a small log of its own (sniffed) and returns the winners of its events.
std::vector<int> WinnersForText(const RuleSet& rules, const std::string& text);

}  // namespace why500
