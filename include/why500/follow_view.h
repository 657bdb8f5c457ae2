// What follow mode (`--follow`) shows, and when. On a terminal the report is redrawn in place
// (cut to the window's height) whenever the run has something new, at most every --interval;
// elsewhere (a pipe, a file, a CI log) a new report is written only when the ranking of the
// causes changes, so the output reads as the incident's history. The final report is always
// written in full.
#pragma once

#include <cstdio>
#include <string>

#include "why500/report.h"

namespace why500 {

// The causes in rank order (rule and template), the first `top` of them: what "the ranking
// changed" compares.
std::string RankingKey(const Report& report, size_t top);

class FollowView {
 public:
  // `terminal`: `out` is a terminal to draw on in place.
  FollowView(std::FILE* out, bool terminal) : out_(out), terminal_(terminal) {}
  // A report of the run so far, rendered, with its RankingKey. False when the reader went away.
  bool Update(const std::string& rendered, const std::string& ranking, const std::string& status_line);
  // The last report, when the run ends.
  bool Final(const std::string& rendered);

 private:
  bool Write(const std::string& s);

  std::FILE* out_;
  bool terminal_;
  bool shown_any_ = false;
  std::string last_ranking_;
};

// The terminal's height for `out` (24 when it does not say), 0 when it is not a terminal.
size_t TerminalRows(std::FILE* out);

}  // namespace why500
