#include <catch2/catch.hpp>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>

#include "why500/formats.h"
#include "why500/sniff.h"
#include "why500/wrappers.h"

using namespace why500;

TEST_CASE("nginx error header", "[parse][nginx]") {
  Record r;
  REQUIRE(ParseNginxError("2026/11/21 10:00:00 [crit] 1234#1234: *567 connect() failed (111: Connection refused)", &r));
  CHECK(r.severity == "crit");
  CHECK(r.pid == "1234");
  CHECK(r.connection == "567");
  CHECK(r.message == "connect() failed (111: Connection refused)");
  CHECK(FormatRfc3339(r.time) == "2026-11-21T10:00:00Z");  // tests run with TZ=UTC
  REQUIRE(ParseNginxError("2026/11/21 10:00:00 [notice] 1#1: signal process started", &r));
  CHECK(r.connection.empty());
  CHECK(r.message == "signal process started");
  CHECK_FALSE(ParseNginxError("[error] 1046#1046: *2094 upstream timed out", &r));
  CHECK_FALSE(ParseNginxError("2026/13/21 10:00:00 [error] 1#1: bad month", &r));
}

TEST_CASE("nginx tail fields are split off the message", "[parse][nginx]") {
  Event e;
  e.format = Format::kNginxError;
  e.text = "x";
  e.message = "upstream timed out (110: Connection timed out) while reading response header from upstream, "
              "client: 10.1.2.3, server: shop.example, request: \"POST /cart/add?id=7 HTTP/1.1\", upstream: "
              "\"fastcgi://127.0.0.1:9000\", host: \"shop.example\", referrer: \"https://shop.example/\"";
  FinishEvent(&e);
  CHECK(e.message == "upstream timed out (110: Connection timed out) while reading response header from upstream");
  CHECK(e.client == "10.1.2.3");
  CHECK(e.server == "shop.example");
  CHECK(e.method == "POST");
  CHECK(e.path == "/cart/add");
  CHECK(e.upstream == "fastcgi://127.0.0.1:9000");
  CHECK(e.host == "shop.example");
  CHECK_FALSE(e.cut);
}

TEST_CASE("nginx tail fields are read field by field, a request that names other fields included", "[parse][nginx]") {
  const auto finished = [](const std::string& tail) {
    Event e;
    e.format = Format::kNginxError;
    e.text = "x";
    e.message = "upstream prematurely closed connection while reading response header from upstream, " + tail;
    FinishEvent(&e);
    return e;
  };
  // The request line holds ", host: " and "upstream: ": the fields after it are the real ones.
  Event e = finished("client: 10.1.2.3, server: shop.example, request: \"GET /?q=a, host: evil, upstream: x HTTP/1.1\", "
                     "subrequest: \"/auth\", upstream: \"http://10.0.0.5:8080/\", host: \"shop.example\"");
  CHECK(e.client == "10.1.2.3");
  CHECK(e.path == "/");
  CHECK(e.upstream == "http://10.0.0.5:8080/");
  CHECK(e.host == "shop.example");
  // Fields missing or in another order; a value with a quote inside.
  e = finished("client: 10.1.2.3, host: \"a\"b\", server: _");
  CHECK(e.host == "a\"b");
  CHECK(e.server == "_");
  CHECK(e.upstream.empty());
  CHECK(e.method.empty());
  // A tail out of shape: what the walk cannot reach is still found by its key.
  e = finished("client: 10.1.2.3 junk; server: s1, request: \"PUT /x HTTP/1.1\"");
  CHECK(e.client == "10.1.2.3 junk; server: s1");
  CHECK(e.server == "s1");
  CHECK(e.method == "PUT");
  CHECK(e.path == "/x");
}

TEST_CASE("nginx FastCGI stderr is peeled into one line per PHP message", "[parse][nginx]") {
  Event e;
  e.format = Format::kNginxError;
  e.text = "x";
  e.message = "FastCGI sent in stderr: \"PHP message: PHP Warning:  Undefined variable $a in /x.php on line 3"
              "PHP message: PHP Fatal error:  Uncaught Error: Call to undefined function foo()\" while reading "
              "response header from upstream, client: 1.2.3.4, server: _, request: \"GET / HTTP/1.1\"";
  FinishEvent(&e);
  CHECK(e.message ==
        "PHP Warning:  Undefined variable $a in /x.php on line 3\n"
        "PHP Fatal error:  Uncaught Error: Call to undefined function foo()\n"
        "while reading response header from upstream");
  CHECK(e.client == "1.2.3.4");
}

