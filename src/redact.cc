#include "why500/redact.h"

#include <re2/re2.h>

#include "why500/text.h"

namespace why500 {
namespace {

struct Spec {
  const char* pattern;
  const char* rewrite;
};

// Applied in order: credentials inside URLs before e-mail addresses (user:pw@host looks like
// one), named secrets before the generic query-string rule.
constexpr Spec kSpecs[] = {
    {R"re(([A-Za-z][A-Za-z0-9+.-]*://[^/\s:@"']+):[^@\s/"']+@)re", R"re(\1:<redacted>@)re"},
    {R"re((?i)\b(bearer|basic|token)(\s+)[A-Za-z0-9._~+/=-]{8,})re", R"re(\1\2<redacted>)re"},
    {R"re(\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*)re", "<jwt>"},
    {R"re(\b(?:AKIA|ASIA)[0-9A-Z]{16}\b|\b[spr]k_(?:live|test)_[0-9A-Za-z]{10,}|\bgh[pousr]_[0-9A-Za-z]{20,}|\bxox[abposr]-[0-9A-Za-z-]{10,}|\bAIza[0-9A-Za-z_-]{35})re",
     "<key>"},
    {R"re((?i)("(?:api[_-]?key|apikey|access[_-]?token|refresh[_-]?token|auth[_-]?token|token|secret|client[_-]?secret|password|passwd|pwd|session[_-]?id|sessionid|csrf[_-]?token|authorization|cookie)"\s*:\s*)"(?:[^"\\]|\\.)*")re",
     R"re(\1"<redacted>")re"},
    {R"re((?i)\b((?:api[_-]?key|apikey|access[_-]?token|refresh[_-]?token|auth[_-]?token|token|secret|client[_-]?secret|password|passwd|pwd|pass|session[_-]?id|sessionid|sid|phpsessid|jsessionid|laravel_session|csrf[_-]?token|signature|sig)\s*[=:]\s*)[^\s&;,"'<>]+)re",
     R"re(\1<redacted>)re"},
    {R"re(([?&][^=&?\s"'#<>]{1,64}=)[^&\s"'#<>]+)re", R"re(\1<v>)re"},
    {R"re([A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})re", "<email>"},
};

bool IsWord(char c) { return IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsHexDigit(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// The length of a dotted quad at `i` (each part 0-255), or 0.
size_t Ipv4At(std::string_view s, size_t i, int octets[4]) {
  size_t p = i;
  for (int k = 0; k < 4; ++k) {
    size_t digits = 0;
    int v = 0;
    while (p < s.size() && IsDigit(s[p]) && digits < 3) v = v * 10 + (s[p++] - '0'), ++digits;
    if (digits == 0 || v > 255) return 0;
    octets[k] = v;
    if (k < 3) {
      if (p >= s.size() || s[p] != '.') return 0;
      ++p;
    }
  }
  if (p < s.size() && (IsDigit(s[p]) || (s[p] == '.' && p + 1 < s.size() && IsDigit(s[p + 1])))) return 0;
  return p - i;
}

// Addresses that name the site's own machines, not people.
bool IsInternalIpv4(const int o[4]) {
  return o[0] == 10 || o[0] == 127 || o[0] == 0 || (o[0] == 192 && o[1] == 168) ||
         (o[0] == 172 && o[1] >= 16 && o[1] <= 31) || (o[0] == 169 && o[1] == 254);
}

// The length of an IPv6 address at `i` ("2001:db8::1", full or compressed), or 0.
size_t Ipv6At(std::string_view s, size_t i, bool* internal) {
  size_t p = i, colons = 0, hex_digits = 0;
  bool double_colon = false;
  while (p < s.size() && (IsHexDigit(s[p]) || s[p] == ':')) {
    if (s[p] == ':') {
      ++colons;
      if (p + 1 < s.size() && s[p + 1] == ':') double_colon = true;
    } else {
      ++hex_digits;
    }
    ++p;
  }
  while (p > i && s[p - 1] == ':' && !(p - i >= 2 && s[p - 2] == ':')) --p, --colons;  // "addr:" ends a phrase
  if (p < s.size() && IsWord(s[p])) return 0;
  if (hex_digits < 2 || (colons != 7 && !(double_colon && colons >= 2))) return 0;
  const std::string_view a = s.substr(i, p - i);
  *internal = a == "::1" || StartsWith(a, "fe80") || StartsWith(a, "fc") || StartsWith(a, "fd") ||
              StartsWith(a, "FE80") || StartsWith(a, "::ffff:127.");
  return p - i;
}

void MaskAddresses(std::string* text) {
  const std::string& s = *text;
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    const bool boundary = i == 0 || !(IsWord(s[i - 1]) || s[i - 1] == '.' || s[i - 1] == ':');
    if (boundary) {
      int octets[4];
      bool internal = false;
      if (size_t n = Ipv4At(s, i, octets)) {
        out += IsInternalIpv4(octets) ? s.substr(i, n) : "<ip>";
        i += n;
        continue;
      }
      if (size_t n = Ipv6At(s, i, &internal)) {
        out += internal ? s.substr(i, n) : "<ipv6>";
        i += n;
        continue;
      }
    }
    out.push_back(s[i++]);
  }
  text->swap(out);
}

}  // namespace

struct Redactor::Pattern {
  std::unique_ptr<RE2> re;
  std::string rewrite;
};

Redactor::Redactor() : patterns_(new Pattern[std::size(kSpecs)]), count_(std::size(kSpecs)) {
  RE2::Options options;
  options.set_log_errors(false);
  for (size_t i = 0; i < count_; ++i) {
    patterns_[i].re = std::make_unique<RE2>(kSpecs[i].pattern, options);
    patterns_[i].rewrite = kSpecs[i].rewrite;
  }
}

Redactor::~Redactor() = default;

std::string Redactor::Apply(std::string_view text) const {
  std::string out(text);
  for (size_t i = 0; i < count_; ++i) {
    if (patterns_[i].re->ok()) RE2::GlobalReplace(&out, *patterns_[i].re, patterns_[i].rewrite);
  }
  MaskAddresses(&out);
  return out;
}

void RedactAggregate(const Redactor& redactor, Aggregate* agg) {
  auto redact = [&](std::string* s) { *s = redactor.Apply(*s); };
  auto redact_view = [&](std::string_view s) { return redactor.Apply(s); };
  for (Group& g : agg->groups) {
    redact(&g.template_text);
    redact(&g.hint);
    for (Example& e : g.examples) redact(&e.text);
    for (TopValues* values : {&g.path, &g.upstream, &g.client, &g.host}) values->Rewrite(redact_view);
  }
  for (Example& e : agg->response_examples) redact(&e.text);
  for (Change& c : agg->changes) redact(&c.text);
}

}  // namespace why500
