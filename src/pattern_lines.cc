#include "why500/pattern_lines.h"

#include <cstring>

namespace why500 {
namespace {

bool IsAsciiAlnum(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Escapes that never match '\n' wherever they stand: classes without it and assertions.
bool SafeEscape(char e) { return std::strchr("SdwbBAz", e) != nullptr; }

// Escapes of one control character: a literal outside a class, but an end of a range inside
// one ("[\t-\r]" holds '\n').
bool ControlEscape(char e) { return e == 't' || e == 'r' || e == 'f'; }

// Skips a group's opening at `i` ("(?i)", "(?i:", "(?P<name>", "(?:"), past which the pattern
// goes on at the returned index; npos when its flags may let '.' match '\n' ("s" among them)
// or are not known.
size_t SkipGroupOpening(std::string_view p, size_t i) {
  if (i + 1 >= p.size() || p[i + 1] != '?') return i + 1;
  size_t j = i + 2;
  if (j < p.size() && p[j] == 'P') {  // a named group: its name may hold any letter
    const size_t close = p.find('>', j);
    return close == std::string_view::npos ? std::string_view::npos : close + 1;
  }
  // Flags only ("i", "m", "U", "-"); anything else ("(?<name>" in a newer RE2) is not known.
  for (; j < p.size() && p[j] != ':' && p[j] != ')'; ++j) {
    if (p[j] != 'i' && p[j] != 'm' && p[j] != 'U' && p[j] != '-') return std::string_view::npos;
  }
  return j < p.size() ? j + 1 : std::string_view::npos;
}

// Reads the class that opens at `i`; the index past its ']', or npos when it may hold '\n'.
size_t SkipClass(std::string_view p, size_t i) {
  size_t j = i + 1;
  const bool negated = j < p.size() && p[j] == '^';
  if (negated) ++j;
  bool names_newline = false;
  for (bool first = true; j < p.size(); ++j, first = false) {
    const char c = p[j];
    if (static_cast<unsigned char>(c) < 0x20) return std::string_view::npos;  // '\n' itself, or a range over it
    if (c == ']' && !first) return negated && !names_newline ? std::string_view::npos : j + 1;
    if (c == '[' && j + 1 < p.size() && p[j + 1] == ':') return std::string_view::npos;  // [[:space:]]
    if (c != '\\') continue;
    if (++j == p.size()) return std::string_view::npos;
    const char e = p[j];
    if (e == 'n' || e == 's') {
      if (!negated) return std::string_view::npos;
      names_newline = true;  // "[^\n]" and "[^\s]" leave it out
    } else if (IsAsciiAlnum(e) && !SafeEscape(e)) {
      return std::string_view::npos;  // \x0a, \pC, \D, \t-\r...
    }
  }
  return std::string_view::npos;  // unclosed: RE2 refuses it anyway
}

}  // namespace

bool NeverMatchesNewline(std::string_view p) {
  size_t i = 0;
  while (i < p.size()) {
    const char c = p[i];
    if (static_cast<unsigned char>(c) < 0x20) return false;  // a raw '\n', or a control in a range
    if (c == '\\') {
      if (i + 1 == p.size()) return false;
      const char e = p[i + 1];
      if (IsAsciiAlnum(e) && !SafeEscape(e) && !ControlEscape(e)) return false;  // \s, \n, \x, \p, \Q...
      i += 2;
    } else if (c == '[') {
      i = SkipClass(p, i);
      if (i == std::string_view::npos) return false;
    } else if (c == '(') {
      i = SkipGroupOpening(p, i);
      if (i == std::string_view::npos) return false;
    } else {
      ++i;  // '.' leaves '\n' out unless (?s), which SkipGroupOpening refuses
    }
  }
  return true;
}

}  // namespace why500
