#include "why500/follow_view.h"

#include <sys/ioctl.h>
#include <unistd.h>

namespace why500 {
namespace {

constexpr size_t kDefaultRows = 24;  // a terminal that does not say its size
constexpr const char* kHome = "\x1b[H";
// Lines wider than the window are cut at its edge, not wrapped, while the report is drawn:
// wrapped lines would push its top off the screen.
constexpr const char* kNoWrap = "\x1b[?7l";
constexpr const char* kWrap = "\x1b[?7h";
constexpr const char* kClearLineEnd = "\x1b[K";
constexpr const char* kClearBelow = "\x1b[J";

// `text` as screen lines from the top: at most `rows`, each clearing what an earlier, longer
// drawing left on its line. The text is already terminal-safe (the renderers escape log bytes).
std::string InPlace(const std::string& text, size_t rows) {
  std::string out = std::string(kNoWrap) + kHome;
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
  out += kWrap;
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
  if (terminal_) {
    const size_t rows = TerminalRows(out_);  // asked each time: the window may have changed
    return Write(InPlace(status_line + "\n" + rendered, rows > 0 ? rows : kDefaultRows));
  }
  if (ranking == last_ranking_) return true;
  last_ranking_ = ranking;
  const bool first = !shown_any_;
  shown_any_ = true;
  return Write(first ? rendered : "\n" + rendered);
}

bool FollowView::Final(const std::string& rendered) {
  if (terminal_) return Write(std::string(kHome) + kClearBelow + rendered);
  return Write(shown_any_ ? "\n" + rendered : rendered);
}

bool FollowView::Write(const std::string& s) {
  return std::fwrite(s.data(), 1, s.size(), out_) == s.size() && std::fflush(out_) == 0;
}

size_t TerminalRows(std::FILE* out) {
  const int fd = fileno(out);
  if (!isatty(fd)) return 0;
  winsize ws{};
  if (::ioctl(fd, TIOCGWINSZ, &ws) != 0 || ws.ws_row == 0) return kDefaultRows;
  return ws.ws_row;
}

}  // namespace why500
