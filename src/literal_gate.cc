#include "why500/literal_gate.h"

#include <algorithm>
#include <cstring>
#include <tuple>
#include <unordered_map>

#include "why500/gate_keys.h"
#include "why500/parallel_for.h"
#include "why500/text.h"

namespace why500 {
namespace {

constexpr int kMinLiteral = kMinKeyLength;

// Fibonacci hashing of the 4 bytes a key is filed under (in memory order in a word): keys
// that share three of them still spread. `bits` wide: enough that about one hash in 32 is in
// use, so that a text position rarely walks a bucket in vain however many rules there are
// (the default rules need 17 bits, a 16 KiB bitmap that stays in L1).
inline uint32_t HashHead(uint32_t head, int bits) { return (head * 2654435761u) >> (32 - bits); }
// Another multiplier: four bytes that share HashHead with a key's rarely share this too.
inline uint32_t HashHeadAgain(uint32_t head, int bits) { return (head * 0x85EBCA77u) >> (32 - bits); }
inline bool HasBit(const uint64_t* bits, uint32_t h) { return ((bits[h >> 6] >> (h & 63)) & 1) != 0; }
inline void SetBit(std::vector<uint64_t>* bits, uint32_t h) { (*bits)[h >> 6] |= uint64_t{1} << (h & 63); }
// The bits set in `w`. Written out: x86-64's baseline has no popcnt instruction, and the
// builtin would call libgcc.
inline uint32_t CountBits(uint64_t w) {
  w -= (w >> 1) & 0x5555555555555555u;
  w = (w & 0x3333333333333333u) + ((w >> 2) & 0x3333333333333333u);
  w = (w + (w >> 4)) & 0x0f0f0f0f0f0f0f0fu;
  return static_cast<uint32_t>((w * 0x0101010101010101u) >> 56);
}
// Of a hash whose bit is set: how many hashes in use come before it (its bucket's number).
inline uint32_t RankOf(const uint64_t* seen, const uint32_t* seen_before, uint32_t h) {
  const uint64_t below = (uint64_t{1} << (h & 63)) - 1;
  return seen_before[h >> 6] + CountBits(seen[h >> 6] & below);
}
int HashBitsFor(size_t keys) {
  int bits = 16;
  while (bits < 22 && (size_t{1} << bits) < keys * 32) ++bits;
  return bits;
}

// The bytes of `key` from `from` on, at most 8, as a word in memory order (as the text's word
// is read) and the mask of the bytes it has.
void WordOf(const std::string& key, size_t from, uint64_t* word, uint64_t* mask) {
  const size_t bytes = key.size() > from ? std::min<size_t>(8, key.size() - from) : 0;
  unsigned char ones[8] = {};
  std::memset(ones, 0xff, bytes);
  *word = 0;
  if (bytes > 0) std::memcpy(word, key.data() + from, bytes);
  std::memcpy(mask, ones, 8);
}

uint32_t HeadOf(std::string_view key, size_t bytes) {
  uint32_t head = 0;
  std::memcpy(&head, key.data(), bytes);
  return head;
}

bool IsAscii(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

// The keys the build learnt for `pattern`, or null for a pattern that is no built-in rule's.
const GateKeys* BuiltInGateKeys(std::string_view pattern, bool one_line) {
  using Index = std::unordered_map<std::string_view, const GateKeys*>;
  static const auto* const by_mode = [] {
    auto* index = new Index[2];  // [one_line], for the program's life
    for (const BuiltInGateKeysEntry& e : BuiltInGateKeysEntries()) index[e.one_line ? 1 : 0][e.pattern] = &e.learnt;
    return index;
  }();
  const Index& index = by_mode[one_line ? 1 : 0];
  const auto it = index.find(pattern);
  return it == index.end() ? nullptr : it->second;
}

// How often the 4 bytes at `p` occur in real log lines (BuiltInCommonGrams); 0: rarely.
uint32_t CommonGramCount(const char* p) {
  static const auto* const counts = [] {
    auto* map = new std::unordered_map<uint32_t, uint32_t>;  // for the program's life
    for (const CommonGram& g : BuiltInCommonGrams()) (*map)[HeadOf(g.gram, 4)] = g.count;
    return map;
  }();
  const auto it = counts->find(HeadOf(std::string_view(p, 4), 4));
  return it == counts->end() ? 0 : it->second;
}

// Where the 4 bytes of `literal` (at least 4 long) that are rarest in real logs start; the
// first of equals.
uint32_t RarestGramAt(const std::string& literal) {
  uint32_t best = 0, best_count = CommonGramCount(literal.data());
  for (uint32_t at = 1; at + 4 <= literal.size() && best_count > 0; ++at) {
    const uint32_t count = CommonGramCount(literal.data() + at);
    if (count < best_count) {
      best = at;
      best_count = count;
    }
  }
  return best;
}

inline char LowerAscii(unsigned char c) { return static_cast<char>(c + (static_cast<unsigned char>(c - 'A') < 26 ? 32 : 0)); }

// Lower-cases the ASCII letters of `text` into `out`; true when it has a byte >= 0x80. A loop the
// compiler vectorises (given plain pointers: through a thread_local string it reloads the
// string's address at every byte, and does not).
bool LowerAsciiInto(std::string_view text, char* out) {
  const auto* in = reinterpret_cast<const unsigned char*>(text.data());
  unsigned char high = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    high |= in[i];
    out[i] = LowerAscii(in[i]);
  }
  return (high & 0x80) != 0;
}

// Text with bytes >= 0x80, as the keys must be looked for in it. RE2 reads the text as UTF-8
// with each invalid byte masked as '?' (classify.cc), and folds case onto ASCII letters from
// two characters only: U+017F (long s) matches (?i)s and U+212A (Kelvin sign) (?i)k; no other
// character can be part of an ASCII literal's match. So those two become 's' and 'k', an
// invalid byte '?', and any other character one byte 0x80, which no key holds. Lower case.
void FoldForKeys(std::string_view text, std::string* out) {
  out->clear();
  for (size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    const size_t n = c < 0x80 ? 1 : Utf8SequenceLength(text, i);
    if (n == 1) {
      out->push_back(LowerAscii(c));
    } else if (n == 0) {
      out->push_back('?');
    } else if (text.substr(i, n) == "\xC5\xBF") {
      out->push_back('s');
    } else if (text.substr(i, n) == "\xE2\x84\xAA") {
      out->push_back('k');
    } else {
      out->push_back('\x80');
    }
    i += n == 0 ? 1 : n;
  }
}

}  // namespace

struct LiteralGate::Query {
  // How a rule in `out` was found: by one key alone (its id, and the companions it then needs)
  // or else (kNoCompanions: by two keys, or with no key at all).
  struct Found {
    int key;
    int companions;
    size_t first_at;  // where the earliest key that found it starts
  };
  Format format;
  std::string_view level;
  bool evidence_only;
  std::vector<int>* out;  // null: the first applicable rule is enough
  size_t limit;
  std::vector<Found>* found;  // of out[i], at i
};

LiteralGate::LiteralGate(const std::vector<Rule>& rules) : rules_(rules) {}

// Files a key's companions in the table: kNoCompanions when there are none, or when one cannot
// be looked for in the lowered text as keys are (ASCII, at least kMinLiteral bytes).
int LiteralGate::AddCompanions(Table* table, const std::vector<std::string>& companions) {
  const bool usable = std::all_of(companions.begin(), companions.end(),
                                  [](const std::string& c) { return IsAscii(c) && c.size() >= kMinLiteral; });
  if (companions.empty() || !usable) return kNoCompanions;
  table->companion_sets.push_back(companions);
  return static_cast<int>(table->companion_sets.size() - 1);
}

// Each table is built when first scanned with: that costs as much as compiling every pattern
// twice, which a run that reads only access logs (their lines never reach the rules), or no
// multi-line message, need not pay. Any thread may be first; call_once makes the others wait.
const LiteralGate::Table& LiteralGate::TableFor(bool one_line) const {
  Lazy& lazy = one_line ? one_line_ : multi_line_;
  std::call_once(lazy.once, [&] { Build(&lazy.table, one_line); });
  return lazy.table;
}

void LiteralGate::Build(Table* table, bool one_line) const {
  // The built-in rules' keys were learnt when why500 was built. Learning a user rule's compiles
  // its pattern: done for all of them at once on every core.
  std::vector<GateKeys> found(rules_.size());
  std::vector<size_t> unknown;
  for (size_t r = 0; r < rules_.size(); ++r) {
    if (const GateKeys* keys = BuiltInGateKeys(rules_[r].pattern, one_line)) {
      found[r] = *keys;
    } else {
      unknown.push_back(r);
    }
  }
  ParallelFor(unknown.size(), StartupThreads(unknown.size()), [&](size_t i) {
    found[unknown[i]] = LearnGateKeys(rules_[unknown[i]].pattern, one_line);
  });
  std::vector<Filing> filings;
  for (size_t r = 0; r < rules_.size(); ++r) {
    const int rule = static_cast<int>(r);
    const GateKeys& learnt = found[r];
    if (!learnt.can_match) continue;
    // A key with a byte >= 0x80 is not scanned for (FoldForKeys blurs such bytes): its rule
    // passes every line that has one, and ASCII lines only by its other keys. A key shorter
    // than the hashed prefix cannot be scanned for, and leaves the rule unfiltered.
    std::vector<size_t> scanned;
    bool non_ascii = false, short_key = false;
    for (size_t k = 0; k < learnt.keys.size(); ++k) {
      if (!IsAscii(learnt.keys[k])) {
        non_ascii = true;
        continue;
      }
      short_key |= learnt.keys[k].size() < kMinLiteral;
      scanned.push_back(k);
    }
    if (non_ascii) table->non_ascii.push_back(rule);
    if (scanned.empty() || short_key) {
      table->unfiltered.push_back(rule);
      continue;
    }
    for (size_t k : scanned) {
      filings.push_back({learnt.keys[k], rule, AddCompanions(table, learnt.companions[k])});
    }
  }
  Index(&table->keys, std::move(filings));
}

void LiteralGate::Index(KeyIndex* index, std::vector<Filing> filings) {
  // Each key is filed under the hash of four of its bytes, those that occur least often in real
  // logs: a scan that stops at every "fail" or "conn" in a text, and walks a bucket of all the
  // keys that start so, costs several times one that stops where a key is likely. A 3-byte key
  // is filed once for each byte that may follow it (the padding's 0 at the text's end among
  // them), so the scan hashes one word per position.
  struct Entry {
    uint32_t hash;
    Filing filing;
    uint32_t offset;  // of the four bytes in the literal
    int id;           // of the literal, for telling keys apart in a scan
  };
  std::unordered_map<std::string, int> ids;
  std::vector<Entry> entries;
  for (Filing& f : filings) {
    const int id = ids.emplace(f.literal, static_cast<int>(ids.size())).first->second;
    if (f.literal.size() > 3) {
      const uint32_t at = RarestGramAt(f.literal);
      const uint32_t hash = HeadOf(std::string_view(f.literal).substr(at), 4);
      entries.push_back({hash, std::move(f), at, id});
      continue;
    }
    for (uint32_t next = 0; next < 256; ++next) entries.push_back({HeadOf(f.literal, 3) | next << 24, f, 0, id});
  }
  index->literals = ids.size();
  index->bits = HashBitsFor(entries.size());
  const size_t hashes = size_t{1} << index->bits;
  index->seen_again.assign(hashes / 64, 0);
  for (Entry& e : entries) {
    SetBit(&index->seen_again, HashHeadAgain(e.hash, index->bits));
    e.hash = HashHead(e.hash, index->bits);
  }
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return std::tie(a.hash, a.filing.literal, a.filing.rule) < std::tie(b.hash, b.filing.literal, b.filing.rule);
  });
  index->seen.assign(hashes / 64, 0);
  index->bucket.clear();
  for (size_t i = 0; i < entries.size(); ++i) {
    const Entry& e = entries[i];
    const Filing& f = e.filing;
    const bool same_key = i > 0 && entries[i - 1].hash == e.hash && entries[i - 1].filing.literal == f.literal;
    if (i == 0 || entries[i - 1].hash != e.hash) {
      index->bucket.push_back(static_cast<uint32_t>(index->keys.size()));
      SetBit(&index->seen, e.hash);
    }
    if (!same_key) {
      KeyHead head;
      WordOf(f.literal, 0, &head.head, &head.mask);
      WordOf(f.literal, 8, &head.next, &head.next_mask);
      head.length = static_cast<uint32_t>(f.literal.size());
      head.offset = e.offset;
      index->heads.push_back(head);
      index->keys.push_back(Key{f.literal, e.id, {}, {}});
    }
    index->keys.back().rules.push_back(f.rule);
    index->keys.back().companions.push_back(f.companions);
  }
  index->bucket.push_back(static_cast<uint32_t>(index->keys.size()));
  index->seen_before.assign(index->seen.size(), 0);
  uint32_t in_use = 0;
  for (size_t w = 0; w < index->seen.size(); ++w) {
    index->seen_before[w] = in_use;
    in_use += CountBits(index->seen[w]);
  }
}

