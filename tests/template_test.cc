#include "why500/template.h"
#include "why500/text.h"

#include <catch2/catch.hpp>

using namespace why500;

namespace {
std::string T(std::string_view s) {
  std::string out;
  MakeTemplate(s, &out);
  return out;
}

// Two messages that must land in one group, and why.
void Same(std::string_view a, std::string_view b, std::string_view why) {
  INFO(why);
  INFO("a: " << a);
  INFO("b: " << b);
  CHECK(T(a) == T(b));
}

// Two messages that must stay two groups, and why.
void Apart(std::string_view a, std::string_view b, std::string_view why) {
  INFO(why);
  INFO("a: " << a);
  INFO("b: " << b);
  CHECK(T(a) != T(b));
}
}  // namespace

TEST_CASE("numbers, paths and sizes are masked, errno stays", "[template]") {
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
  CHECK(T("AH01067: Failed to read FastCGI header, ") == "AH01067: Failed to read FastCGI header");
  Same("\x1b[33mWARNING\x1b[0m [pool www] server reached pm.max_children setting (5), consider raising it",
       "WARNING [pool www] server reached pm.max_children setting (5), consider raising it",
       "terminal colours are not part of a message");
  CHECK(LineAt("one\ntwo\nthree", 5) == "two");
  CHECK(LineAt("one\ntwo\nthree", 0) == "one");
  CHECK(LineAt("one\ntwo\nthree", 8) == "three");
  // Masks never push a template past the bound, wherever the cut falls.
  std::string masks;
  for (int k = 0; k < 300; ++k) masks += "GET /x 10.0.0.1 120ms 'a@b.cd' ";
  CHECK(T(masks).size() <= kMaxTemplateBytes);
  std::string dashes;
  for (int k = 0; k < 20000; ++k) dashes += "a-";
  CHECK(T(dashes).size() <= kMaxTemplateBytes);  // and runs in linear time (no rescans per word)
}

TEST_CASE("timestamps inside a message are one token, so the hour does not split groups", "[template]") {
  CHECK(T("2026-11-21T10:59:41.123+00:00 ERROR 1 --- [nio-8080-exec-1] HikariPool-1 - Connection is not available") ==
        T("2026-11-21T11:00:02.004+00:00 ERROR 1 --- [nio-8080-exec-7] HikariPool-1 - Connection is not available"));
  CHECK(T("[2026-11-21 10:00:00 +0000] [8] [CRITICAL] WORKER TIMEOUT (pid:12)") ==
        "[<time>] [<n>] [CRITICAL] WORKER TIMEOUT (pid:<n>)");
  CHECK(T("at 2026-11-21 10:00:00,123 the job failed") == "at <time> the job failed");
  // Prefixes of other formats that reach a message (pasted or wrapped lines): the day name and
  // the month must not split a group either.
  CHECK(T("[Fri May 17 22:40:02.935428 2019] [proxy:error] [pid 2340:tid 140396035159808] (111)Connection "
          "refused: AH00957: FCGI: attempt to connect to 127.0.0.1:9000 (*) failed") ==
        "[<time>] [proxy:error] [pid <n>:tid <n>] (111)Connection refused: AH00957: FCGI: attempt to connect to "
        "<ip> (*) failed");
  Same("[Fri May 17 22:40:02.935428 2019] [core:error] AH00124: Request exceeded the limit of 10 internal redirects",
       "[Sat Jun  1 03:00:00.000001 2019] [core:error] AH00124: Request exceeded the limit of 10 internal redirects",
       "Apache 2.4 time prefix: weekday and month vary");
  CHECK(T("[21-Nov-2026 10:00:00] WARNING: [pool www] seems busy") == "[<time>] WARNING: [pool www] seems busy");
  CHECK(T("1.2.3.4 - - [21/Nov/2026:10:00:00 +0000] \"GET / HTTP/1.1\" 502") ==
        "<ip> - - [<time>] \"GET <path> HTTP/<n>\" <n>");
  CHECK(T("Nov 21 10:00:00 web1 kernel: oom") == "<time> web1 kernel: oom");
  CHECK(T("took 10:00 minutes") == "took <n>:<n> minutes");  // not a clock without seconds
}

