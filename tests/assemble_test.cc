#include "why500/assemble.h"
#include "why500/line_reader.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

using namespace why500;

namespace {

struct Collected {
  Format format;
  uint64_t line;
  uint32_t lines;
  std::string message, text, client;
  int status;
  bool cut;
};

class Collector : public EventSink {
 public:
  void OnEvent(Event& e) override {
    events.push_back({e.format, e.line, e.line_count, e.message, e.text, e.client, e.status, e.cut});
  }
  void OnQuietResponse(TimeUs) override { ++quiet; }
  std::vector<Collected> events;
  int quiet = 0;
};

Collector Assemble(Format f, const std::vector<std::string>& lines, AssembleStats* stats = nullptr) {
  Collector c;
  Assembler a(f, 0, &c);
  uint64_t n = 0;
  for (const std::string& l : lines) a.Add(l, ++n);
  a.Finish();
  if (stats) *stats = a.stats();
  return c;
}

}  // namespace

TEST_CASE("nginx: raw FastCGI stderr lines join the entry before them", "[assemble]") {
  const auto c = Assemble(Format::kNginxError,
                          {"2026/11/21 10:00:00 [error] 9#9: *1 FastCGI sent in stderr: \"PHP message: PHP Fatal "
                           "error:  Uncaught Exception: boom in /var/www/a.php:3",
                           "Stack trace:", "#0 {main}",
                           "  thrown in /var/www/a.php on line 3\" while reading response header from upstream, "
                           "client: 1.2.3.4, server: _, request: \"GET / HTTP/1.1\"",
                           "2026/11/21 10:00:01 [notice] 9#9: signal process started"});
  REQUIRE(c.events.size() == 2);
  CHECK(c.events[0].lines == 4);
  CHECK(c.events[0].client == "1.2.3.4");
  CHECK(c.events[0].message ==
        "PHP Fatal error:  Uncaught Exception: boom in /var/www/a.php:3\nStack trace:\n#0 {main}\n  thrown in "
        "/var/www/a.php on line 3\nwhile reading response header from upstream");
  CHECK(c.events[1].line == 5);
}

TEST_CASE("php-fpm: consecutive output lines of one child are rejoined", "[assemble]") {
  const auto c = Assemble(Format::kPhpFpm,
                          {"[21-Nov-2026 10:00:00] WARNING: [pool www] child 7 said into stderr: \"PHP Fatal error:  "
                           "Uncaught Exception: x\"",
                           "[21-Nov-2026 10:00:00] WARNING: [pool www] child 7 said into stderr: \"Stack trace:\"",
                           "[21-Nov-2026 10:00:00] WARNING: [pool www] child 8 said into stderr: \"other child\"",
                           "[21-Nov-2026 10:00:01] WARNING: [pool www] server reached pm.max_children setting (5), "
                           "consider raising it"});
  REQUIRE(c.events.size() == 3);
  CHECK(c.events[0].message == "PHP Fatal error:  Uncaught Exception: x\nStack trace:");
  CHECK(c.events[0].lines == 2);
  CHECK(c.events[1].message == "other child");
}

TEST_CASE("PHP error_log: stack trace lines join their fatal error", "[assemble]") {
  const auto c = Assemble(Format::kPhpError, {"[21-Nov-2026 10:00:00 UTC] PHP Fatal error:  Uncaught Exception: x",
                                              "Stack trace:", "#0 /var/www/a.php(3): f()", "#1 {main}",
                                              "  thrown in /var/www/a.php on line 3",
                                              "[21-Nov-2026 10:00:01 UTC] PHP Warning:  y"});
  REQUIRE(c.events.size() == 2);
  CHECK(c.events[0].lines == 5);
}

TEST_CASE("generic: Python tracebacks, including chained ones, are one event", "[assemble]") {
  const auto c = Assemble(Format::kGeneric,
                          {"ERROR Internal Server Error: /orders", "Traceback (most recent call last):",
                           "  File \"/app/views.py\", line 3, in get", "    x = d['k']", "KeyError: 'k'", "",
                           "During handling of the above exception, another exception occurred:", "",
                           "Traceback (most recent call last):", "  File \"/app/x.py\", line 9, in h",
                           "ValueError: bad", "INFO next request"});
  REQUIRE(c.events.size() == 2);
  CHECK(c.events[0].lines == 11);
  CHECK(c.events[0].message.find("ValueError: bad") != std::string::npos);
  CHECK(c.events[1].message == "INFO next request");
}

