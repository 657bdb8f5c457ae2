// Cuts one regular file into parts that threads analyse side by side (pipeline.cc merges them
// in order). The nominal part size depends on the file's size alone and every cut on the file's
// bytes alone, so the parts, and the report merged from them, are the same for any thread
// count. A cut falls only on a line that starts an event whatever came before it (a header of
// the input's format that joins nothing), so no entry is split between two parts.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>

#include "why500/source.h"
#include "why500/status.h"

namespace why500 {

// Says whether a line (as the line reader frames it) starts an event on its own.
using StartsEvent = std::function<bool(std::string_view line)>;

struct PartRange {
  uint64_t begin = 0, end = 0;  // byte offsets in the file
};

class FileParts {
 public:
  // Nominal part bytes for real runs: big enough that a part's start-up and merge are noise,
  // small enough that two threads finish together on a file of a few hundred MiB.
  static constexpr uint64_t kDefaultPartBytes = 16 << 20;

  // `file` must be partable (Source::PartableSize); `part_bytes` is the nominal part size.
  FileParts(const Source& file, uint64_t part_bytes, size_t max_line, StartsEvent starts_event);
  // Nominal parts: part k is meant to start at NominalStart(k). They are `part_bytes` long but
  // for the file's last 2 × `part_bytes`, which come in parts of a quarter of that: a thread
  // that finds no part left waits for the others to finish theirs, and short last parts keep
  // that wait short (waiting out a whole 16 MiB part took 20-60 ms of a 1.5 s run on 2 threads).
  uint64_t count() const { return count_; }
  uint64_t NominalStart(uint64_t k) const;
  // Part k's bytes: from the first line starting an event at or after its nominal start (part
  // 0: the file's start) to the next part's start; nullopt when no such line lies within its
  // nominal span (the part before then reaches over it), or when reading failed.
  Expected<std::optional<PartRange>> Range(uint64_t k) const;

 private:
  // The first line starting an event within [from, to): its offset, or nullopt.
  Expected<std::optional<uint64_t>> FindCut(uint64_t from, uint64_t to) const;

  const Source& file_;
  const uint64_t size_, part_bytes_;
  const uint64_t tail_part_bytes_;  // of the parts in the file's last 2 × part_bytes_
  const uint64_t head_bytes_;       // before them: in parts of part_bytes_
  const uint64_t head_count_, count_;
  const size_t max_line_;
  const StartsEvent starts_event_;
};

}  // namespace why500
