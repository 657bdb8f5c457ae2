#include "why500/access_prescan.h"

namespace why500 {
namespace {

constexpr size_t kBatchSingles = 1 << 20;  // bytes of lines handed over one by one

}  // namespace

AccessPrescan::AccessPrescan(Wrapper wrapper, Assembler* assembler, int workers, size_t max_line)
    : wrapper_(wrapper),
      assembler_(assembler),
      max_line_(max_line),
      batches_(workers, [this](Batch& b) { Prescan(b); }, [this](Batch& b) { Apply(b); }) {}

void AccessPrescan::Add(std::string_view line) {
  Batch& b = batches_.filling();
  b.singles.append(line);
  b.single_ends.push_back(static_cast<uint32_t>(b.singles.size()));
  if (b.singles.size() >= kBatchSingles) Submit();
}

// A run fills a batch: it is about a block of the reader's.
bool AccessPrescan::AddRun(LineReader* reader) {
  Batch& b = batches_.filling();
  if (!reader->TakeRun(&b.block, &b.run_begin, &b.run_end)) return false;
  Submit();
  return true;
}

void AccessPrescan::Finish() {
  const Batch& b = batches_.filling();
  if (!b.single_ends.empty() || b.run_end > b.run_begin) Submit();
  batches_.Finish();
}

void AccessPrescan::Submit() {
  Batch& next = batches_.Submit();
  next.singles.clear();
  next.single_ends.clear();
  next.run_begin = next.run_end = 0;  // its block stays: the reader's next buffer
}

void AccessPrescan::Prescan(Batch& b) const {
  b.lines.clear();
  uint32_t begin = 0;
  for (const uint32_t end : b.single_ends) {
    b.lines.push_back({begin, end - begin, false});
    begin = end;
  }
  const std::string_view run(b.block.data() + b.run_begin, b.run_end - b.run_begin);
  b.run_truncated = FrameRun(run, max_line_, [&](std::string_view line) {
    const auto begin_in_block = static_cast<uint32_t>(line.data() - b.block.data());
    b.lines.push_back({begin_in_block, static_cast<uint32_t>(line.size()), true});
  });
  b.verdicts.resize(b.lines.size());
  for (size_t i = 0; i < b.lines.size(); ++i) {
    const std::string_view line = PeelWrapper(wrapper_, LineOf(b, b.lines[i]));
    b.verdicts[i].quiet = assembler_->IsQuietResponse(line, &b.verdicts[i].time);
  }
}

void AccessPrescan::Apply(Batch& b) {
  for (size_t i = 0; i < b.lines.size(); ++i) {
    ++line_number_;
    run_lines_ += b.lines[i].from_run ? 1 : 0;
    if (b.verdicts[i].quiet) {
      assembler_->AddQuietResponse(b.verdicts[i].time);
    } else {
      const std::string_view raw = LineOf(b, b.lines[i]);
      assembler_->Add(PeelWrapper(wrapper_, raw), line_number_, raw);
    }
  }
  run_truncated_ += b.run_truncated;
}

std::string_view AccessPrescan::LineOf(const Batch& b, const Line& line) {
  return std::string_view((line.from_run ? b.block.data() : b.singles.data()) + line.begin, line.length);
}

}  // namespace why500
