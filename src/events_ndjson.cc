#include <nlohmann/json.hpp>

#include "why500/observers.h"

namespace why500 {

void EventsWriter::OnEvent(const Event& e, const Verdict& v, const std::string& input_name) {
  // Only evidence and 5xx responses are events; a benign rule's win is not evidence.
  const bool evidence = v.rule >= 0 && !rules_.rules()[v.rule].benign();
  if (!e.IsResponse() && !evidence) return;
  using nlohmann::ordered_json;
  auto text = [&](std::string_view s) { return redactor_ ? redactor_->Apply(s) : std::string(s); };
  auto str_or_null = [&](const std::string& s) { return s.empty() ? ordered_json(nullptr) : ordered_json(text(s)); };
  ordered_json j;
  j["input"] = input_name;
  j["line"] = e.line;
  j["time"] = e.time == kNoTime ? ordered_json(nullptr) : ordered_json(FormatRfc3339(e.time));
  j["format"] = FormatName(e.format);
  if (v.rule >= 0) {
    const Rule& r = rules_.rules()[v.rule];
    j["cause"] = r.cause;
    j["subcause"] = r.subcause;
    j["rule"] = r.id;
    j["confidence"] = ConfidenceName(r.confidence);
  } else {
    j["cause"] = nullptr;
    j["subcause"] = nullptr;
    j["rule"] = nullptr;
    j["confidence"] = nullptr;
  }
  j["status"] = e.status ? ordered_json(e.status) : ordered_json(nullptr);
  j["path"] = str_or_null(e.path);
  j["client"] = str_or_null(e.client);
  j["upstream"] = str_or_null(e.upstream);
  j["template"] = v.rule >= 0 ? ordered_json(text(v.template_text)) : ordered_json(nullptr);
  j["message"] = text(e.IsResponse() ? e.text : e.message);
  const std::string line = j.dump(-1, ' ', false, ordered_json::error_handler_t::replace) + "\n";
  std::fwrite(line.data(), 1, line.size(), out_);
}

}  // namespace why500
