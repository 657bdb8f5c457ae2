#include "why500/pattern_lines.h"

#include <catch2/catch.hpp>
#include <re2/re2.h>

#include <string>

#include "why500/rules.h"
#include "test_random.h"

using namespace why500;

TEST_CASE("pattern lines: patterns that cannot match a newline", "[pattern_lines]") {
  for (const char* p : {"Allowed memory size of (?P<limit>\\d+) bytes exhausted", "(?i)kaboom\\.? happened",
                        "connect\\(\\) to \\S+ failed", "[^\\n]*refused", "[^)\\n]*", "[^\\s]+", "a.b",
                        "(?m)^Fatal error: (?:Uncaught )?\\w+$", "(?i:x|y)\\b", "[a-z0-9_]+\\t[ -~]", "[]a]",
                        "[^]\\n]", "(?P<scope>s+)", "\\A\\[pid \\d+\\]\\z"}) {
    INFO(p);
    CHECK(NeverMatchesNewline(p));
  }
}

TEST_CASE("pattern lines: patterns that may match one, or that it cannot tell", "[pattern_lines]") {
  for (const char* p : {"a\\s+b", "a\\nb", "[^)]*", "[^']+", "(?s)a.*b", "(?sm)a.b", "(?-s)a.b", "(?is:a.b)",
                        "\\x0a", "\\x{a}", "\\pC", "\\p{Cc}", "\\PL", "\\D", "\\W", "\\C", "\\Q\n\\E", "[\\t-\\r]",
                        "[[:space:]]", "[\\n]", "[\\s]", "a\nb", "[\x01-\x7f]", "\\v", "\\12", "[^\\S]",
                        "unclosed [", "trailing \\", "(?<n>\\n)", "(?x:a)"}) {
    INFO(p);
    CHECK_FALSE(NeverMatchesNewline(p));
  }
}

// The analysis is only worth anything if it is sound: no match of a pattern it passes may hold a
// newline. Every built-in pattern it passes is run over text that puts newlines everywhere.
TEST_CASE("pattern lines: no match of a built-in pattern judged one-line holds a newline", "[pattern_lines]") {
  auto rules = LoadRules({}, true);
  REQUIRE(rules);
  TestRandom random(11);
  size_t one_line = 0;
  for (const Rule& rule : *rules) {
    if (!NeverMatchesNewline(rule.pattern)) continue;
    ++one_line;
    const re2::RE2 re(rule.pattern);
    REQUIRE(re.ok());
    for (const std::string& example : rule.examples) {
      // The example with a newline in place of each blank, one at a time, and before and after.
      for (size_t i = 0; i <= example.size(); ++i) {
        std::string text = example;
        if (i < text.size() && text[i] != ' ' && random.Next() % 4 != 0) continue;
        if (i < text.size()) {
          text[i] = '\n';
        } else {
          text = "x\n" + example + "\ny";
        }
        re2::StringPiece match;
        if (re.Match(text, 0, text.size(), re2::RE2::UNANCHORED, &match, 1)) {
          INFO(rule.id << ": " << text);
          CHECK(std::string(match.data(), match.size()).find('\n') == std::string::npos);
        }
      }
    }
  }
  CHECK(one_line > 200);  // most built-in rules keep to one line
}
