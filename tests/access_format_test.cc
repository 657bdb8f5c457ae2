#include "why500/access_format.h"

#include <catch2/catch.hpp>

#include "why500/formats.h"

using namespace why500;

TEST_CASE("an nginx log_format reads its lines", "[access_format]") {
  auto f = AccessFormat::Compile(
      "$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent \"$http_referer\" "
      "\"$http_user_agent\" $request_time $upstream_response_time $request_id");
  REQUIRE(f.ok());
  Record r;
  REQUIRE(f->Parse("10.0.0.1 - bob [21/Nov/2026:10:00:00 +0100] \"POST /api/x?y=1 HTTP/2.0\" 504 0 \"-\" "
                   "\"curl/8 (x; y)\" 60.001 60.000 4f2a0b1c9d",
                   &r));
  CHECK(r.client == "10.0.0.1");
  CHECK(FormatRfc3339(r.time) == "2026-11-21T09:00:00Z");
  CHECK(r.method == "POST");
  CHECK(r.path == "/api/x");
  CHECK(r.status == 504);
  CHECK(r.request_time == "60.001");
  CHECK(r.upstream_time == "60.000");
  CHECK(r.request_id == "4f2a0b1c9d");
  CHECK_FALSE(f->Parse("2026/11/21 10:00:00 [error] 1#1: *1 x", &r));
  CHECK_FALSE(f->Parse("10.0.0.1 - - [21/Nov/2026:10:00:00 +0100] \"GET / HTTP/1.1\" abc 0 \"-\" \"a\" 1 1 x", &r));
}

TEST_CASE("an Apache LogFormat reads its lines", "[access_format]") {
  auto f = AccessFormat::Compile("%v:%p %h %l %u %t \"%r\" %>s %O \"%{Referer}i\" \"%{User-Agent}i\" %D");
  REQUIRE(f.ok());
  Record r;
  REQUIRE(f->Parse("shop.example:443 10.0.0.7 - - [21/Nov/2026:10:00:00 +0000] \"GET /cart HTTP/1.1\" 503 299 "
                   "\"-\" \"Mozilla/5.0\" 30001234",
                   &r));
  CHECK(r.host == "shop.example");
  CHECK(r.client == "10.0.0.7");
  CHECK(r.status == 503);
  CHECK(r.path == "/cart");
  CHECK(r.request_time == "30001234");
}

TEST_CASE("formats that cannot be read are refused with the reason", "[access_format]") {
  CHECK(AccessFormat::Compile("$remote_addr [$time_local] \"$request\"").error().message.find("no status field") !=
        std::string::npos);
  CHECK(AccessFormat::Compile("$remote_addr$status").error().message.find("nothing between them") != std::string::npos);
}

TEST_CASE("JSON access lines are read without a format", "[access_format]") {
  Record r;
  REQUIRE(ParseJsonAccess("{\"time_iso8601\":\"2026-11-21T10:00:00+00:00\",\"remote_addr\":\"10.0.0.1\",\"request\":"
                          "\"GET /a?b=1 HTTP/1.1\",\"status\":\"502\",\"upstream_addr\":\"127.0.0.1:9000\"}",
                          &r));
  CHECK(r.status == 502);
  CHECK(r.method == "GET");
  CHECK(r.path == "/a");
  CHECK(r.client == "10.0.0.1");
  CHECK(r.upstream == "127.0.0.1:9000");
  CHECK(FormatRfc3339(r.time) == "2026-11-21T10:00:00Z");
  REQUIRE(ParseJsonAccess("{\"ts\":\"2026-11-21T10:00:00Z\",\"method\":\"POST\",\"uri\":\"/x\",\"status\":504}", &r));
  CHECK(r.status == 504);
  CHECK(r.method == "POST");
  CHECK_FALSE(ParseJsonAccess("{\"level\":\"error\",\"msg\":\"status unknown\"}", &r));
  CHECK_FALSE(ParseJsonAccess("{\"status\":\"ok\",\"uri\":\"/x\"}", &r));
}
