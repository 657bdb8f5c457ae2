#include "why500/redact.h"

#include <catch2/catch.hpp>

#include "why500/source.h"
#include "why500/correlate.h"
#include "why500/pipeline.h"
#include "why500/report.h"
#include "test_support.h"

using namespace why500;

namespace {

const Redactor& R() {
  static const Redactor redactor;
  return redactor;
}

}  // namespace

TEST_CASE("redact: each kind of personal or secret value is masked", "[redact]") {
  struct Case {
    std::string in, out;
  };
  const std::vector<Case> cases = {
      // client addresses, v4 and v6, with and without ports
      {"client: 203.0.113.7, server: shop", "client: <ip>, server: shop"},
      {"[client 198.51.100.23:51234] AH01071", "[client <ip>:51234] AH01071"},
      {"from 2001:db8:85a3::8a2e:370:7334 port 22", "from <ipv6> port 22"},
      {"client: 2a02:1810:4d02:4900:1c2d:9f4e:aa1b:3c10, server", "client: <ipv6>, server"},
      // e-mail addresses
      {"Duplicate entry 'ada.lovelace+shop@example.com' for key", "Duplicate entry '<email>' for key"},
      // credentials in URLs and headers
      {"redis://default:s3cr3tP4ss@10.0.0.7:6379/0", "redis://default:<redacted>@10.0.0.7:6379/0"},
      {"Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.abcdEFGH123", "Authorization: Bearer <redacted>"},
      {"token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.sig in body", "token <redacted> in body"},
      {"jwt=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.abcdEFGH123 end", "jwt=<jwt> end"},
      // API keys by shape and by name
      {"aws key AKIAIOSFODNN7EXAMPLE used", "aws key <key> used"},
      {"stripe sk_live_4eC39HqLyjWDarjtT1zdp7dc failed", "stripe <key> failed"},
      {"api_key=abc123def456 rejected", "api_key=<redacted> rejected"},
      {"{\"password\": \"hunter2\", \"user\": \"bob\"}", "{\"password\": \"<redacted>\", \"user\": \"bob\"}"},
      {"PHPSESSID=9f8e7d6c5b4a3210; path=/", "PHPSESSID=<redacted>; path=/"},
      // query-string values, keys kept
      {"request: \"GET /search?q=red+shoes&page=2 HTTP/1.1\"", "request: \"GET /search?q=<v>&page=<v> HTTP/1.1\""},
      {"GET /reset?token=9a8b7c6d HTTP/1.1", "GET /reset?token=<redacted> HTTP/1.1"},
  };
  for (const Case& c : cases) {
    INFO(c.in);
    CHECK(R().Apply(c.in) == c.out);
  }
}

TEST_CASE("redact: what names the site's own machines and the failure stays", "[redact]") {
  for (const std::string keep : {
           "connect() to 127.0.0.1:9000 failed (111: Connection refused) while connecting to upstream",
           "upstream: \"http://10.0.0.5:8080/api\"",
           "connection to server at \"192.168.1.20\", port 5432 failed",
           "listen [::1]:80 and fe80::1%eth0",
           "2026/11/21 10:03:08 [crit] 4216#4216: *2236 connect() to unix:/run/php/php8.2-fpm.sock failed",
           "PHP Fatal error:  Uncaught Error: Class \"App\\Models\\Foo\" not found in /var/www/x.php:12",
           "Allowed memory size of 134217728 bytes exhausted (tried to allocate 20480 bytes)",
           "java.lang.NullPointerException at com.shop.Cart::add(Cart.java:42) version 1.2.3",
       }) {
    INFO(keep);
    CHECK(R().Apply(keep) == keep);
  }
}

TEST_CASE("redact: a redacted report is still a useful report", "[redact]") {
  const std::string error =
      "2026/11/21 10:03:11 [error] 812#812: *1 connect() failed (111: Connection refused) while connecting to "
      "upstream, client: 203.0.113.7, server: shop, request: \"GET /checkout?coupon=ADA-2026&email=ada@example.com "
      "HTTP/1.1\", upstream: \"http://127.0.0.1:8080/checkout?coupon=ADA-2026&email=ada@example.com\", host: \"shop\"\n"
      "2026/11/21 10:03:12 [error] 812#812: *2 connect() failed (111: Connection refused) while connecting to "
      "upstream, client: 198.51.100.9, server: shop, request: \"GET /checkout?coupon=BOB&email=bob@example.org "
      "HTTP/1.1\", upstream: \"http://127.0.0.1:8080/checkout\", host: \"shop\"\n";
  const std::string access =
      "203.0.113.7 - - [21/Nov/2026:10:03:11 +0000] \"GET /checkout?coupon=ADA-2026&email=ada@example.com HTTP/1.1\" "
      "502 157 \"-\" \"Mozilla/5.0\"\n";
  PipelineOptions o;
  Aggregate agg(3);
  auto e = MemorySource(error);
  auto a = MemorySource(access);
  AnalyseSource(*DefaultRuleSet(), e.get(), 0, o, &agg);
  AnalyseSource(*DefaultRuleSet(), a.get(), 1, o, &agg);
  Correlate(&agg);
  RedactAggregate(R(), &agg);
  const Report r = BuildReport(agg, 0);
  const std::string json = RenderJson(r);
  for (const char* secret : {"203.0.113.7", "198.51.100.9", "ada@example.com", "bob@example.org", "ADA-2026"}) {
    INFO(secret);
    CHECK(json.find(secret) == std::string::npos);
  }
  REQUIRE_FALSE(r.causes.empty());
  CHECK(r.causes[0].group->cause == "upstream.connect");
  CHECK(r.causes[0].group->events == 2);
  CHECK(r.causes[0].group->http_5xx == 1);
  // Both clients now read "<ip>" and add up; the site's own upstream address stays.
  CHECK(r.causes[0].group->client.Top(5) == std::vector<std::pair<std::string, uint64_t>>{{"<ip>", 2}});
  CHECK(json.find("127.0.0.1:8080") != std::string::npos);
}
