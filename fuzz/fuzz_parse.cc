// Every format's parser on one entry: the input's first line is the header each format's
// ParseLine reads; the whole input is then the event (its further lines are continuation lines)
// that FinishEvent derives the message and tail fields from, as the Assembler builds it. The
// shared helpers the parsers use (times, request lines, PHP message peeling, UTF-8 repair and
// terminal escaping) run on the same bytes, with the properties they promise checked.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_support.h"
#include "why500/formats.h"
#include "why500/text.h"
#include "why500/time_parse.h"

using namespace why500;
using namespace why500::fuzz;

namespace {

void CheckTextHelpers(std::string_view input) {
  const std::string repaired = RepairUtf8(input);
  WHY500_FUZZ_CHECK(IsValidUtf8(repaired));
  if (IsValidUtf8(input)) WHY500_FUZZ_CHECK(repaired == input);
  // Terminal-safe text steers nothing: no C0 control, DEL, C1 control (U+0080..U+009F) or
  // invalid UTF-8 is left.
  const std::string safe = TerminalSafe(input);
  WHY500_FUZZ_CHECK(IsValidUtf8(safe));
  for (size_t i = 0; i < safe.size(); ++i) {
    const auto c = static_cast<unsigned char>(safe[i]);
    WHY500_FUZZ_CHECK(c >= 0x20 && c != 0x7f);
    if (c == 0xc2 && i + 1 < safe.size()) {
      const auto next = static_cast<unsigned char>(safe[i + 1]);
      WHY500_FUZZ_CHECK(next < 0x80 || next > 0x9f);
    }
  }
  TouchValue(LooksBinary(input));
  Touch(Trim(input));
}

void CheckTimeHelpers(std::string_view line) {
  TimeUs t = kNoTime;
  if (ParseLeadingIsoTime(line, &t)) Touch(FormatRfc3339(t));
  if (ParseAccessTime(line, &t)) Touch(FormatRfc3339(t));
  CivilTime civil;
  if (ParseYmdHms(line, 0, &civil)) TouchValue(civil.Valid());
  if (ParseDmyHms(line, 0, &civil)) TouchValue(civil.Valid());
  int offset = 0;
  if (ParseUtcOffset(line, &offset)) TouchValue(offset);
  size_t pos = 0;
  TouchValue(ParseFraction(line, &pos));
  WHY500_FUZZ_CHECK(pos <= line.size());
  TouchValue(MonthFromAbbrev(line));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input = AsText(data, size);
  const size_t nl = input.find('\n');
  const std::string_view header = input.substr(0, nl);
  const std::string_view rest = nl == std::string_view::npos ? std::string_view() : input.substr(nl + 1);
  const auto continuation = SplitLines(rest);

  for (int i = 0; i < kFormatCount; ++i) {
    const auto f = static_cast<Format>(i);
    Record rec;
    const bool parsed = ParseLine(f, header, &rec);
    Touch(rec);
    TouchValue(IsContinuation(f, header));
    for (std::string_view line : continuation) TouchValue(IsContinuation(f, line));
    if (!parsed) continue;
    // The event as the Assembler makes it: the header's fields, the lines joined.
    Event e;
    e.format = f;
    e.line = 1;
    e.line_count = static_cast<uint32_t>(1 + continuation.size());
    e.time = rec.time;
    e.status = rec.status;
    e.severity.assign(rec.severity);
    e.pid.assign(rec.pid);
    e.connection.assign(rec.connection);
    e.client.assign(rec.client);
    e.method.assign(rec.method);
    e.path.assign(rec.path);
    e.host.assign(rec.host);
    e.upstream.assign(rec.upstream);
    e.request_id.assign(rec.request_id);
    e.join_key.assign(rec.join_key);
    e.text.assign(input);
    e.entry_bytes = input.size();
    e.message.assign(rec.message);
    for (std::string_view line : continuation) {
      e.message.push_back('\n');
      e.message.append(line);
    }
    FinishEvent(&e);
    Touch(e);
  }

  // The helpers the parsers share, directly.
  Record rec;
  bool combined = false;
  if (ParseAccess(header, &rec, &combined)) Touch(rec);
  Record request;
  SplitRequest(header, &request.method, &request.path);
  Touch(request);
  Record fragment;
  if (ParseResponseFragment(header, &fragment)) Touch(fragment);
  std::string peeled;
  AppendPeeledPhpMessages(input, &peeled);
  Touch(peeled);
  CheckTimeHelpers(header);
  CheckTextHelpers(input);
  return 0;
}