TEST_CASE("an nginx entry at the 2048-byte limit without its tail is cut", "[parse][nginx]") {
  Event e;
  e.format = Format::kNginxError;
  e.text = std::string(2047, 'x');
  e.entry_bytes = 2047;
  e.message = "FastCGI sent in stderr: \"PHP message: PHP Fatal error:  Uncaught Exception: " + std::string(1900, 'y');
  FinishEvent(&e);
  CHECK(e.cut);
  CHECK(e.message.find("Uncaught Exception") != std::string::npos);
}

TEST_CASE("Apache 2.4 error lines", "[parse][apache]") {
  Record r;
  REQUIRE(ParseApacheError("[Sat Nov 21 10:00:00.123456 2026] [proxy_fcgi:error] [pid 41:tid 140] [client "
                           "1.2.3.4:5566] AH01071: Got error 'PHP message: PHP Fatal error:  x'",
                           &r));
  CHECK(r.severity == "error");
  CHECK(r.pid == "41");
  CHECK(FormatRfc3339(r.time) == "2026-11-21T10:00:00.123456Z");
  Event e;
  e.format = Format::kApacheError;
  e.message = std::string(r.message) + ", referer: https://example.com/";
  FinishEvent(&e);
  CHECK(e.client == "1.2.3.4");
  CHECK(e.message == "AH01071: \nPHP Fatal error:  x");
}

TEST_CASE("Apache errno prefix before the client, and literal \\n", "[parse][apache]") {
  Record r;
  REQUIRE(ParseApacheError("[Mon Nov 02 09:01:02.000001 2026] [core:error] [pid 7] (13)Permission denied: [client "
                           "10.0.0.9:1234] AH00035: access to /index.php denied",
                           &r));
  Event e;
  e.format = Format::kApacheError;
  e.message = std::string(r.message);
  FinishEvent(&e);
  CHECK(e.message == "(13)Permission denied: AH00035: access to /index.php denied");
  CHECK(e.client == "10.0.0.9");
  e.message = "AH01071: Got error 'PHP message: PHP Fatal error:  Uncaught Exception: boom in /a.php:3\\nStack "
              "trace:\\n#0 {main}\\n  thrown in /a.php on line 3'";
  FinishEvent(&e);
  CHECK(e.message == "AH01071: \nPHP Fatal error:  Uncaught Exception: boom in /a.php:3\nStack trace:\n#0 {main}\n  "
                     "thrown in /a.php on line 3");
}

TEST_CASE("Apache's escapes are undone, and a backslash that starts none stays", "[parse][apache]") {
  Event e;
  e.format = Format::kApacheError;
  e.message = "AH00124: a\\nb\\tc \\\\d \\\"e\\\" \\x1bf \\x4G \\q \\";
  FinishEvent(&e);
  CHECK(e.message == "AH00124: a\nb\tc \\d \"e\" \x1b" "f \\x4G \\q \\");
  e.message = "\\\\\\n";
  FinishEvent(&e);
  CHECK(e.message == "\\\n");
}

TEST_CASE("Apache 2.2 error lines", "[parse][apache]") {
  Record r;
  REQUIRE(ParseApacheError("[Sat Nov 21 10:00:00 2026] [error] [client 1.2.3.4] File does not exist: /var/www/x", &r));
  CHECK(r.severity == "error");
  CHECK(FormatRfc3339(r.time) == "2026-11-21T10:00:00Z");
  REQUIRE(ParseApacheError("[Sun Nov  1 03:04:05 2026] [notice] Apache/2.2.22 configured -- resuming normal operations", &r));
  CHECK(FormatRfc3339(r.time) == "2026-11-01T03:04:05Z");
}

