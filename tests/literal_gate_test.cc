// The literal gate must never change what the rule set answers: every test here compares the
// gated Classify with an oracle that runs each rule's own regex on the message.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "why500/classify.h"
#include "why500/literal_gate.h"

using namespace why500;

namespace {

const RuleSet& DefaultRules() {
  static const std::shared_ptr<const RuleSet> set = *RuleSet::Compile(*LoadRules({}, true));
  return *set;
}

// Every rule that matches `message` and applies, by running each rule's regex on its own.
std::vector<int> OracleMatches(const RuleSet& set, std::string_view message, Format format, std::string_view level) {
  std::vector<int> out;
  for (size_t i = 0; i < set.rules().size(); ++i) {
    if (set.rules()[i].AppliesTo(format, level) && set.Matches(static_cast<int>(i), message)) {
      out.push_back(static_cast<int>(i));
    }
  }
  return out;
}

// Messages from every testdata log, one line each and, for multi-line rules, runs of lines.
std::vector<std::string> TestdataMessages() {
  std::vector<std::string> messages;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(WHY500_SOURCE_DIR "/testdata")) {
    if (!entry.is_regular_file() || entry.path().filename() == "expected" || entry.path().filename() == "args" ||
        entry.path().extension() == ".gz") {
      continue;
    }
    std::ifstream in(entry.path());
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    for (size_t i = 0; i < lines.size(); ++i) {
      messages.push_back(lines[i]);
      if (i % 3 != 0) continue;
      std::string run = lines[i];
      for (size_t j = i + 1; j < lines.size() && j < i + 6; ++j) run += "\n" + lines[j];
      messages.push_back(run);
    }
  }
  return messages;
}

void CheckAgreesWithOracle(const RuleSet& set, const std::string& message, Format format, std::string_view level) {
  std::vector<int> matched;
  const int winner = set.Classify(message, format, level, &matched, RuleSet::Want::kEveryMatch);
  const std::vector<int> oracle = OracleMatches(set, message, format, level);
  INFO("message: " << message);
  REQUIRE(matched == oracle);
  const int evidence = set.Classify(message, format, level, &matched, RuleSet::Want::kEvidence);
  const bool winner_is_evidence = winner >= 0 && !set.rules()[winner].benign();
  if (winner_is_evidence) {
    REQUIRE(evidence == winner);
  } else {
    REQUIRE((evidence < 0 || set.rules()[evidence].benign()));
  }
}

}  // namespace

TEST_CASE("literal gate: finds required literals for nearly every default rule", "[gate]") {
  LiteralGate gate(DefaultRules().rules());
  CHECK(gate.key_count() > 100);
  CHECK(gate.unfiltered_count() <= 3);  // a rule such as `\S` for nginx's [emerg] has none
}

TEST_CASE("literal gate: every rule example and counter-example classifies as without it", "[gate]") {
  const RuleSet& set = DefaultRules();
  for (const Rule& rule : set.rules()) {
    for (const std::string& text : rule.examples) {
      CheckAgreesWithOracle(set, text, Format::kGeneric, "");
      CheckAgreesWithOracle(set, text, Format::kNginxError, "emerg");
      CheckAgreesWithOracle(set, text, Format::kJsonLines, "info");
    }
    for (const std::string& text : rule.counter_examples) CheckAgreesWithOracle(set, text, Format::kGeneric, "error");
  }
}

TEST_CASE("literal gate: every testdata line and run of lines classifies as without it", "[gate]") {
  const RuleSet& set = DefaultRules();
  const std::vector<std::string> messages = TestdataMessages();
  REQUIRE(messages.size() > 500);
  for (size_t i = 0; i < messages.size(); ++i) {
    CheckAgreesWithOracle(set, messages[i], i % 2 ? Format::kGeneric : Format::kNginxError, i % 3 ? "error" : "crit");
  }
}

TEST_CASE("literal gate: case, bytes >= 0x80 and multi-line patterns", "[gate]") {
  auto rules = std::vector<Rule>(3);
  rules[0].id = "t.case";
  rules[0].cause = "app.exception";
  rules[0].pattern = "(?i)kaboom happened";
  rules[1].id = "t.frames";
  rules[1].cause = "app.exception";
  rules[1].pattern = "(?m)^\\w+Error: [^\\n]*\\n\\s+at ";
  rules[2].id = "t.benign";
  rules[2].cause = "none";
  rules[2].pattern = "harmless thing";
  auto set = RuleSet::Compile(rules);
  REQUIRE(set);
  const RuleSet& s = **set;
  // ASCII case folding, and RE2's Unicode folding: the Kelvin sign (U+212A) matches (?i)k.
  for (const std::string m : {"KABOOM HAPPENED here", "x \xE2\x84\xAA" "aboom happened", "caf\xE9 kaboom happened",
                              "TypeError: x is undefined\n    at f (a.js:1:2)", "TypeError: x is undefined at f",
                              "a harmless thing", "", "ka", "kaboom happene"}) {
    CheckAgreesWithOracle(s, m, Format::kGeneric, "error");
  }
  LiteralGate gate(s.rules());
  CHECK_FALSE(gate.MayMatch("a harmless thing", Format::kGeneric, "", true));
  CHECK(gate.MayMatch("a harmless thing", Format::kGeneric, "", false));
  CHECK_FALSE(gate.MayMatch("TypeError: x is undefined at f (a.js:1:2)", Format::kGeneric, "", true));
  CHECK(gate.MayMatch("TypeError: x\n at f", Format::kGeneric, "", true));
}
