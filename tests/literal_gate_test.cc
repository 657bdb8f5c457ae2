// The literal gate must never change what the rule set answers: every test here compares the
// gated Classify with an oracle that runs each rule's own regex on the message.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <utility>

#include "why500/classify.h"
#include "why500/gate_keys.h"
#include "why500/literal_gate.h"
#include "test_random.h"

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
  // Where the winner's match starts, as the classify step asks for a multi-line message: the
  // gate may start a one-line rule's search at the line of its first key, which must not move it.
  size_t start = std::string_view::npos;
  const int evidence = set.Classify(message, format, level, &matched, RuleSet::Want::kEvidence, &start);
  const bool winner_is_evidence = winner >= 0 && !set.rules()[winner].benign();
  if (winner_is_evidence) {
    REQUIRE(evidence == winner);
    size_t oracle_start = std::string_view::npos;
    REQUIRE(set.Extract(winner, message, nullptr, &oracle_start));
    if (start != std::string_view::npos) REQUIRE(start == oracle_start);
  } else {
    REQUIRE((evidence < 0 || set.rules()[evidence].benign()));
  }
}

// Rules of cause app.exception (or "none" for a benign one), from {id, pattern} pairs.
std::vector<Rule> RulesOf(const std::vector<std::pair<std::string, std::string>>& id_patterns) {
  std::vector<Rule> rules;
  for (const auto& [id, pattern] : id_patterns) {
    Rule r;
    r.id = id;
    r.cause = id == "t.benign" ? "none" : "app.exception";
    r.pattern = pattern;
    rules.push_back(std::move(r));
  }
  return rules;
}

}  // namespace

TEST_CASE("literal gate: finds required literals for nearly every default rule", "[gate]") {
  LiteralGate gate(DefaultRules().rules());
  CHECK(gate.key_count() > 100);
  CHECK(gate.unfiltered_count() <= 3);  // a rule such as `\S` for nginx's [emerg] has none
}

TEST_CASE("literal gate: the keys learnt at build time are those learnt at run time", "[gate]") {
  std::map<std::pair<std::string, bool>, const GateKeys*> built;
  for (const BuiltInGateKeysEntry& e : BuiltInGateKeysEntries()) {
    built[{std::string(e.pattern), e.one_line}] = &e.learnt;
  }
  size_t filtered = 0;
  for (const Rule& rule : DefaultRules().rules()) {
    for (const bool one_line : {true, false}) {
      INFO(rule.id << (one_line ? " (one line)" : " (multi-line)"));
      const auto it = built.find({rule.pattern, one_line});
      REQUIRE(it != built.end());  // every built-in rule is learnt at build time
      const GateKeys learnt = LearnGateKeys(rule.pattern, one_line);
      CHECK(*it->second == learnt);
      filtered += learnt.keys.empty() ? 0 : 1;
    }
  }
  CHECK(filtered > DefaultRules().rules().size());  // most rules have keys in both modes
}

TEST_CASE("literal gate: a user rule's keys are learnt when the gate is built", "[gate]") {
  // No built-in rule has this pattern: the gate learns its key, "failed zxqv_marker ", and files
  // it under its rarest four bytes (not "fail", which fills real logs): the key is then found
  // at the text's start, in its middle and at its end, and not when cut short.
  std::vector<Rule> rules = DefaultRules().rules();
  Rule user;
  user.id = "user.marker";
  user.cause = "app.exception";
  user.pattern = "(?i)failed zxqv_marker \\d+";
  rules.push_back(user);
  const LiteralGate gate(rules);
  const int user_index = static_cast<int>(rules.size() - 1);
  const auto is_candidate = [&](const std::string& text) {
    std::vector<int> candidates;
    gate.Candidates(text, Format::kGeneric, "", false, 64, &candidates);
    return std::find(candidates.begin(), candidates.end(), user_index) != candidates.end();
  };
  CHECK(is_candidate("FAILED ZXQV_MARKER 42"));
  CHECK(is_candidate("job 7 failed zxqv_marker 42"));
  CHECK(is_candidate("x failed zxqv_marker "));
  CHECK_FALSE(is_candidate("failed zxqv marker 42"));
  CHECK_FALSE(is_candidate("ailed zxqv_marker 42"));
  CHECK_FALSE(is_candidate("job 7 failed zxqv_marker"));
}

