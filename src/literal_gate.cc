#include "why500/literal_gate.h"

#include <re2/filtered_re2.h>

#include <algorithm>
#include <cstring>

namespace why500 {
namespace {

// RE2's prefilter leaves out literals shorter than this; the scan hashes this many bytes.
constexpr int kMinLiteral = 3;

// Words found in most logs, benign or not (from real nginx, Apache, PHP, journald and
// application lines). A literal made of them is a poor key: the gate prefers rarer ones.
constexpr std::string_view kCommonWords[] = {
    "a",        "an",       "and",       "at",       "by",        "for",       "from",     "in",
    "is",       "it",       "no",        "not",      "of",        "on",        "or",       "the",
    "to",       "was",      "with",      "access",   "alert",     "allowed",   "api",      "app",
    "application", "bad",   "cannot",    "child",    "client",    "closed",    "code",     "com",
    "config",   "connect",  "connecting", "connection", "core",   "could",     "crit",     "critical",
    "data",     "debug",    "denied",    "directory", "does",     "error",     "errors",   "exception",
    "exist",    "failed",   "failure",   "fatal",    "file",      "found",     "get",      "header",
    "host",     "html",     "http",      "https",    "index",     "info",      "internal", "line",
    "local",    "log",      "message",   "module",   "notice",    "null",      "open",     "out",
    "php",      "pid",      "pool",      "port",     "post",      "process",   "proxy",    "read",
    "reading",  "refused",  "request",   "response", "script",    "seconds",   "sent",     "server",
    "service",  "size",     "socket",    "start",    "started",   "status",    "stderr",   "such",
    "time",     "timed",    "timeout",   "unable",   "unknown",   "upstream",  "user",     "value",
    "var",      "warn",     "warning",   "while",    "worker",    "www",       "apache",    "nginx",
    "fpm",      "unix",     "tcp",       "exec",     "env",       "can",
};

bool IsCommonWord(std::string_view w) {
  return std::find(std::begin(kCommonWords), std::end(kCommonWords), w) != std::end(kCommonWords);
}

bool IsAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; }

// How rare a (lower case) literal is likely to be in a log line: words outside the common list
// count by their length (a short one is often part of a longer word), common words and
// punctuation barely count.
int Rarity(const std::string& literal) {
  int score = 0;
  for (size_t i = 0; i < literal.size();) {
    if (!IsAlnum(literal[i])) {
      score += literal[i] == ' ' ? 0 : 1;
      ++i;
      continue;
    }
    size_t end = i;
    while (end < literal.size() && IsAlnum(literal[end])) ++end;
    const std::string_view word(literal.data() + i, end - i);
    const int length = static_cast<int>(word.size());
    score += IsCommonWord(word) ? 1 : length <= 3 ? length : 3 * length;
    i = end;
  }
  return score;
}

constexpr std::array<unsigned char, 256> MakeLowerTable() {
  std::array<unsigned char, 256> t{};
  for (int i = 0; i < 256; ++i) t[i] = static_cast<unsigned char>(i >= 'A' && i <= 'Z' ? i + 32 : i);
  return t;
}
constexpr std::array<unsigned char, 256> kLower = MakeLowerTable();

constexpr uint32_t kHashes = 1 << 16;
inline uint32_t Hash3(unsigned a, unsigned b, unsigned c) { return ((a << 10) ^ (b << 5) ^ c) & (kHashes - 1); }

bool IsAscii(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

// One rule's prefilter: which of its literals must be present for it to possibly match.
class RulePrefilter {
 public:
  RulePrefilter(const std::string& pattern, bool one_line) : filter_(kMinLiteral) {
    re2::RE2::Options options;
    options.set_log_errors(false);
    // never_nl turns a '\n' in the pattern into "no match" and takes it out of classes and
    // dots: on text without '\n' that pattern and the original match alike.
    options.set_never_nl(one_line);
    int id = 0;
    ok_ = filter_.Add(pattern, options, &id) == re2::RE2::NoError;
    if (ok_) filter_.Compile(&literals_);
    // RE2 compiles a pattern that can match nothing (one that needs a '\n' under never_nl) to
    // its fail instruction alone; anything that can match has a match instruction as well.
    can_match_ = !ok_ || re2::RE2(pattern, options).ProgramSize() > 1;
  }

  // Whether the rule can match at all (the one-line variant of a JVM frame rule cannot).
  bool CanMatch() const { return can_match_; }

  // The literals one of which every match contains, chosen to be the rarest: each literal,
  // most common first, is assumed present, and stays so while the rule still cannot pass
  // without the rest. Empty when the rule may match with no literal at all.
  std::vector<std::string> Keys() {
    std::vector<std::string> keys;
    if (!ok_ || Passes({})) return keys;
    std::vector<int> order(literals_.size());
    std::vector<int> rarity(literals_.size());
    for (size_t i = 0; i < order.size(); ++i) {
      order[i] = static_cast<int>(i);
      rarity[i] = Rarity(literals_[i]);
    }
    std::sort(order.begin(), order.end(), [&](int a, int b) {
      if (rarity[a] != rarity[b]) return rarity[a] < rarity[b];
      return literals_[a] < literals_[b];
    });
    std::vector<int> assumed;
    for (int i : order) {
      assumed.push_back(i);
      if (Passes(assumed)) {
        assumed.pop_back();
        keys.push_back(literals_[i]);
      }
    }
    return keys;
  }

 private:
  bool Passes(const std::vector<int>& present) {
    std::vector<int> sorted = present;
    std::sort(sorted.begin(), sorted.end());
    std::vector<int> passing;
    filter_.AllPotentials(sorted, &passing);
    return !passing.empty();
  }

  re2::FilteredRE2 filter_;
  std::vector<std::string> literals_;
  bool ok_ = false, can_match_ = true;
};

}  // namespace

struct LiteralGate::Query {
  Format format;
  std::string_view level;
  bool evidence_only;
};

LiteralGate::LiteralGate(const std::vector<Rule>& rules) : rules_(rules) {
  Build(&one_line_, true);
  Build(&multi_line_, false);
}

void LiteralGate::Build(Table* table, bool one_line) {
  std::vector<std::pair<std::string, int>> pairs;  // (literal, rule)
  for (size_t r = 0; r < rules_.size(); ++r) {
    const int rule = static_cast<int>(r);
    RulePrefilter prefilter(rules_[r].pattern, one_line);
    if (!prefilter.CanMatch()) continue;
    std::vector<std::string> keys = prefilter.Keys();
    // A line with a byte >= 0x80 always passes, so only ASCII keys need scanning for; a key
    // shorter than the hashed prefix cannot be scanned for, and leaves the rule unfiltered.
    keys.erase(std::remove_if(keys.begin(), keys.end(), [](const std::string& k) { return !IsAscii(k); }),
               keys.end());
    const bool short_key =
        std::any_of(keys.begin(), keys.end(), [](const std::string& k) { return k.size() < kMinLiteral; });
    if (keys.empty() || short_key) {
      table->unfiltered.push_back(rule);
      continue;
    }
    for (const std::string& k : keys) pairs.emplace_back(k, rule);
  }
  auto hash_of = [](const std::string& s) {
    return Hash3(static_cast<unsigned char>(s[0]), static_cast<unsigned char>(s[1]), static_cast<unsigned char>(s[2]));
  };
  std::sort(pairs.begin(), pairs.end(), [&](const auto& a, const auto& b) {
    const uint32_t ha = hash_of(a.first), hb = hash_of(b.first);
    return ha != hb ? ha < hb : a < b;
  });
  for (const auto& [literal, rule] : pairs) {
    if (table->keys.empty() || table->keys.back().literal != literal) table->keys.push_back({literal, {}});
    table->keys.back().rules.push_back(rule);
  }
  table->bucket.assign(kHashes + 1, 0);
  for (const Key& key : table->keys) {
    const uint32_t h = hash_of(key.literal);
    table->seen[h >> 6] |= uint64_t{1} << (h & 63);
    ++table->bucket[h + 1];
  }
  for (size_t h = 1; h <= kHashes; ++h) table->bucket[h] += table->bucket[h - 1];
}

bool LiteralGate::AnyApplies(const std::vector<int>& rules, const Query& q) const {
  return std::any_of(rules.begin(), rules.end(), [&](int r) {
    return !(q.evidence_only && rules_[r].benign()) && rules_[r].AppliesTo(q.format, q.level);
  });
}

bool LiteralGate::KeyAt(const Table& table, const unsigned char* at, size_t left, uint32_t hash,
                        const Query& q) const {
  for (size_t k = table.bucket[hash]; k < table.bucket[hash + 1]; ++k) {
    const Key& key = table.keys[k];
    if (key.literal.size() > left) continue;
    size_t i = 3;  // the hash matched; its bytes are compared with the rest
    while (i < key.literal.size() && kLower[at[i]] == static_cast<unsigned char>(key.literal[i])) ++i;
    if (i == key.literal.size() && kLower[at[0]] == static_cast<unsigned char>(key.literal[0]) &&
        kLower[at[1]] == static_cast<unsigned char>(key.literal[1]) &&
        kLower[at[2]] == static_cast<unsigned char>(key.literal[2]) && AnyApplies(key.rules, q)) {
      return true;
    }
  }
  return false;
}

bool LiteralGate::MayMatch(std::string_view text, Format format, std::string_view level, bool evidence_only) const {
  const Query q{format, level, evidence_only};
  const bool one_line = std::memchr(text.data(), '\n', text.size()) == nullptr;
  return Scan(one_line ? one_line_ : multi_line_, text, q);
}

bool LiteralGate::Scan(const Table& table, std::string_view text, const Query& q) const {
  if (AnyApplies(table.unfiltered, q)) return true;
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  unsigned high = 0;
  if (n < kMinLiteral) {
    for (size_t i = 0; i < n; ++i) high |= p[i];
    return (high & 0x80) != 0;
  }
  // RE2 folds case beyond ASCII (the Kelvin sign matches (?i)k) and masks invalid UTF-8, so
  // a line with any byte >= 0x80 goes to the rule set whatever it holds.
  unsigned a = kLower[p[0]], b = kLower[p[1]];
  high = p[0] | p[1];
  for (size_t i = 2; i < n; ++i) {
    const unsigned c = kLower[p[i]];
    high |= p[i];
    const uint32_t h = Hash3(a, b, c);
    if (((table.seen[h >> 6] >> (h & 63)) & 1) != 0 && KeyAt(table, p + i - 2, n - i + 2, h, q)) return true;
    a = b;
    b = c;
  }
  return (high & 0x80) != 0;
}

}  // namespace why500
