// The whole pipeline on one buffer, as one input read from memory: framing, sniffing, parsing,
// assembling, classifying with the default rules (compiled once), aggregating, correlating,
// ranking, and every report writer. Checked: the JSON report is valid JSON and valid UTF-8; no
// byte of the input can steer a terminal (the text and Markdown reports without colour hold no
// ESC at all; with colour, the text differs only by its styles); every line is counted:
// newline-terminated lines, plus one for an unterminated last line.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "fuzz_support.h"
#include "why500/classify.h"
#include "why500/correlate.h"
#include "why500/pipeline.h"
#include "why500/report.h"
#include "why500/rules.h"
#include "why500/source.h"
#include "why500/text.h"

using namespace why500;
using namespace why500::fuzz;

namespace {

// Short enough that overlong lines (kept in part, the rest skipped) are reached.
constexpr size_t kMaxLine = 4096;

uint64_t ExpectedLines(std::string_view input) {
  const auto newlines = static_cast<uint64_t>(std::count(input.begin(), input.end(), '\n'));
  return newlines + (!input.empty() && input.back() != '\n');
}

// The text without its SGR styles ("\x1b[1;31m"); an ESC that opens none stays.
std::string WithoutStyles(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\x1b' && i + 1 < text.size() && text[i + 1] == '[') {
      size_t j = i + 2;
      while (j < text.size() && (IsDigit(text[j]) || text[j] == ';')) ++j;
      if (j < text.size() && text[j] == 'm') {
        i = j;
        continue;
      }
    }
    out.push_back(text[i]);
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  DefaultRules();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input = AsText(data, size);
  PipelineOptions options;
  options.max_line = kMaxLine;
  Aggregate agg(options.examples);
  const std::unique_ptr<Source> source = MemorySource(std::string(input));
  AnalyseSource(DefaultRules(), source.get(), 0, options, &agg);
  WHY500_FUZZ_CHECK(agg.inputs.size() == 1);
  WHY500_FUZZ_CHECK(agg.inputs[0].error.empty());
  WHY500_FUZZ_CHECK(agg.inputs[0].lines == ExpectedLines(input));
  WHY500_FUZZ_CHECK(agg.inputs[0].bytes == size);
  WHY500_FUZZ_CHECK(agg.inputs[0].unparsed_lines <= agg.inputs[0].lines);
  // As RunPipeline does after merging: changes in time order, then correlation.
  std::stable_sort(agg.changes.begin(), agg.changes.end(),
                   [](const Change& a, const Change& b) { return a.time < b.time; });
  Correlate(&agg);

  const Report report = BuildReport(agg, 0.25);
  const std::string json = RenderJson(report);
  WHY500_FUZZ_CHECK(IsValidUtf8(json));
  WHY500_FUZZ_CHECK(nlohmann::json::accept(json));

  TextOptions plain;
  plain.color = false;
  const std::string text = RenderText(report, plain);
  WHY500_FUZZ_CHECK(text.find('\x1b') == std::string::npos);
  const std::string markdown = RenderMarkdown(report, plain);
  WHY500_FUZZ_CHECK(markdown.find('\x1b') == std::string::npos);

  // Colour adds the report's own styles and nothing else.
  TextOptions colour = plain;
  colour.color = true;
  WHY500_FUZZ_CHECK(WithoutStyles(RenderText(report, colour)) == text);
  return 0;
}
