// why500 merge: the aggregates of JSON reports (written with --with-aggregate) read and merged
// in the order given, as one run over all their inputs would have aggregated them.
#pragma once

#include <string>
#include <vector>

#include "why500/aggregate.h"
#include "why500/classify.h"
#include "why500/status.h"

namespace why500 {

// Reads each report ("-": stdin; .gz too) and merges its aggregate. Inputs that several reports
// name alike are named after their report ("web1:/var/log/nginx/error.log"). Changes are sorted;
// the result is not yet correlated. Errors name the report.
Expected<Aggregate> MergeReports(const std::vector<std::string>& reports, const RuleSet& rules);

}  // namespace why500