TEST_CASE("literal gate: a key alone lets its rule through only with one of its companions", "[gate]") {
  // Any match holds qalphaz or vgammay (the keys); one that holds qalphaz and not
  // vgammay holds jbetax too (its companion). vgammay alone may match.
  const std::string pattern = "qalphaz.*jbetax|vgammay";
  const GateKeys learnt = LearnGateKeys(pattern, true);
  CHECK(learnt.keys == std::vector<std::string>{"qalphaz", "vgammay"});
  CHECK(learnt.companions == std::vector<std::vector<std::string>>{{"jbetax"}, {}});

  auto set = RuleSet::Compile(RulesOf({{"t.pair", pattern}}));
  REQUIRE(set);
  const LiteralGate gate((*set)->rules());
  const auto verdict = [&](const std::string& text) {
    std::vector<int> candidates;
    return gate.Candidates(text, Format::kGeneric, "", false, 64, &candidates);
  };
  CHECK(verdict("qalphaz, and nothing after") == LiteralGate::Verdict::kNone);
  CHECK(verdict("jbetax then qalphaz") == LiteralGate::Verdict::kFew);  // RE2 says no, the gate cannot
  CHECK(verdict("qalphaz then jbetax") == LiteralGate::Verdict::kFew);
  CHECK(verdict("vgammay") == LiteralGate::Verdict::kFew);
  CHECK(verdict("QALPHAZ, VGAMMAY") == LiteralGate::Verdict::kFew);  // two keys: companions learnt without
  // Random text over the literals and their pieces: the gate never hides a match.
  const std::vector<std::string> pieces = {"qalphaz", "jbetax", "vgammay", "qalp", "haz", "JBETAX", " ", "\n"};
  TestRandom random(7);
  for (int n = 0; n < 2000; ++n) {
    CheckAgreesWithOracle(**set, random.Join(7, [&] { return pieces[random.Next() % pieces.size()]; }),
                          Format::kGeneric, "error");
  }
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
  const std::vector<Rule> rules = RulesOf({{"t.case", "(?i)kaboom happened"},
                                           {"t.frames", "(?m)^\\w+Error: [^\\n]*\\n\\s+at "},
                                           {"t.benign", "harmless thing"}});
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

TEST_CASE("literal gate: text with bytes >= 0x80 is gated as RE2 folds and masks it", "[gate]") {
  const std::vector<Rule> rules = RulesOf({{"t.fold", "(?i)disk is full"},
                                           {"t.masked", "index\\.php\\?page="},
                                           {"t.unicode", "Datenbank nicht erreichbar|base de données indisponible"},
                                           {"t.plain", "kaboom"}});
  auto set = RuleSet::Compile(rules);
  REQUIRE(set);
  const RuleSet& s = **set;
  LiteralGate gate(s.rules());
  std::vector<int> candidates;
  // Non-ASCII text without any key leaves only the rule with a non-ASCII literal, which the
  // scan does not look for; with that rule gone, none.
  CHECK(gate.Candidates("caf\xC3\xA9 au lait, na\xC3\xAFve r\xC3\xA9sum\xC3\xA9", Format::kGeneric, "", false, 16,
                        &candidates) == LiteralGate::Verdict::kFew);
  CHECK(candidates == std::vector<int>{2});
  const std::vector<Rule> ascii_rules = {rules[0], rules[1], rules[3]};
  CHECK(LiteralGate(ascii_rules).Candidates("caf\xC3\xA9 au lait, r\xC3\xA9sum\xC3\xA9 \xFF", Format::kGeneric, "",
                                            false, 16, &candidates) == LiteralGate::Verdict::kNone);
  CHECK(gate.Candidates("\xE2\x80\x94 kaboom \xE2\x80\x94", Format::kGeneric, "", false, 16, &candidates) ==
        LiteralGate::Verdict::kFew);
  CHECK(candidates == std::vector<int>{2, 3});  // the rule with a non-ASCII literal, and the key
  // The long s (U+017F) is (?i)s and the Kelvin sign (U+212A) (?i)k to RE2; an invalid byte is
  // matched as '?'. Every message here must classify as each rule's own regex says.
  const std::string long_s = "\xC5\xBF", kelvin = "\xE2\x84\xAA";
  for (const std::string& m : std::vector<std::string>{"DI" + long_s + "K IS FULL", "di" + long_s + "k i" + long_s + " full",
                              "disk is full at " + kelvin + "elvin", "ka" + kelvin.substr(0, 2) + "boom",
                              "GET /index.php\xFFpage=2", "GET /index.php\xC3page=2", "GET /index.php?page=2 \xFF",
                              "die Datenbank nicht erreichbar", "base de donn\xC3\xA9" "es indisponible",
                              "base de donn\xE9" "es indisponible", "kaboom \xF0\x9F\x92\xA5", "\xC3\xA9"}) {
    CheckAgreesWithOracle(s, m, Format::kGeneric, "error");
  }
  // Random text over the folded, masked and plain bytes: the gate never hides a match.
  const std::vector<std::string> pieces = {"dis", "k is", " full", "D", "I", "S", "K", long_s, kelvin, "\xFF",
                                           "\xC3\xA9", "index.php", "?", "page=", "kaboom", " ", "\xE2\x84"};
  uint64_t state = 42;
  for (int n = 0; n < 3000; ++n) {
    std::string m;
    for (int k = 0; k < 8; ++k) {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      m += pieces[(state >> 33) % pieces.size()];
    }
    CheckAgreesWithOracle(s, m, Format::kGeneric, "error");
  }
}