TEST_CASE("short hex offsets do not split a crash into groups", "[template]") {
  CHECK(T("php-fpm8.2[51615]: segfault at 0 ip 00007f43bff13d sp 00007ffdf37b75e8 error 4 in opcache.so[7f1e18159+8160e]") ==
        T("php-fpm8.2[58307]: segfault at 0 ip 00007fefefc423 sp 00007ffdb8b22b8a error 4 in opcache.so[7fdbff529+3e1db]"));
  CHECK(T("a dead beef cafe") == "a dead beef cafe");  // words made of hex letters stay
}

TEST_CASE("addresses: IPv4 and IPv6 with their ports are one mask, host names stay", "[template]") {
  CHECK(T("connect() to [2001:db8::10]:9000 failed (111: Connection refused) while connecting to upstream") ==
        "connect() to <ip> failed (111: Connection refused) while connecting to upstream");
  Same("connect() to [::1]:9000 failed (111: Connection refused) while connecting to upstream",
       "connect() to 10.0.0.7:9000 failed (111: Connection refused) while connecting to upstream",
       "nginx writes an IPv6 upstream in brackets; the address family is not the cause");
  Same("[client 2001:db8:0:0:1:0:0:1] AH01630: client denied by server configuration",
       "[client 203.0.113.9:51234] AH01630: client denied by server configuration", "the client is request data");
  CHECK(T("peer fe80::1ff:fe23:4567:890a%eth0 and ::ffff:192.0.2.128 gone") == "peer <ip> and <ip> gone");
  // Not addresses: C++/PHP scopes, clocks without "::", MAC-like runs.
  CHECK(T("Foo::add() v8::internal::Heap") == "Foo::add() v8::internal::Heap");
  CHECK(T("App\\Checkout\\Money::__construct()") == "App\\Checkout\\Money::__construct()");
  // An upstream's host name is configuration and names which dependency failed; its port varies less
  // but is masked like every port.
  CHECK(T("Error: Redis connection to redis:6379 failed - connect ECONNREFUSED 172.18.0.4:6379") ==
        "Error: Redis connection to redis:<n> failed - connect ECONNREFUSED <ip>");
  Apart("php_network_getaddresses: getaddrinfo for mysql-primary failed: Name or service not known",
        "php_network_getaddresses: getaddrinfo for redis-cache failed: Name or service not known",
        "two different dependencies that cannot be resolved are two problems");
}

TEST_CASE("source locations: file and line vary, the failure does not", "[template]") {
  Same("PHP Fatal error:  Allowed memory size of 134217728 bytes exhausted (tried to allocate 20480 bytes) in "
       "/var/www/html/wp-includes/class-wpdb.php on line 2351",
       "PHP Fatal error:  Allowed memory size of 268435456 bytes exhausted (tried to allocate 4096 bytes) in "
       "/srv/shop/vendor/laravel/framework/src/Illuminate/Support/Collection.php on line 87",
       "the issue's example: thousands of memory-limit fatals in different scripts are one cause");
  Same("PHP Fatal error:  Uncaught Error: Call to a member function getId() on null in /var/www/app/src/A.php:42",
       "PHP Fatal error:  Uncaught Error: Call to a member function getId() on null in /var/www/app/src/B.php:7",
       "PHP 8's file:line form");
  Same("Fatal error: Maximum execution time of 30 seconds exceeded in C:\\xampp\\htdocs\\shop\\inc\\install.php on line 42",
       "Fatal error: Maximum execution time of 60 seconds exceeded in C:\\xampp\\htdocs\\shop\\lib\\db.php on line 7",
       "Windows paths are paths");
  Same("\tat com.example.shop.OrderService.place(OrderService.java:123)",
       "\tat com.example.shop.OrderService.place(OrderService.java:98)", "a Java frame's line number varies by build");
  Apart("\tat com.example.shop.OrderService.place(OrderService.java:123)",
        "\tat com.example.shop.PaymentService.charge(PaymentService.java:123)", "different frames are different code");
  Same("  File \"/app/shop/views.py\", line 12, in checkout", "  File \"/srv/releases/42/shop/views.py\", line 40, in checkout",
       "a Python frame: the path (release folder) and line vary");
  Same("    at Object.<anonymous> (/app/server.js:10:5)", "    at Object.<anonymous> (/srv/api/server.js:212:17)",
       "a Node frame");
}