TEST_CASE("php-fpm lines and worker output", "[parse][php-fpm]") {
  Record r;
  REQUIRE(ParsePhpFpm("[21-Nov-2026 10:00:00] WARNING: [pool www] server reached pm.max_children setting (5), "
                      "consider raising it",
                      &r));
  CHECK(r.severity == "WARNING");
  CHECK(r.join_key.empty());
  REQUIRE(ParsePhpFpm("[21-Nov-2026 10:00:00.250000] WARNING: [pool www] child 123 said into stderr: \"PHP Fatal "
                      "error:  x\"",
                      &r));
  CHECK(r.join_key == "[pool www] child 123");
  CHECK(r.pid == "123");
  CHECK(r.message == "PHP Fatal error:  x");
  CHECK(FormatRfc3339(r.time) == "2026-11-21T10:00:00.250000Z");
  CHECK_FALSE(ParsePhpFpm("[21-Nov-2026 10:00:00 UTC] PHP Fatal error:  x", &r));
}

TEST_CASE("PHP error_log lines", "[parse][php]") {
  Record r;
  REQUIRE(ParsePhpError("[21-Nov-2026 10:00:00 UTC] PHP Fatal error:  Uncaught Exception: x", &r));
  CHECK(r.message == "PHP Fatal error:  Uncaught Exception: x");
  CHECK(FormatRfc3339(r.time) == "2026-11-21T10:00:00Z");
  REQUIRE(ParsePhpError("[21-Nov-2026 10:00:00 UTC] PHP Stack trace:", &r));
  CHECK(r.join_key == "+");
  CHECK_FALSE(ParsePhpError("[21-Nov-2026 10:00:00] WARNING: [pool www] x", &r));
  REQUIRE(ParsePhpError("[21-Nov-2026 10:00:00 UTC] PHP   1. {main}() /var/www/index.php:0", &r));
  CHECK(r.join_key == "+");
  // Found by fuzzing: "PHP " and only blanks after it read one byte past the line.
  // The line sits in a buffer of its exact size, so that ASan sees a read past its end.
  const std::string blanks = "[21-Nov-2026 10:00:00 UTC] PHP  \t\t\t\t";
  const std::unique_ptr<char[]> exact(new char[blanks.size()]);
  std::memcpy(exact.get(), blanks.data(), blanks.size());
  REQUIRE(ParsePhpError(std::string_view(exact.get(), blanks.size()), &r));
  CHECK(r.join_key.empty());
}

TEST_CASE("access lines: combined, common, main, ISO time", "[parse][access]") {
  Record r;
  bool combined = false;
  REQUIRE(ParseAccess("10.0.0.1 - - [21/Nov/2026:10:00:00 +0100] \"GET /a/b?x=1 HTTP/1.1\" 502 157 \"-\" \"curl/8\"", &r,
                      &combined));
  CHECK(combined);
  CHECK(r.status == 502);
  CHECK(r.client == "10.0.0.1");
  CHECK(r.method == "GET");
  CHECK(r.path == "/a/b");
  CHECK(FormatRfc3339(r.time) == "2026-11-21T09:00:00Z");
  REQUIRE(ParseAccess("10.0.0.1 - frank [21/Nov/2026:10:00:00 -0700] \"GET / HTTP/1.0\" 200 2326", &r, &combined));
  CHECK_FALSE(combined);
  CHECK(FormatRfc3339(r.time) == "2026-11-21T17:00:00Z");
  REQUIRE(ParseAccess("1.2.3.4 - - [21/Nov/2026:10:00:00 +0000] \"GET /q\\\"x HTTP/1.1\" 504 0 \"-\" \"ua\" \"-\"", &r,
                      &combined));
  CHECK(r.status == 504);
  CHECK_FALSE(ParseAccess("2026/11/21 10:00:00 [error] 1#1: x", &r, &combined));
}

