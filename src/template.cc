#include "why500/template.h"

#include <cstdint>
#include <cstring>

#include "why500/recent.h"
#include "why500/text.h"
#include "why500/time_parse.h"

namespace why500 {
namespace {

// A template keeps what names the failure and masks what varies per request or per host:
//
//   masked                                         kept
//   times, durations ("120ms", "1m30s")            errno shapes "(111: Connection refused)", "(13)Permission"
//   numbers, sizes ("512MB"), hex, 0x pointers     codes inside words: AH01071, HY000, php8.2, 42S22
//   UUIDs, long random tokens, e-mail addresses    exception and class names, function names
//   IPv4 and IPv6 addresses with their ports       quoted names: classes, modules, tables, columns,
//   absolute paths and URLs, query strings too       config keys, zones, pools (see below)
//   quoted input values (see below)                host names of upstreams and DNS names
//                                                  the method of a request line ("GET /x")
//
// Quoted values. A quoted name in a server message is nearly always set by code or configuration:
// the class or module that is missing (`Class "App\Models\Foo" not found`, `No module named 'foo'`),
// the table or column (`relation "orders" does not exist`, `Unknown column 'x' in 'field list'`),
// the limit zone, the pool, the env key. Such names are few (bounded by the code, not by traffic)
// and each is a different fix, so they stay: masking them would fold "Predis\Client is missing"
// (a composer install) and "App\Reports\Pdf is missing" (a bad deploy) into one group and show
// only one of them. Database accounts stay too (`Access denied for user 'shop'@'localhost'`): the
// account is configuration, and which one fails matters. The varying parts inside a quoted name
// are still masked by the rules above (`"orders_2026"` → `"orders_<n>"`, `'user_1234'` →
// `'user_<n>'`, an e-mail address, a token, an IP inside).
// Quoted strings that are request data are masked whole as '<val>': single-quoted literals after
// "SQL: "/"Query: " (the query text of Laravel and PDO errors), and the value after the phrases
// of kDataBefore (a bad integer, a duplicate key, a disallowed Host header, a WAF match), which
// are input, unbounded in number and never the cause.
// The price: a bare word that is request data inside quotes and after no known phrase (a
// `KeyError: 'favicon.ico'` raised on a request's dict) still splits its group per value. That
// costs a longer list of groups under one rule, never a wrong merge, which is the error a triage
// engineer cannot see in the report.

bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsAlnum(char c) { return IsAlpha(c) || IsDigit(c); }
bool IsWordChar(char c) { return IsAlnum(c) || c == '_'; }
bool IsQuote(char c) { return c == '\'' || c == '"' || c == '`'; }

// Characters that end a path or URL token.
bool EndsToken(char c) {
  return c == ' ' || c == '\t' || c == '"' || c == '\'' || c == ',' || c == ')' || c == ']' || c == '(' ||
         c == '>' || c == ';' || c == '\n';
}

size_t TokenEnd(std::string_view s, size_t i) {
  while (i < s.size() && !EndsToken(s[i])) ++i;
  // A trailing ":" or "." (nginx's "unix:/x.sock:", a sentence's full stop) is not part of the path.
  while (i > 0 && (s[i - 1] == ':' || s[i - 1] == '.')) --i;
  return i;
}

size_t DigitsEnd(std::string_view s, size_t p, size_t max = 64) {
  const size_t start = p;
  while (p < s.size() && IsDigit(s[p]) && p - start < max) ++p;
  return p;
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
  return p < s.size() && IsWordChar(s[p]) ? 0 : p - i;
}

// "10.0.0.1", "10.0.0.1:8080" (the port is part of the address); with_port false stops before it.
size_t MatchIpv4(std::string_view s, size_t i, bool with_port = true) {
  size_t p = i;
  for (int octet = 0; octet < 4; ++octet) {
    const size_t start = p;
    p = DigitsEnd(s, p, 3);
    if (p == start) return 0;
    if (octet < 3) {
      if (p >= s.size() || s[p] != '.') return 0;
      ++p;
    }
  }
  if (p < s.size() && IsDigit(s[p])) return 0;
  if (with_port && p + 1 < s.size() && s[p] == ':' && IsDigit(s[p + 1])) p = DigitsEnd(s, p + 1);
  return p - i;
}

// "2001:db8::1", "fe80::1%eth0", "::1", "::ffff:10.0.0.1", eight full groups. At least one digit,
// so that "Foo::add" and "dead::beef" are not addresses; hh:mm:ss has neither "::" nor 8 groups.
size_t MatchIpv6(std::string_view s, size_t i) {
  // Nearly every candidate is a word or a number: an address starts with "::" or with a group of
  // at most four hex digits and a ':', which rules those out before the full walk.
  if (!HasAt(s, i, "::")) {
    size_t h = i;
    while (h < s.size() && h - i < 5 && IsHex(s[h])) ++h;
    if (h == i || h - i > 4 || h == s.size() || s[h] != ':') return 0;
  }
  size_t p = i;
  int groups = 0;
  bool compressed = false, digit = false;
  if (HasAt(s, p, "::")) {
    compressed = true;
    p += 2;
  }
  while (p < s.size()) {
    const size_t g = p;
    while (p < s.size() && IsHex(s[p]) && p - g < 5) {
      digit |= IsDigit(s[p]);
      ++p;
    }
    if (p == g) break;
    if (p - g > 4 || groups >= 8) return 0;
    if (p < s.size() && s[p] == '.') {  // an IPv4 tail
      const size_t v4 = MatchIpv4(s, g, false);
      if (v4 == 0) return 0;
      p = g + v4;
      groups += 2;
      break;
    }
    ++groups;
    if (HasAt(s, p, "::")) {
      if (compressed) return 0;
      compressed = true;
      p += 2;
    } else if (p + 1 < s.size() && s[p] == ':' && IsHex(s[p + 1])) {
      ++p;
    } else {
      break;
    }
  }
  if (!digit || (compressed ? groups > 7 : groups != 8)) return 0;
  if (p < s.size() && s[p] == '%') {  // a zone: "fe80::1%eth0"
    ++p;
    while (p < s.size() && IsWordChar(s[p])) ++p;
  }
  if (p < s.size() && (IsWordChar(s[p]) || s[p] == ':')) return 0;
  return p - i;
}

// A run of hex that is an id or address, not a word: at least 4 long with a digit and a letter
// in it ("7f1e18159", "+8160e"), or 0x-prefixed.
size_t MatchHexId(std::string_view s, size_t i) {
  if (HasAt(s, i, "0x") && i + 2 < s.size() && IsHex(s[i + 2])) {
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

// "H:MM:SS" or "HH:MM:SS" with an optional fraction, at p; the end, or 0.
size_t ClockEnd(std::string_view s, size_t p) {
  const size_t h = DigitsEnd(s, p, 2);
  if (h == p || h + 6 > s.size() || s[h] != ':' || !IsDigit(s[h + 1]) || !IsDigit(s[h + 2]) || s[h + 3] != ':' ||
      !IsDigit(s[h + 4]) || !IsDigit(s[h + 5])) {
    return 0;
  }
  p = h + 6;
  if (p < s.size() && IsDigit(s[p])) return 0;
  if (p + 1 < s.size() && (s[p] == '.' || s[p] == ',') && IsDigit(s[p + 1])) p = DigitsEnd(s, p + 1);
  return p;
}

// A zone after a clock: "Z", "+00:00", " +0000", " UTC"; returns the end (p when there is none).
size_t ZoneEnd(std::string_view s, size_t p) {
  if (p < s.size() && (s[p] == 'Z' || s[p] == 'z') && (p + 1 == s.size() || !IsWordChar(s[p + 1]))) return p + 1;
  size_t q = p < s.size() && s[p] == ' ' ? p + 1 : p;
  if (q + 2 < s.size() && (s[q] == '+' || s[q] == '-') && IsDigit(s[q + 1]) && IsDigit(s[q + 2])) {
    ++q;
    while (q < s.size() && (IsDigit(s[q]) || s[q] == ':')) ++q;
    return q;
  }
  if (HasAt(s, q, "UTC") || HasAt(s, q, "GMT")) {
    if (q + 3 == s.size() || !IsWordChar(s[q + 3])) return q + 3;
  }
  return p;
}

bool IsMonth(std::string_view s, size_t p) { return p + 3 <= s.size() && MonthFromAbbrev(s.substr(p, 3)) > 0; }

bool IsWeekday(std::string_view s, size_t p) {
  static constexpr std::string_view kDays[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  for (std::string_view d : kDays) {
    if (HasAt(s, p, d)) return true;
  }
  return false;
}

// A date and time written whole, in the shapes logs use:
//   "2026-11-21T10:00:00.123+00:00", "2026/11/21 10:00:00", "21/11/2026 10:00:00,123",
//   "21-Nov-2026 10:00:00" (php-fpm), "21/Nov/2026:10:00:00 +0000" (access logs),
//   "Fri May 17 22:40:02.935428 2019" (Apache), "May 17 22:40:02" (syslog), and a bare "10:00:00".
// Starts at a word boundary; 0 when there is none.
size_t MatchTime(std::string_view s, size_t i) {
  size_t p = i;
  if (IsUpper(s[i])) {  // [Www ]Mon d hh:mm:ss[ zone][ yyyy]
    if (i + 3 >= s.size() || s[i + 3] != ' ') return 0;  // cheap test first: most capitals start words
    if (IsWeekday(s, p) && p + 4 < s.size() && s[p + 3] == ' ') p += 4;
    if (!IsMonth(s, p) || p + 4 >= s.size() || s[p + 3] != ' ') return 0;
    p += 4;
    if (s[p] == ' ') ++p;
    const size_t d = DigitsEnd(s, p, 2);
    if (d == p || d >= s.size() || s[d] != ' ') return 0;
    const size_t c = ClockEnd(s, d + 1);
    if (c == 0) return 0;
    p = ZoneEnd(s, c);
    if (p + 5 <= s.size() && s[p] == ' ' && DigitsEnd(s, p + 1) == p + 5) p += 5;  // a year
    return p - i;
  }
  if (!IsDigit(s[i])) return 0;
  // d{1,4} sep (d{1,2} | Mon) sep d{1,4}, then " ", "T" or ":" and the clock.
  size_t q = DigitsEnd(s, p, 4);
  if (q < s.size() && (s[q] == '-' || s[q] == '/' || s[q] == '.')) {
    const char sep = s[q];
    size_t r = q + 1;
    const size_t m = IsMonth(s, r) ? r + 3 : DigitsEnd(s, r, 2);
    if (m > r && m < s.size() && s[m] == sep) {
      const size_t y = DigitsEnd(s, m + 1, 4);
      if (y > m + 1 && y + 1 < s.size() && (s[y] == ' ' || s[y] == 'T' || s[y] == ':')) {
        size_t c = y + 1;
        if (s[y] == ' ' && s[c] == ' ') ++c;  // MySQL's "2019-11-20  9:05:01"
        c = ClockEnd(s, c);
        if (c > 0) return ZoneEnd(s, c) - i;
      }
    }
    return 0;
  }
  const size_t c = ClockEnd(s, i);
  return c == 0 ? 0 : ZoneEnd(s, c) - i;
}

enum class Unit { kNone, kDuration, kSize };

size_t NumberEnd(std::string_view s, size_t p) {
  while (p < s.size() && (IsDigit(s[p]) || (s[p] == '.' && p + 1 < s.size() && IsDigit(s[p + 1])))) ++p;
  return p;
}

bool UnitFits(std::string_view s, size_t p, std::string_view u) {
  return HasAt(s, p, u) && (p + u.size() == s.size() || !IsWordChar(s[p + u.size()]));
}

// The unit right after the number at `i` (which ends at `p`), as MatchMeasure takes it.
size_t UnitAfter(std::string_view s, size_t i, size_t p, Unit* unit) {
  static constexpr std::string_view kDurations[] = {"ms", "us", "\xC2\xB5s", "ns", "sec", "secs", "s", "min",
                                                    "mins", "h"};
  static constexpr std::string_view kSizes[] = {"KiB", "MiB", "GiB", "TiB", "KB", "kB", "MB", "GB", "TB",
                                                "K",   "k",   "M",   "G",   "T",  "B"};
  for (std::string_view u : kDurations) {
    if (UnitFits(s, p, u)) {
      *unit = Unit::kDuration;
      return p + u.size() - i;
    }
  }
  for (std::string_view u : kSizes) {
    if (UnitFits(s, p, u)) {
      *unit = Unit::kSize;
      return p + u.size() - i;
    }
  }
  // Go's composite durations: "1h2m3s", "2m0.5s".
  static constexpr std::string_view kGoUnits[] = {"ms", "us", "\xC2\xB5s", "ns", "h", "m", "s"};
  size_t q = i;
  for (int parts = 1; parts <= 6; ++parts) {
    const size_t r = NumberEnd(s, q);
    if (r == q) break;
    size_t u = 0;
    for (std::string_view g : kGoUnits) {
      if (HasAt(s, r, g)) {
        u = g.size();
        break;
      }
    }
    if (u == 0) break;
    q = r + u;
    if (q == s.size() || !IsWordChar(s[q])) {
      if (parts < 2) break;
      *unit = Unit::kDuration;
      return q - i;
    }
    if (!IsDigit(s[q])) break;
  }
  return 0;
}

// "120ms", "5.012s", "1m30.5s" (Go), "512MB", "2G", and "1.5 GB" (a multiple spelt out after a
// space): units that change with the magnitude, so the number and its unit are masked together.
// A lone "m" is not taken (minutes, or a JVM's "-Xmx512m").
size_t MatchMeasure(std::string_view s, size_t i, Unit* unit) {
  const size_t p = NumberEnd(s, i);
  // Every unit starts with a letter or with the micro sign's first byte; else only a spaced one.
  if (p < s.size() && (IsAlpha(s[p]) || s[p] == '\xC2')) return UnitAfter(s, i, p, unit);
  const auto starts_multiple = [](char c) { return c == 'K' || c == 'M' || c == 'G' || c == 'T' || c == 'k'; };
  if (p + 3 < s.size() && s[p] == ' ' && starts_multiple(s[p + 1])) {
    static constexpr std::string_view kSpaced[] = {"KiB", "MiB", "GiB", "TiB", "KB", "kB", "MB", "GB", "TB"};
    for (std::string_view u : kSpaced) {
      if (UnitFits(s, p + 1, u)) {
        *unit = Unit::kSize;
        return p + 1 + u.size() - i;
      }
    }
  }
  return 0;
}

// "jane.doe+tag@example.co.uk".
size_t MatchEmail(std::string_view s, size_t i) {
  size_t p = i;
  while (p < s.size() && p - i < 64 &&
         (IsAlnum(s[p]) || s[p] == '.' || s[p] == '_' || s[p] == '%' || s[p] == '+' || s[p] == '-')) {
    ++p;
  }
  if (p == i || p >= s.size() || s[p] != '@') return 0;
  const size_t domain = ++p;
  while (p < s.size() && p - domain < 253 && (IsAlnum(s[p]) || s[p] == '-' || s[p] == '.')) ++p;
  while (p > domain && s[p - 1] == '.') --p;  // a full stop after the address
  // The domain needs a dot and an alphabetic top-level part of two letters or more.
  size_t tld = p;
  while (tld > domain && IsAlpha(s[tld - 1])) --tld;
  if (p - tld < 2 || tld <= domain + 1 || s[tld - 1] != '.') return 0;
  return p - i;
}

bool IsTokenSeparator(char c) { return c == '+' || c == '/' || c == '_' || c == '-'; }

// A long random token (base64, session ids, request ids, ULIDs): at least 16 letters and digits
// that switch between upper case, lower case and digit far more often than words do. Identifiers
// switch at word starts only ("SQLExceptionTypeDelegate" 5 times in 24, "X509TrustManagerImpl"
// 7 in 20), random base64 about every other character, lower-case+digit ids ("3lq1hbn4u0pq0c6ph0")
// every third with a good share of digits.
// Starts only where no token character precedes, so a run is looked at once, not from every '-'.
size_t MatchToken(std::string_view s, size_t i) {
  constexpr size_t kMaxScan = 256;
  if (i > 0 && (IsAlnum(s[i - 1]) || IsTokenSeparator(s[i - 1]))) return 0;
  size_t p = i, alnum = 0, digits = 0, switches = 0;
  int prev = -1;  // class of the previous character: 0 lower, 1 upper, 2 digit, -1 separator
  while (p < s.size() && p - i < kMaxScan) {
    const char c = s[p];
    int cls;
    if (c >= 'a' && c <= 'z') {
      cls = 0;
    } else if (IsUpper(c)) {
      cls = 1;
    } else if (IsDigit(c)) {
      cls = 2;
    } else if (IsTokenSeparator(c)) {
      cls = -1;
    } else {
      break;
    }
    if (cls >= 0) {
      ++alnum;
      digits += cls == 2;
      switches += prev >= 0 && prev != cls;
    }
    prev = cls;
    ++p;
  }
  if (alnum < 16 || p - i >= kMaxScan) return 0;
  while (p < s.size() && s[p] == '=') ++p;  // base64 padding
  const bool base64ish = switches * 2 >= alnum;
  const bool alnum_id = switches * 3 >= alnum && digits * 4 >= alnum && (alnum - digits) * 4 >= alnum;
  return base64ish || alnum_id ? p - i : 0;
}

bool StartsPath(std::string_view s, size_t i) {
  if (s[i] != '/' || i + 1 >= s.size() || EndsToken(s[i + 1]) || s[i + 1] == '/') return false;
  if (i > 0 && (IsWordChar(s[i - 1]) || s[i - 1] == '/' || s[i - 1] == '.')) return false;
  return true;
}

// "C:\xampp\htdocs\x.php", also JSON-escaped ("C:\\wamp\\www").
bool StartsWindowsPath(std::string_view s, size_t i) {
  return IsAlpha(s[i]) && i + 3 < s.size() && s[i + 1] == ':' && s[i + 2] == '\\' && (i == 0 || !IsWordChar(s[i - 1]));
}

size_t SchemeLength(std::string_view s, size_t i) {
  if (i > 0 && IsWordChar(s[i - 1])) return 0;
  size_t p = i;
  while (p < s.size() && IsAlpha(s[p])) ++p;
  if (p - i < 2 || !HasAt(s, p, "://")) return 0;
  return p - i + 3;
}

// The template as it is written: bounded, so it lives on the stack, and an append is a store
// or a short copy rather than a string's growth check and call.
class TemplateText {
 public:
  // Appends `what` when it fits the bound; false when it does not, and the template ends there
  // (rather than going on with what follows a mask that was left out).
  bool Append(std::string_view what) {
    if (size_ + what.size() > kMaxTemplateBytes) return false;
    if (what.size() == 1) {
      data_[size_] = what[0];
    } else {
      std::memcpy(data_ + size_, what.data(), what.size());
    }
    size_ += what.size();
    return true;
  }
  std::string_view view() const { return {data_, size_}; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  char back() const { return data_[size_ - 1]; }
  void pop_back() { --size_; }

 private:
  char data_[kMaxTemplateBytes];
  size_t size_ = 0;
};

// Appends the letters at *i (up to the bound) as they are: the letters after a word's first are
// plain text whatever they are.
bool AppendLetters(std::string_view s, size_t* i, TemplateText* out) {
  const size_t start = *i;
  do {
    ++*i;
  } while (*i < s.size() && IsAlpha(s[*i]) && *i - start < kMaxTemplateBytes - out->size());
  return out->Append(s.substr(start, *i - start));
}

// True when `out` ends with a request line's method ("GET ", "POST "...). Methods stay in a
// template: there are a handful, and reads and writes often fail apart (a POST that waits on a
// lock, GETs that are fine); the time analysis of a group needs them split to see that.
bool EndsWithRequestMethod(std::string_view out) {
  static constexpr std::string_view kMethods[] = {"GET ", "POST ", "PUT ", "PATCH ", "DELETE ", "HEAD ", "OPTIONS "};
  for (std::string_view m : kMethods) {
    if (EndsWith(out, m)) return out.size() == m.size() || !IsWordChar(out[out.size() - m.size() - 1]);
  }
  return false;
}

// Phrases (as templated so far) after which a quoted string is an input value, not a name.
constexpr std::string_view kDataBefore[] = {
    "For input string: ",                   // Java NumberFormatException
    "with base <n>: ",                      // Python int('abc')
    "could not convert string to float: ",  // Python float('abc')
    "time data ",                           // Python strptime
    "Duplicate entry ",                     // MySQL 1062: Duplicate entry 'x' for key 'users_email_unique'
    "Invalid HTTP_HOST header: ",           // Django DisallowedHost
    "You may need to add ",                 // ... the same host again
    "with fingerprint ",                    // ModSecurity/libinjection: the attack string's fingerprint
    "[data ",                               // ModSecurity: the matched part of the request
};
// Phrases that make the next ": '...'" a value: PostgreSQL's "invalid input syntax for type
// integer: "abc"", MySQL's "Incorrect integer value: 'abc' for column" and
// "Truncated incorrect DOUBLE value: 'abc'".
constexpr std::string_view kDataPhrase[] = {"invalid input syntax for", "invalid input value for", "Incorrect ",
                                            "Truncated incorrect "};

bool QuotesData(std::string_view out, char quote) {
  if (out.empty()) return false;
  if (out.back() == ' ') {  // every phrase ends with a blank
    for (std::string_view before : kDataBefore) {
      if (EndsWith(out, before)) return true;
    }
    if (EndsWith(out, ": ")) {
      for (std::string_view phrase : kDataPhrase) {
        if (out.find(phrase) != std::string_view::npos) return true;
      }
    }
  }
  // Literals in the text of a query: Laravel's "(SQL: select ... where `email` = 'a@b.c')".
  constexpr auto npos = std::string_view::npos;
  return quote == '\'' && (out.find("SQL: ") != npos || out.find("Query: ") != npos);
}

// The length of a quoted string at i (quotes included) that is input data; 0 otherwise.
size_t MatchDataQuote(std::string_view s, size_t i, std::string_view out) {
  const char q = s[i];
  if (!QuotesData(out, q)) return 0;
  for (size_t p = i + 1; p < s.size() && p - i < 1024 && s[p] != '\n'; ++p) {
    if (s[p] == '\\') {
      ++p;
    } else if (s[p] == q) {
      return p > i + 1 ? p + 1 - i : 0;
    }
  }
  return 0;
}

// A plain word at i (a word's start): letters only, fewer than a token has, and ended by a
// character no mask reads on through (a blank, a comma, a bracket; not ':', '-', '.', '%', '+',
// '@' or '/'), and not a date's month or weekday. No mask can take such a word, so it is copied
// without trying each of them: most of a message is such words.
bool IsPlainWord(std::string_view s, size_t i) {
  constexpr size_t kShortestToken = 16;  // as MatchToken counts
  size_t e = i;
  while (e < s.size() && IsAlpha(s[e]) && e - i < kShortestToken) ++e;
  if (e - i >= kShortestToken) return false;
  if (e < s.size()) {
    const char next = s[e];
    if (IsWordChar(next) || next == ':' || next == '-' || next == '.' || next == '%' || next == '+' ||
        next == '@' || next == '/') {
      return false;
    }
  }
  return !IsUpper(s[i]) || e - i != 3 || MatchTime(s, i) == 0;  // only "Mon" or "Nov" can start one
}

}  // namespace

namespace {

void MakeTemplateAnew(std::string_view message, std::string* out);

// Templating a line costs as much as reading it through a dozen regexes. At most 2 MiB of
// messages and templates a thread.
struct KeptTemplate {
  std::string message, template_text;
};
constexpr size_t kTemplatesKept = 1024;
constexpr size_t kLongestTemplated = 1024;  // a longer message is not kept

}  // namespace

void MakeTemplate(std::string_view message, std::string* out) {
  thread_local RecentTable<KeptTemplate, kTemplatesKept> recent;
  const size_t hash = QuickHash(message);
  if (const KeptTemplate* kept = recent.Find(hash, [&](const KeptTemplate& k) { return k.message == message; })) {
    out->assign(kept->template_text);
    return;
  }
  MakeTemplateAnew(message, out);
  if (message.size() > kLongestTemplated) return;
  KeptTemplate& kept = recent.Replace(hash);
  kept.message.assign(message.data(), message.size());
  kept.template_text.assign(*out);
}

namespace {

void MakeTemplateAnew(std::string_view message, std::string* template_text) {
  TemplateText out;
  message = Trim(message);
  size_t i = 0;
  bool full = false;
  size_t next_at = message.find('@');  // the next '@' at or after i, for e-mail addresses
  while (i < message.size() && !full) {
    const char c = message[i];
    const bool boundary = i == 0 || !IsWordChar(message[i - 1]);
    size_t n;
    Unit unit = Unit::kNone;
    if (c == '\n') break;
    if (c == '\x1b' && i + 1 < message.size() && message[i + 1] == '[') {
      // A terminal colour ("\x1b[33mWARNING\x1b[0m"): not part of the message.
      i += 2;
      while (i < message.size() && (IsDigit(message[i]) || message[i] == ';')) ++i;
      if (i < message.size() && IsAlpha(message[i])) ++i;
    } else if (IsSpace(c)) {  // runs of blanks become one space
      if (!out.empty() && out.back() != ' ') full |= !out.Append(" ");
      ++i;
    } else if (boundary && IsAlpha(c) && IsPlainWord(message, i)) {
      full |= !AppendLetters(message, &i, &out);
    } else if ((n = SchemeLength(message, i)) > 0) {
      full |= !out.Append("<url>");
      i = TokenEnd(message, i + n);
    } else if (StartsPath(message, i) || StartsWindowsPath(message, i)) {
      full |= !out.Append("<path>");
      i = TokenEnd(message, i);
    } else if (c == '/' && (i + 1 == message.size() || EndsToken(message[i + 1])) &&
               EndsWithRequestMethod(out.view())) {
      full |= !out.Append("<path>");  // the root of a request line, "GET / HTTP/1.1"
      ++i;
    } else if (boundary && (IsDigit(c) || IsUpper(c)) && (n = MatchTime(message, i)) > 0) {
      full |= !out.Append("<time>");
      i += n;
    } else if (boundary && IsHex(c) && (n = MatchUuid(message, i)) > 0) {
      full |= !out.Append("<uuid>");
      i += n;
    } else if (boundary && (IsHex(c) || c == ':') && (n = MatchIpv6(message, i)) > 0) {
      full |= !out.Append("<ip>");
      i += n;
    } else if (c == '[' && i + 1 < message.size() && (n = MatchIpv6(message, i + 1)) > 0 &&
               i + 1 + n < message.size() && message[i + 1 + n] == ']') {
      // "[::1]:9000": the brackets and the port belong to the address, as with IPv4.
      i += n + 2;
      if (i + 1 < message.size() && message[i] == ':' && IsDigit(message[i + 1])) i = DigitsEnd(message, i + 1);
      full |= !out.Append("<ip>");
    } else if (boundary && IsDigit(c) && (n = MatchIpv4(message, i)) > 0) {
      full |= !out.Append("<ip>");
      i += n;
    } else if (boundary && IsDigit(c) && (n = MatchMeasure(message, i, &unit)) > 0) {
      full |= !out.Append(unit == Unit::kSize ? "<size>" : "<dur>");
      i += n;
    } else if (boundary && IsHex(c) && (n = MatchHexId(message, i)) > 0) {
      full |= !out.Append("<hex>");
      i += n;
    } else if (boundary && IsAlnum(c) && next_at != std::string_view::npos &&
               (next_at >= i || (next_at = message.find('@', i)) != std::string_view::npos) && next_at - i <= 64 &&
               (n = MatchEmail(message, i)) > 0) {
      full |= !out.Append("<email>");
      i += n;
    } else if (boundary && IsAlnum(c) && (n = MatchToken(message, i)) > 0) {
      full |= !out.Append("<id>");
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
      if (p < message.size() && IsAlpha(message[p])) {
        // Digits running into letters make a code, not a count: SQLSTATE "42S22", "5xx", "3rd".
        while (p < message.size() && IsWordChar(message[p])) ++p;
        full |= !out.Append(message.substr(i, p - i));
      } else if (in_word || errno_like) {
        full |= !out.Append(message.substr(i, p - i));
      } else {
        full |= !out.Append("<n>");
      }
      i = p;
    } else if (IsQuote(c) && (n = MatchDataQuote(message, i, out.view())) > 0) {
      full |= !out.Append("'<val>'");  // one quote style: Python's repr() picks ' or " by the content
      i += n;
    } else if (IsAlpha(c)) {
      full |= !AppendLetters(message, &i, &out);
    } else {
      // Copy a whole UTF-8 sequence at once, so a cut never splits a character.
      const size_t start = i;
      do {
        ++i;
      } while (i < message.size() && (static_cast<unsigned char>(message[i]) & 0xC0) == 0x80);
      full |= !out.Append(message.substr(start, i - start));
    }
  }
  // Trailing blanks and separators: "AH01067: Failed to read FastCGI header," is the same message.
  while (!out.empty() && (out.back() == ' ' || out.back() == ',' || out.back() == ';' || out.back() == ':')) {
    out.pop_back();
  }
  template_text->assign(out.view());
}

}  // namespace

}  // namespace why500
