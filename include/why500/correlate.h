// Ties each 5xx response to the evidence that explains it, strongest tie first: the same
// request id; the event of the same request (client, method, path) close in time; of the same
// client; of the same log at the same moment (an app's exception and its own access line); and
// last the time alone, only to a cause that can give that status. A 5xx nothing explains may
// still get a cause inferred from its own upstream fields (a 504 at a round timeout). A
// backend's access line (php-fpm) that the proxy's log also holds is set aside as a duplicate.
#pragma once

#include <string_view>

#include "why500/aggregate.h"
#include "why500/settle.h"  // Settle: follow mode folds what correlation can no longer change

namespace why500 {

// Seconds either side of a response within which an event of the same request counts.
constexpr int kRequestWindowSeconds = 5;
constexpr int kClientWindowSeconds = 2;
constexpr int kSameInputWindowSeconds = 2;
constexpr int kTimeWindowSeconds = 2;
constexpr uint64_t kLinesAround = 50;      // untimed: how far from a response its evidence may be
constexpr int kBackendWindowSeconds = 2;  // a proxy 5xx this close makes a backend 5xx a duplicate
// The widest of the windows above: a response this far behind every input can no longer change.
constexpr int kLongestWindowSeconds = 5;
static_assert(kLongestWindowSeconds >= kRequestWindowSeconds && kLongestWindowSeconds >= kClientWindowSeconds &&
                  kLongestWindowSeconds >= kSameInputWindowSeconds && kLongestWindowSeconds >= kTimeWindowSeconds &&
                  kLongestWindowSeconds >= kBackendWindowSeconds,
              "kLongestWindowSeconds must cover every correlation window");

// Whether a cause can plausibly give this status (a timeout gives 504 or 502, never 500 by
// itself); ties made by time alone must pass it.
bool CauseGivesStatus(std::string_view cause, int status);

// Sets ResponseRef::group and adds each tied response to its group's http_5xx and status mix.
// What Settle folded away (Aggregate::settled) is counted too, as if it were still there.
void Correlate(Aggregate* agg);

// Decides responses [from, to) of `agg` as Correlate does, against all its evidence, all its
// responses (a backend 5xx near a proxy 5xx is a duplicate) and its settled state: sets their
// `duplicate`, `group` (-1: nothing explains it) and `tie`, making inferred groups as needed.
// Counts nothing: Correlate and Settle count the outcome each their own way.
void TieResponses(Aggregate* agg, size_t from, size_t to);

}  // namespace why500