TEST_CASE("wrappers are detected and peeled", "[parse][wrappers]") {
  CHECK(DetectWrapper("web_1  | 2026/11/21 10:00:00 [error] 1#1: x") == Wrapper::kDockerCompose);
  CHECK(PeelWrapper(Wrapper::kDockerCompose, "web_1  | hello") == "hello");
  CHECK(DetectWrapper("2026-11-21T10:00:00.123456789Z stderr F hello") == Wrapper::kCri);
  CHECK(PeelWrapper(Wrapper::kCri, "2026-11-21T10:00:00.123456789Z stderr F hello") == "hello");
  CHECK(DetectWrapper("0|app  | Error: boom") == Wrapper::kPm2);
  CHECK(PeelWrapper(Wrapper::kPm2, "0|app  | Error: boom") == "Error: boom");
  CHECK(DetectWrapper("2026-11-21T10:00:00.123456+00:00 app[web.1]: Error: boom") == Wrapper::kHeroku);
  CHECK(PeelWrapper(Wrapper::kHeroku, "2026-11-21T10:00:00.123456+00:00 app[web.1]: Error: boom") == "Error: boom");
  CHECK(DetectWrapper("2026/11/21 10:00:00 [error] 1#1: x") == Wrapper::kNone);
  CHECK(PeelWrapper(Wrapper::kDockerCompose, "no wrapper here") == "no wrapper here");
}

TEST_CASE("sniffing picks the format most lines fit", "[parse][sniff]") {
  CHECK(SniffFormat({"2026/11/21 10:00:00 [error] 1#1: *1 x", "continued"}).format == Format::kNginxError);
  CHECK(SniffFormat({"[21-Nov-2026 10:00:00] NOTICE: fpm is running, pid 1"}).format == Format::kPhpFpm);
  CHECK(SniffFormat({"[21-Nov-2026 10:00:00 UTC] PHP Warning:  x"}).format == Format::kPhpError);
  CHECK(SniffFormat({"1.1.1.1 - - [21/Nov/2026:10:00:00 +0000] \"GET / HTTP/1.1\" 200 1 \"-\" \"a\""}).format ==
        Format::kAccessCombined);
  CHECK(SniffFormat({"1.1.1.1 - - [21/Nov/2026:10:00:00 +0000] \"GET / HTTP/1.1\" 200 1"}).format ==
        Format::kAccessCommon);
  CHECK(SniffFormat({"[Sat Nov 21 10:00:00 2026] [error] [client 1.2.3.4] x"}).format == Format::kApacheError);
  CHECK(SniffFormat({"Traceback (most recent call last):"}).format == Format::kGeneric);
  const Sniffed wrapped = SniffFormat({"web_1  | 2026/11/21 10:00:00 [error] 1#1: *1 x"});
  CHECK(wrapped.wrapper == Wrapper::kDockerCompose);
  CHECK(wrapped.format == Format::kNginxError);
}

TEST_CASE("syslog and journalctl prefixes", "[parse][syslog]") {
  Record r;
  REQUIRE(ParseSyslog("Nov 21 10:00:01 web1 php-fpm[1234]: [pool www] child 7 exited", &r));
  CHECK(r.join_key == "php-fpm");
  CHECK(r.pid == "1234");
  CHECK(r.server == "web1");
  CHECK(r.message == "[pool www] child 7 exited");
  REQUIRE(ParseSyslog("Nov  1 10:00:01.250000 web1 kernel: [ 1234.567890] Out of memory: Killed process 9", &r));
  CHECK(r.message == "Out of memory: Killed process 9");
  REQUIRE(ParseSyslog("2026-11-21T10:00:01+0100 web1 nginx[1]: hello", &r));
  CHECK(FormatRfc3339(r.time) == "2026-11-21T09:00:01Z");
  REQUIRE(ParseSyslog("2026-11-21T10:00:01.123456+00:00 web1 app[9]: x", &r));
  CHECK(FormatRfc3339(r.time) == "2026-11-21T10:00:01.123456Z");
  REQUIRE(ParseSyslog("Sat 2026-11-21 10:00:01 UTC web1 systemd[1]: Started nginx.service.", &r));
  CHECK(FormatRfc3339(r.time) == "2026-11-21T10:00:01Z");
  CHECK(r.join_key == "systemd");
  REQUIRE(ParseSyslog("<34>1 2026-11-21T10:00:01.003Z web1 myapp 8710 ID47 [exampleSDID@32473 iut=\"3\"] boom", &r));
  CHECK(r.join_key == "myapp");
  CHECK(r.pid == "8710");
  CHECK(r.message == "boom");
  REQUIRE(ParseSyslog("-- Boot 3e9c0a1b2c3d4e5f --", &r));
  CHECK(r.join_key.empty());
  CHECK_FALSE(ParseSyslog("2026/11/21 10:00:00 [error] 1#1: x", &r));
  CHECK_FALSE(ParseSyslog("Traceback (most recent call last):", &r));
}

