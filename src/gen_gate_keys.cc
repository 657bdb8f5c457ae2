// Build step: learns the literal gate's keys of every rule in the given rule files and writes
// them as C++ (BuiltInGateKeysEntries), so that a run need not compile each built-in pattern
// twice to learn them. Usage: why500_gen_gate_keys OUT.cc RULES.json...
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "why500/gate_keys.h"

namespace {

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

std::string CxxKeys(const why500::GateKeys& learnt) {
  std::string out = learnt.can_match ? "{true, {" : "{false, {";
  for (const std::string& literal : learnt.keys) out += "std::string(" + CxxLiteral(literal) + "), ";
  return out + "}}";
}

bool ReadPatterns(const char* path, std::set<std::string>* patterns) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  const nlohmann::json doc = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  const nlohmann::json* rules = doc.is_array() ? &doc : doc.is_object() && doc.contains("rules") ? &doc["rules"] : nullptr;
  if (!in || rules == nullptr || !rules->is_array()) {
    std::cerr << "why500_gen_gate_keys: " << path << ": not a rule file\n";
    return false;
  }
  for (const nlohmann::json& rule : *rules) {
    if (rule.is_object() && rule.contains("pattern") && rule["pattern"].is_string()) {
      patterns->insert(rule["pattern"].get<std::string>());
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
  for (int i = 2; i < argc; ++i) {
    if (!ReadPatterns(argv[i], &patterns)) return 1;
  }
  std::string out =
      "// Generated from rules/*.json by src/gen_gate_keys.cc. Do not edit.\n"
      "#include \"why500/gate_keys.h\"\n\n"
      "namespace why500 {\n\n"
      "const std::vector<BuiltInGateKeysEntry>& BuiltInGateKeysEntries() {\n"
      "  static const std::vector<BuiltInGateKeysEntry> entries = {\n";
  for (const std::string& pattern : patterns) {
    for (const bool one_line : {true, false}) {
      const why500::GateKeys keys = why500::LearnGateKeys(pattern, one_line);
      out += "    {" + CxxLiteral(pattern) + (one_line ? ", true, " : ", false, ") + CxxKeys(keys) + "},\n";
    }
  }
  out += "  };\n  return entries;\n}\n\n}  // namespace why500\n";
  std::ofstream file(argv[1], std::ios::binary | std::ios::trunc);
  file << out;
  if (!file.flush()) {
    std::cerr << "why500_gen_gate_keys: cannot write " << argv[1] << "\n";
    return 1;
  }
  return 0;
}
