// The literal gate in front of the rule set: most log lines hold none of the words any rule
// needs, and a byte scan for those words costs a fraction of a pass through the RE2::Set DFA.
#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "why500/record.h"
#include "why500/rules.h"

namespace why500 {

class LiteralGate {
 public:
  // Learns, for each rule, a few literals one of which any match must contain (from RE2's own
  // prefilter), once for one-line messages and once for multi-line ones. Rules without such
  // literals are always let through for their formats.
  explicit LiteralGate(const std::vector<Rule>& rules);

  // False only when no rule that applies to `format` and `level` can match `text` (with
  // `evidence_only`, no rule whose cause is not "none"): the rule set's answer is then known
  // without running it. Exact, never a guess.
  bool MayMatch(std::string_view text, Format format, std::string_view level, bool evidence_only) const;

  // The rules that may match `text`, when few: kNone (no rule can), kFew (only the rules put in
  // `candidates`, sorted, at most `limit`, can), or kMany (more: run the Set).
  // With `first_keys`, also where in `text` the earliest of candidates[i]'s keys starts, at i:
  // every match of the rule holds one of its keys, so none ends before that. 0 (no bound) for a
  // rule let through without a key, and for text with bytes >= 0x80 (scanned folded, so its
  // positions are not the text's).
  enum class Verdict { kNone, kFew, kMany };
  Verdict Candidates(std::string_view text, Format format, std::string_view level, bool evidence_only, size_t limit,
                     std::vector<int>* candidates, std::vector<size_t>* first_keys = nullptr) const;

  // For tests: the literals the one-line table scans for, and the rules it cannot filter.
  size_t key_count() const { return TableFor(true).keys.literals; }
  size_t unfiltered_count() const { return TableFor(true).unfiltered.size(); }

 private:
  struct Key {
    std::string literal;     // lower case ASCII, at least 3 bytes
    int id = 0;              // the literal's, the same under each hash it is filed under
    std::vector<int> rules;  // the rules this literal lets through
    std::vector<int> companions;  // of rules[i]: its set in Table::companion_sets, or kNoCompanions
  };
  static constexpr int kNoCompanions = -1;
  // A key of `rule`, which then needs the companion set `companions`.
  struct Filing {
    std::string literal;
    int rule;
    int companions;
  };
  // What a bucket walk compares, kept apart from the keys so that the walk reads one short
  // array: the literal's first 8 bytes as a word and which of them it has, the next 8 likewise
  // (keys that share a first word, such as those that start with "upstream", part there), and
  // its length. Most keys that share a hash with the text are turned down without memcmp.
  struct KeyHead {
    uint64_t head = 0, mask = 0;
    uint64_t next = 0, next_mask = 0;
    uint32_t length = 0;
    uint32_t offset = 0;  // of the four bytes it is filed under (its rarest in real logs)
  };
  // Keys by the hash of four of their bytes (at KeyHead::offset; a 3-byte key and each next byte).
  struct KeyIndex {
    std::vector<Key> keys;              // sorted by hash
    size_t literals = 0;                // distinct, as their Key::id numbers them
    std::vector<KeyHead> heads;         // of keys[k], at k
    int bits = 16;                      // of the hash
    std::vector<uint64_t> seen;         // a bit per hash in use: the scan's fast test
    // A bit per hash in use by a second hash of the same four bytes, tested where `seen` says
    // yes: most such positions share only a hash with a key, and this turns them away before
    // the bucket walk (whose arrays are too big to stay in L1).
    std::vector<uint64_t> seen_again;
    // The hashes in use, in order, each with its keys: the n-th one's are keys[bucket[n]] up to
    // keys[bucket[n + 1]]. A hash's n is its rank in `seen` (the bits set before it), so the
    // buckets take a word per hash in use, not per hash: a few KiB that stay in cache, where an
    // array by hash took 512 KiB.
    std::vector<uint32_t> bucket;
    std::vector<uint32_t> seen_before;  // per word of `seen`: the bits set in the words before it
  };
  struct Table {
    std::vector<int> unfiltered;  // rules without a required literal
    std::vector<int> non_ascii;   // rules with a key of bytes >= 0x80: candidates for text that has one
    KeyIndex keys;                // by their first four bytes (a 3-byte key under each fourth)
    // Sets of lower-case ASCII literals: a rule found by one key alone stays a candidate only
    // when the text holds one of that key's set.
    std::vector<std::vector<std::string>> companion_sets;
  };
  struct Query;

  struct Lazy {
    std::once_flag once;
    Table table;
  };
  const Table& TableFor(bool one_line) const;
  void Build(Table* table, bool one_line) const;
  static int AddCompanions(Table* table, const std::vector<std::string>& companions);
  static void Index(KeyIndex* index, std::vector<Filing> filings);
  // Collects into q.out (when set) or stops at the first rule that may match.
  Verdict Scan(const Table& table, std::string_view text, const Query& q) const;
  // `companions` (of rules[i], or null) and `key` (the literal's id, or -1) as Key has them;
  // `at`, where in the text the key starts (0 without one).
  bool Collect(const std::vector<int>& rules, const int* companions, int key, size_t at, const Query& q) const;
  static void DropWithoutCompanions(const Table& table, std::string_view lowered, const Query& q);
  bool KeyAt(const KeyIndex& index, const unsigned char* text, size_t i, size_t n, uint32_t hash,
             const Query& q) const;

  const std::vector<Rule>& rules_;
  // A message without '\n' can match only what a pattern matches when it never matches '\n',
  // which often needs rarer literals (a JVM frame rule needs "\n\tat " only across lines).
  mutable Lazy one_line_, multi_line_;
};

}  // namespace why500
