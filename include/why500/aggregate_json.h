// The mergeable aggregate as JSON: what `--format json --with-aggregate` adds to the report as
// "aggregate" and what `why500 merge` reads back, so reports of many hosts or runs combine as if
// their inputs had been read together. It is the aggregate before Correlate (PipelineResult::
// uncorrelated); the layout is in docs/report-schema.md ("aggregate", version 1). An aggregate
// that Settle (settle.h) folded refs of adds "settled", its per-minute and per-group counts; it
// is optional, so reports of runs that never settled read as before.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "why500/aggregate.h"
#include "why500/classify.h"
#include "why500/status.h"

namespace why500 {

constexpr int kAggregateJsonVersion = 1;

// Everything a report needs of `agg`. Log text is kept as read: dump the document with
// error_handler_t::replace (as RenderJson does), which repairs invalid UTF-8 the way the report does.
nlohmann::json AggregateToJson(const Aggregate& agg);

// The aggregate of AggregateToJson. Each group's rule index is found again by its rule id in
// `rules` (-1 when these rules have no such id). A missing or mistyped field, an index out of
// range or another version is an Error naming the field ("aggregate.groups[2].events: ..."), and
// so is what no run writes and the report could not take (reports come from other hosts): a
// time before 1970 or past 1e18 µs, a first and last time of which one is null or out of order,
// a minute that counts evidence not in it, a settled minute whose first 5xx or evidence is not
// in it exactly when it counts some.
Expected<Aggregate> AggregateFromJson(const nlohmann::json& j, const RuleSet& rules);

// The aggregate a JSON report carries (`report_json` is the whole report's text). Invalid JSON
// is an Error with nlohmann's message; a report without "aggregate" says how to write one.
Expected<Aggregate> AggregateOfReport(std::string_view report_json, const RuleSet& rules);

}  // namespace why500