TEST_CASE("durations and sizes are masked with their unit, which varies with the magnitude", "[template]") {
  Same("context deadline exceeded (Client.Timeout exceeded while awaiting headers) after 1.5s",
       "context deadline exceeded (Client.Timeout exceeded while awaiting headers) after 999.2ms",
       "Go prints a duration in the unit that fits it");
  CHECK(T("http: proxy error: dial tcp: i/o timeout after 1m30.5s") == "http: proxy error: dial tcp: i/o timeout after <dur>");
  CHECK(T("Knex: Timeout acquiring a connection after 60000ms, 5.012s or 120µs") ==
        "Knex: Timeout acquiring a connection after <dur>, <dur> or <dur>");
  Same("Memory cgroup out of memory: Killed process 4711 (php-fpm8.2) total-vm:512340kB, anon-rss:262144kB",
       "Memory cgroup out of memory: Killed process 912 (php-fpm8.2) total-vm:1048576kB, anon-rss:900112kB",
       "the kernel OOM killer: pid and sizes vary, the victim's name does not");
  Same("upload of 1.5 GB exceeds limit of 512MB", "upload of 900 MB exceeds limit of 2G", "sizes, spelt out or not");
  CHECK(T("[pool www] child 120, script '/var/www/index.php' (request: \"GET /index.php\") executing too slow "
          "(31.2 sec), logging") ==
        "[pool www] child <n>, script '<path>' (request: \"GET <path>\") executing too slow (<n> sec), logging");
  // Not units: codes where digits run into letters stay whole.
  CHECK(T("SQLSTATE[42S22]: Column not found: 1054 Unknown column 'o.coupon_code' in 'field list'") ==
        "SQLSTATE[42S22]: Column not found: <n> Unknown column 'o.coupon_code' in 'field list'");
  CHECK(T("too many 5xx on the 3rd try") == "too many 5xx on the 3rd try");
  CHECK(T("java -Xmx512m") == "java -Xmx512m");
}

TEST_CASE("nginx connection ids, pid#tid and pointers", "[template]") {
  Same("2026/11/21 10:00:00 [error] 1914#1914: *349524 upstream prematurely closed connection while reading response "
       "header from upstream",
       "2026/11/21 10:04:13 [error] 1067#1067: *12 upstream prematurely closed connection while reading response "
       "header from upstream",
       "an nginx prefix that reached the message (a wrapper) varies in time, pid#tid and *connection");
  CHECK(T("*349524 limiting requests, excess: 1.495 by zone \"one\"") == "*<n> limiting requests, excess: <n> by zone \"one\"");
  Same("1: 0xb090e0 node::Abort() [node]", "1: 0xa3ad50 node::Abort() [node]", "code addresses differ per build");
}

