#include "why500/gate_keys.h"

#include <re2/filtered_re2.h>

#include <algorithm>

namespace why500 {
namespace {

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

// Phrases that fill real error logs whatever is wrong: nginx writes the first for every request
// of a missing file, the others after most upstream errors. A literal counts as if they were
// not in it: made longer by them, it is no rarer.
constexpr std::string_view kCommonPhrases[] = {
    "no such file or directory", "while reading response header from upstream", "while reading upstream",
    "while connecting to upstream", "while sending request to upstream",
};

// How rare a (lower case) literal is likely to be in a log line: words outside the common list
// count by their length (a short one is often part of a longer word), common words and
// punctuation barely count, common phrases not at all.
int Rarity(std::string literal) {
  for (std::string_view phrase : kCommonPhrases) {
    for (size_t at = literal.find(phrase); at != std::string::npos; at = literal.find(phrase, at)) {
      literal.replace(at, phrase.size(), " ");
    }
  }
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

// One rule's prefilter: which of its literals must be present for it to possibly match.
class RulePrefilter {
 public:
  RulePrefilter(const std::string& pattern, bool one_line) : filter_(kMinKeyLength) {
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
    can_match_ = !ok_ || filter_.GetRE2(id).ProgramSize() > 1;
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

GateKeys LearnGateKeys(const std::string& pattern, bool one_line) {
  RulePrefilter prefilter(pattern, one_line);
  GateKeys learnt;
  learnt.can_match = prefilter.CanMatch();
  if (learnt.can_match) learnt.keys = prefilter.Keys();
  return learnt;
}

}  // namespace why500
