#include "why500/merge_reports.h"

#include <cstring>
#include <map>
#include <optional>

#include "why500/aggregate_json.h"
#include "why500/source.h"
#include "why500/text.h"

namespace why500 {
namespace {

// The whole of a report file ("-": stdin; .gz is read too).
Expected<std::string> ReadReport(const std::string& name) {
  auto source = OpenSource(name);
  if (!source) return source.error();
  std::string text;
  char buf[1 << 16];
  for (;;) {
    auto n = (*source)->Read(buf, sizeof buf);
    if (!n) return Error{(name == "-" ? "<stdin>" : name) + ": " + n.error().message};
    if (*n == 0) return text;
    text.append(buf, *n);
  }
}

// What names a report's inputs when reports name the same files: "web1" for web1.json.
std::string ReportLabel(const std::string& name) {
  if (name == "-") return "<stdin>";
  std::string label = name.substr(name.find_last_of('/') + 1);
  for (const char* ext : {".gz", ".json"}) {
    if (EndsWith(label, ext) && label.size() > std::strlen(ext)) label.resize(label.size() - std::strlen(ext));
  }
  return label;
}

// Reports of many hosts name the same files (each host's /var/log/nginx/error.log): then every
// input is named after its report too ("web1:/var/log/nginx/error.log"), so the report says whose.
// `report_of[i]` is the index in `reports` of the report input i came from.
void NameInputsByReport(const std::vector<std::string>& reports, const std::vector<size_t>& report_of,
                        Aggregate* agg) {
  std::map<std::string, size_t> first_report;  // input name → the report that first named it
  bool shared = false;
  for (size_t i = 0; i < agg->inputs.size(); ++i) {
    shared |= first_report.emplace(agg->inputs[i].name, report_of[i]).first->second != report_of[i];
  }
  if (!shared) return;
  for (size_t i = 0; i < agg->inputs.size(); ++i) {
    agg->inputs[i].name = ReportLabel(reports[report_of[i]]) + ":" + agg->inputs[i].name;
  }
}

}  // namespace

Expected<Aggregate> MergeReports(const std::vector<std::string>& reports, const RuleSet& rules) {
  std::optional<Aggregate> merged;
  std::vector<size_t> report_of;  // per input
  for (size_t r = 0; r < reports.size(); ++r) {
    const std::string& name = reports[r];
    auto text = ReadReport(name);
    if (!text) return text.error();
    auto agg = AggregateOfReport(*text, rules);
    if (!agg) return Error{(name == "-" ? "<stdin>" : name) + ": " + agg.error().message};
    if (!merged) {
      merged = std::move(*agg);  // its --examples bounds the merged report's examples
    } else {
      merged->Merge(std::move(*agg), static_cast<uint32_t>(merged->inputs.size()));
    }
    report_of.resize(merged->inputs.size(), r);
  }
  if (!merged) return Error{"merge: no reports given"};
  NameInputsByReport(reports, report_of, &*merged);
  merged->SortChanges();
  return std::move(*merged);
}

}  // namespace why500
