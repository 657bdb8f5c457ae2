// --access-format: the input's first line is the format string (an nginx log_format or an
// Apache LogFormat), compiled as the option is; the remaining lines are read with it, alone and
// through the Assembler the way the pipeline uses a custom format (tried first on every line).
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "fuzz_support.h"
#include "why500/access_format.h"
#include "why500/assemble.h"

using namespace why500;
using namespace why500::fuzz;

namespace {

class TouchingSink : public EventSink {
 public:
  void OnEvent(Event& e) override {
    Touch(e);
    if (e.IsResponse()) WHY500_FUZZ_CHECK(e.status >= 500 && e.status <= 999);
  }
  void OnQuietResponse(TimeUs time) override { TouchValue(time); }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input = AsText(data, size);
  const size_t nl = input.find('\n');
  const std::string_view spec = input.substr(0, nl);
  auto compiled = AccessFormat::Compile(spec);
  if (!compiled) {
    Touch(compiled.error().message);
    return 0;
  }
  const AccessFormat& format = *compiled;
  const std::vector<std::string_view> lines =
      nl == std::string_view::npos ? std::vector<std::string_view>() : SplitLines(input.substr(nl + 1));
  for (std::string_view line : lines) {
    Record rec;
    if (!format.Parse(line, &rec)) continue;
    Touch(rec);
    WHY500_FUZZ_CHECK(rec.status >= 100 && rec.status <= 999);
  }
  TouchingSink sink;
  Assembler assembler(Format::kAccessCombined, 0, &sink, &format);
  uint64_t n = 0;
  for (std::string_view line : lines) assembler.Add(line, ++n);
  assembler.Finish();
  return 0;
}
