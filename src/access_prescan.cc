#include "why500/access_prescan.h"

namespace why500 {
namespace {

constexpr size_t kBatchLines = 8192;
constexpr size_t kBatchBytes = 1 << 20;

}  // namespace

AccessPrescan::AccessPrescan(Wrapper wrapper, Assembler* assembler, int workers)
    : wrapper_(wrapper),
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

void AccessPrescan::Prescan(Batch& b) const {
  b.verdicts.resize(b.ends.size());
  uint32_t begin = 0;
  for (size_t i = 0; i < b.ends.size(); ++i) {
    const std::string_view raw(b.bytes.data() + begin, b.ends[i] - begin);
    b.verdicts[i].quiet = assembler_->IsQuietResponse(PeelWrapper(wrapper_, raw), &b.verdicts[i].time);
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
