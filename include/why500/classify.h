// The compiled rule set: a literal gate, then one RE2::Set over every pattern, one pass per
// event that passes the gate; only the winning rule's own RE2 runs again, and only when its
// captures or match position are needed.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "why500/literal_gate.h"
#include "why500/record.h"
#include "why500/rules.h"
#include "why500/status.h"

#include <re2/re2.h>
#include <re2/set.h>

namespace why500 {

struct Capture {
  std::string name, value;
};

class RuleSet {
 public:
  // Compiles every rule; a pattern RE2 rejects is an Error naming its file, id and RE2's text.
  static Expected<std::shared_ptr<const RuleSet>> Compile(std::vector<Rule> rules);
  ~RuleSet();

  const std::vector<Rule>& rules() const { return rules_; }

  // What a caller needs of Classify: every matching rule (--explain, --events, rule checks), or
  // only the winner when it is evidence; then a message no evidence rule can match skips the
  // rule set, even if a benign rule would have matched it.
  enum class Want { kEveryMatch, kEvidence };

  // Every rule whose pattern matches `message` and which applies to `format` and `level`, into
  // `matched` (cleared first, reused by the caller). Returns the winner's index or -1. With
  // kEvidence, `matched` may hold only the winner: the rules that rank below it need not run.
  // `match_start`, when given, gets where the winner's match starts when the run that found it
  // tells (saving an Extract), else std::string_view::npos.
  int Classify(std::string_view message, Format format, std::string_view level, std::vector<int>* matched,
               Want want = Want::kEveryMatch, size_t* match_start = nullptr) const;

  // The winner among `matched`: highest priority, then confidence, then load order.
  int PickWinner(const std::vector<int>& matched) const;
  // Whether rule `a` wins over rule `b` when both match.
  bool Outranks(int a, int b) const;

  // Whether rule `index`'s hint names one of its regex's groups (else Extract adds nothing to it).
  bool HintUsesCaptures(int index) const;

  // Runs rule `index`'s own regex: named captures (when `captures` is set) and the offset where
  // the match starts.
  bool Extract(int index, std::string_view message, std::vector<Capture>* captures,
               size_t* match_start) const;
  bool Matches(int index, std::string_view message) const;

 private:
  RuleSet();
  int ClassifyAnew(std::string_view message, Format format, std::string_view level, std::vector<int>* matched,
                   Want want, size_t* match_start) const;
  // Whether rule `index` matches; where, when `match_start` is given, searching from `from`
  // (where no match can start before).
  bool Confirm(int index, std::string_view message, size_t from, size_t* match_start) const;
  const uint64_t id_;  // no two rule sets of a process share it: the key of a thread's recent verdicts
  std::vector<Rule> rules_;
  // Each rule's own regex, compiled when first needed (user rules at load, to report errors).
  struct CompiledRule {
    std::once_flag once;
    std::unique_ptr<re2::RE2> re;
    bool hint_uses_captures = false;  // its hint names one of its groups
    bool one_line = false;            // no match of it can hold a '\n'
  };
  const re2::RE2& Regex(int index) const;
  std::unique_ptr<CompiledRule[]> compiled_;  // by rule
  const re2::RE2::Set* Set() const;  // every pattern, null when RE2 cannot compile them together
  mutable std::once_flag set_once_;
  mutable std::unique_ptr<re2::RE2::Set> set_;
  std::unique_ptr<LiteralGate> gate_;  // built over rules_, after they are in place
};

// Whether a pattern's DFA explodes (needs far more states than RE2's budget) on random text
// over its own characters or over printable ASCII; such user rules are refused at load.
bool DfaExplodes(const std::string& pattern);

// Renders a hint, replacing {name} by a capture or an event field ("?" when absent).
std::string RenderHint(std::string_view hint, const std::vector<Capture>& captures, const Event& event);

}  // namespace why500
