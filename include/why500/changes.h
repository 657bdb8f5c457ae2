// Change markers: reloads, restarts, starts and stops that a log records. The report shows
// them so an on-call engineer sees what changed before the errors began.
#pragma once

#include <string_view>

#include "why500/record.h"

namespace why500 {

// The kind of change ("reload", "restart", "start", "stop") the event records, or empty.
std::string_view DetectChange(const Event& event);

}  // namespace why500