TEST_CASE("generic: an exception message on two lines does not end a chained traceback", "[assemble]") {
  // psycopg2 messages end with an indented hint line and a newline of their own.
  const auto c = Assemble(Format::kGeneric,
                          {"2026-11-21 10:15:21,537 ERROR django.request Internal Server Error: /",
                           "Traceback (most recent call last):", "  File \"/app/db.py\", line 3, in connect",
                           "psycopg2.OperationalError: connection to server at \"10.0.0.5\", port 5432 failed: "
                           "Connection refused",
                           "\tIs the server running on that host and accepting TCP/IP connections?", "", "",
                           "The above exception was the direct cause of the following exception:", "",
                           "Traceback (most recent call last):", "  File \"/app/views.py\", line 9, in get",
                           "django.db.utils.OperationalError: connection to server at \"10.0.0.5\", port 5432 "
                           "failed: Connection refused",
                           "\tIs the server running on that host and accepting TCP/IP connections?", "",
                           "2026-11-21 10:15:22,001 WARNING django.request Not Found: /favicon.ico"});
  REQUIRE(c.events.size() == 2);
  CHECK(c.events[0].message.find("django.db.utils.OperationalError") != std::string::npos);
  CHECK(c.events[1].message.find("Not Found") != std::string::npos);
}

TEST_CASE("a line of another format switches format, an unfit line is counted unparsed", "[assemble]") {
  AssembleStats stats;
  const auto c = Assemble(Format::kAccessCombined,
                          {"1.1.1.1 - - [21/Nov/2026:10:00:00 +0000] \"GET / HTTP/1.1\" 200 1 \"-\" \"a\"",
                           "garbage that fits nothing",
                           "1.1.1.1 - - [21/Nov/2026:10:00:01 +0000] \"GET /x HTTP/1.1\" 502 1 \"-\" \"a\"",
                           "2026/11/21 10:00:01 [error] 1#1: *5 upstream timed out",
                           "[Sat Nov 21 10:00:02 2026] [error] [client 1.2.3.4] an Apache line after nginx's"},
                          &stats);
  CHECK(c.quiet == 1);
  REQUIRE(c.events.size() == 4);
  CHECK(c.events[0].format == Format::kGeneric);
  CHECK(c.events[1].status == 502);
  CHECK(c.events[2].format == Format::kNginxError);
  CHECK(c.events[2].lines == 1);
  CHECK(c.events[3].format == Format::kApacheError);
  CHECK(stats.unparsed_lines == 1);
  CHECK(stats.format_switches == 2);
}

TEST_CASE("hard-wrapped error-log entries are joined", "[assemble]") {
  const auto c = Assemble(Format::kApacheError,
                          {"[Sat Nov 21 10:00:00.1 2026] [proxy:error] [pid 2] (104)Connection reset by peer: "
                           "[client 1.2.3.4:5] AH01075:",
                           "Error dispatching request to : (polling)"});
  REQUIRE(c.events.size() == 1);
  CHECK(c.events[0].lines == 2);
}

// One container's output holds a server's entries and an application's, line by line: an
// application's line starts with a date of its own, and is no continuation of the server's.
TEST_CASE("an application's line with its own date between a server's entries starts an event", "[assemble]") {
  for (const Format f : {Format::kNginxError, Format::kApacheError, Format::kPhpFpm, Format::kPhpError}) {
    const std::string header =
        f == Format::kNginxError    ? "2026/11/21 10:00:00 [notice] 9#9: *1 an upstream response is buffered"
        : f == Format::kApacheError ? "[Sat Nov 21 10:00:00.1 2026] [core:info] [pid 2] AH00128: File does not exist"
        : f == Format::kPhpFpm      ? "[21-Nov-2026 10:00:00] NOTICE: [pool www] child 7 started"
                                    : "[21-Nov-2026 10:00:00 UTC] PHP Warning:  Undefined variable $x in /a.php";
    INFO(header);
    const auto c = Assemble(f, {header, "wrapped on, no date",
                                "2026-11-21 10:00:01,133 WARNING [urllib3.connectionpool] Retrying (Retry(total=2))",
                                "2026-11-21T10:00:02Z ERROR [django.request] Internal Server Error: /x",
                                "Traceback (most recent call last):", "  File \"/srv/app.py\", line 3, in run",
                                "ValueError: bad"});
    REQUIRE(c.events.size() == 3);
    CHECK(c.events[0].format == f);
    CHECK(c.events[0].lines == 2);  // a line without a date still continues the server's entry
    CHECK(c.events[1].format == Format::kGeneric);
    CHECK(c.events[1].line == 3);
    CHECK(c.events[2].format == Format::kGeneric);
    CHECK(c.events[2].lines == 4);  // the application's traceback stays with its own line
  }
}

