// Guesses the format and wrapper of an input from its first lines.
#pragma once

#include <string_view>
#include <vector>

#include "why500/record.h"
#include "why500/wrappers.h"

namespace why500 {

struct Sniffed {
  Format format = Format::kGeneric;
  Wrapper wrapper = Wrapper::kNone;
};

// `lines` are the first lines of one input (up to a few dozen are enough).
Sniffed SniffFormat(const std::vector<std::string_view>& lines);

}  // namespace why500
