#include "why500/access_prescan.h"

#include "why500/text.h"

namespace why500 {
namespace {

constexpr size_t kBatchLines = 8192;
constexpr size_t kBatchBytes = 1 << 20;

}  // namespace

AccessPrescan::AccessPrescan(Format format, Wrapper wrapper, const AccessFormat* custom, Assembler* assembler,
                             int workers)
    : format_(format),
      wrapper_(wrapper),
      custom_(custom),
      assembler_(assembler),
      batches_(workers, [this](Batch& b) { Prescan(b); }, [this](Batch& b) { Apply(b); }) {}

void AccessPrescan::Add(std::string_view line, uint64_t line_number) {
  Batch& b = batches_.filling();
  if (b.ends.empty()) {
    b.first_line = line_number;
    b.bytes.reserve(kBatchBytes + line.size());
  }
  b.bytes.append(line);
  b.ends.push_back(static_cast<uint32_t>(b.bytes.size()));
  if (b.ends.size() >= kBatchLines || b.bytes.size() >= kBatchBytes) Submit();
}

void AccessPrescan::Finish() {
  if (!batches_.filling().ends.empty()) Submit();
  batches_.Finish();
}

void AccessPrescan::Submit() {
  Batch& next = batches_.Submit();
  next.bytes.clear();
  next.ends.clear();
}

// What the assembler would make of `line`: a quiet response, or something it must see.
// It mirrors Assembler::Add: binary lines, then the custom format, then the input's own.
AccessPrescan::Verdict AccessPrescan::Look(std::string_view raw) const {
  const std::string_view line = PeelWrapper(wrapper_, raw);
  if (LooksBinary(line)) return {kNoTime, false};
  Record rec;
  const bool parsed = (custom_ && custom_->Parse(line, &rec)) || ParseLine(format_, line, &rec);
  if (!parsed || rec.status >= 500) return {kNoTime, false};
  return {rec.time, true};
}

void AccessPrescan::Prescan(Batch& b) const {
  b.verdicts.resize(b.ends.size());
  uint32_t begin = 0;
  for (size_t i = 0; i < b.ends.size(); ++i) {
    b.verdicts[i] = Look(std::string_view(b.bytes.data() + begin, b.ends[i] - begin));
    begin = b.ends[i];
  }
}

void AccessPrescan::Apply(Batch& b) {
  uint32_t begin = 0;
  uint64_t line_number = b.first_line;
  for (size_t i = 0; i < b.ends.size(); ++i, ++line_number) {
    const std::string_view raw(b.bytes.data() + begin, b.ends[i] - begin);
    begin = b.ends[i];
    if (b.verdicts[i].quiet) {
      assembler_->AddQuietResponse(b.verdicts[i].time);
    } else {
      assembler_->Add(PeelWrapper(wrapper_, raw), line_number, raw);
    }
  }
}

}  // namespace why500