TEST_CASE("e-mail addresses, long tokens and request data are masked", "[template]") {
  Same("Failed to send mail to jane.doe+news@example.com: Connection timed out",
       "Failed to send mail to bob@shop.example.org: Connection timed out", "the recipient is request data");
  CHECK(T("SQLSTATE[42S02]: Base table or view not found: 1146 Table 'solder.users' doesn't exist (SQL: select * from "
          "`users` where `email` = admin@admin.com limit 1)") ==
        "SQLSTATE[42S02]: Base table or view not found: <n> Table 'solder.users' doesn't exist (SQL: select * from "
        "`users` where `email` = <email> limit <n>)");
  Same("ModSecurity: Request body (Content-Length) is larger than the configured limit (13107200). [hostname "
       "\"www.example.com\"] [uri \"/upload\"] [unique_id \"VjMPyqwxQzZrjDjiLUkAAAAj\"]",
       "ModSecurity: Request body (Content-Length) is larger than the configured limit (13107200). [hostname "
       "\"www.example.com\"] [uri \"/upload\"] [unique_id \"ZVx2cKwfJ8cAAB3aLkYAAAAM\"]",
       "mod_unique_id's base64 id is per request");
  Same("session 3lq1hbn4u0pq0c6ph0e2c6h8g2 expired; token eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9 rejected",
       "session k2v9a8s7d6f5g4h3j2k1l0q9w8 expired; token eyJhbGciOiJSUzI1NiIsImtpZCI6IjEyMyJ9 rejected",
       "session ids and JWTs are per user");
  // Identifiers are not tokens, however long.
  CHECK(T("org.hibernate.exception.internal.SQLExceptionTypeDelegate X509TrustManagerImpl "
          "ngx_http_upstream_jdomain_module Http2ServerConnectionHandler sha256WithRSAEncryption") ==
        "org.hibernate.exception.internal.SQLExceptionTypeDelegate X509TrustManagerImpl "
        "ngx_http_upstream_jdomain_module Http2ServerConnectionHandler sha256WithRSAEncryption");
  CHECK(T("connection to server at \"db\" failed for user mqtt@test_mqtt") ==
        "connection to server at \"db\" failed for user mqtt@test_mqtt");  // user@database, no domain
}

TEST_CASE("query strings are request data, request methods stay", "[template]") {
  Same("rewrite or internal redirection cycle while internally redirecting to \"/index.php?q=/foo&ref=abc\"",
       "rewrite or internal redirection cycle while internally redirecting to \"/index.php?id=123\"",
       "the query string is part of the path");
  Same("[pool www] child 8812, script '/var/www/shop/index.php' (request: \"GET /index.php?id=5\") execution timed "
       "out (30.012345 sec), terminating",
       "[pool www] child 8813, script '/var/www/shop/cart.php' (request: \"GET /cart.php\") execution timed out "
       "(30.001 sec), terminating",
       "the script and its URL vary per request");
  Apart("[pool www] child 8812, script '/var/www/shop/index.php' (request: \"GET /index.php\") execution timed "
        "out (30.012345 sec), terminating",
        "[pool www] child 8813, script '/var/www/shop/index.php' (request: \"POST /index.php\") execution timed out "
        "(30.001 sec), terminating",
        "methods are few, and reads and writes often fail apart: POSTs stuck on a lock while GETs are fine, "
        "or slow GETs that begin at the onset next to chronic slow POSTs");
  CHECK(T("1.2.3.4 - - [21/Nov/2026:10:00:00 +0000] \"GET / HTTP/1.1\" 502") ==
        T("1.2.3.4 - - [21/Nov/2026:10:00:00 +0000] \"GET /shop HTTP/1.1\" 502"));  // the root is a path too
  Same("Internal Server Error: /api/v1/orders/1842", "Internal Server Error: /api/v1/orders/77", "Django's 500 line");
}

