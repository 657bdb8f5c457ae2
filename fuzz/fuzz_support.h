// Shared by the libFuzzer targets: reading every byte of a value (so AddressSanitizer checks the
// memory behind each view), splitting input into lines, failing loudly on a broken property, and
// the built-in rules compiled once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "why500/classify.h"
#include "why500/record.h"
#include "why500/rules.h"

namespace why500::fuzz {

// A violated property: say which, then trap so libFuzzer keeps the input as a crash.
#define WHY500_FUZZ_CHECK(cond)                                                              \
  do {                                                                                       \
    if (!(cond)) {                                                                           \
      std::fprintf(stderr, "%s:%d: property violated: %s\n", __FILE__, __LINE__, #cond);     \
      __builtin_trap();                                                                      \
    }                                                                                        \
  } while (0)

// The built-in rules, compiled once for all runs of a target.
inline const RuleSet& DefaultRules() {
  static const std::shared_ptr<const RuleSet> rules = [] {
    auto loaded = LoadRules({}, true);
    if (!loaded) {
      std::fprintf(stderr, "default rules: %s\n", loaded.error().message.c_str());
      std::abort();
    }
    auto compiled = RuleSet::Compile(std::move(*loaded));
    if (!compiled) {
      std::fprintf(stderr, "default rules: %s\n", compiled.error().message.c_str());
      std::abort();
    }
    return *compiled;
  }();
  return *rules;
}

inline std::string_view AsText(const uint8_t* data, size_t size) {
  return std::string_view(reinterpret_cast<const char*>(data), size);
}

// Where touched values go: volatile, so nothing read for them is optimised away.
inline volatile int64_t g_touched;

// Reads every byte of `s`.
inline void Touch(std::string_view s) {
  unsigned char acc = 0;
  for (char c : s) acc = static_cast<unsigned char>(acc * 31 + static_cast<unsigned char>(c));
  g_touched = acc;
}

inline void TouchValue(int64_t v) { g_touched = v; }

inline void Touch(const Record& r) {
  TouchValue(r.time);
  TouchValue(r.status);
  TouchValue(r.backend_response + 2 * r.request_time_in_us);
  for (std::string_view s : {r.severity, r.pid, r.connection, r.client, r.method, r.path, r.host, r.server,
                             r.upstream, r.request_id, r.request_time, r.upstream_time, r.upstream_status, r.message,
                             r.join_key}) {
    Touch(s);
  }
}

inline void Touch(const Event& e) {
  TouchValue(static_cast<int64_t>(e.format));
  TouchValue(e.input);
  TouchValue(static_cast<int64_t>(e.line));
  TouchValue(e.line_count);
  TouchValue(e.time);
  TouchValue(e.status);
  TouchValue(e.cut + 2 * e.backend_response);
  TouchValue(static_cast<int64_t>(e.entry_bytes));
  TouchValue(e.request_ms);
  TouchValue(e.upstream_ms);
  TouchValue(e.upstream_status);
  for (const std::string* s : {&e.severity, &e.pid, &e.connection, &e.client, &e.method, &e.path, &e.host,
                               &e.server, &e.upstream, &e.request_id, &e.join_key, &e.text, &e.message}) {
    Touch(*s);
  }
}

// The lines of `text` as LineReader frames them: split at '\n', a '\r' before it dropped, a
// last line without '\n' kept.
inline std::vector<std::string_view> SplitLines(std::string_view text, size_t max_lines = SIZE_MAX) {
  std::vector<std::string_view> lines;
  while (!text.empty() && lines.size() < max_lines) {
    const size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return lines;
}

}  // namespace why500::fuzz