TEST_CASE("a journal line carrying another format is read as that format", "[parse][syslog]") {
  Event e;
  e.format = Format::kSyslog;
  e.message = "2026/11/21 10:00:01 [crit] 811#811: *201 connect() to unix:/x.sock failed (2: No such file or "
              "directory) while connecting to upstream, client: 203.0.113.7, server: shop, request: \"GET /a "
              "HTTP/1.1\"";
  FinishEvent(&e);
  CHECK(e.format == Format::kNginxError);
  CHECK(e.severity == "crit");
  CHECK(e.client == "203.0.113.7");
  CHECK(e.path == "/a");
  CHECK(e.message == "connect() to unix:/x.sock failed (2: No such file or directory) while connecting to upstream");
}

TEST_CASE("more wrappers: process index, quoted pastes, foreman, indented compose", "[parse][wrappers]") {
  CHECK(DetectWrapper("[0] Error: connect ECONNREFUSED 127.0.0.1:6379") == Wrapper::kProcessIndex);
  CHECK(PeelWrapper(Wrapper::kProcessIndex, "[0]     at TCPConnectWrap.afterConnect") == "    at TCPConnectWrap.afterConnect");
  CHECK(DetectWrapper("> Error: boom") == Wrapper::kQuote);
  CHECK(PeelWrapper(Wrapper::kQuote, ">     at x (y.js:1:2)") == "    at x (y.js:1:2)");
  CHECK(DetectWrapper("23:07:27 web.1  | Error: boom") == Wrapper::kForeman);
  CHECK(PeelWrapper(Wrapper::kForeman, "23:07:27 web.1  | Error: boom") == "Error: boom");
  CHECK(PeelWrapper(Wrapper::kDockerCompose, "  web_1  | hello") == "hello");
  CHECK(DetectWrapper("[21-Nov-2026 10:00:00] WARNING: x") == Wrapper::kNone);
  CHECK(DetectWrapper("[error] 1#1: *1 x") == Wrapper::kNone);
}

TEST_CASE("pasted entries without their date keep their server's shape", "[parse][generic]") {
  Event e;
  e.format = Format::kGeneric;
  e.message = "[proxy_fcgi:error] [pid 41:tid 140] [client 192.0.2.10:9787] AH01071: Got error 'Primary script unknown'";
  FinishEvent(&e);
  CHECK(e.format == Format::kApacheError);
  CHECK(e.severity == "error");
  CHECK(e.client == "192.0.2.10");
  CHECK(e.message == "AH01071: \nPrimary script unknown");
  e.Clear();
  e.format = Format::kGeneric;
  e.message = "[emerg] 1#1: host not found in upstream \"app:9000\" in /etc/nginx/conf.d/default.conf:14";
  FinishEvent(&e);
  CHECK(e.format == Format::kNginxError);
  CHECK(e.severity == "emerg");
  CHECK(e.message == "host not found in upstream \"app:9000\" in /etc/nginx/conf.d/default.conf:14");
}

TEST_CASE("Apache with a custom ErrorLogFormat of time and message", "[parse][apache]") {
  Record r;
  REQUIRE(ParseApacheError("[Mon May 03 11:34:06.195352 2021] Truncated or oversized response headers", &r));
  CHECK(r.message == "Truncated or oversized response headers");
  CHECK(FormatRfc3339(r.time) == "2021-05-03T11:34:06.195352Z");
}