TEST_CASE("quoted names that tell causes apart stay, quoted input values are masked", "[template]") {
  // Names set by code or configuration are few, and each is a different fix.
  Apart("PHP Fatal error:  Uncaught Error: Class \"App\\Models\\Invoice\" not found in /var/www/app/src/Billing.php:12",
        "PHP Fatal error:  Uncaught Error: Class \"Predis\\Client\" not found in /var/www/app/src/Cache.php:30",
        "a missing app class (bad deploy) and a missing vendor class (composer install) are two fixes");
  Apart("ModuleNotFoundError: No module named 'celery'", "ModuleNotFoundError: No module named 'redis'",
        "two missing packages");
  Apart("Error: Cannot find module 'express'", "Error: Cannot find module './config/production'",
        "a missing dependency and a missing config file");
  Apart("SQLSTATE[42S22]: Column not found: 1054 Unknown column 'coupon_code' in 'field list'",
        "SQLSTATE[42S22]: Column not found: 1054 Unknown column 'shipped_at' in 'field list'",
        "two columns, two migrations");
  Apart("psycopg2.errors.UndefinedTable: relation \"main_delegate\" does not exist",
        "psycopg2.errors.UndefinedTable: relation \"auth_user\" does not exist", "two tables");
  Apart("SQLSTATE[HY000] [1045] Access denied for user 'root'@'localhost' (using password: YES)",
        "SQLSTATE[HY000] [1045] Access denied for user 'shop'@'localhost' (using password: YES)",
        "database users are configuration: which account fails matters");
  Apart("PHP Parse error:  syntax error, unexpected ':', expecting ';' or '{' in /var/www/a.php on line 3",
        "PHP Parse error:  syntax error, unexpected '[' in /var/www/a.php on line 3", "two syntax errors");
  Apart("limiting requests, excess: 0.841 by zone \"perip\"", "limiting requests, excess: 0.841 by zone \"login\"",
        "two limit zones are two settings");
  // The numbered parts of a name still vary: monthly partitions, per-user tables.
  Same("ERROR:  relation \"orders_2026\" does not exist at character 15",
       "ERROR:  relation \"orders_2025\" does not exist at character 15", "a partition per period is one missing kind");
  // Values that are input: parsed from the request, unbounded in number, never the cause.
  Same("java.lang.NumberFormatException: For input string: \"abc\"",
       "java.lang.NumberFormatException: For input string: \"12; DROP TABLE x\"", "Java: a bad number");
  Same("ValueError: invalid literal for int() with base 10: 'abc'", "ValueError: invalid literal for int() with base 10: \"'x\"",
       "Python: a bad number");
  Same("ERROR:  invalid input syntax for type integer: \"abc\"", "ERROR:  invalid input syntax for type integer: \"1 OR 1=1\"",
       "PostgreSQL: a bad number");
  Apart("ERROR:  invalid input syntax for type integer: \"abc\"", "ERROR:  invalid input syntax for type uuid: \"abc\"",
        "the type that failed to parse is the code's, and stays");
  Same("SQLSTATE[23000]: Integrity constraint violation: 1062 Duplicate entry 'jane@example.com' for key "
       "'users_email_unique'",
       "SQLSTATE[23000]: Integrity constraint violation: 1062 Duplicate entry 'bob' for key 'users_email_unique'",
       "MySQL: the duplicate value is input, the key is schema");
  Apart("SQLSTATE[23000]: Integrity constraint violation: 1062 Duplicate entry 'a' for key 'users_email_unique'",
        "SQLSTATE[23000]: Integrity constraint violation: 1062 Duplicate entry 'a' for key 'orders_number_unique'",
        "two unique keys");
  Same("Invalid HTTP_HOST header: 'evil.example:8080'. You may need to add 'evil.example' to ALLOWED_HOSTS.",
       "Invalid HTTP_HOST header: '203.0.113.9'. You may need to add '203.0.113.9' to ALLOWED_HOSTS.",
       "Django: Host headers come from scanners");
  Same("ModSecurity: Access denied with code 403 (phase 2). detected SQLi using libinjection with fingerprint 's&1c' "
       "[file \"/etc/modsecurity/crs/REQUEST-942-APPLICATION-ATTACK-SQLI.conf\"] [line \"45\"] [id \"942100\"] "
       "[data \"Matched Data: s&1c found within ARGS:id: 1' or '1'='1\"]",
       "ModSecurity: Access denied with code 403 (phase 2). detected SQLi using libinjection with fingerprint 'sos' "
       "[file \"/etc/modsecurity/crs/REQUEST-942-APPLICATION-ATTACK-SQLI.conf\"] [line \"45\"] [id \"942100\"] "
       "[data \"Matched Data: sos found within ARGS:q: x\\\" or 1=1\"]",
       "a WAF rule's hit: the attacker's payload and its fingerprint vary, the rule id does not");
  Same("SQLSTATE[HY000]: General error: 1205 Lock wait timeout exceeded; try restarting transaction (SQL: update "
       "`orders` set `status` = 'paid' where `id` = 1842)",
       "SQLSTATE[HY000]: General error: 1205 Lock wait timeout exceeded; try restarting transaction (SQL: update "
       "`orders` set `status` = 'refunded' where `id` = 7)",
       "literals in a query's text are request data; tables and columns stay");
}

