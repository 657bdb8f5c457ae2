// Build step: learns the literal gate's keys (and their companions) of every rule in the given rule files and writes
// them as C++ (BuiltInGateKeysEntries), so that a run need not compile each built-in pattern
// twice to learn them; and counts the 4-byte substrings of the rules' example lines
// (BuiltInCommonGrams), so that the gate files each key under its rarest one.
// Usage: why500_gen_gate_keys OUT.cc RULES.json...
#include <algorithm>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "why500/gate_keys.h"

namespace {

constexpr size_t kCommonGrams = 4096;  // of about 40,000 distinct ones: the rest occur a few times each

// A C++ string literal of any bytes: each byte that is not a letter, digit or space as a
// three-digit octal escape, which cannot run into the next character as a hex escape would.
std::string CxxLiteral(const std::string& bytes) {
  std::string out = "std::string_view(\"";
  for (const char ch : bytes) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ' ') {
      out.push_back(ch);
    } else {
      out += '\\';
      out += static_cast<char>('0' + (c >> 6));
      out += static_cast<char>('0' + ((c >> 3) & 7));
      out += static_cast<char>('0' + (c & 7));
    }
  }
  return out + "\", " + std::to_string(bytes.size()) + ")";
}

// Counts the 4-byte substrings of `line` as the gate scans it: ASCII letters lower-cased.
void CountGrams(const std::string& line, std::map<std::string, uint32_t>* grams) {
  std::string lowered = line;
  for (char& c : lowered) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
  for (size_t i = 0; i + 4 <= lowered.size(); ++i) ++(*grams)[lowered.substr(i, 4)];
}

bool ReadRules(const char* path, std::set<std::string>* patterns, std::map<std::string, uint32_t>* grams) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  const nlohmann::json doc = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  const nlohmann::json* rules =
      doc.is_array() ? &doc : doc.is_object() && doc.contains("rules") ? &doc["rules"] : nullptr;
  if (!in || rules == nullptr || !rules->is_array()) {
    std::cerr << "why500_gen_gate_keys: " << path << ": not a rule file\n";
    return false;
  }
  for (const nlohmann::json& rule : *rules) {
    if (!rule.is_object()) continue;
    if (rule.contains("pattern") && rule["pattern"].is_string()) patterns->insert(rule["pattern"].get<std::string>());
    // The rules' example lines are real log lines from public sources: how often a 4-byte
    // substring occurs among them says how often the gate would stop at it in a real log.
    for (const char* field : {"examples", "counter_examples"}) {
      if (!rule.contains(field) || !rule[field].is_array()) continue;
      for (const nlohmann::json& line : rule[field]) {
        if (line.is_string()) CountGrams(line.get<std::string>(), grams);
      }
    }
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: why500_gen_gate_keys OUT.cc RULES.json...\n";
    return 2;
  }
  std::set<std::string> patterns;  // sorted: the output does not depend on file order
  std::map<std::string, uint32_t> grams;
  for (int i = 2; i < argc; ++i) {
    if (!ReadRules(argv[i], &patterns, &grams)) return 1;
  }
  // Flat constant tables, turned into the vectors on first use: an initializer of thousands of
  // std::strings takes a compiler minutes to build under the sanitizers.
  std::string entries, keys, key_companions, companions;
  size_t key_count = 0, companion_count = 0;
  for (const std::string& pattern : patterns) {
    for (const bool one_line : {true, false}) {
      const why500::GateKeys learnt = why500::LearnGateKeys(pattern, one_line);
      entries += "    {" + CxxLiteral(pattern) + (one_line ? ", true, " : ", false, ") +
                 (learnt.can_match ? "true, " : "false, ") + std::to_string(key_count) + ", " +
                 std::to_string(learnt.keys.size()) + "},\n";
      for (size_t k = 0; k < learnt.keys.size(); ++k) {
        keys += "    " + CxxLiteral(learnt.keys[k]) + ",\n";
        key_companions += "    {" + std::to_string(companion_count) + ", " +
                          std::to_string(learnt.companions[k].size()) + "},\n";
        for (const std::string& literal : learnt.companions[k]) companions += "    " + CxxLiteral(literal) + ",\n";
        companion_count += learnt.companions[k].size();
      }
      key_count += learnt.keys.size();
    }
  }
  // The most frequent ones, by bytes; any other counts as rare.
  std::vector<std::pair<uint32_t, std::string>> by_count;
  for (const auto& [gram, count] : grams) by_count.emplace_back(count, gram);
  std::sort(by_count.begin(), by_count.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  if (by_count.size() > kCommonGrams) by_count.resize(kCommonGrams);
  std::sort(by_count.begin(), by_count.end(), [](const auto& a, const auto& b) { return a.second < b.second; });
  std::string common;
  for (const auto& [count, gram] : by_count) common += "    {" + CxxLiteral(gram) + ", " + std::to_string(count) + "},\n";
  const std::string out =
      "// Generated from rules/*.json by src/gen_gate_keys.cc. Do not edit.\n"
      "#include <iterator>\n\n"
      "#include \"why500/gate_keys.h\"\n\n"
      "namespace why500 {\n"
      "namespace {\n\n"
      "struct Entry {\n"
      "  std::string_view pattern;\n"
      "  bool one_line, can_match;\n"
      "  size_t first_key, keys;  // in kKeys\n"
      "};\n\n"
      "struct Span {\n"
      "  size_t first, count;\n"
      "};\n\n"
      "constexpr Entry kEntries[] = {\n" + entries + "};\n\n"
      "constexpr std::string_view kKeys[] = {\n" + keys + "    std::string_view(),  // an array of no keys would be ill-formed\n};\n\n"
      "// kKeys[k]'s companions in kCompanions.\n"
      "constexpr Span kKeyCompanions[] = {\n" + key_companions + "    {0, 0},\n};\n\n"
      "constexpr std::string_view kCompanions[] = {\n" + companions + "    std::string_view(),\n};\n\n"
      "constexpr CommonGram kCommonGrams[] = {\n" + common + "};\n\n"
      "}  // namespace\n\n"
      "const std::vector<BuiltInGateKeysEntry>& BuiltInGateKeysEntries() {\n"
      "  static const std::vector<BuiltInGateKeysEntry> entries = [] {\n"
      "    std::vector<BuiltInGateKeysEntry> all;\n"
      "    all.reserve(std::size(kEntries));\n"
      "    for (const Entry& e : kEntries) {\n"
      "      GateKeys learnt;\n"
      "      learnt.can_match = e.can_match;\n"
      "      for (size_t k = e.first_key; k < e.first_key + e.keys; ++k) {\n"
      "        learnt.keys.emplace_back(kKeys[k]);\n"
      "        const Span c = kKeyCompanions[k];\n"
      "        learnt.companions.emplace_back(kCompanions + c.first, kCompanions + c.first + c.count);\n"
      "      }\n"
      "      all.push_back({e.pattern, e.one_line, std::move(learnt)});\n"
      "    }\n"
      "    return all;\n"
      "  }();\n"
      "  return entries;\n"
      "}\n\n"
      "const std::vector<CommonGram>& BuiltInCommonGrams() {\n"
      "  static const std::vector<CommonGram> grams(std::begin(kCommonGrams), std::end(kCommonGrams));\n"
      "  return grams;\n"
      "}\n\n"
      "}  // namespace why500\n";
  std::ofstream file(argv[1], std::ios::binary | std::ios::trunc);
  file << out;
  if (!file.flush()) {
    std::cerr << "why500_gen_gate_keys: cannot write " << argv[1] << "\n";
    return 1;
  }
  return 0;
}
