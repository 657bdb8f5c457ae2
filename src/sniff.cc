#include "why500/sniff.h"

#include <array>

#include "why500/formats.h"
#include "why500/text.h"

namespace why500 {

Sniffed SniffFormat(const std::vector<std::string_view>& lines) {
  Sniffed out;
  // The wrapper most lines carry (ties: the first kind found).
  std::array<int, kWrapperCount> wrapper_votes{};
  for (std::string_view line : lines) ++wrapper_votes[static_cast<size_t>(DetectWrapper(line))];
  int best_votes = 0;
  for (size_t w = 1; w < wrapper_votes.size(); ++w) {
    if (wrapper_votes[w] > best_votes) {
      best_votes = wrapper_votes[w];
      out.wrapper = static_cast<Wrapper>(w);
    }
  }
  if (best_votes * 2 < static_cast<int>(lines.size())) out.wrapper = Wrapper::kNone;

  // The structured format whose header fits the most lines; generic when none fits any.
  constexpr std::array<Format, 8> kCandidates = {Format::kNginxError, Format::kApacheError,    Format::kPhpFpm,
                                                 Format::kPhpError,   Format::kAccessCombined, Format::kSyslog,
                                                 Format::kJournalJson, Format::kAccessJson};
  // JSON application lines fit whatever object a line holds: chosen only when nothing else fits.
  int best = 0;
  int combined = 0, access = 0;
  for (Format f : kCandidates) {
    int hits = 0;
    for (std::string_view raw : lines) {
      const std::string_view line = PeelWrapper(out.wrapper, raw);
      Record rec;
      if (f == Format::kAccessCombined) {
        bool is_combined = false;
        if (ParseAccess(line, &rec, &is_combined)) {
          ++hits;
          combined += is_combined;
        }
      } else if (ParseLine(f, line, &rec)) {
        ++hits;
      }
    }
    if (f == Format::kAccessCombined) access = hits;
    if (hits > best) {
      best = hits;
      out.format = f;
    }
  }
  if (out.format == Format::kAccessCombined && combined * 2 < access) out.format = Format::kAccessCommon;
  if (best == 0) {
    Record rec;
    for (std::string_view raw : lines) {
      const std::string_view line = PeelWrapper(out.wrapper, raw);
      if (ParseJsonLine(line, &rec) || ParseLogfmt(line, &rec)) {
        out.format = line.front() == '{' ? Format::kJsonLines : Format::kLogfmt;
        break;
      }
    }
  }
  return out;
}

}  // namespace why500
