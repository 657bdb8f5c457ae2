#include "why500/template.h"

#include <catch2/catch.hpp>

using namespace why500;

namespace {
std::string T(std::string_view s) {
  std::string out;
  MakeTemplate(s, &out);
  return out;
}
}  // namespace

TEST_CASE("numbers, paths and sizes are masked; errno stays", "[template]") {
  CHECK(T("connect() to unix:/run/php/php8.2-fpm.sock failed (2: No such file or directory) while connecting to "
          "upstream") ==
        "connect() to unix:<path> failed (2: No such file or directory) while connecting to upstream");
  CHECK(T("PHP Fatal error:  Allowed memory size of 134217728 bytes exhausted (tried to allocate 20480 bytes) in "
          "/var/www/a.php on line 12") ==
        "PHP Fatal error: Allowed memory size of <n> bytes exhausted (tried to allocate <n> bytes) in <path> on "
        "line <n>");
}

TEST_CASE("lines differing only in variable parts share a template", "[template]") {
  CHECK(T("upstream timed out (110: Connection timed out) while reading response header from upstream 10.0.0.1:9000") ==
        T("upstream timed out (110: Connection timed out) while reading response header from upstream 10.0.0.7:9001"));
  CHECK(T("request 3f2a9c1e-0b7d-4c1e-9f2a-1234567890ab failed after 31.2 sec") ==
        "request <uuid> failed after <n> sec");
  CHECK(T("object 0x7f3a2b10 freed; hash deadbeef1234") == "object <hex> freed; hash <hex>");
  CHECK(T("GET http://127.0.0.1:8080/api/v1 failed") == "GET <url> failed");
}

TEST_CASE("different exceptions stay different", "[template]") {
  CHECK(T("PHP Fatal error:  Uncaught TypeError: foo") != T("PHP Fatal error:  Uncaught ValueError: foo"));
  CHECK(T("AH01071: Got error") == "AH01071: Got error");  // codes inside words are kept
  CHECK(T("php8.2-fpm") == "php8.2-fpm");
}

TEST_CASE("templates are bounded and single-line", "[template]") {
  const std::string longmsg(5000, 'a');
  CHECK(T(longmsg).size() <= kMaxTemplateBytes);
  CHECK(T("first line\nsecond line") == "first line");
  CHECK(LineAt("one\ntwo\nthree", 5) == "two");
  CHECK(LineAt("one\ntwo\nthree", 0) == "one");
  CHECK(LineAt("one\ntwo\nthree", 8) == "three");
}

TEST_CASE("timestamps inside a message are one token, so the hour does not split groups", "[template]") {
  CHECK(T("2026-11-21T10:59:41.123+00:00 ERROR 1 --- [nio-8080-exec-1] HikariPool-1 - Connection is not available") ==
        T("2026-11-21T11:00:02.004+00:00 ERROR 1 --- [nio-8080-exec-7] HikariPool-1 - Connection is not available"));
  CHECK(T("[2026-11-21 10:00:00 +0000] [8] [CRITICAL] WORKER TIMEOUT (pid:12)") ==
        "[<time>] [<n>] [CRITICAL] WORKER TIMEOUT (pid:<n>)");
  CHECK(T("at 2026-11-21 10:00:00,123 the job failed") == "at <time> the job failed");
}

TEST_CASE("short hex offsets do not split a crash into groups", "[template]") {
  CHECK(T("php-fpm8.2[51615]: segfault at 0 ip 00007f43bff13d sp 00007ffdf37b75e8 error 4 in opcache.so[7f1e18159+8160e]") ==
        T("php-fpm8.2[58307]: segfault at 0 ip 00007fefefc423 sp 00007ffdb8b22b8a error 4 in opcache.so[7fdbff529+3e1db]"));
  CHECK(T("a dead beef cafe") == "a dead beef cafe");  // words made of hex letters stay
}