TEST_CASE("responses in lines of no known shape", "[parse][access]") {
  Record r;
  REQUIRE(ParseResponseFragment("\"GET /favicon.ico?x=1 HTTP/1.1\" 502 - \"https://example.org/\" \"Mozilla/5.0\"", &r));
  CHECK(r.status == 502);
  CHECK(r.method == "GET");
  CHECK(r.path == "/favicon.ico");
  REQUIRE(ParseResponseFragment("[pid: 24|app: 0|req: 1/1] 172.18.0.34 () {58 vars in 1233 bytes} [Sun Apr 26 "
                                "02:03:10 2020] GET /x => generated 0 bytes in 0 msecs (HTTP/1.1 500) 0 headers",
                                &r));
  CHECK(r.status == 500);
  CHECK_FALSE(ParseResponseFragment("upstream timed out, client: 1.2.3.4, request: \"GET / HTTP/1.1\", host: \"a\"", &r));
  CHECK_FALSE(ParseResponseFragment("no request here", &r));
  REQUIRE(ParseResponseFragment("I, [2026-11-21T10:00:37.000333 #4121]  INFO -- : [4f1c] Completed 503 Service "
                                "Unavailable in 27ms (ActiveRecord: 3.1ms)",
                                &r));
  CHECK(r.status == 503);
  bool combined = false;
  REQUIRE(ParseAccess("127.0.0.1 - - [21/Nov/2026 10:00:00] \"GET /x HTTP/1.1\" 500 -", &r, &combined));
  CHECK(r.status == 500);
  CHECK(FormatRfc3339(r.time) == "2026-11-21T10:00:00Z");
}

TEST_CASE("journalctl -o json", "[parse][journal]") {
  Record r;
  REQUIRE(ParseJournalJson("{\"__REALTIME_TIMESTAMP\":\"1795255202123456\",\"SYSLOG_IDENTIFIER\":\"php-fpm\",\"_PID\":\"77\","
                           "\"_HOSTNAME\":\"web1\",\"MESSAGE\":\"[pool www] server reached pm.max_children setting (5)\"}",
                           &r));
  CHECK(FormatRfc3339(r.time) == "2026-11-21T10:00:02.123456Z");
  CHECK(r.join_key == "php-fpm");
  CHECK(r.pid == "77");
  CHECK(r.message == "[pool www] server reached pm.max_children setting (5)");
  REQUIRE(ParseJournalJson("{\"__REALTIME_TIMESTAMP\":\"1795255202000000\",\"_COMM\":\"app\",\"MESSAGE\":[104,105,255]}", &r));
  CHECK(r.message == "hi\xff");
  CHECK(r.join_key == "app");
  CHECK_FALSE(ParseJournalJson("{\"level\":\"error\",\"msg\":\"x\"}", &r));
  CHECK_FALSE(ParseJournalJson("{\"__REALTIME_TIMESTAMP\": broken", &r));
  CHECK(SniffFormat({"{\"__REALTIME_TIMESTAMP\":\"1\",\"MESSAGE\":\"x\"}"}).format == Format::kJournalJson);
}

TEST_CASE("JSON application lines: message, error, time and level", "[parse][json]") {
  Record r;
  REQUIRE(ParseJsonLine("{\"level\":\"error\",\"time\":1795255200123,\"msg\":\"request errored\",\"err\":{\"type\":"
                        "\"Error\",\"message\":\"boom\",\"stack\":\"Error: boom\\n    at f (/app/a.js:1:2)\"}}",
                        &r));
  CHECK(r.message == "request errored\nError: boom\n    at f (/app/a.js:1:2)");
  CHECK(r.severity == "error");
  CHECK(FormatRfc3339(r.time) == "2026-11-21T10:00:00.123000Z");
  REQUIRE(ParseJsonLine("{\"@timestamp\":\"2026-11-21T10:00:00Z\",\"log.level\":\"ERROR\",\"message\":\"db down\","
                        "\"error\":{\"type\":\"OperationalError\",\"message\":\"could not connect\"}}",
                        &r));
  CHECK(r.message == "db down\nOperationalError: could not connect");
  REQUIRE(ParseJsonLine("{\"ts\":1795255200.5,\"msg\":\"zap seconds\"}", &r));
  CHECK(FormatRfc3339(r.time) == "2026-11-21T10:00:00.500000Z");
  REQUIRE(ParseJsonLine("{\"time\":1795255200000000000,\"msg\":\"nanoseconds\"}", &r));
  CHECK(FormatRfc3339(r.time) == "2026-11-21T10:00:00Z");
  REQUIRE(ParseJsonLine("{\"msg\":\"request completed\",\"res\":{\"statusCode\":503}}", &r));
  CHECK(r.status == 503);
  REQUIRE(ParseJsonLine("{\"message\":\"GET /x\",\"status\":\"500\"}", &r));
  CHECK(r.status == 500);
  REQUIRE(ParseJsonLine("{\"unknown\":\"shape\"}", &r));
  CHECK(r.status == 0);
  CHECK(r.message == "{\"unknown\":\"shape\"}");
  CHECK_FALSE(ParseJsonLine("{not json}", &r));
  CHECK_FALSE(ParseJsonLine("plain text", &r));
  CHECK(SniffFormat({"{\"level\":\"info\",\"msg\":\"x\"}"}).format == Format::kJsonLines);
  CHECK(SniffFormat({"{\"status\":502,\"request\":\"GET / HTTP/1.1\"}"}).format == Format::kAccessJson);
}

