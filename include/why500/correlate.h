// Ties each 5xx response of an access log to the evidence that explains it: the error-log
// event of the same request (client, method, path) close in time, else of the same client.
#pragma once

#include "why500/aggregate.h"

namespace why500 {

// Seconds either side of a response within which an event of the same request counts.
constexpr int kRequestWindowSeconds = 5;
constexpr int kClientWindowSeconds = 2;

// Sets ResponseRef::group and adds each tied response to its group's http_5xx and status mix.
void Correlate(Aggregate* agg);

}  // namespace why500