TEST_CASE("binary lines are counted, not classified", "[assemble]") {
  AssembleStats stats;
  const auto c = Assemble(Format::kGeneric, {std::string("\x01\x02\0\x03", 4), "ok"}, &stats);
  CHECK(stats.binary_lines == 1);
  CHECK(stats.unparsed_lines == 1);
  REQUIRE(c.events.size() == 1);
  CHECK(c.events[0].message == "ok");
}

TEST_CASE("an event stops growing at its cap but its lines are still consumed", "[assemble]") {
  std::vector<std::string> lines = {"2026/11/21 10:00:00 [error] 1#1: *1 FastCGI sent in stderr: \"x"};
  for (int i = 0; i < 5000; ++i) lines.push_back("#" + std::to_string(i) + " frame");
  const auto c = Assemble(Format::kNginxError, lines);
  REQUIRE(c.events.size() == 1);
  CHECK(c.events[0].lines == 5001);
  CHECK(c.events[0].text.size() <= Assembler::kMaxEventBytes);
}

TEST_CASE("generic: Spring's root cause and Node's crash preamble join their exception", "[assemble]") {
  const auto spring = Assemble(Format::kGeneric,
                               {"2026-11-21 10:00:00.123 ERROR 1 --- [nio-8080-exec-1] o.a.c.c.C.[.[.[/].[dispatcherServlet] "
                                ": Servlet.service() for servlet [dispatcherServlet] threw exception with root cause",
                                "", "java.net.ConnectException: Connection refused", "\tat java.base/sun.nio.ch.Net.connect0(Native Method)",
                                "2026-11-21 10:00:01.000  INFO 1 --- [main] next"});
  REQUIRE(spring.events.size() == 2);
  CHECK(spring.events[0].lines == 4);
  const auto node = Assemble(Format::kGeneric,
                             {"/app/server.js:10", "    const parts = process.env.DATABASE_URL.split(',');",
                              "                                          ^", "",
                              "TypeError: Cannot read properties of undefined (reading 'split')",
                              "    at Object.<anonymous> (/app/server.js:10:43)", "", "Node.js v20.11.0"});
  REQUIRE(node.events.size() == 2);
  CHECK(node.events[0].message.find("DATABASE_URL") != std::string::npos);
  CHECK(node.events[0].message.find("TypeError") != std::string::npos);
}

TEST_CASE("generic: Laravel's stack trace block stays with its entry", "[assemble]") {
  const auto c = Assemble(Format::kGeneric,
                          {"[2026-11-21 10:00:00] production.ERROR: boom {\"exception\":\"[object] (Exception(code: 0): boom at /var/www/app/x.php:3)",
                           "[stacktrace]", "#0 /var/www/vendor/a.php(10): f()", "#1 {main}", "\"}",
                           "[2026-11-21 10:00:01] production.INFO: next"});
  REQUIRE(c.events.size() == 2);
  CHECK(c.events[0].lines == 5);
}

TEST_CASE("journald: a traceback written one entry a line is rejoined by process", "[assemble]") {
  const auto c = Assemble(Format::kSyslog,
                          {"Nov 21 10:00:02 web1 gunicorn[1234]: [ERROR] Exception in worker process",
                           "Nov 21 10:00:02 web1 gunicorn[1234]: Traceback (most recent call last):",
                           "Nov 21 10:00:02 web1 gunicorn[1234]:   File \"/app/db.py\", line 12, in connect",
                           "Nov 21 10:00:02 web1 gunicorn[1234]: ValueError: x",
                           "-- Boot 3e9c0a1b2c3d4e5f --",
                           "Nov 21 10:00:03 web1 gunicorn[1234]: hello"});
  REQUIRE(c.events.size() == 2);
  CHECK(c.events[0].lines == 4);
  CHECK(c.events[0].message.find("ValueError: x") != std::string::npos);
  CHECK(c.events[1].message == "hello");
}