TEST_CASE("different failures stay apart", "[template]") {
  Apart("connect() failed (111: Connection refused) while connecting to upstream",
        "upstream timed out (110: Connection timed out) while connecting to upstream",
        "refused (nothing listening) and timed out (overloaded or firewalled) are different causes");
  Apart("java.lang.NullPointerException: Cannot invoke \"String.length()\" because \"s\" is null",
        "java.lang.IllegalStateException: Cannot invoke \"String.length()\" because \"s\" is null",
        "two exception classes");
  Apart("(13)Permission denied: AH00035: access to /index.php denied",
        "(2)No such file or directory: AH00035: access to /index.php denied", "errno names the failure");
  Apart("SQLSTATE[HY000] [2002] Connection refused", "SQLSTATE[HY000] [2002] No such file or directory",
        "TCP refused and a missing socket are two fixes");
  Apart("TypeError: Cannot read properties of undefined (reading 'name')",
        "TypeError: Cannot read properties of undefined (reading 'id')", "two properties, two bugs");
  Apart("php-fpm.service: Main process exited, code=killed, status=9/KILL",
        "php-fpm.service: Main process exited, code=exited, status=78/CONFIG", "killed and a config exit");
}

TEST_CASE("template: asked again, in any order, a message gets the template it got first", "[template]") {
  // More messages than the per-thread table of recent templates holds, many sharing a slot.
  std::vector<std::string> messages;
  for (int i = 0; i < 3000; ++i) {
    messages.push_back("upstream timed out (110: Connection timed out) while reading upstream, client: 10.0." +
                       std::to_string(i % 7) + ".1, request: \"GET /item/" + std::to_string(i) + " HTTP/1.1\"" +
                       (i % 3 ? "" : "\n#0 /var/www/app.php(12): f()"));
  }
  messages.push_back(std::string(2000, 'x') + " 42");  // longer than what the table keeps
  std::vector<std::string> first(messages.size());
  for (size_t i = 0; i < messages.size(); ++i) MakeTemplate(messages[i], &first[i]);
  std::string again;
  for (size_t k = 0; k < 3 * messages.size(); ++k) {
    const size_t i = (k * 7919) % messages.size();
    MakeTemplate(messages[i], &again);
    REQUIRE(again == first[i]);
  }
  CHECK(first[5] == "upstream timed out (110: Connection timed out) while reading upstream, client: <ip>, request: "
                    "\"GET <path> HTTP/<n>\"");
}

// Letters-only words skip the masks, which none of them can take; a word that starts one (a
// token, a month, hex, a scheme, a drive, a user) must still reach it.
TEST_CASE("template: words that start a mask still reach it, plain words are copied", "[template]") {
  CHECK(T("session QwErTyUiOpAsDfGh expired") == "session <id> expired");  // 16 letters: a token
  CHECK(T("session QwErTyUiOpAsDfG expired") == "session QwErTyUiOpAsDfG expired");  // 15: a word
  CHECK(T("Sat Nov 21 10:00:00 2026 pool broke") == "<time> pool broke");
  CHECK(T("Nov, 21 pool") == "Nov, <n> pool");
  CHECK(T("id deadbeef-dead-beef-dead-beefdeadbeef gone") == "id <uuid> gone");
  CHECK(T("peer fe80::1 reset, beef:cafe::1 down") == "peer <ip> reset, <ip> down");
  CHECK(T("mail jane@example.com bounced") == "mail <email> bounced");
  CHECK(T("see https://example.com/x now") == "see <url> now");
  CHECK(T("drive C:\\www\\x.php failed") == "drive <path> failed");
}
