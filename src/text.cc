#include "why500/text.h"

#include <cstdio>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace why500 {

size_t Utf8SequenceLength(std::string_view s, size_t i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) return 1;
  size_t need;
  unsigned char lo = 0x80, hi = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    need = 1;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    need = 2;
    if (b0 == 0xE0) lo = 0xA0;  // overlong
    if (b0 == 0xED) hi = 0x9F;  // surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    need = 3;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  for (size_t k = 1; k <= need; ++k) {
    if (i + k >= s.size()) return 0;
    const auto b = static_cast<unsigned char>(s[i + k]);
    if (k == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF)) return 0;
  }
  return need + 1;
}

namespace {


void AppendHexEscape(unsigned char c, std::string* out) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "\\x%02x", c);
  out->append(buf);
}

// The code point of the valid `n`-byte UTF-8 sequence at s[i].
uint32_t CodePoint(std::string_view s, size_t i, size_t n) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  uint32_t cp = n == 1 ? b0 : n == 2 ? (b0 & 0x1Fu) : n == 3 ? (b0 & 0x0Fu) : (b0 & 0x07u);
  for (size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3Fu);
  return cp;
}

// C1 controls (U+0080..U+009F) include CSI, which terminals obey like ESC [. The bidi
// embeddings, overrides, isolates and marks reorder the text around them on screen, so a
// log line could show something else than it holds (Trojan Source, CVE-2021-42574).
bool IsInvisibleControl(uint32_t cp) {
  return (cp >= 0x80 && cp <= 0x9F) || cp == 0x061C || cp == 0x200E || cp == 0x200F ||
         (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

}  // namespace

bool IsValidUtf8(std::string_view s) {
  constexpr uint64_t kHighBits = 0x8080808080808080ULL;
  for (size_t i = 0; i < s.size();) {
    uint64_t w;
    if (i + 8 <= s.size() && (std::memcpy(&w, s.data() + i, 8), (w & kHighBits) == 0)) {
      i += 8;  // most text is ASCII: eight bytes at a time
      continue;
    }
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    const size_t n = Utf8SequenceLength(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

void AppendRepairedUtf8(std::string_view s, std::string* out) {
  for (size_t i = 0; i < s.size();) {
    const size_t n = Utf8SequenceLength(s, i);
    if (n == 0) {
      out->append("\xEF\xBF\xBD");
      ++i;
    } else {
      out->append(s.data() + i, n);
      i += n;
    }
  }
}

void AppendUtf8Masked(std::string_view s, char with, std::string* out) {
  for (size_t i = 0; i < s.size();) {
    const size_t n = Utf8SequenceLength(s, i);
    if (n == 0) {
      out->push_back(with);
      ++i;
    } else {
      out->append(s.data() + i, n);
      i += n;
    }
  }
}

std::string RepairUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  AppendRepairedUtf8(s, &out);
  return out;
}

void AppendTerminalSafe(std::string_view s, std::string* out) {
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '\t') {
      out->append("\\t");
      ++i;
    } else if (c == '\n') {
      out->append("\\n");
      ++i;
    } else if (c == '\r') {
      out->append("\\r");
      ++i;
    } else if (c < 0x20 || c == 0x7F) {
      AppendHexEscape(c, out);
      ++i;
    } else if (c < 0x80) {
      out->push_back(static_cast<char>(c));
      ++i;
    } else {
      const size_t n = Utf8SequenceLength(s, i);
      if (n == 0) {
        AppendHexEscape(c, out);
        ++i;
      } else if (const uint32_t cp = CodePoint(s, i, n); IsInvisibleControl(cp)) {
        char buf[12];
        std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(cp));
        out->append(buf);
        i += n;
      } else {
        out->append(s.data() + i, n);
        i += n;
      }
    }
  }
}

std::string TerminalSafe(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  AppendTerminalSafe(s, &out);
  return out;
}

