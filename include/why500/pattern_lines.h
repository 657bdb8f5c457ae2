// What a rule's pattern text says about the lines a match can cover, read from its RE2 syntax.
#pragma once

#include <string_view>

namespace why500 {

// True when no match of `pattern` (RE2 syntax, default options) can hold a '\n', so every match
// lies within one line. Conservative: false for anything not known to exclude '\n' (\s, \n, a
// negated class that does not name \n, (?s), \x.., \p.., POSIX classes, raw control bytes...).
bool NeverMatchesNewline(std::string_view pattern);

}  // namespace why500