// Adds the rules of `rules` that apply to q.out; true when one applies and no list is kept,
// or when the list grew past its limit: either way the scan can stop.
bool LiteralGate::Collect(const std::vector<int>& rules, const int* companions, int key, size_t at,
                          const Query& q) const {
  for (size_t i = 0; i < rules.size(); ++i) {
    const int r = rules[i];
    if ((q.evidence_only && rules_[r].benign()) || !rules_[r].AppliesTo(q.format, q.level)) continue;
    if (q.out == nullptr) return true;
    const auto found_at = std::find(q.out->begin(), q.out->end(), r);
    if (found_at == q.out->end()) {
      q.out->push_back(r);
      q.found->push_back({key, companions ? companions[i] : kNoCompanions, at});
    } else {
      // Keys are met in the order of the 4 bytes they are filed under, not of their starts.
      Query::Found& f = (*q.found)[static_cast<size_t>(found_at - q.out->begin())];
      f.first_at = std::min(f.first_at, at);
      if (f.key != key) f.companions = kNoCompanions;  // a second key: companions were learnt with it absent
    }
    if (q.out->size() > q.limit) return true;
  }
  return false;
}

// Takes out of q.out each rule found by one key alone whose companions the text lacks: RE2's
// prefilter says it cannot match.
void LiteralGate::DropWithoutCompanions(const Table& table, std::string_view lowered, const Query& q) {
  std::vector<int>& out = *q.out;
  std::vector<Query::Found>& found = *q.found;
  const auto in_text = [&](const std::string& literal) { return FindBytes(lowered, literal) != lowered.npos; };
  size_t kept = 0;
  for (size_t i = 0; i < out.size(); ++i) {
    const int set = found[i].companions;
    if (set != kNoCompanions &&
        std::none_of(table.companion_sets[set].begin(), table.companion_sets[set].end(), in_text)) {
      continue;
    }
    out[kept] = out[i];
    found[kept] = found[i];
    ++kept;
  }
  out.resize(kept);
  found.resize(kept);
}

