// Follow mode's sources (`--follow`): a file read as it grows that survives logrotate, like
// `tail -F` (renamed away and created again: the old file is read to its end, then the new one
// from its start; truncated in place: read again from the start), and stdin read until the
// writer closes it. Only reads: why500 never writes to its inputs.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>

#include "why500/source.h"

namespace why500 {

struct FollowOptions {
  // Set from outside (Ctrl-C): the next Read is the end.
  const std::atomic<bool>* stop = nullptr;
  // How often a file at its end is looked at again.
  std::chrono::milliseconds poll{100};
  // After this long without new bytes Read returns 0 with MoreMayCome() still true, so the
  // reader can hand on what it holds (a pending event, the counts so far) and call again.
  std::chrono::milliseconds idle{500};
};

// Opens `name` ("-" is stdin) to follow it. A .gz file does not grow: it is read as usual.
// Errors as OpenSource's.
Expected<std::unique_ptr<Source>> OpenFollowSource(const std::string& name, const FollowOptions& options);

}  // namespace why500
