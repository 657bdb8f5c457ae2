// Custom access-log formats: an nginx log_format string ("$remote_addr - $remote_user
// [$time_local] \"$request\" $status ...") or an Apache LogFormat string ("%h %l %u %t \"%r\" %>s
// %b ...") compiled into literals and fields, then used to read each line of that shape.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "why500/record.h"
#include "why500/status.h"

namespace why500 {

class AccessFormat {
 public:
  // Compiles `spec`; an Error names what cannot be read (a format without $status/%s, say).
  static Expected<AccessFormat> Compile(std::string_view spec);

  // Reads `line` in this format; false when it does not fit. Views point into `line`.
  bool Parse(std::string_view line, Record* out) const;

  enum class Field {
    kSkip, kClient, kTimeLocal, kTimeIso, kRequest, kMethod, kPath, kStatus, kHost, kUpstream, kRequestId,
    kRequestTime, kRequestMicros, kUpstreamTime, kUpstreamStatus,
  };

 private:
  struct Piece {
    std::string literal;  // text that precedes the field
    Field field = Field::kSkip;
  };
  std::vector<Piece> pieces_;
  std::string tail_;  // text after the last field
};

}  // namespace why500
