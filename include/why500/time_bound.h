// The values of --since and --until.
#pragma once

#include <string_view>

#include "why500/status.h"
#include "why500/time_parse.h"

namespace why500 {

// Relative: "15m", "2h", "1d", "1w", "90s" (a leading "-" and a trailing " ago" are allowed),
// or "now", counted back from `now`. Absolute: RFC 3339 ("2026-11-21T10:00:00Z", any offset)
// or a log's own shape ("2026-11-21 10:00", "2026/11/21 10:00:30", "2026-11-21"), read in the
// logs' zone (--tz) when it has no offset.
Expected<TimeUs> ParseTimeBound(std::string_view text, TimeUs now);

}  // namespace why500
