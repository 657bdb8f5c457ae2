// Message templates: the varying parts of a message masked, so thousands of lines of one kind
// become one group while different failures stay apart. Masks: <time>, <uuid>, <ip> (v4 or v6,
// with its port), <n>, <hex>, <dur> and <size> (a number with its unit), <email>, <id> (long
// random tokens), <path> (query string included), <url> and '<val>' (a quoted input value).
// Kept: errno shapes, codes, class/module/table/column names and other quoted names, request
// methods. template.cc says why.
#pragma once

#include <string>
#include <string_view>

namespace why500 {

constexpr size_t kMaxTemplateBytes = 240;

// Writes the template of the first line of `message` into `out` (cleared first; at most
// kMaxTemplateBytes, never a split UTF-8 sequence). Allocates nothing once `out` and the
// thread's table of recent templates (template.cc) have grown.
void MakeTemplate(std::string_view message, std::string* out);

}  // namespace why500
