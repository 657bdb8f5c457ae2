#include "why500/classify.h"

#include <re2/re2.h>
#include <re2/set.h>

#include <algorithm>
#include <atomic>
#include <chrono>

#include "why500/parallel_for.h"
#include "why500/pattern_lines.h"
#include "why500/recent.h"
#include "why500/text.h"

namespace why500 {
namespace {

constexpr int64_t kSetMaxMem = 256 << 20;  // the DFA of ~200 patterns needs room to stay fast
// Up to this many candidate rules from the literal gate run their own regexes instead of the Set.
constexpr size_t kFewCandidates = 64;

uint64_t NextRuleSetId() {
  static std::atomic<uint64_t> next{1};
  return next.fetch_add(1);
}

// RE2 reads text as UTF-8: a byte of invalid UTF-8 (Latin-1 "caf\xe9", a stray \xff) matches
// no `.`, `\S` or class, so a rule whose match crosses one would miss the line. Such text is
// matched with those bytes as '?', which keeps every offset into it.
std::string_view Matchable(std::string_view text, std::string* buf) {
  if (IsValidUtf8(text)) return text;
  buf->clear();
  AppendUtf8Masked(text, '?', buf);
  return *buf;
}

// A counted repetition after an ambiguous unbounded part ("(a|b)*a(a|b){20}") needs 2^20 DFA
// states: RE2 still runs in linear time, but the shared Set's DFA then rebuilds its cache on
// nearly every line. Such a user rule is refused at load. Only patterns with a counted
// repetition of 3 or more are probed (cheap, deterministic for all others); the built-in rules
// are probed by a test instead of at every start.
constexpr int64_t kProbeMaxMem = 1 << 20;  // a sound pattern's states fit in this many times over
constexpr size_t kProbeBytes = 64 << 10;   // enough distinct windows to overflow that budget
constexpr int kSlowerThanPlain = 40;  // a rescan this many times slower than a plain literal's
constexpr double kSlowFloorSeconds = 0.002;

bool HasCountedRepetition(const std::string& pattern) {
  for (size_t i = 0; i + 1 < pattern.size(); ++i) {
    if (pattern[i] == '\\') {
      ++i;
      continue;
    }
    if (pattern[i] != '{' || !IsDigit(pattern[i + 1])) continue;
    size_t j = i + 1;
    int lo = 0, hi = 0;
    while (j < pattern.size() && IsDigit(pattern[j])) lo = std::min(lo * 10 + (pattern[j++] - '0'), 100000);
    hi = lo;
    if (j < pattern.size() && pattern[j] == ',') {
      ++j;
      hi = 0;
      while (j < pattern.size() && IsDigit(pattern[j])) hi = std::min(hi * 10 + (pattern[j++] - '0'), 100000);
    }
    if (std::max(lo, hi) >= 3) return true;
  }
  return false;
}

// The characters a pattern's literals and classes name: regex syntax, flags and repetition
// counts left out. "(?:a|b)*a(?:a|b){20}" gives "ab".
std::string LiteralAlphabet(const std::string& pattern) {
  static constexpr std::string_view kSyntax = "\\()[]{}|*+?.^$:-,";
  std::string alphabet;
  for (size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '{' || (c == '(' && i + 1 < pattern.size() && pattern[i + 1] == '?')) {
      const size_t close = pattern.find_first_of(c == '{' ? "}" : ":)", i);
      if (close != std::string::npos) i = close;
      continue;
    }
    const bool printable = static_cast<unsigned char>(c) > 0x20 && static_cast<unsigned char>(c) < 0x7f;
    if (printable && kSyntax.find(c) == std::string_view::npos && alphabet.find(c) == std::string::npos) {
      alphabet.push_back(c);
    }
  }
  return alphabet;
}

// Random bytes over `from`, the same for the same `from` and `seed`.
std::string RandomText(const std::string& from, uint64_t seed) {
  std::string text;
  for (size_t i = 0; i < kProbeBytes; ++i) {
    seed ^= seed << 13;
    seed ^= seed >> 7;
    seed ^= seed << 17;
    text.push_back(from[seed % from.size()]);
  }
  return text;
}

constexpr uint64_t kProbeSeed = 0x9e3779b97f4a7c15ULL;

// Random printable ASCII: the same text for every pattern.
const std::string& PrintableProbe() {
  static const std::string text = [] {
    std::string printable;
    for (char c = 0x20; c < 0x7f; ++c) printable.push_back(c);
    return RandomText(printable, kProbeSeed);
  }();
  return text;
}

// Texts over the pattern's own characters a state-hungry pattern meets besides printable
// ASCII: random bytes over them, and the same with spaces between.
std::vector<std::string> AlphabetProbes(const std::string& pattern) {
  const std::string alphabet = LiteralAlphabet(pattern);
  std::vector<std::string> texts;
  if (alphabet.size() >= 2) texts.push_back(RandomText(alphabet, kProbeSeed + 1));
  if (!alphabet.empty()) texts.push_back(RandomText(alphabet + " ", kProbeSeed + 2));
  return texts;
}

// Times the second and later scans of `text` by a one-pattern Set with a small DFA budget: a
// sound pattern's states are cached by then, an exploding one rebuilds them. Up to three
// scans, stopping at the first no slower than `enough`: only a scan that looks slow is tried
// again, so that a preempted scan does not condemn a sound rule. Returns the best time.
double RescanSeconds(const std::string& pattern, const std::string& text, double enough = 0) {
  re2::RE2::Options o;
  o.set_log_errors(false);
  o.set_max_mem(kProbeMaxMem);
  re2::RE2::Set set(o, re2::RE2::UNANCHORED);
  if (set.Add(pattern, nullptr) < 0 || !set.Compile()) return 0;
  std::vector<int> matched;
  set.Match(text, &matched);
  double best = 1e9;
  for (int i = 0; i < 3 && best > enough; ++i) {
    const auto start = std::chrono::steady_clock::now();
    set.Match(text, &matched);
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return best;
}

// Whether the pattern rescans `text` far slower than a plain literal (`plain` seconds) does.
bool RescansSlowly(const std::string& pattern, const std::string& text, double plain) {
  const double slow = std::max(kSlowFloorSeconds, kSlowerThanPlain * plain);
  return RescanSeconds(pattern, text, slow) > slow;
}

constexpr const char* kPlainLiteral = "why500 plain literal";

}  // namespace

bool DfaExplodes(const std::string& pattern) {
  if (!HasCountedRepetition(pattern)) return false;
  // A plain literal's rescan, timed once on the printable probe: on any probe it is fast enough
  // that kSlowFloorSeconds, not it, sets the bar (or near enough).
  static const double plain = RescanSeconds(kPlainLiteral, PrintableProbe());
  if (RescansSlowly(pattern, PrintableProbe(), plain)) return true;
  for (const std::string& text : AlphabetProbes(pattern)) {
    if (RescansSlowly(pattern, text, plain)) return true;
  }
  return false;
}

namespace {

re2::RE2::Options RuleOptions() {
  re2::RE2::Options o;
  o.set_log_errors(false);
  o.set_max_mem(16 << 20);
  return o;
}

}  // namespace

RuleSet::RuleSet() : id_(NextRuleSetId()) {}

RuleSet::~RuleSet() = default;

namespace {

// Whether a hint's {name} is a named group of the rule's regex: else RenderHint fills every
// name from the event's own fields, and the regex need not run again for captures.
bool HintNamesGroup(const std::string& hint, const re2::RE2& re) {
  const auto& groups = re.NamedCapturingGroups();
  for (size_t open = hint.find('{'); open != std::string::npos; open = hint.find('{', open + 1)) {
    const size_t close = hint.find('}', open);
    if (close == std::string::npos) break;
    if (groups.count(hint.substr(open + 1, close - open - 1)) != 0) return true;
  }
  return false;
}

}  // namespace

Expected<std::shared_ptr<const RuleSet>> RuleSet::Compile(std::vector<Rule> rules) {
  std::shared_ptr<RuleSet> set(new RuleSet());
  set->compiled_ = std::make_unique<CompiledRule[]>(rules.size());
  // A user rule compiles (and is probed) at load, on every core, so that a bad one is reported
  // before any input is read: the first in load order, whichever thread found it. A built-in
  // rule, which the tests compile, waits until a line first needs it (Regex).
  std::vector<std::string> errors(rules.size());
  ParallelFor(rules.size(), StartupThreads(rules.size()), [&](size_t i) {
    const Rule& r = rules[i];
    if (r.built_in) return;
    auto re = std::make_unique<re2::RE2>(r.pattern, RuleOptions());
    if (!re->ok()) {
      errors[i] = r.source + ": rule '" + r.id + "': invalid pattern: " + re->error();
      if (!re->error_arg().empty()) errors[i] += " (at '" + re->error_arg() + "')";
    } else if (DfaExplodes(r.pattern)) {
      errors[i] = r.source + ": rule '" + r.id +
                  "': pattern is too costly to match: its DFA needs more states than RE2's memory budget on some "
                  "lines (a counted repetition such as {20} after an unbounded alternation multiplies states); "
                  "narrow it";
    }
    set->compiled_[i].re = std::move(re);
  });
  for (const std::string& error : errors) {
    if (!error.empty()) return Error{error};
  }
  for (size_t i = 0; i < rules.size(); ++i) set->compiled_[i].one_line = NeverMatchesNewline(rules[i].pattern);
  set->rules_ = std::move(rules);
  set->gate_ = std::make_unique<LiteralGate>(set->rules_);
  return std::shared_ptr<const RuleSet>(std::move(set));
}

// Most rules are never needed by a given log: the gate leaves few candidates, and an access
// log none. Compiling one when a line first needs it makes start-up a fraction of what
// compiling 358 patterns cost. Any thread may be first; call_once makes the others wait.
const re2::RE2& RuleSet::Regex(int index) const {
  CompiledRule& c = compiled_[static_cast<size_t>(index)];
  std::call_once(c.once, [&] {
    const Rule& r = rules_[static_cast<size_t>(index)];
    if (!c.re) c.re = std::make_unique<re2::RE2>(r.pattern, RuleOptions());
    c.hint_uses_captures = HintNamesGroup(r.hint, *c.re);
  });
  return *c.re;
}

bool RuleSet::HintUsesCaptures(int index) const {
  Regex(index);
  return compiled_[static_cast<size_t>(index)].hint_uses_captures;
}

// Built when first needed: most runs never need it (the gate leaves at most a few candidates,
// and access logs never reach the rules), and it costs about as much as all the rules' own
// regexes to compile. Each pattern compiled on its own at load, so adding it cannot fail.
const re2::RE2::Set* RuleSet::Set() const {
  std::call_once(set_once_, [this] {
    re2::RE2::Options options = RuleOptions();
    options.set_max_mem(kSetMaxMem);
    auto set = std::make_unique<re2::RE2::Set>(options, re2::RE2::UNANCHORED);
    for (const Rule& r : rules_) {
      if (set->Add(r.pattern, nullptr) < 0) return;
    }
    if (set->Compile()) set_ = std::move(set);
  });
  return set_.get();
}

bool RuleSet::Outranks(int a, int b) const {
  const Rule& ra = rules_[a];
  const Rule& rb = rules_[b];
  if (ra.priority != rb.priority) return ra.priority > rb.priority;
  if (ra.confidence != rb.confidence) return ra.confidence > rb.confidence;
  return a < b;
}

int RuleSet::PickWinner(const std::vector<int>& matched) const {
  int best = -1;
  for (int i : matched) {
    if (best < 0 || Outranks(i, best)) best = i;
  }
  return best;
}

namespace {

// A verdict of Classify, with all that it was computed from: the rule set (by id, as a new set
// may sit where a freed one was), the message, its format and level, and what was wanted.
struct KeptVerdict {
  uint64_t rules = 0;
  std::string message, level;
  Format format = Format::kGeneric;
  RuleSet::Want want = RuleSet::Want::kEveryMatch;
  int winner = -1;
  std::vector<int> matched;
  size_t match_start = std::string_view::npos;  // npos when it was not asked for
};
// 2,048 messages of at most 512 bytes a thread (1-2 MiB with the strings' spare room); a longer
// one (a stack trace) is not kept.
constexpr size_t kVerdictsKept = 2048;
constexpr size_t kLongestClassified = 512;

}  // namespace

int RuleSet::Classify(std::string_view message, Format format, std::string_view level, std::vector<int>* matched,
                      Want want, size_t* match_start) const {
  thread_local RecentTable<KeptVerdict, kVerdictsKept> recent;
  const size_t hash = QuickHash(message);
  const KeptVerdict* kept = recent.Find(hash, [&](const KeptVerdict& k) {
    return k.rules == id_ && k.format == format && k.want == want && k.message == message && k.level == level;
  });
  int winner = -1;
  size_t start = std::string_view::npos;
  if (kept) {
    winner = kept->winner;
    start = kept->match_start;
    matched->assign(kept->matched.begin(), kept->matched.end());
  } else {
    winner = ClassifyAnew(message, format, level, matched, want, match_start ? &start : nullptr);
    if (message.size() <= kLongestClassified && level.size() <= kLongestClassified) {
      KeptVerdict& k = recent.Replace(hash);
      k.rules = id_;
      CopyInto(&k.message, message);
      CopyInto(&k.level, level);
      k.format = format;
      k.want = want;
      k.winner = winner;
      k.matched.assign(matched->begin(), matched->end());
      k.match_start = start;
    }
  }
  if (match_start) *match_start = start;
  return winner;
}

bool RuleSet::Confirm(int index, std::string_view message, size_t from, size_t* match_start) const {
  if (match_start == nullptr) return re2::RE2::PartialMatch(message, Regex(index));
  // The match's bounds cost RE2 a pass back from where it ends: far less than Extract's second
  // pass over the whole message. The text before `from` stays context for ^ and \b.
  re2::StringPiece whole;
  if (!Regex(index).Match(message, from, message.size(), re2::RE2::UNANCHORED, &whole, 1)) return false;
  *match_start = static_cast<size_t>(whole.data() - message.data());
  return true;
}

int RuleSet::ClassifyAnew(std::string_view message, Format format, std::string_view level, std::vector<int>* matched,
                          Want want, size_t* match_start) const {
  matched->clear();
  if (rules_.empty()) return -1;
  // Benign candidates count too: a benign rule may beat an evidence rule. Only when no evidence
  // rule can match is the answer known without them.
  const bool evidence_only = want == Want::kEvidence;
  thread_local std::vector<int> candidates;
  thread_local std::vector<size_t> first_keys;
  thread_local std::string masked;
  // Where the match starts is asked for multi-line messages (a stack trace), whose error line is
  // often the last: a rule whose match cannot cross lines is searched from the line where the
  // gate saw its first key, since every match holds one.
  const bool bounded = evidence_only && match_start != nullptr;
  switch (gate_->Candidates(message, format, level, false, kFewCandidates, &candidates,
                            bounded ? &first_keys : nullptr)) {
    case LiteralGate::Verdict::kNone:
      return -1;
    case LiteralGate::Verdict::kFew:
      if (evidence_only &&
          std::all_of(candidates.begin(), candidates.end(), [&](int i) { return rules_[i].benign(); })) {
        return -1;
      }
      // A few small DFAs beat the Set's, whose states carry every rule (and whose cost would
      // grow with the rule count); the candidates apply.
      message = Matchable(message, &masked);
      if (evidence_only) {
        // Only the winner is wanted: tried in the order PickWinner ranks them, the first match
        // is it, and the rest need not run.
        thread_local std::vector<std::pair<int, size_t>> ranked;  // a candidate, where its search starts
        ranked.clear();
        for (size_t k = 0; k < candidates.size(); ++k) {
          const int i = candidates[k];
          const bool from_key_line = bounded && compiled_[static_cast<size_t>(i)].one_line;
          ranked.emplace_back(i, from_key_line ? LineAt(message, first_keys[k]).data() - message.data() : 0);
        }
        std::sort(ranked.begin(), ranked.end(),
                  [&](const auto& a, const auto& b) { return Outranks(a.first, b.first); });
        for (const auto& [i, from] : ranked) {
          if (Confirm(i, message, from, match_start)) {
            matched->push_back(i);
            return i;
          }
        }
        return -1;
      }
      for (int i : candidates) {
        if (re2::RE2::PartialMatch(message, Regex(i))) matched->push_back(i);
      }
      return PickWinner(*matched);
    case LiteralGate::Verdict::kMany:
      if (evidence_only && !gate_->MayMatch(message, format, level, true)) return -1;
      break;
  }
  message = Matchable(message, &masked);
  re2::RE2::Set::ErrorInfo info{};
  const re2::RE2::Set* all = Set();
  if (all == nullptr || (!all->Match(message, matched, &info) && info.kind != re2::RE2::Set::kNoError)) {
    // No Set within RE2's memory budget, or its DFA ran out of memory: each rule's own regex
    // then, rather than miss a match.
    matched->clear();
    for (size_t i = 0; i < rules_.size(); ++i) {
      if (re2::RE2::PartialMatch(message, Regex(static_cast<int>(i)))) matched->push_back(static_cast<int>(i));
    }
  }
  matched->erase(std::remove_if(matched->begin(), matched->end(),
                                [&](int i) { return !rules_[i].AppliesTo(format, level); }),
                 matched->end());
  std::sort(matched->begin(), matched->end());  // RE2::Set reports indices unsorted
  return PickWinner(*matched);
}

bool RuleSet::Matches(int index, std::string_view message) const {
  thread_local std::string masked;
  return re2::RE2::PartialMatch(Matchable(message, &masked), Regex(index));
}

bool RuleSet::Extract(int index, std::string_view message, std::vector<Capture>* captures,
                      size_t* match_start) const {
  const re2::RE2& re = Regex(index);
  thread_local std::string masked;
  message = Matchable(message, &masked);
  // Only the match's start wanted: RE2 need not track any group.
  const int groups = captures ? re.NumberOfCapturingGroups() : 0;
  thread_local std::vector<re2::StringPiece> sub;  // reused: no allocation per event
  sub.assign(static_cast<size_t>(groups) + 1, re2::StringPiece());
  if (!re.Match(message, 0, message.size(), re2::RE2::UNANCHORED, sub.data(), groups + 1)) return false;
  if (match_start) *match_start = static_cast<size_t>(sub[0].data() - message.data());
  if (captures) {
    captures->clear();
    for (const auto& [name, i] : re.NamedCapturingGroups()) {
      if (sub[i].data() != nullptr) captures->push_back({name, std::string(sub[i].data(), sub[i].size())});
    }
  }
  return true;
}

std::string RenderHint(std::string_view hint, const std::vector<Capture>& captures, const Event& event) {
  std::string out;
  for (size_t i = 0; i < hint.size(); ++i) {
    const size_t close = hint[i] == '{' ? hint.find('}', i) : std::string_view::npos;
    if (close == std::string_view::npos) {
      out.push_back(hint[i]);
      continue;
    }
    const std::string_view name = hint.substr(i + 1, close - i - 1);
    std::string value;
    for (const Capture& c : captures) {
      if (c.name == name) value = c.value;
    }
    if (value.empty()) {
      if (name == "upstream") value = event.upstream;
      else if (name == "path") value = event.path;
      else if (name == "client") value = event.client;
      else if (name == "host") value = event.host;
      else if (name == "server") value = event.server;
      else if (name == "pid") value = event.pid;
    }
    out += value.empty() ? "?" : value;
    i = close;
  }
  return out;
}

}  // namespace why500