TEST_CASE("logfmt application lines", "[parse][logfmt]") {
  Record r;
  REQUIRE(ParseLogfmt("time=2026-11-21T10:00:00Z level=error msg=\"query failed\" err=\"dial tcp 10.0.0.5:5432: "
                      "connect: connection refused\"",
                      &r));
  CHECK(r.message == "query failed\ndial tcp 10.0.0.5:5432: connect: connection refused");
  CHECK(r.severity == "error");
  CHECK(FormatRfc3339(r.time) == "2026-11-21T10:00:00Z");
  REQUIRE(ParseLogfmt("at=error code=H12 desc=\"Request timeout\" method=GET path=\"/\" host=app.example "
                      "status=503 bytes=0",
                      &r));
  CHECK(r.message.find("code=H12 desc=\"Request timeout\"") != std::string::npos);
  CHECK(r.status == 503);
  CHECK(r.severity == "error");
  CHECK_FALSE(ParseLogfmt("INFO server started port=8080", &r));
  CHECK_FALSE(ParseLogfmt("a=1 b=2 c=3", &r));  // pairs, but no message or level
  CHECK_FALSE(ParseLogfmt("msg=\"unclosed level=error x=1", &r));
  CHECK(SniffFormat({"ts=2026-11-21T10:00:00Z level=info msg=ok caller=main.go:12"}).format == Format::kLogfmt);
}

TEST_CASE("generic lines take the time of common application log shapes", "[parse][generic]") {
  Record r;
  REQUIRE(ParseGeneric("[21/Nov/2026 10:00:00] \"GET /orders HTTP/1.1\" 500 145", &r));
  CHECK(FormatRfc3339(r.time) == "2026-11-21T10:00:00Z");
  REQUIRE(ParseGeneric("2026-11-21 10:00:00,123 ERROR django.request: Internal Server Error: /orders", &r));
  CHECK(FormatRfc3339(r.time) == "2026-11-21T10:00:00.123000Z");
  REQUIRE(ParseGeneric("[2026-11-21 10:00:00 +0100] [8] [CRITICAL] WORKER TIMEOUT (pid:9)", &r));
  CHECK(FormatRfc3339(r.time) == "2026-11-21T09:00:00Z");
  REQUIRE(ParseGeneric("E, [2026-11-21T10:00:00.5 #1] ERROR -- : boom", &r));
  CHECK(FormatRfc3339(r.time) == "2026-11-21T10:00:00.500000Z");
  REQUIRE(ParseGeneric("ERROR:root:no time here", &r));
  CHECK(r.time == kNoTime);
}

TEST_CASE("journalctl -o json: a timestamp too long for 64 bits is no time", "[parse][journal][fuzz]") {
  // Found by fuzz/fuzz_parse.cc: std::stoll threw out_of_range on 20 digits.
  Record r;
  REQUIRE(ParseJournalJson("{\"__REALTIME_TIMESTAMP\":\"17952553810000405162\",\"MESSAGE\":\"x\"}", &r));
  CHECK(r.time == kNoTime);
  CHECK(r.message == "x");
  REQUIRE(ParseJournalJson("{\"__REALTIME_TIMESTAMP\":\"999999999999999999\",\"MESSAGE\":\"x\"}", &r));
  CHECK(r.time == 999999999999999999);
}

