// What the literal gate scans for: literals one of which a rule's every match contains, learnt
// from RE2's own prefilter. Learning compiles the pattern, so the built-in rules' keys are
// learnt when why500 is built (src/gen_gate_keys.cc) and only user rules' keys at run time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace why500 {

// RE2's prefilter leaves out literals shorter than this; the gate hashes this many bytes.
constexpr int kMinKeyLength = 3;

struct GateKeys {
  // False when the pattern can match no text of its kind (one that needs a '\n', on one line).
  bool can_match = true;
  // Lower-case literals, the rarest that will do, one of which every match holds. Empty when
  // the rule may match with no literal at all.
  std::vector<std::string> keys;
  // For each key, literals one of which a match holds when that key is the only one of `keys`
  // in it: "missing" lets an env-var rule through on most lines, "environment var" then turns
  // nearly all of them away before RE2 runs. Empty when that key alone may do.
  std::vector<std::vector<std::string>> companions;
  bool operator==(const GateKeys& o) const {
    return can_match == o.can_match && keys == o.keys && companions == o.companions;
  }
};

// The keys of `pattern`, for one-line messages (where a '\n' in the pattern cannot match) or
// for any message.
GateKeys LearnGateKeys(const std::string& pattern, bool one_line);

// One pattern's keys as src/gen_gate_keys.cc learnt them from rules/*.json when why500 was
// built: the generated gate_keys_data.cc lists them. The literals a pattern needs are a property
// of what it matches, so they hold whatever RE2 version later runs it.
struct BuiltInGateKeysEntry {
  std::string_view pattern;
  bool one_line;
  GateKeys learnt;
};
const std::vector<BuiltInGateKeysEntry>& BuiltInGateKeysEntries();

// How often 4-byte substrings (ASCII lower-cased) occur in real log lines: the most frequent
// among the built-in rules' example and counter-example lines, sorted by bytes.
struct CommonGram {
  std::string_view gram;
  uint32_t count;
};
const std::vector<CommonGram>& BuiltInCommonGrams();

}  // namespace why500
