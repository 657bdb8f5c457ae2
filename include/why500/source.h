// Input sources: a file, stdin ("-") or gzip data (detected by its magic bytes, not its name).
// Sources only read; why500 never writes to its inputs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "why500/status.h"

namespace why500 {

class Source {
 public:
  virtual ~Source() = default;
  // Reads up to `n` bytes into `buf`. Returns the count, 0 at end of input, or an Error
  // (a read failure, a truncated or corrupt .gz); after an Error the source is finished.
  virtual Expected<size_t> Read(char* buf, size_t n) = 0;
  // Bytes read from the underlying file so far (compressed bytes for .gz).
  virtual uint64_t raw_bytes() const = 0;
  virtual bool compressed() const = 0;
  // After Read returned 0: true when that was only a pause (a followed file with nothing new
  // yet, follow_source.h) and a later Read may bring more; false at the real end.
  virtual bool MoreMayCome() const { return false; }
  // Times the input started over: rotated to a new file, or truncated (followed files only).
  virtual uint64_t restarts() const { return 0; }
  // A regular file's size when it can be read in parts (Part), so that several threads share
  // it; 0 for stdin, pipes and .gz. Parts are fixed at this size: what is written later is not read.
  virtual uint64_t PartableSize() const { return 0; }
  // Bytes [begin, end) of that file, read with pread on its descriptor: each part keeps its own
  // position. Valid while this source lives; null when PartableSize is 0.
  virtual std::unique_ptr<Source> Part(uint64_t begin, uint64_t end) const;
};

// Opens `name` ("-" is stdin). Directories, missing and unreadable files are Errors
// whose message names the file and the system's reason.
Expected<std::unique_ptr<Source>> OpenSource(const std::string& name);

// "NAME: WHAT: the system's reason", the one shape of every error a source gives.
Error SystemError(const std::string& name, const char* what, int err);

// A source over bytes in memory, for tests and for --check-rules.
std::unique_ptr<Source> MemorySource(std::string bytes);

}  // namespace why500
