#include "why500/taxonomy.h"

#include <algorithm>
#include <string>

namespace why500 {

const std::vector<std::string_view>& CauseIds() {
  static const std::vector<std::string_view> ids = {
      "upstream.connect", "upstream.timeout",   "upstream.protocol", "app.exception",      "app.code_missing",
      "database.connect", "database.query",     "resource.memory",   "resource.time_limit", "resource.capacity",
      "resource.disk",    "config.server",      "config.app",        "permission",         "dependency.external",
      "security.waf",     "crash"};
  return ids;
}

bool IsKnownCause(std::string_view id) {
  const auto& ids = CauseIds();
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

namespace {

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

}  // namespace

std::string_view ClosestCause(std::string_view id) {
  std::string_view best;
  size_t best_distance = 4;  // farther than this is no suggestion
  for (std::string_view known : CauseIds()) {
    const size_t d = EditDistance(id, known);
    if (d < best_distance) {
      best_distance = d;
      best = known;
    }
  }
  return best;
}

}  // namespace why500