// The keys filed under `hash`, found in the text where the 4 bytes at `text + i` are their
// filed bytes. A key may be read 16 bytes ahead of its start whatever `n` says: Scan pads the
// text it lowers.
bool LiteralGate::KeyAt(const KeyIndex& index, const unsigned char* text, size_t i, size_t n, uint32_t hash,
                        const Query& q) const {
  const uint32_t rank = RankOf(index.seen.data(), index.seen_before.data(), hash);
  for (size_t k = index.bucket[rank]; k < index.bucket[rank + 1]; ++k) {
    const KeyHead& h = index.heads[k];
    if (h.offset > i || i - h.offset + h.length > n) continue;
    const unsigned char* start = text + (i - h.offset);
    uint64_t word;
    std::memcpy(&word, start, 8);
    if ((word & h.mask) != h.head) continue;
    if (h.length > 8) {
      uint64_t next;
      std::memcpy(&next, start + 8, 8);
      if ((next & h.next_mask) != h.next) continue;
    }
    const Key& key = index.keys[k];
    if (h.length > 16 && std::memcmp(start + 16, key.literal.data() + 16, h.length - 16) != 0) continue;
    if (Collect(key.rules, key.companions.data(), key.id, i - h.offset, q)) return true;
  }
  return false;
}

bool LiteralGate::MayMatch(std::string_view text, Format format, std::string_view level, bool evidence_only) const {
  const Query q{format, level, evidence_only, nullptr, 0, nullptr};
  const bool one_line = std::memchr(text.data(), '\n', text.size()) == nullptr;
  return Scan(TableFor(one_line), text, q) != Verdict::kNone;
}

