// Wrapper detection and peeling, and the sniffing of an input's wrapper and format from its
// first lines. A peeled line is always a suffix of the line; a detected wrapper always peels
// something; peeling a wrapper a line does not carry leaves it whole.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "fuzz_support.h"
#include "why500/record.h"
#include "why500/sniff.h"
#include "why500/wrappers.h"

using namespace why500;
using namespace why500::fuzz;

namespace {

bool IsSuffix(std::string_view part, std::string_view whole) {
  return part.size() <= whole.size() && part.data() + part.size() == whole.data() + whole.size();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::vector<std::string_view> lines = SplitLines(AsText(data, size));
  for (std::string_view line : lines) {
    const Wrapper detected = DetectWrapper(line);
    WHY500_FUZZ_CHECK(!WrapperName(detected).empty());
    const std::string_view peeled = PeelWrapper(detected, line);
    WHY500_FUZZ_CHECK(IsSuffix(peeled, line));
    if (detected != Wrapper::kNone) WHY500_FUZZ_CHECK(peeled.size() < line.size());
    Touch(peeled);
    for (int w = 0; w < kWrapperCount; ++w) {
      const auto kind = static_cast<Wrapper>(w);
      const std::string_view p = PeelWrapper(kind, line);
      WHY500_FUZZ_CHECK(IsSuffix(p, line));
      if (kind == Wrapper::kNone) WHY500_FUZZ_CHECK(p.size() == line.size());
      Touch(p);
    }
  }
  // The pipeline sniffs the first 64 lines; a wrapper chosen must be one most lines carry.
  const std::vector<std::string_view> head(lines.begin(), lines.begin() + static_cast<long>(std::min<size_t>(lines.size(), 64)));
  const Sniffed sniffed = SniffFormat(head);
  WHY500_FUZZ_CHECK(static_cast<int>(sniffed.format) < kFormatCount);
  WHY500_FUZZ_CHECK(static_cast<int>(sniffed.wrapper) < kWrapperCount);
  if (sniffed.wrapper != Wrapper::kNone) {
    size_t carrying = 0;
    for (std::string_view line : head) carrying += DetectWrapper(line) == sniffed.wrapper;
    WHY500_FUZZ_CHECK(carrying * 2 >= head.size());
  }
  for (std::string_view line : head) Touch(PeelWrapper(sniffed.wrapper, line));
  return 0;
}
