#include <catch2/catch.hpp>
#include <fstream>
#include <set>
#include <unistd.h>

#include "why500/classify.h"
#include "why500/rule_check.h"
#include "why500/rules.h"
#include "why500/taxonomy.h"
#include "test_support.h"

using namespace why500;

namespace {

std::shared_ptr<const RuleSet> DefaultRules() { return DefaultRuleSet(); }

std::string ErrorOf(const std::string& json) {
  auto parsed = ParseRuleFile(json, "user.json");
  if (!parsed) return parsed.error().message;
  auto compiled = RuleSet::Compile(std::move(*parsed));
  return compiled ? "" : compiled.error().message;
}

const char* kValidRule = R"({"id": "my.rule", "cause": "crash", "subcause": "x", "priority": 50,
  "confidence": "high", "pattern": "boom", "hint": "h", "examples": ["boom"], "counter_examples": ["bam"]})";

}  // namespace

TEST_CASE("every default rule's examples win and its counter-examples do not match", "[rules]") {
  const auto rules = DefaultRules();
  REQUIRE(rules->rules().size() > 50);
  const std::vector<RuleProblem> problems = CheckRuleSamples(*rules);
  for (const RuleProblem& p : problems) UNSCOPED_INFO(p.source << ": " << p.rule_id << ": " << p.problem << "\n    " << p.sample);
  CHECK(problems.empty());
}

TEST_CASE("every default rule's pattern compiles, as the rule set compiles them only when needed", "[rules]") {
  auto loaded = LoadRules({}, true);
  REQUIRE(loaded.ok());
  for (const Rule& r : *loaded) {
    INFO(r.id);
    CHECK(r.built_in);
    re2::RE2::Options options;
    options.set_log_errors(false);
    const re2::RE2 re(r.pattern, options);
    CHECK(re.ok());
  }
}

TEST_CASE("every default rule carries examples and counter-examples", "[rules]") {
  for (const Rule& r : DefaultRules()->rules()) {
    INFO(r.id);
    CHECK(r.examples.size() >= 1);
    CHECK(r.counter_examples.size() >= 1);
    CHECK((IsKnownCause(r.cause) || r.benign()));
  }
}

TEST_CASE("the default rules cover every cause of the taxonomy", "[rules]") {
  std::set<std::string> covered;
  for (const Rule& r : DefaultRules()->rules()) covered.insert(r.cause);
  for (std::string_view id : CauseIds()) {
    INFO(id);
    CHECK(covered.count(std::string(id)) == 1);
  }
}

TEST_CASE("the RE2::Set agrees with each rule's own regex on every sample", "[rules]") {
  const auto rules = DefaultRules();
  std::vector<int> matched;
  for (const Rule& r : rules->rules()) {
    for (const auto* samples : {&r.examples, &r.counter_examples}) {
      for (const std::string& text : *samples) {
        rules->Classify(text, Format::kGeneric, "", &matched);
        std::vector<int> slow;
        for (size_t i = 0; i < rules->rules().size(); ++i) {
          if (rules->rules()[i].AppliesTo(Format::kGeneric, "") && rules->Matches(static_cast<int>(i), text)) {
            slow.push_back(static_cast<int>(i));
          }
        }
        INFO(text);
        CHECK(matched == slow);
      }
    }
  }
}

TEST_CASE("rule ids are unique across the default files", "[rules]") {
  std::set<std::string> ids;
  for (const EmbeddedRuleFile& f : EmbeddedRuleFiles()) {
    auto parsed = ParseRuleFile(f.text, f.name);
    REQUIRE(parsed.ok());
    for (const Rule& r : *parsed) {
      INFO(r.id);
      CHECK(ids.insert(r.id).second);
    }
  }
}

TEST_CASE("rule loading errors name the file, the rule and the problem", "[rules]") {
  CHECK(ErrorOf(std::string("[") + kValidRule + "]").empty());
  CHECK(ErrorOf("{\"rules\": [") .rfind("user.json:1:", 0) == 0);
  CHECK(ErrorOf("{\"rules\": [\n{\"id\": 1,}\n]}").find("not valid JSON") != std::string::npos);
  std::string bad_cause = kValidRule;
  bad_cause.replace(bad_cause.find("\"crash\""), 7, "\"upstream.conect\"");
  CHECK(ErrorOf("[" + bad_cause + "]") ==
        "user.json: rule 'my.rule': unknown cause 'upstream.conect' (did you mean 'upstream.connect'?)");
  std::string bad_regex = kValidRule;
  bad_regex.replace(bad_regex.find("\"boom\""), 6, "\"(unclosed\"");
  CHECK(ErrorOf("[" + bad_regex + "]") ==
        "user.json: rule 'my.rule': invalid pattern: missing ): (unclosed (at '(unclosed')");
  std::string lookahead = kValidRule;
  lookahead.replace(lookahead.find("\"boom\""), 6, "\"a(?=b)\"");
  CHECK(ErrorOf("[" + lookahead + "]").find("invalid pattern: invalid perl operator: (?=") != std::string::npos);
  std::string unknown_field = kValidRule;
  unknown_field.replace(unknown_field.find("\"hint\""), 6, "\"hnt\"");
  CHECK(ErrorOf("[" + unknown_field + "]").find("unknown field 'hnt'") != std::string::npos);
  std::string priority = kValidRule;
  priority.replace(priority.find("50"), 2, "500");
  CHECK(ErrorOf("[" + priority + "]").find("'priority' must be an integer 0..100") != std::string::npos);
  CHECK(ErrorOf(std::string("[") + kValidRule + "," + kValidRule + "]").find("duplicate rule id") !=
        std::string::npos);
}

TEST_CASE("a user rule with an existing id replaces the default in place", "[rules]") {
  const Rule& first = DefaultRules()->rules().front();
  const std::string path = "/tmp/why500-override-" + std::to_string(::getpid()) + ".json";
  {
    std::ofstream out(path);
    out << R"({"rules": [{"id": ")" << first.id
        << R"(", "cause": "crash", "subcause": "mine", "priority": 1, "confidence": "low", "pattern": "zzz",
        "hint": "h", "examples": ["zzz"], "counter_examples": ["yyy"]}]})";
  }
  auto loaded = LoadRules({path}, true);
  std::remove(path.c_str());
  REQUIRE(loaded.ok());
  CHECK(loaded->size() == DefaultRules()->rules().size());
  CHECK(loaded->front().id == first.id);
  CHECK(loaded->front().subcause == "mine");
  CHECK(loaded->front().source == path);
}

TEST_CASE("a number JSON cannot hold is an error, not an exception", "[rules][fuzz]") {
  // Found by fuzz/fuzz_rules.cc: nlohmann throws out_of_range (not parse_error) for "1e400".
  CHECK(ErrorOf("1e400") == "user.json: not valid JSON: number overflow parsing '1e400'");
  CHECK(ErrorOf(std::string("[") + kValidRule + ", {\"id\": \"x\", \"priority\": 1e400}]").find("not valid JSON") !=
        std::string::npos);
}
