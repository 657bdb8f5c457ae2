#include "why500/file_parts.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

namespace why500 {
namespace {

constexpr size_t kScanBlock = 64 * 1024;

uint64_t DivideUp(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

// A line as LineReader frames it: without its "\r", cut to the line cap.
std::string_view Framed(std::string_view line, size_t max_line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line.substr(0, max_line);
}

}  // namespace

FileParts::FileParts(const Source& file, uint64_t part_bytes, size_t max_line, StartsEvent starts_event)
    : file_(file),
      size_(file.PartableSize()),
      part_bytes_(std::max<uint64_t>(1, part_bytes)),
      tail_part_bytes_(std::max<uint64_t>(1, part_bytes_ / 4)),
      head_bytes_(size_ > 2 * part_bytes_ ? size_ - 2 * part_bytes_ : 0),
      head_count_(DivideUp(head_bytes_, part_bytes_)),
      count_(std::max<uint64_t>(1, head_count_ + DivideUp(size_ - head_bytes_, tail_part_bytes_))),
      max_line_(max_line),
      starts_event_(std::move(starts_event)) {}

uint64_t FileParts::NominalStart(uint64_t k) const {
  if (k <= head_count_) return std::min(k * part_bytes_, head_bytes_);
  return std::min(size_, head_bytes_ + (k - head_count_) * tail_part_bytes_);
}

Expected<std::optional<PartRange>> FileParts::Range(uint64_t k) const {
  PartRange range{0, size_};
  if (k > 0) {
    auto begin = FindCut(NominalStart(k), NominalStart(k + 1));
    if (!begin) return begin.error();
    if (!*begin) return std::optional<PartRange>();
    range.begin = **begin;
  }
  for (uint64_t next = k + 1; next < count_; ++next) {
    auto end = FindCut(NominalStart(next), NominalStart(next + 1));
    if (!end) return end.error();
    if (*end) {
      range.end = **end;
      break;
    }
  }
  return std::optional<PartRange>(range);
}

// Reads from the byte before `from` (a line starts at `from` only if that byte ends a line),
// gathering each line's first bytes (enough for the line cap) to ask `starts_event_`.
Expected<std::optional<uint64_t>> FileParts::FindCut(uint64_t from, uint64_t to) const {
  to = std::min(to, size_);
  if (from >= to) return std::optional<uint64_t>();
  const uint64_t scan_from = from == 0 ? 0 : from - 1;
  std::unique_ptr<Source> part = file_.Part(scan_from, size_);
  if (!part) return Error{"file cannot be read in parts"};
  std::vector<char> block(kScanBlock);
  std::string line;
  // The start of the line being gathered; none while inside the line `from` falls in.
  std::optional<uint64_t> line_start;
  if (from == 0) line_start = 0;
  uint64_t pos = scan_from;
  for (;;) {
    auto got = part->Read(block.data(), block.size());
    if (!got) return got.error();
    if (*got == 0) break;
    std::string_view bytes(block.data(), *got);
    while (!bytes.empty()) {
      const void* nl = std::memchr(bytes.data(), '\n', bytes.size());
      const size_t take = nl ? static_cast<size_t>(static_cast<const char*>(nl) - bytes.data()) : bytes.size();
      if (line_start && line.size() <= max_line_) line.append(bytes.data(), std::min(take, max_line_ + 1 - line.size()));
      pos += take;
      bytes.remove_prefix(take);
      if (!nl) break;
      if (line_start && starts_event_(Framed(line, max_line_))) return line_start;
      ++pos;  // the newline
      bytes.remove_prefix(1);
      line.clear();
      if (pos >= to) return std::optional<uint64_t>();
      line_start = pos;
    }
  }
  // The last line, without a newline.
  if (line_start && *line_start < size_ && starts_event_(Framed(line, max_line_))) return line_start;
  return std::optional<uint64_t>();
}

}  // namespace why500
