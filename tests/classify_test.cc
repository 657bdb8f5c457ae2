// Table tests: whole log lines as servers write them → the cause the default rules must give.
#include <catch2/catch.hpp>

#include "test_support.h"

#include "why500/classify.h"
#include "why500/rule_check.h"
#include "why500/rules.h"

using namespace why500;

namespace {

const RuleSet& Rules() { return *DefaultRuleSet(); }

std::string CauseOf(const std::string& text) {
  const std::vector<int> winners = WinnersForText(Rules(), text);
  // The most specific winner of the text's events, as the report's first group would be.
  int best = -1;
  for (int w : winners) {
    if (w >= 0 && (best < 0 || Rules().rules()[w].priority > Rules().rules()[best].priority)) best = w;
  }
  return best < 0 ? "none" : Rules().rules()[best].cause;
}

struct Row {
  const char* text;
  const char* cause;
};

}  // namespace

TEST_CASE("specific causes beat generic ones", "[classify]") {
  const Row rows[] = {
      // Memory exhaustion inside a PHP fatal, wrapped by nginx: resource.memory, not app.exception.
      {"2026/11/21 10:00:01 [error] 812#812: *4471 FastCGI sent in stderr: \"PHP message: PHP Fatal error:  Allowed "
       "memory size of 268435456 bytes exhausted (tried to allocate 4096 bytes) in "
       "/srv/www/vendor/laravel/framework/src/Illuminate/Support/Collection.php on line 1641\" while reading "
       "response header from upstream, client: 203.0.113.9, server: shop.example, request: \"GET /export "
       "HTTP/1.1\", upstream: \"fastcgi://unix:/run/php/php8.2-fpm.sock:\", host: \"shop.example\"",
       "resource.memory"},
      // A database refusal inside an uncaught exception: database.connect.
      {"[21-Nov-2026 10:00:00 UTC] PHP Fatal error:  Uncaught PDOException: SQLSTATE[HY000] [2002] Connection "
       "refused in /var/www/app/db.php:12\nStack trace:\n#0 /var/www/app/db.php(12): PDO->__construct('mysql:host=...', "
       "'app', Object(SensitiveParameterValue))\n#1 {main}\n  thrown in /var/www/app/db.php on line 12",
       "database.connect"},
      {"[Sat Nov 21 10:00:00.123456 2026] [proxy_fcgi:error] [pid 1:tid 2] [client 198.51.100.4:50312] AH01071: Got "
       "error 'PHP message: PHP Fatal error:  Maximum execution time of 30 seconds exceeded in "
       "/var/www/html/wp-includes/class-wp-query.php on line 3321'",
       "resource.time_limit"},
      {"2026/11/21 10:00:00 [crit] 1234#1234: *5 connect() to unix:/run/php/php8.1-fpm.sock failed (2: No such file "
       "or directory) while connecting to upstream, client: 10.0.0.1, server: _, request: \"GET / HTTP/1.1\", "
       "upstream: \"fastcgi://unix:/run/php/php8.1-fpm.sock:\", host: \"a\"",
       "upstream.connect"},
      {"2026/11/21 10:00:00 [error] 1234#1234: *5 upstream timed out (110: Connection timed out) while reading "
       "response header from upstream, client: 10.0.0.1, server: _, request: \"GET / HTTP/1.1\", upstream: "
       "\"http://127.0.0.1:8000/\", host: \"a\"",
       "upstream.timeout"},
      {"[21-Nov-2026 10:00:00] WARNING: [pool www] server reached pm.max_children setting (10), consider raising it",
       "resource.capacity"},
      {"[21-Nov-2026 10:00:00] WARNING: [pool www] child 4211 exited on signal 11 (SIGSEGV - core dumped) after "
       "12.345678 seconds from start",
       "crash"},
      // Benign lines are no evidence.
      {"2026/11/21 10:00:00 [notice] 1234#1234: signal process started", "none"},
      {"2026/11/21 10:00:00 [error] 1234#1234: *9 open() \"/var/www/html/favicon.ico\" failed (2: No such file or "
       "directory), client: 10.0.0.1, server: _, request: \"GET /favicon.ico HTTP/1.1\", host: \"a\"",
       "none"},
      {"[21-Nov-2026 10:00:00] NOTICE: fpm is running, pid 811", "none"},
  };
  for (const Row& row : rows) {
    INFO(row.text);
    CHECK(CauseOf(row.text) == row.cause);
  }
}

