#include "why500/wrappers.h"

#include "why500/text.h"

namespace why500 {
namespace {

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || IsDigit(c) || c == '_' || c == '-' || c == '.';
}

// "web_1  | " / "web-1 | ": a service name, spaces, a bar, a space (pasted copies may be indented).
size_t DockerComposePrefix(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && i < 8 && s[i] == ' ') ++i;
  const size_t name_start = i;
  while (i < s.size() && IsNameChar(s[i])) ++i;
  if (i == name_start || i - name_start > 64) return 0;
  const size_t name_end = i;
  while (i < s.size() && s[i] == ' ') ++i;
  if (i == name_end || i >= s.size() || s[i] != '|') return 0;
  ++i;
  if (i < s.size() && s[i] == ' ') ++i;
  return i;
}

// "2026-11-21T10:00:00.123456789Z stderr F ": RFC 3339 time, stream, P/F tag.
size_t CriPrefix(std::string_view s) {
  if (s.size() < 30 || ParseDigits(s, 0, 4) < 0 || s[4] != '-' || s[10] != 'T') return 0;
  const size_t sp = s.find(' ');
  if (sp == std::string_view::npos || sp > 40) return 0;
  std::string_view rest = s.substr(sp + 1);
  size_t stream_len;
  if (StartsWith(rest, "stdout ")) {
    stream_len = 7;
  } else if (StartsWith(rest, "stderr ")) {
    stream_len = 7;
  } else {
    return 0;
  }
  rest.remove_prefix(stream_len);
  if (rest.size() < 1 || (rest[0] != 'F' && rest[0] != 'P')) return 0;
  if (rest.size() > 1 && rest[1] != ' ') return 0;
  return sp + 1 + stream_len + (rest.size() > 1 ? 2 : 1);
}

// "0|app  | ": pm2's process id, name, bar.
size_t Pm2Prefix(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && IsDigit(s[i])) ++i;
  if (i == 0 || i >= s.size() || s[i] != '|') return 0;
  ++i;
  const size_t name_start = i;
  while (i < s.size() && s[i] != '|' && s[i] != ' ') ++i;
  if (i == name_start) return 0;
  while (i < s.size() && s[i] == ' ') ++i;
  if (i >= s.size() || s[i] != '|') return 0;
  ++i;
  if (i < s.size() && s[i] == ' ') ++i;
  return i;
}

// "2026-11-21T10:00:00.123456+00:00 app[web.1]: " (or heroku[router]).
size_t HerokuPrefix(std::string_view s) {
  if (s.size() < 25 || ParseDigits(s, 0, 4) < 0 || s[4] != '-' || s[10] != 'T') return 0;
  const size_t sp = s.find(' ');
  if (sp == std::string_view::npos || sp > 40) return 0;
  const std::string_view rest = s.substr(sp + 1);
  const size_t br = rest.find('[');
  if (br == std::string_view::npos || br == 0 || br > 20) return 0;
  const size_t close = rest.find("]: ", br);
  if (close == std::string_view::npos || close > br + 40) return 0;
  for (size_t i = 0; i < br; ++i) {
    if (!IsNameChar(rest[i])) return 0;
  }
  return sp + 1 + close + 3;
}

// "[0] " / "[12] ": concurrently's and nodemon's process index.
size_t IndexPrefix(std::string_view s) {
  if (s.size() < 4 || s[0] != '[') return 0;
  size_t i = 1;
  while (i < s.size() && IsDigit(s[i]) && i < 4) ++i;
  if (i == 1 || i + 1 >= s.size() || s[i] != ']' || s[i + 1] != ' ') return 0;
  return i + 2;
}

// "> " from a quoted paste (e-mail, Markdown).
size_t QuotePrefix(std::string_view s) {
  if (s.empty() || s[0] != '>') return 0;
  return s.size() > 1 && s[1] == ' ' ? 2 : 1;
}

// "23:07:27 web.1  | ": foreman/honcho's time, process name, bar.
size_t ForemanPrefix(std::string_view s) {
  if (s.size() < 12 || ParseDigits(s, 0, 2) < 0 || s[2] != ':' || s[5] != ':' || s[8] != ' ') return 0;
  const size_t bar = DockerComposePrefix(s.substr(9));
  return bar == 0 ? 0 : 9 + bar;
}

size_t PrefixLength(Wrapper w, std::string_view line) {
  switch (w) {
    case Wrapper::kDockerCompose: return DockerComposePrefix(line);
    case Wrapper::kCri: return CriPrefix(line);
    case Wrapper::kPm2: return Pm2Prefix(line);
    case Wrapper::kHeroku: return HerokuPrefix(line);
    case Wrapper::kProcessIndex: return IndexPrefix(line);
    case Wrapper::kQuote: return QuotePrefix(line);
    case Wrapper::kForeman: return ForemanPrefix(line);
    case Wrapper::kNone: return 0;
  }
  return 0;
}

}  // namespace

std::string_view WrapperName(Wrapper w) {
  switch (w) {
    case Wrapper::kDockerCompose: return "docker-compose";
    case Wrapper::kCri: return "cri";
    case Wrapper::kPm2: return "pm2";
    case Wrapper::kHeroku: return "heroku";
    case Wrapper::kProcessIndex: return "process-index";
    case Wrapper::kQuote: return "quote";
    case Wrapper::kForeman: return "foreman";
    case Wrapper::kNone: return "none";
  }
  return "none";
}

Wrapper DetectWrapper(std::string_view line) {
  for (Wrapper w : {Wrapper::kCri, Wrapper::kHeroku, Wrapper::kPm2, Wrapper::kForeman, Wrapper::kDockerCompose,
                    Wrapper::kProcessIndex, Wrapper::kQuote}) {
    if (PrefixLength(w, line) > 0) return w;
  }
  return Wrapper::kNone;
}

std::string_view PeelWrapper(Wrapper w, std::string_view line) { return line.substr(PrefixLength(w, line)); }

}  // namespace why500
