#include "why500/classify.h"

#include <re2/re2.h>
#include <re2/set.h>

#include <algorithm>

#include "why500/text.h"

namespace why500 {
namespace {

constexpr int64_t kSetMaxMem = 256 << 20;  // the DFA of ~200 patterns needs room to stay fast

// RE2 reads text as UTF-8: a byte of invalid UTF-8 (Latin-1 "caf\xe9", a stray \xff) matches
// no `.`, `\S` or class, so a rule whose match crosses one would miss the line. Such text is
// matched with those bytes as '?', which keeps every offset into it.
std::string_view Matchable(std::string_view text, std::string* buf) {
  if (IsValidUtf8(text)) return text;
  buf->clear();
  AppendUtf8Masked(text, '?', buf);
  return *buf;
}

re2::RE2::Options RuleOptions() {
  re2::RE2::Options o;
  o.set_log_errors(false);
  o.set_max_mem(16 << 20);
  return o;
}

}  // namespace

RuleSet::~RuleSet() = default;

Expected<std::shared_ptr<const RuleSet>> RuleSet::Compile(std::vector<Rule> rules) {
  std::shared_ptr<RuleSet> set(new RuleSet());
  re2::RE2::Options set_options = RuleOptions();
  set_options.set_max_mem(kSetMaxMem);
  set->set_ = std::make_unique<re2::RE2::Set>(set_options, re2::RE2::UNANCHORED);
  for (const Rule& r : rules) {
    auto re = std::make_unique<re2::RE2>(r.pattern, RuleOptions());
    if (!re->ok()) {
      std::string what = r.source + ": rule '" + r.id + "': invalid pattern: " + re->error();
      if (!re->error_arg().empty()) what += " (at '" + re->error_arg() + "')";
      return Error{what};
    }
    std::string set_error;
    if (set->set_->Add(r.pattern, &set_error) < 0) {
      return Error{r.source + ": rule '" + r.id + "': invalid pattern: " + set_error};
    }
    set->regexes_.push_back(std::move(re));
  }
  if (!rules.empty() && !set->set_->Compile()) {
    return Error{"the rule set is too large to compile within RE2's memory budget"};
  }
  set->rules_ = std::move(rules);
  set->gate_ = std::make_unique<LiteralGate>(set->rules_);
  return std::shared_ptr<const RuleSet>(std::move(set));
}

int RuleSet::PickWinner(const std::vector<int>& matched) const {
  int best = -1;
  for (int i : matched) {
    if (best < 0) {
      best = i;
      continue;
    }
    const Rule& a = rules_[i];
    const Rule& b = rules_[best];
    if (a.priority != b.priority) {
      if (a.priority > b.priority) best = i;
    } else if (a.confidence != b.confidence) {
      if (a.confidence > b.confidence) best = i;
    } else if (i < best) {
      best = i;
    }
  }
  return best;
}

int RuleSet::Classify(std::string_view message, Format format, std::string_view level, std::vector<int>* matched,
                      Want want) const {
  matched->clear();
  if (rules_.empty()) return -1;
  if (!gate_->MayMatch(message, format, level, want == Want::kEvidence)) return -1;
  thread_local std::string masked;
  message = Matchable(message, &masked);
  re2::RE2::Set::ErrorInfo info{};
  if (!set_->Match(message, matched, &info) && info.kind != re2::RE2::Set::kNoError) {
    // The DFA ran out of memory: fall back to each rule's own regex rather than miss a match.
    matched->clear();
    for (size_t i = 0; i < regexes_.size(); ++i) {
      if (re2::RE2::PartialMatch(message, *regexes_[i])) matched->push_back(static_cast<int>(i));
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
  return re2::RE2::PartialMatch(Matchable(message, &masked), *regexes_[index]);
}

bool RuleSet::Extract(int index, std::string_view message, std::vector<Capture>* captures,
                      size_t* match_start) const {
  const re2::RE2& re = *regexes_[index];
  thread_local std::string masked;
  message = Matchable(message, &masked);
  const int groups = re.NumberOfCapturingGroups();
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
