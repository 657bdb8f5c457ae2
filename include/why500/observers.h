// Observers of the classified event stream: the NDJSON event writer (--events) and the
// rule debugger (--explain).
#pragma once

#include <cstdio>
#include <string>

#include "why500/pipeline.h"
#include "why500/redact.h"

namespace why500 {

// One JSON object per classified event or 5xx response, in input order; text fields pass
// through `redactor` when one is given (--redact).
class EventsWriter : public EventObserver {
 public:
  EventsWriter(const RuleSet& rules, std::FILE* out, const Redactor* redactor = nullptr)
      : rules_(rules), out_(out), redactor_(redactor) {}
  void OnEvent(const Event& event, const Verdict& verdict, const std::string& input_name) override;

 private:
  const RuleSet& rules_;
  std::FILE* out_;
  const Redactor* redactor_;
};

// For each event: the winning rule, its captures, and every other rule that matched.
class ExplainWriter : public EventObserver {
 public:
  ExplainWriter(const RuleSet& rules, std::FILE* out, bool color) : rules_(rules), out_(out), color_(color) {}
  void OnEvent(const Event& event, const Verdict& verdict, const std::string& input_name) override;

 private:
  const RuleSet& rules_;
  std::FILE* out_;
  bool color_;
};

}  // namespace why500
