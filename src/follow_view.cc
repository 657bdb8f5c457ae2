#include "why500/follow_view.h"

#include <sys/ioctl.h>
#include <unistd.h>

namespace why500 {
namespace {

constexpr const char* kHome = "\x1b[H";
constexpr const char* kClearLineEnd = "\x1b[K";
constexpr const char* kClearBelow = "\x1b[J";

// `text` as screen lines from the top: at most `rows`, each clearing what an earlier, longer
// drawing left on its line. The text is already terminal-safe (the renderers escape log bytes).
std::string InPlace(const std::string& text, size_t rows) {
  std::string out = kHome;
  size_t row = 0, pos = 0;
  while (pos < text.size() && row < rows) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    out.append(text, pos, nl - pos);
    out += kClearLineEnd;
    if (++row < rows) out += '\n';
    pos = nl + 1;
  }
  out += kClearBelow;
  return out;
}

}  // namespace

std::string RankingKey(const Report& report, size_t top) {
  std::string key;
  for (size_t i = 0; i < report.causes.size() && i < top; ++i) {
    const Group& g = *report.causes[i].group;
    key += g.cause + '\x1f' + g.rule_id + '\x1f' + g.template_text + '\x1e';
  }
  return key;
}

bool FollowView::Update(const std::string& rendered, const std::string& ranking, const std::string& status_line) {
  if (rows_ > 0) return Write(InPlace(status_line + "\n" + rendered, rows_));
  if (ranking == last_ranking_) return true;
  last_ranking_ = ranking;
  const bool first = !shown_any_;
  shown_any_ = true;
  return Write(first ? rendered : "\n" + rendered);
}

bool FollowView::Final(const std::string& rendered) {
  if (rows_ > 0) return Write(std::string(kHome) + kClearBelow + rendered);
  return Write(shown_any_ ? "\n" + rendered : rendered);
}

bool FollowView::Write(const std::string& s) {
  return std::fwrite(s.data(), 1, s.size(), out_) == s.size() && std::fflush(out_) == 0;
}

size_t TerminalRows(std::FILE* out) {
  const int fd = fileno(out);
  if (!isatty(fd)) return 0;
  winsize ws{};
  if (::ioctl(fd, TIOCGWINSZ, &ws) != 0 || ws.ws_row == 0) return 24;
  return ws.ws_row;
}

}  // namespace why500
