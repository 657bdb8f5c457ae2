// Message templates: the varying parts of a message (numbers, hex ids, UUIDs, addresses,
// paths) masked, so thousands of lines of one kind become one group.
#pragma once

#include <string>
#include <string_view>

namespace why500 {

constexpr size_t kMaxTemplateBytes = 240;

// Writes the template of `message` into `out` (cleared first).
void MakeTemplate(std::string_view message, std::string* out);

// The line of a multi-line message that holds byte `offset`.
std::string_view LineAt(std::string_view message, size_t offset);

}  // namespace why500