bool LooksBinary(std::string_view line) {
  size_t odd = 0;  // control bytes, then invalid UTF-8 sequences too
  bool high = false;
  // Counts [from, to) byte by byte; true at a NUL.
  const auto look = [&](size_t from, size_t to) {
    for (size_t j = from; j < to; ++j) {
      const auto c = static_cast<unsigned char>(line[j]);
      if (c == 0) return true;
      if (c < 0x20 && c != '\t' && c != '\r' && c != 0x1b) ++odd;
      high |= c >= 0x80;
    }
    return false;
  };
  // Every line passes through here: blocks with no control byte and no byte >= 0x80 are let
  // through whole, and only the others looked at byte by byte.
  size_t i = 0;
#if defined(__SSE2__)
  // Sixteen bytes at a time where SSE2 is (every x86-64): a signed compare with 0x20 flags
  // control bytes and bytes >= 0x80 alike.
  const auto flagged = [&](size_t at) {
    const __m128i block = _mm_loadu_si128(reinterpret_cast<const __m128i*>(line.data() + at));
    return static_cast<unsigned>(_mm_movemask_epi8(_mm_cmplt_epi8(block, _mm_set1_epi8(0x20))));
  };
  // Clean text goes 64 bytes per test; a block of four with a flag is looked at block by block.
  for (; i + 64 <= line.size(); i += 64) {
    const auto* at = reinterpret_cast<const __m128i*>(line.data() + i);
    const __m128i below = _mm_set1_epi8(0x20);
    const __m128i any =
        _mm_or_si128(_mm_or_si128(_mm_cmplt_epi8(_mm_loadu_si128(at), below), _mm_cmplt_epi8(_mm_loadu_si128(at + 1), below)),
                     _mm_or_si128(_mm_cmplt_epi8(_mm_loadu_si128(at + 2), below), _mm_cmplt_epi8(_mm_loadu_si128(at + 3), below)));
    if (_mm_movemask_epi8(any) == 0) continue;
    for (size_t block = i; block < i + 64; block += 16) {
      if (flagged(block) != 0 && look(block, block + 16)) return true;
    }
  }
  for (; i + 16 <= line.size(); i += 16) {
    if (flagged(i) != 0 && look(i, i + 16)) return true;
  }
  // The last bytes, as the last sixteen of the line: only the flags of those not seen yet count.
  if (i < line.size() && line.size() >= 16) {
    if ((flagged(line.size() - 16) >> (16 - (line.size() - i))) != 0 && look(i, line.size())) return true;
    i = line.size();
  }
#endif
  // Eight at a time (the "has less than" bit trick may flag a clean word, never miss one).
  constexpr uint64_t kOnes = 0x0101010101010101ULL, kHighBits = 0x8080808080808080ULL;
  for (; i + 8 <= line.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, line.data() + i, 8);
    if (((((w - kOnes * 0x20) & ~w) | w) & kHighBits) != 0 && look(i, i + 8)) return true;
  }
  if (look(i, line.size())) return true;
  if (high) {  // only non-ASCII lines pay for the UTF-8 check
    for (size_t k = 0; k < line.size();) {
      const size_t n = static_cast<unsigned char>(line[k]) < 0x80 ? 1 : Utf8SequenceLength(line, k);
      odd += n == 0;
      k += n == 0 ? 1 : n;
    }
  }
  return odd > 4 && odd * 10 > line.size();
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (IsSpace(s.front()) || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (IsSpace(s.back()) || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// Compares 16 positions at once by the needle's first and last bytes, and only where both agree
// the bytes between (the SIMD substring search of W. Mula's notes).
size_t FindBytes(std::string_view haystack, std::string_view needle) {
  const size_t k = needle.size();
#if defined(__SSE2__)
  if (k >= 2 && haystack.size() >= k) {
    const __m128i first = _mm_set1_epi8(needle[0]);
    const __m128i last = _mm_set1_epi8(needle[k - 1]);
    size_t i = 0;
    for (; i + k - 1 + 16 <= haystack.size(); i += 16) {
      const __m128i at_first = _mm_loadu_si128(reinterpret_cast<const __m128i*>(haystack.data() + i));
      const __m128i at_last = _mm_loadu_si128(reinterpret_cast<const __m128i*>(haystack.data() + i + k - 1));
      auto both = static_cast<unsigned>(
          _mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(at_first, first), _mm_cmpeq_epi8(at_last, last))));
      for (; both != 0; both &= both - 1) {
        const size_t at = i + static_cast<size_t>(__builtin_ctz(both));
        if (std::memcmp(haystack.data() + at + 1, needle.data() + 1, k - 2) == 0) return at;
      }
    }
    const size_t rest = haystack.substr(i).find(needle);
    return rest == std::string_view::npos ? rest : i + rest;
  }
#endif
  return haystack.find(needle);
}

std::string_view LineAt(std::string_view text, size_t offset) {
  constexpr size_t npos = std::string_view::npos;
  if (offset > text.size()) offset = text.size();
  const size_t newline = offset == 0 ? npos : text.rfind('\n', offset - 1);
  const size_t begin = newline == npos ? 0 : newline + 1;
  const size_t end = text.find('\n', offset);
  return text.substr(begin, end == npos ? npos : end - begin);
}

uint64_t QuickHash(std::string_view s) {
  constexpr uint64_t kMul = 0x9E3779B97F4A7C15ULL;
  // The shift before the multiplication brings high bits down for it to spread upwards, so
  // that no one-bit change leaves a difference a later word or lane could cancel out.
  const auto mix = [](uint64_t h, uint64_t word) {
    h ^= word;
    h ^= h >> 32;
    h *= kMul;
    return h ^ (h >> 29);
  };
  const auto word_at = [&](size_t i) {
    uint64_t word;
    std::memcpy(&word, s.data() + i, 8);
    return word;
  };
  uint64_t h = s.size() * kMul;
  size_t i = 0;
  if (s.size() >= 32) {
    // Four lanes, so that a long message waits on four multiplications at a time, not one.
    uint64_t lanes[4] = {h, h ^ 0x243F6A8885A308D3ULL, h ^ 0x13198A2E03707344ULL, h ^ 0xA4093822299F31D0ULL};
    for (; i + 32 <= s.size(); i += 32) {
      for (size_t k = 0; k < 4; ++k) lanes[k] = mix(lanes[k], word_at(i + 8 * k));
    }
    h = mix(mix(mix(lanes[0], lanes[1]), lanes[2]), lanes[3]);
  }
  for (; i + 8 <= s.size(); i += 8) h = mix(h, word_at(i));
  if (i < s.size()) {
    uint64_t word = 0;
    std::memcpy(&word, s.data() + i, s.size() - i);
    h = mix(h, word);
  }
  // The tables pick a slot from the low bits: fold the high ones in.
  h ^= h >> 32;
  h *= kMul;
  return h ^ (h >> 29);
}

uint64_t HashBytes(std::string_view s, uint64_t seed) {
  uint64_t h = seed;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  return h;
}

}  // namespace why500
