#include "why500/template.h"

#include "why500/text.h"
#include "why500/time_parse.h"

namespace why500 {
namespace {

bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsWordChar(char c) { return IsAlpha(c) || IsDigit(c) || c == '_'; }

// Characters that end a path or URL token.
bool EndsToken(char c) {
  return c == ' ' || c == '\t' || c == '"' || c == '\'' || c == ',' || c == ')' || c == ']' || c == '(' ||
         c == '>' || c == ';' || c == '\n';
}

size_t TokenEnd(std::string_view s, size_t i) {
  while (i < s.size() && !EndsToken(s[i])) ++i;
  // A trailing ":" or ":123" (line numbers, nginx's "unix:/x.sock:") is not part of the path.
  while (i > 0 && (s[i - 1] == ':' || s[i - 1] == '.')) --i;
  return i;
}

size_t MatchUuid(std::string_view s, size_t i) {
  static constexpr int kGroups[] = {8, 4, 4, 4, 12};
  size_t p = i;
  for (int g = 0; g < 5; ++g) {
    for (int k = 0; k < kGroups[g]; ++k, ++p) {
      if (p >= s.size() || !IsHex(s[p])) return 0;
    }
    if (g < 4) {
      if (p >= s.size() || s[p] != '-') return 0;
      ++p;
    }
  }
  return p - i;
}

size_t MatchIpv4(std::string_view s, size_t i) {
  size_t p = i;
  for (int octet = 0; octet < 4; ++octet) {
    const size_t start = p;
    while (p < s.size() && IsDigit(s[p]) && p - start < 3) ++p;
    if (p == start) return 0;
    if (octet < 3) {
      if (p >= s.size() || s[p] != '.') return 0;
      ++p;
    }
  }
  if (p < s.size() && IsDigit(s[p])) return 0;
  if (p + 1 < s.size() && s[p] == ':' && IsDigit(s[p + 1])) {  // a port
    ++p;
    while (p < s.size() && IsDigit(s[p])) ++p;
  }
  return p - i;
}

// A run of hex that is an id or address, not a word: at least 4 long with a digit and a letter
// in it ("7f1e18159", "+8160e"), or 0x-prefixed.
size_t MatchHexId(std::string_view s, size_t i) {
  if (s.compare(i, 2, "0x") == 0 && i + 2 < s.size() && IsHex(s[i + 2])) {
    size_t p = i + 2;
    while (p < s.size() && IsHex(s[p])) ++p;
    return p - i;
  }
  size_t p = i;
  bool digit = false, letter = false;
  while (p < s.size() && IsHex(s[p])) {
    (IsDigit(s[p]) ? digit : letter) = true;
    ++p;
  }
  if (p - i >= 4 && digit && letter && (p == s.size() || !IsWordChar(s[p]))) return p - i;
  return 0;
}

// "2026-11-21T10:00:00.123+00:00", "2026-11-21 10:00:00,123", "2026/11/21 10:00:00": a time, whole.
size_t MatchTimestamp(std::string_view s, size_t i) {
  CivilTime t;
  if (i + 19 > s.size() || !IsDigit(s[i]) || (s[i + 4] != '-' && s[i + 4] != '/') ||
      (s[i + 10] != 'T' && s[i + 10] != ' ') || !ParseYmdHms(s, i, &t)) {
    return 0;
  }
  size_t p = i + 19;
  ParseFraction(s, &p);
  if (p < s.size() && (s[p] == 'Z' || s[p] == 'z')) return p + 1 - i;
  size_t q = p < s.size() && s[p] == ' ' ? p + 1 : p;  // "+0000" may follow a space
  if (q + 4 < s.size() && (s[q] == '+' || s[q] == '-') && IsDigit(s[q + 1]) && IsDigit(s[q + 2])) {
    ++q;
    while (q < s.size() && (IsDigit(s[q]) || s[q] == ':')) ++q;
    p = q;
  }
  return p - i;
}

bool StartsPath(std::string_view s, size_t i) {
  if (s[i] != '/' || i + 1 >= s.size() || EndsToken(s[i + 1]) || s[i + 1] == '/') return false;
  if (i > 0 && (IsWordChar(s[i - 1]) || s[i - 1] == '/' || s[i - 1] == '.')) return false;
  return true;
}

size_t SchemeLength(std::string_view s, size_t i) {
  if (i > 0 && IsWordChar(s[i - 1])) return 0;
  size_t p = i;
  while (p < s.size() && IsAlpha(s[p])) ++p;
  if (p - i < 2 || s.compare(p, 3, "://") != 0) return 0;
  return p - i + 3;
}

void Emit(std::string* out, std::string_view what) {
  if (out->size() + what.size() <= kMaxTemplateBytes) out->append(what);
}

}  // namespace

std::string_view LineAt(std::string_view message, size_t offset) {
  if (offset > message.size()) offset = message.size();
  size_t begin = message.rfind('\n', offset == 0 ? 0 : offset - 1);
  begin = (begin == std::string_view::npos || offset == 0) ? 0 : begin + 1;
  if (offset == 0) begin = 0;
  const size_t end = message.find('\n', offset);
  return message.substr(begin, end == std::string_view::npos ? std::string_view::npos : end - begin);
}

void MakeTemplate(std::string_view message, std::string* out) {
  out->clear();
  message = Trim(message);
  size_t i = 0;
  while (i < message.size() && out->size() < kMaxTemplateBytes) {
    const char c = message[i];
    size_t n;
    if (c == '\n') break;
    if (IsSpace(c)) {  // runs of blanks become one space
      if (!out->empty() && out->back() != ' ') Emit(out, " ");
      ++i;
    } else if ((n = SchemeLength(message, i)) > 0) {
      Emit(out, "<url>");
      i = TokenEnd(message, i + n);
    } else if (StartsPath(message, i)) {
      Emit(out, "<path>");
      i = TokenEnd(message, i);
    } else if (IsDigit(c) && (i == 0 || !IsWordChar(message[i - 1])) && (n = MatchTimestamp(message, i)) > 0) {
      Emit(out, "<time>");
      i += n;
    } else if (IsHex(c) && (i == 0 || !IsWordChar(message[i - 1])) && (n = MatchUuid(message, i)) > 0) {
      Emit(out, "<uuid>");
      i += n;
    } else if (IsDigit(c) && (i == 0 || !IsWordChar(message[i - 1])) && (n = MatchIpv4(message, i)) > 0) {
      Emit(out, "<ip>");
      i += n;
    } else if (IsHex(c) && (i == 0 || !IsWordChar(message[i - 1])) && (n = MatchHexId(message, i)) > 0) {
      Emit(out, "<hex>");
      i += n;
    } else if (IsDigit(c)) {
      size_t p = i;
      while (p < message.size() && (IsDigit(message[p]) || (message[p] == '.' && p + 1 < message.size() &&
                                                             IsDigit(message[p + 1])))) {
        ++p;
      }
      const bool in_word = i > 0 && IsAlpha(message[i - 1]);
      // errno-style "(111: ...)" and "(13)Permission" and codes like "AH01071" stay: they name the failure.
      const bool errno_like = i > 0 && message[i - 1] == '(' && p + 1 < message.size() &&
                              ((message[p] == ':' && message[p + 1] == ' ') ||
                               (message[p] == ')' && IsAlpha(message[p + 1])));
      if (in_word || errno_like) {
        Emit(out, message.substr(i, p - i));
      } else {
        Emit(out, "<n>");
      }
      i = p;
    } else {
      const size_t start = i;
      // Copy a whole UTF-8 sequence or word at once, so a cut never splits a character.
      do {
        ++i;
      } while (i < message.size() && (static_cast<unsigned char>(message[i]) & 0xC0) == 0x80);
      Emit(out, message.substr(start, i - start));
    }
  }
  while (!out->empty() && out->back() == ' ') out->pop_back();
}

}  // namespace why500
