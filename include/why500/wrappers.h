// Prefixes that deployments put in front of log lines: docker compose ("web_1  | "),
// CRI/Kubernetes ("2026-11-21T10:00:00.123456789Z stderr F "), pm2 ("0|app  | "),
// Heroku ("2026-11-21T10:00:00+00:00 app[web.1]: "), foreman ("23:07:27 web.1  | "),
// concurrently/nodemon ("[0] ") and quoted pastes ("> ").
#pragma once

#include <string_view>

namespace why500 {

enum class Wrapper { kNone, kDockerCompose, kCri, kPm2, kHeroku, kForeman, kProcessIndex, kQuote };
constexpr int kWrapperCount = 8;

std::string_view WrapperName(Wrapper w);

// The wrapper `line` starts with, if any.
Wrapper DetectWrapper(std::string_view line);

// `line` without its `w` prefix; unchanged when it does not carry one.
std::string_view PeelWrapper(Wrapper w, std::string_view line);

}  // namespace why500