TEST_CASE("a byte of invalid UTF-8 inside the span a rule matches does not hide the line", "[classify]") {
  // RE2 reads UTF-8: a Latin-1 byte matches no \S or `.`, so the socket-missing rule, whose
  // capture crosses the socket path, missed this line entirely.
  const std::string line =
      "connect() to unix:/run/php/caf\xe9-\xff.sock failed (2: No such file or directory) while connecting to "
      "upstream";
  std::vector<int> matched;
  const int winner = Rules().Classify(line, Format::kNginxError, "crit", &matched);
  REQUIRE(winner >= 0);
  CHECK(Rules().rules()[winner].id == "nginx.upstream.connect.socket-missing");
  CHECK(Rules().Matches(winner, line));
  std::vector<Capture> captures;
  size_t start = 99;
  REQUIRE(Rules().Extract(winner, "x " + line, &captures, &start));
  CHECK(start == 2);  // offsets are those of the text as given
  REQUIRE(captures.size() == 1);
  CHECK(captures[0].value == "unix:/run/php/caf?-?.sock");
}

TEST_CASE("classify: patterns whose DFA explodes are told from sound ones", "[classify]") {
  for (const char* bomb : {"(?:a|b)*a(?:a|b){20}", "[a-z]*a[a-z]{18}", "(?s).*x.{24}"}) {
    INFO(bomb);
    CHECK(DfaExplodes(bomb));
  }
  for (const char* sound : {"SQLSTATE\\[\\w{5}\\]", "[0-9a-f]{32}", "status code \\d{3}", "upstream timed out",
                            "(?:a|b)*a(?:a|b){3}"}) {
    INFO(sound);
    CHECK_FALSE(DfaExplodes(sound));
  }
}

TEST_CASE("classify: no built-in rule has an exploding DFA", "[classify][rules]") {
  auto rules = LoadRules({}, true);
  REQUIRE(rules);
  for (const Rule& r : *rules) {
    INFO(r.id);
    CHECK_FALSE(DfaExplodes(r.pattern));
  }
}

TEST_CASE("classify: of several bad rules compiled on many threads, the first in load order is reported", "[classify]") {
  std::vector<Rule> rules(200);
  for (size_t i = 0; i < rules.size(); ++i) {
    rules[i].id = "r" + std::to_string(i);
    rules[i].cause = "app.exception";
    rules[i].source = "many.json";
    rules[i].pattern = "word" + std::to_string(i) + " failed";
  }
  rules[150].pattern = "(unclosed";
  rules[77].pattern = "bad[";
  rules[190].pattern = "also(bad";
  auto set = RuleSet::Compile(rules);
  REQUIRE_FALSE(set);
  CHECK(set.error().message.rfind("many.json: rule 'r77': invalid pattern: ", 0) == 0);
  rules[77].pattern = "fine";
  set = RuleSet::Compile(rules);
  REQUIRE_FALSE(set);
  CHECK(set.error().message.rfind("many.json: rule 'r150': invalid pattern: missing ): (unclosed", 0) == 0);
}

TEST_CASE("classify: a message seen again gets the verdict of its own rule set, format, level and want", "[classify]") {
  // The thread's recent verdicts answer a repeated message: never across rule sets (a new set
  // may even sit where a freed one was), formats or levels a rule is limited to, or wants.
  const auto compile = [](const std::string& pattern, std::vector<std::string> levels) {
    Rule r;
    r.id = "t.rule";
    r.cause = "app.exception";
    r.pattern = pattern;
    r.levels = std::move(levels);
    Rule benign = r;
    benign.id = "t.benign";
    benign.cause = "none";
    benign.levels.clear();
    benign.pattern = "kaboom";
    return *RuleSet::Compile({r, benign});
  };
  const std::string message = "worker kaboom: disk full";
  std::vector<int> matched;
  for (int round = 0; round < 3; ++round) {
    const auto disk = compile("disk full", {"error"});
    CHECK(disk->Classify(message, Format::kGeneric, "error", &matched) == 0);
    CHECK(matched == std::vector<int>{0, 1});
    CHECK(disk->Classify(message, Format::kGeneric, "error", &matched, RuleSet::Want::kEvidence) == 0);
    CHECK(disk->Classify(message, Format::kGeneric, "info", &matched) == 1);  // the rule is for errors only
    CHECK(matched == std::vector<int>{1});
    CHECK(disk->Classify(message, Format::kGeneric, "info", &matched, RuleSet::Want::kEvidence) < 0);
    const auto other = compile("no such thing", {});
    CHECK(other->Classify(message, Format::kGeneric, "error", &matched) == 1);
    CHECK(matched == std::vector<int>{1});
  }
}
