// Shared by the unit tests: the default rule set, compiled once per test binary.
#pragma once

#include <catch2/catch.hpp>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <string>

#include "why500/classify.h"
#include "why500/rules.h"

namespace why500 {

inline std::shared_ptr<const RuleSet> DefaultRuleSet() {
  static std::shared_ptr<const RuleSet> rules = [] {
    auto loaded = LoadRules({}, true);
    REQUIRE(loaded.ok());
    auto compiled = RuleSet::Compile(std::move(*loaded));
    REQUIRE(compiled.ok());
    return *compiled;
  }();
  return rules;
}

// A file holding `content` under /tmp, removed when it goes.
struct TempFile {
  explicit TempFile(const std::string& content) {
    char tmpl[] = "/tmp/why500-test-XXXXXX";
    const int fd = ::mkstemp(tmpl);
    REQUIRE(fd >= 0);
    path = tmpl;
    REQUIRE(::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size()));
    ::close(fd);
  }
  ~TempFile() { std::remove(path.c_str()); }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  std::string path;
};

}  // namespace why500
