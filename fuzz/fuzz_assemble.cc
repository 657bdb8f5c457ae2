// The multi-line assembler: the input's first byte picks the input's format (0..11 a format,
// anything else: sniffed from the first 64 lines, as the pipeline does); the rest is split into
// lines, peeled of the sniffed wrapper and fed in order. The sink reads every field of every
// event and checks what the Assembler promises about the events and its counts.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "fuzz_support.h"
#include "why500/assemble.h"
#include "why500/sniff.h"
#include "why500/wrappers.h"

using namespace why500;
using namespace why500::fuzz;

namespace {

class CheckingSink : public EventSink {
 public:
  CheckingSink(uint64_t lines, size_t bytes) : lines_(lines), bytes_(bytes) {}

  void OnEvent(Event& e) override {
    ++events;
    Touch(e);
    WHY500_FUZZ_CHECK(static_cast<int>(e.format) < kFormatCount);
    WHY500_FUZZ_CHECK(e.input == 7);
    WHY500_FUZZ_CHECK(e.line >= 1 && e.line <= lines_);
    WHY500_FUZZ_CHECK(e.line_count >= 1);
    // Every line counted in an event is a line of its own at or after its first.
    WHY500_FUZZ_CHECK(e.line + e.line_count - 1 <= lines_);
    // The raw lines joined: never more than the input (no line is kept twice).
    WHY500_FUZZ_CHECK(e.text.size() <= bytes_);
    if (e.IsResponse()) WHY500_FUZZ_CHECK(e.status >= 500);
  }
  void OnQuietResponse(TimeUs time) override {
    ++quiet;
    TouchValue(time);
  }

  uint64_t events = 0, quiet = 0;

 private:
  uint64_t lines_;
  size_t bytes_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t selector = data[0];
  const std::vector<std::string_view> lines = SplitLines(AsText(data + 1, size - 1));
  const std::vector<std::string_view> head(lines.begin(), lines.begin() + static_cast<long>(std::min<size_t>(lines.size(), 64)));
  const Sniffed sniffed = SniffFormat(head);
  const Format format = selector < kFormatCount ? static_cast<Format>(selector) : sniffed.format;

  CheckingSink sink(lines.size(), size - 1);
  Assembler assembler(format, 7, &sink);
  uint64_t n = 0;
  for (std::string_view line : lines) assembler.Add(PeelWrapper(sniffed.wrapper, line), ++n, line);
  assembler.Finish();

  const AssembleStats& stats = assembler.stats();
  WHY500_FUZZ_CHECK(stats.events == sink.events);
  WHY500_FUZZ_CHECK(stats.unparsed_lines <= lines.size());
  WHY500_FUZZ_CHECK(stats.binary_lines <= stats.unparsed_lines);
  WHY500_FUZZ_CHECK(stats.format_switches <= lines.size());
  WHY500_FUZZ_CHECK(stats.cut_entries <= stats.events);
  WHY500_FUZZ_CHECK(sink.events + sink.quiet <= lines.size());
  return 0;
}