TEST_CASE("JSON application lines: an epoch time past any unit's range is no time", "[parse][json][fuzz]") {
  // Found by fuzz/fuzz_assemble.cc: 9e23 (read as nanoseconds) overflowed the int64 conversion.
  Record r;
  REQUIRE(ParseJsonLine("{\"ts\":9e23,\"msg\":\"x\"}", &r));
  CHECK(r.time == kNoTime);
  REQUIRE(ParseJsonLine("{\"ts\":1795255202123456789,\"msg\":\"x\"}", &r));
  CHECK(FormatRfc3339(r.time) == "2026-11-21T10:00:02.123456Z");
}

TEST_CASE("access times: the last time read is reused only for the very same text", "[parse][access]") {
  // Times alternate, repeat, fail in between and carry fractions: each answer is the one a fresh
  // read of its own text gives (tests run with TZ=UTC).
  const auto utc = [](int h, int m, int s) { return CivilToUtc({2026, 11, 21, h, m, s, 0}, 0); };
  TimeUs t = kNoTime;
  CHECK_FALSE(ParseAccessTime("", &t));  // nothing kept yet: an empty text is no time
  REQUIRE(ParseAccessTime("21/Nov/2026:10:00:00 +0000", &t));
  CHECK(t == utc(10, 0, 0));
  REQUIRE(ParseAccessTime("21/Nov/2026:10:00:00 +0000", &t));
  CHECK(t == utc(10, 0, 0));
  REQUIRE(ParseAccessTime("21/Nov/2026:10:00:00 +0100", &t));
  CHECK(t == utc(9, 0, 0));
  CHECK_FALSE(ParseAccessTime("21/Nov/2026:10:00:00 +01", &t));
  CHECK_FALSE(ParseAccessTime("21/Nov/2026:10:00:00 +010", &t));
  REQUIRE(ParseAccessTime("21/Nov/2026:10:00:00.250 +0000", &t));
  CHECK(t == utc(10, 0, 0) + 250000);
  REQUIRE(ParseAccessTime("21/Nov/2026 10:00:01", &t));  // Werkzeug's, local time
  CHECK(t == utc(10, 0, 1));
  REQUIRE(ParseAccessTime("21/Nov/2026:10:00:00 +0100", &t));
  CHECK(t == utc(9, 0, 0));
}

// A mixed log's lines skip the formats whose first byte they lack (FirstByteOf): exact only if
// no header of such a format starts with another byte.
TEST_CASE("formats with a first byte: every header starts with it, and no other first byte parses", "[parse]") {
  const Format all[] = {Format::kNginxError,  Format::kApacheError, Format::kPhpFpm,    Format::kPhpError,
                        Format::kAccessCombined, Format::kAccessCommon, Format::kAccessJson, Format::kSyslog,
                        Format::kJournalJson, Format::kJsonLines,   Format::kLogfmt,    Format::kGeneric};
  // Every testdata log's lines, and a JSON access line, which no testdata log holds.
  std::vector<std::string> lines = {
      "{\"time_iso8601\":\"2026-11-21T10:00:00+00:00\",\"remote_addr\":\"10.0.0.1\",\"request\":\"GET /a HTTP/1.1\","
      "\"status\":\"502\"}"};
  for (const auto& entry : std::filesystem::recursive_directory_iterator(WHY500_SOURCE_DIR "/testdata")) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_regular_file() || name == "args" || name.rfind("expected", 0) == 0 ||
        entry.path().extension() == ".gz") {
      continue;
    }
    std::ifstream in(entry.path());
    for (std::string line; std::getline(in, line);) lines.push_back(line);
  }
  std::map<Format, size_t> headers;
  for (const std::string& line : lines) {
    for (Format f : all) {
      const char first = FirstByteOf(f);
      Record r;
      if (first == '\0' || !ParseLine(f, line, &r)) continue;
      ++headers[f];
      CHECK(line.front() == first);
      for (char other : {'2', 'x', '<', '{', '[', ' '}) {
        if (other == first) continue;
        std::string changed = line;
        changed.front() = other;
        CHECK_FALSE(ParseLine(f, changed, &r));
      }
    }
  }
  for (Format f : all) {
    INFO(FormatName(f));
    if (FirstByteOf(f) != '\0') CHECK(headers[f] > 0);
  }
}