LiteralGate::Verdict LiteralGate::Candidates(std::string_view text, Format format, std::string_view level,
                                             bool evidence_only, size_t limit, std::vector<int>* candidates,
                                             std::vector<size_t>* first_keys) const {
  candidates->clear();
  if (first_keys) first_keys->clear();
  const bool one_line = std::memchr(text.data(), '\n', text.size()) == nullptr;
  const Table& table = TableFor(one_line);
  thread_local std::vector<Query::Found> found;
  found.clear();
  const Query q{format, level, evidence_only, candidates, limit, &found};
  const Verdict v = Scan(table, text, q);
  if (v != Verdict::kFew) return v;
  // Sorted by rule, each with where its first key starts.
  thread_local std::vector<std::pair<int, size_t>> by_rule;
  by_rule.clear();
  for (size_t i = 0; i < candidates->size(); ++i) by_rule.emplace_back((*candidates)[i], found[i].first_at);
  std::sort(by_rule.begin(), by_rule.end());
  for (size_t i = 0; i < by_rule.size(); ++i) {
    (*candidates)[i] = by_rule[i].first;
    if (first_keys) first_keys->push_back(by_rule[i].second);
  }
  return v;
}

LiteralGate::Verdict LiteralGate::Scan(const Table& table, std::string_view text, const Query& q) const {
  if (Collect(table.unfiltered, nullptr, -1, 0, q)) return Verdict::kMany;
  // Lower-cased once, so that keys compare with memcmp.
  thread_local std::string lowered;
  lowered.resize(text.size());
  const bool folded = LowerAsciiInto(text, lowered.data());
  if (folded) {
    if (Collect(table.non_ascii, nullptr, -1, 0, q)) return Verdict::kMany;
    FoldForKeys(text, &lowered);
  }
  const size_t n = lowered.size();
  lowered.append(16, '\0');  // padding: KeyAt reads two words
  const auto* p = reinterpret_cast<const unsigned char*>(lowered.data());
  const KeyIndex& keys = table.keys;
  const int bits = keys.bits;  // in locals: the loop calls out, so members would be read again
  const uint64_t* seen = keys.seen.data();
  const uint64_t* seen_again = keys.seen_again.data();
  // Keys are looked up by the text's next four bytes: far fewer positions share those with
  // some key than share three, and each such position costs a bucket walk. One 8-byte read
  // serves four positions (past n only into the padding).
  const auto at = [&](size_t i, uint32_t word) {
    const uint32_t h = HashHead(word, bits);
    return HasBit(seen, h) && HasBit(seen_again, HashHeadAgain(word, bits)) && KeyAt(keys, p, i, n, h, q);
  };
  const size_t positions = n >= kMinLiteral ? n - kMinLiteral + 1 : 0;
  size_t i = 0;
  for (; i + 4 <= positions; i += 4) {
    uint64_t words;
    std::memcpy(&words, p + i, 8);
    if (at(i, static_cast<uint32_t>(words)) || at(i + 1, static_cast<uint32_t>(words >> 8)) ||
        at(i + 2, static_cast<uint32_t>(words >> 16)) || at(i + 3, static_cast<uint32_t>(words >> 24))) {
      return Verdict::kMany;  // one rule is enough for a yes, or the list is too long
    }
  }
  for (; i < positions; ++i) {
    uint32_t word;
    std::memcpy(&word, p + i, 4);
    if (at(i, word)) return Verdict::kMany;
  }
  if (q.out == nullptr) return Verdict::kNone;
  if (folded) {
    for (Query::Found& f : *q.found) f.first_at = 0;  // positions in the folded text, not the text's
  }
  DropWithoutCompanions(table, std::string_view(lowered.data(), n), q);
  return q.out->empty() ? Verdict::kNone : Verdict::kFew;
}

}  // namespace why500
