// Shared by the unit tests: the default rule set, compiled once per test binary.
#pragma once

#include <catch2/catch.hpp>
#include <memory>

#include "why500/classify.h"
#include "why500/rules.h"

namespace why500 {

inline std::shared_ptr<const RuleSet> DefaultRuleSet() {
  static std::shared_ptr<const RuleSet> rules = [] {
    auto loaded = LoadRules({}, true);
    REQUIRE(loaded.ok());
    auto compiled = RuleSet::Compile(std::move(*loaded));
    REQUIRE(compiled.ok());
    return *compiled;
  }();
  return rules;
}

}  // namespace why500
