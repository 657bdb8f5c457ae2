// Rules: loading rules/*.json (embedded defaults and user files), validating them against
// the taxonomy and RE2, and the rule model the classifier compiles.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "why500/record.h"
#include "why500/status.h"

namespace why500 {

// A rule whose cause is "none" names a known-harmless message: when it wins, the event is not
// evidence. It lets a specific benign shape beat a generic catch-all (a 404 logged at ERROR).
constexpr std::string_view kBenignCause = "none";

enum class Confidence : uint8_t { kLow = 0, kMedium = 1, kHigh = 2 };
std::string_view ConfidenceName(Confidence c);
bool ParseConfidence(std::string_view s, Confidence* out);

struct Rule {
  std::string id, cause, subcause, pattern, hint;
  int priority = 0;
  Confidence confidence = Confidence::kMedium;
  uint32_t format_mask = ~0u;  // bit per Format; all bits = every format
  std::vector<std::string> levels;  // severities it applies to (lower case); empty = any
  std::vector<std::string> examples, counter_examples;
  std::string source;  // "rules/nginx.json" (embedded) or the user's path
  bool built_in = false;  // one of the embedded defaults (their patterns are vetted by tests)

  bool AppliesTo(Format f) const { return (format_mask >> static_cast<int>(f)) & 1u; }
  // Whether the rule applies to an event of format `f` written at severity `level`.
  bool AppliesTo(Format f, std::string_view level) const;
  bool benign() const { return cause == kBenignCause; }
};

struct EmbeddedRuleFile {
  const char* name;
  const char* text;
};
// Defined in the generated embedded_rules.cc.
const std::vector<EmbeddedRuleFile>& EmbeddedRuleFiles();

// Parses one rule file's JSON text. Errors name the file, the rule id and what is wrong.
Expected<std::vector<Rule>> ParseRuleFile(std::string_view text, const std::string& source);

// Reads a rule file, or every *.json of a folder (sorted by name).
Expected<std::vector<Rule>> LoadRulePath(const std::string& path);

// The rules of a run: the embedded defaults (unless `with_defaults` is false) and then the
// user paths in order; a later rule with an id already present replaces it in place.
Expected<std::vector<Rule>> LoadRules(const std::vector<std::string>& user_paths, bool with_defaults);

}  // namespace why500
