// --redact: masks what identifies a person or grants access, so a report can be published
// (a CI artifact, a ticket). Applied to everything a report shows: examples, templates, hints,
// top field values, change lines and the event stream.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "why500/aggregate.h"

namespace re2 {
class RE2;
}

namespace why500 {

class Redactor {
 public:
  Redactor();
  ~Redactor();
  Redactor(const Redactor&) = delete;
  Redactor& operator=(const Redactor&) = delete;

  // `text` with public IPv4/IPv6 addresses (private, loopback and link-local ones stay: they
  // name the site's own machines), e-mail addresses, passwords in URLs, bearer and basic
  // credentials, JWTs, well-known API key shapes, values of secret-named fields (password,
  // token, api_key, session ids, ...) and query-string values masked.
  std::string Apply(std::string_view text) const;

 private:
  struct Pattern;
  std::unique_ptr<Pattern[]> patterns_;
  size_t count_ = 0;
};

// Redacts every string of `agg` a report shows; top values that become equal merge.
void RedactAggregate(const Redactor& redactor, Aggregate* agg);

}  // namespace why500
