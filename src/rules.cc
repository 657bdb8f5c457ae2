#include "why500/rules.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <unordered_map>

#include "why500/taxonomy.h"

namespace why500 {

using nlohmann::json;

std::string_view ConfidenceName(Confidence c) {
  switch (c) {
    case Confidence::kLow: return "low";
    case Confidence::kMedium: return "medium";
    case Confidence::kHigh: return "high";
  }
  return "low";
}

bool ParseConfidence(std::string_view s, Confidence* out) {
  if (s == "low") *out = Confidence::kLow;
  else if (s == "medium") *out = Confidence::kMedium;
  else if (s == "high") *out = Confidence::kHigh;
  else return false;
  return true;
}

bool Rule::AppliesTo(Format f, std::string_view level) const {
  if (!AppliesTo(f)) return false;
  if (levels.empty()) return true;
  for (const std::string& l : levels) {
    if (l.size() == level.size() &&
        std::equal(l.begin(), l.end(), level.begin(), [](char a, char b) { return a == std::tolower(b); })) {
      return true;
    }
  }
  return false;
}

namespace {

const std::set<std::string>& KnownKeys() {
  static const std::set<std::string> keys = {"id",      "cause", "subcause", "priority", "confidence", "formats", "levels",
                                             "pattern", "hint",  "examples", "counter_examples", "comment"};
  return keys;
}

// "line L, column C" of byte offset `pos` in `text`.
std::string Position(std::string_view text, size_t pos) {
  pos = std::min(pos, text.size());
  size_t line = 1, col = 1;
  for (size_t i = 0; i < pos; ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return std::to_string(line) + ":" + std::to_string(col);
}

Error RuleError(const std::string& source, const std::string& id, const std::string& what) {
  return Error{source + ": rule '" + id + "': " + what};
}

Expected<std::vector<std::string>> StringList(const json& j, const char* key, const std::string& source,
                                              const std::string& id) {
  std::vector<std::string> out;
  if (!j.contains(key)) return out;
  const json& v = j.at(key);
  if (!v.is_array()) return RuleError(source, id, std::string("'") + key + "' must be an array of strings");
  for (const json& item : v) {
    if (!item.is_string()) return RuleError(source, id, std::string("'") + key + "' must hold only strings");
    out.push_back(item.get<std::string>());
  }
  return out;
}

Expected<Rule> ParseRule(const json& j, const std::string& source) {
  if (!j.is_object()) return Error{source + ": every rule must be a JSON object"};
  const std::string id = j.contains("id") && j["id"].is_string() ? j["id"].get<std::string>() : "?";
  if (id == "?") return Error{source + ": a rule has no string 'id'"};
  for (const auto& item : j.items()) {
    if (!KnownKeys().count(item.key())) return RuleError(source, id, "unknown field '" + item.key() + "'");
  }
  Rule r;
  r.id = id;
  r.source = source;
  for (const char* key : {"cause", "subcause", "pattern", "hint"}) {
    if (!j.contains(key) || !j[key].is_string() || j[key].get<std::string>().empty()) {
      return RuleError(source, id, std::string("missing or empty string field '") + key + "'");
    }
  }
  r.cause = j["cause"].get<std::string>();
  r.subcause = j["subcause"].get<std::string>();
  r.pattern = j["pattern"].get<std::string>();
  r.hint = j["hint"].get<std::string>();
  if (!IsKnownCause(r.cause) && r.cause != kBenignCause) {
    std::string what = "unknown cause '" + r.cause + "'";
    const std::string_view close = ClosestCause(r.cause);
    if (!close.empty()) what += " (did you mean '" + std::string(close) + "'?)";
    return RuleError(source, id, what);
  }
  if (!j.contains("priority") || !j["priority"].is_number_integer()) {
    return RuleError(source, id, "'priority' must be an integer 0..100");
  }
  r.priority = j["priority"].get<int>();
  if (r.priority < 0 || r.priority > 100) return RuleError(source, id, "'priority' must be an integer 0..100");
  if (!j.contains("confidence") || !j["confidence"].is_string() ||
      !ParseConfidence(j["confidence"].get<std::string>(), &r.confidence)) {
    return RuleError(source, id, "'confidence' must be \"high\", \"medium\" or \"low\"");
  }
  auto formats = StringList(j, "formats", source, id);
  if (!formats) return formats.error();
  if (!formats->empty()) {
    r.format_mask = 0;
    for (const std::string& name : *formats) {
      const auto f = FormatFromName(name);
      if (!f) return RuleError(source, id, "unknown format '" + name + "'");
      r.format_mask |= 1u << static_cast<int>(*f);
    }
  }
  auto levels = StringList(j, "levels", source, id);
  if (!levels) return levels.error();
  for (std::string& l : *levels) {
    std::transform(l.begin(), l.end(), l.begin(), [](unsigned char c) { return std::tolower(c); });
  }
  r.levels = std::move(*levels);
  auto examples = StringList(j, "examples", source, id);
  if (!examples) return examples.error();
  r.examples = std::move(*examples);
  auto counters = StringList(j, "counter_examples", source, id);
  if (!counters) return counters.error();
  r.counter_examples = std::move(*counters);
  return r;
}

Expected<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{path + ": cannot read rule file"};
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

Expected<std::vector<Rule>> ParseRuleFile(std::string_view text, const std::string& source) {
  json doc;
  try {
    doc = json::parse(text.begin(), text.end());
  } catch (const json::parse_error& e) {
    // "[json.exception.parse_error.101] parse error at line 2, column 1: syntax error ...": keep the end.
    std::string what = e.what();
    const size_t column = what.find("column ");
    const size_t colon = column == std::string::npos ? std::string::npos : what.find(": ", column);
    if (colon != std::string::npos) what = what.substr(colon + 2);
    return Error{source + ":" + Position(text, e.byte > 0 ? e.byte - 1 : 0) + ": not valid JSON: " + what};
  } catch (const json::exception& e) {
    // A number out of range ("1e400") is out_of_range, not parse_error: "[json.exception....] what".
    std::string what = e.what();
    const size_t bracket = what.find("] ");
    if (bracket != std::string::npos) what = what.substr(bracket + 2);
    return Error{source + ": not valid JSON: " + what};
  }
  const json* list = &doc;
  if (doc.is_object()) {
    if (!doc.contains("rules")) return Error{source + ": expected an object with a \"rules\" array"};
    list = &doc["rules"];
  }
  if (!list->is_array()) return Error{source + ": \"rules\" must be an array"};
  std::vector<Rule> rules;
  std::set<std::string> seen;
  for (const json& j : *list) {
    auto rule = ParseRule(j, source);
    if (!rule) return rule.error();
    if (!seen.insert(rule->id).second) return RuleError(source, rule->id, "duplicate rule id in this file");
    rules.push_back(std::move(*rule));
  }
  return rules;
}

Expected<std::vector<Rule>> LoadRulePath(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return Error{path + ": no such rule file or folder"};
  std::vector<std::string> files;
  if (S_ISDIR(st.st_mode)) {
    DIR* dir = ::opendir(path.c_str());
    if (!dir) return Error{path + ": cannot read rule folder"};
    while (dirent* ent = ::readdir(dir)) {
      const std::string name = ent->d_name;
      if (name.size() > 5 && name.compare(name.size() - 5, 5, ".json") == 0) files.push_back(path + "/" + name);
    }
    ::closedir(dir);
    std::sort(files.begin(), files.end());
    if (files.empty()) return Error{path + ": folder holds no *.json rule files"};
  } else {
    files.push_back(path);
  }
  std::vector<Rule> all;
  for (const std::string& file : files) {
    auto text = ReadFile(file);
    if (!text) return text.error();
    auto rules = ParseRuleFile(*text, file);
    if (!rules) return rules.error();
    for (Rule& r : *rules) all.push_back(std::move(r));
  }
  return all;
}

Expected<std::vector<Rule>> LoadRules(const std::vector<std::string>& user_paths, bool with_defaults) {
  std::vector<Rule> rules;
  std::unordered_map<std::string, size_t> by_id;
  auto add = [&](Rule r) {
    auto it = by_id.find(r.id);
    if (it != by_id.end()) {
      rules[it->second] = std::move(r);  // a later rule of the same id replaces the earlier one
    } else {
      by_id.emplace(r.id, rules.size());
      rules.push_back(std::move(r));
    }
  };
  if (with_defaults) {
    for (const EmbeddedRuleFile& f : EmbeddedRuleFiles()) {
      auto parsed = ParseRuleFile(f.text, f.name);
      if (!parsed) return parsed.error();
      for (Rule& r : *parsed) {
        r.built_in = true;
        add(std::move(r));
      }
    }
  }
  for (const std::string& path : user_paths) {
    auto parsed = LoadRulePath(path);
    if (!parsed) return parsed.error();
    for (Rule& r : *parsed) add(std::move(r));
  }
  return rules;
}

}  // namespace why500
