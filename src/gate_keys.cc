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

// A key's companions are looked for one by one, and only in a message the key let through:
// more than this many cost about what the RE2 run they may save does.
constexpr size_t kMaxCompanions = 8;

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

  // The keys: the rarest literals one of which every match contains (none when the rule may
  // match with no literal at all), and each key's companions.
  GateKeys Learn() {
    GateKeys learnt;
    learnt.can_match = can_match_;
    if (!ok_ || !can_match_ || Passes({})) return learnt;
    const std::vector<int> order = MostCommonFirst();
    const std::vector<int> keys = Cut(order, {}, {});
    for (int k : keys) {
      learnt.keys.push_back(literals_[k]);
      learnt.companions.emplace_back();
      if (Passes({k})) continue;
      const std::vector<int> companions = Cut(order, {k}, keys);
      if (companions.size() > kMaxCompanions) continue;
      for (int c : companions) learnt.companions.back().push_back(literals_[c]);
    }
    return learnt;
  }

 private:
  std::vector<int> MostCommonFirst() const {
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
    return order;
  }

  // Literals one of which every match holds when those of `present` are in the text and those
  // of `absent` are not, chosen to be the rarest: each other literal, most common first, is
  // assumed present, and stays so while the rule still cannot pass without the rest. Needs a
  // rule that cannot pass with `present` alone.
  std::vector<int> Cut(const std::vector<int>& order, std::vector<int> present, const std::vector<int>& absent) {
    std::vector<int> cut;
    for (int i : order) {
      if (std::find(present.begin(), present.end(), i) != present.end() ||
          std::find(absent.begin(), absent.end(), i) != absent.end()) {
        continue;
      }
      present.push_back(i);
      if (Passes(present)) {
        present.pop_back();
        cut.push_back(i);
      }
    }
    return cut;
  }

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
  return RulePrefilter(pattern, one_line).Learn();
}

}  // namespace why500
