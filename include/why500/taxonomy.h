// The cause ids of shared/taxonomy.md: the contract between rules and reports.
#pragma once

#include <string_view>
#include <vector>

namespace why500 {

const std::vector<std::string_view>& CauseIds();  // every id except "unknown"
bool IsKnownCause(std::string_view id);
// The closest known id by edit distance, for "did you mean" messages; empty when none is close.
std::string_view ClosestCause(std::string_view id);

}  // namespace why500