TEST_CASE("journald: interleaved processes keep their own multi-line events", "[assemble]") {
  const auto c = Assemble(Format::kSyslog,
                          {"Nov 21 10:00:02 web1 gunicorn[1234]: [ERROR] Exception in worker process",
                           "Nov 21 10:00:02 web1 gunicorn[1234]: Traceback (most recent call last):",
                           "Nov 21 10:00:02 web1 nginx[811]: 2026/11/21 10:00:02 [error] 811#811: *1 upstream prematurely closed connection",
                           "Nov 21 10:00:02 web1 gunicorn[1234]:   File \"/app/db.py\", line 12, in connect",
                           "Nov 21 10:00:02 web1 gunicorn[1235]: [INFO] Booting worker with pid: 1235",
                           "Nov 21 10:00:02 web1 gunicorn[1234]: ValueError: x",
                           "Nov 21 10:00:03 web1 gunicorn[1234]: [INFO] next"});
  REQUIRE(c.events.size() == 4);
  // An event leaves when its process writes anew, or at the end (waiting ones in arrival order).
  CHECK(c.events[0].lines == 4);
  CHECK(c.events[0].line == 1);
  CHECK(c.events[0].message.find("ValueError: x") != std::string::npos);
  CHECK(c.events[1].message == "[INFO] next");
  CHECK(c.events[2].format == Format::kNginxError);
  CHECK(c.events[3].message.find("Booting worker") != std::string::npos);
}

TEST_CASE("traces split across read blocks assemble the same", "[assemble]") {
  const std::string log =
      "2026-11-21 10:00:00,001 ERROR app: Exception on /orders [GET]\n"
      "Traceback (most recent call last):\n"
      "  File \"/app/views.py\", line 12, in orders\n"
      "    return db.fetch()\n"
      "psycopg2.OperationalError: could not connect to server: Connection refused\n"
      "2026-11-21 10:00:01.002 ERROR 1 --- [nio-8080-exec-1] o.a.c.c.C.[.[.[/].[dispatcherServlet] : boom\n"
      "java.lang.IllegalStateException: boom\n"
      "\tat com.example.A.b(A.java:10)\n"
      "Caused by: java.lang.NullPointerException: x\n"
      "\t... 42 more\n"
      "2026-11-21 10:00:02,000 INFO app: done\n";
  auto run = [&](size_t block) {
    Collector c;
    Assembler a(Format::kGeneric, 0, &c);
    auto source = MemorySource(log);
    LineReader reader(source.get(), 1024, block);
    std::string_view line;
    uint64_t n = 0;
    while (reader.Next(&line)) a.Add(line, ++n);
    a.Finish();
    return c.events;
  };
  const auto whole = run(1 << 20);
  REQUIRE(whole.size() == 3);
  CHECK(whole[0].lines == 5);
  CHECK(whole[1].lines == 5);
  for (size_t block : {1, 7, 16, 61}) {
    const auto split = run(block);
    REQUIRE(split.size() == whole.size());
    for (size_t i = 0; i < whole.size(); ++i) {
      INFO("block " << block << ", event " << i);
      CHECK(split[i].message == whole[i].message);
      CHECK(split[i].lines == whole[i].lines);
    }
  }
}

TEST_CASE("generic: a Go panic dump is one event", "[assemble]") {
  const auto c = Assemble(Format::kGeneric,
                          {"2026/11/21 10:00:00 http: panic serving 10.0.0.1:5123: runtime error: invalid memory address or nil pointer dereference",
                           "goroutine 42 [running]:", "net/http.(*conn).serve.func1()",
                           "\t/usr/local/go/src/net/http/server.go:1898 +0xbe", "panic({0x6b3f20?, 0x9c2a50?})",
                           "main.handler({0x7f1c18, 0xc000012345}, 0xc0000f2000)", "\t/app/main.go:42 +0x1c",
                           "2026/11/21 10:00:01 next request"});
  REQUIRE(c.events.size() == 2);
  CHECK(c.events[0].lines == 7);
}

TEST_CASE("custom access formats: a request time of too many digits is no time", "[assemble][fuzz]") {
  // Found by fuzz/fuzz_access_format.cc: the digits were summed into an int64 before their count was checked.
  auto format = AccessFormat::Compile("$status $request_time $upstream_response_time");
  REQUIRE(format.ok());
  struct Times : EventSink {
    void OnEvent(Event& e) override { got.emplace_back(e.request_ms, e.upstream_ms); }
    void OnQuietResponse(TimeUs) override {}
    std::vector<std::pair<int64_t, int64_t>> got;
  } sink;
  Assembler a(Format::kAccessCombined, 0, &sink, &format.value());
  a.Add("504 71701111170017777011 60.001", 1);
  a.Add("502 123456789.5 1234567890", 2);
  a.Finish();
  REQUIRE(sink.got.size() == 2);
  CHECK(sink.got[0] == std::make_pair(int64_t{-1}, int64_t{60001}));
  CHECK(sink.got[1] == std::make_pair(int64_t{123456789500}, int64_t{-1}));
}
