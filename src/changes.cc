#include "why500/changes.h"

#include <array>
#include <cstdint>
#include <cstring>

#include "why500/text.h"

namespace why500 {
namespace {

struct Marker {
  std::string_view text;
  std::string_view kind;
};

// Phrases from the servers' own sources; matched as substrings, so they cost one find each.
constexpr std::array<Marker, 20> kMarkers = {{
    {"signal process started", "reload"},            // nginx -s reload
    {"reconfiguring", "reload"},                     // nginx master on SIGHUP
    {"gracefully shutting down", "stop"},            // nginx worker
    {"start worker processes", "start"},             // nginx master
    {"resuming normal operations", "restart"},       // Apache AH00489/AH00094 ... resuming
    {"caught SIGTERM, shutting down", "stop"},       // Apache AH00491
    {"Graceful restart requested", "reload"},        // Apache AH00493
    {"SIGHUP received.  Attempting to restart", "restart"},  // Apache AH00492
    {"SIGUSR1 received.  Doing graceful restart", "reload"},
    {"ready to handle connections", "start"},        // php-fpm
    {"Terminating ...", "stop"},                     // php-fpm
    {"Reloading in progress", "reload"},             // php-fpm SIGUSR2
    {"exiting, bye-bye", "stop"},                    // php-fpm
    {"Booting worker with pid", "start"},            // gunicorn
    {"Listening at: ", "start"},                     // gunicorn
    {"Starting gunicorn", "start"},
    // gunicorn's max_requests recycling: routine, not a change anyone made.
    {"Autorestarting worker after current request", "recycle"},
    {"Running migrations", "migration"},             // Django migrate, Laravel artisan migrate
    {": migrating =", "migration"},                  // Rails "== 20261121101500 AddIndex: migrating ==="
    {"Migrating: ", "migration"},                    // Laravel before 9
}};

// systemd's own job messages: "Started nginx.service - ...", "Reloading PHP 8.2 FastCGI ...".
// A login's scope ("Started session-5204.scope - Session 5204 of User deploy.") changes no
// service: on a box people and scripts ssh into it comes and goes thousands of times a day.
std::string_view SystemdChange(std::string_view msg) {
  const size_t verb_end = msg.find(' ');
  const std::string_view unit = verb_end == std::string_view::npos ? msg : msg.substr(verb_end + 1);
  if ((StartsWith(unit, "session-") || StartsWith(msg, "session-")) && msg.find(".scope") != std::string_view::npos) {
    return {};
  }
  if (StartsWith(msg, "Started ")) return "start";
  if (StartsWith(msg, "Stopped ") || StartsWith(msg, "Stopping ")) return "stop";
  if (StartsWith(msg, "Reloading ") || StartsWith(msg, "Reloaded ")) return "reload";
  if (msg.find(": Deactivated successfully") != std::string_view::npos) return "stop";
  return {};
}

// Every event that is not evidence is looked at, so the markers are found in one pass: each
// position's 4 bytes are tested against a bitmap of the markers' first 4 (a hash), and only
// then compared in full. Twenty `find`s cost several times as much on ordinary lines.
class MarkerScan {
 public:
  MarkerScan() {
    for (size_t m = 0; m < kMarkers.size(); ++m) {
      const uint32_t h = Hash(Head(kMarkers[m].text.data()));
      seen_[h >> 6] |= uint64_t{1} << (h & 63);
    }
  }

  // The kind of the first marker, in kMarkers order, that `msg` holds; empty when none.
  std::string_view Find(std::string_view msg) const {
    size_t best = kMarkers.size();
    for (size_t i = 0; i + 4 <= msg.size(); ++i) {
      const uint32_t head = Head(msg.data() + i);
      const uint32_t h = Hash(head);
      if (((seen_[h >> 6] >> (h & 63)) & 1) == 0) continue;
      for (size_t m = 0; m < best; ++m) {
        const std::string_view text = kMarkers[m].text;
        if (Head(text.data()) == head && msg.substr(i, text.size()) == text) best = m;
      }
    }
    return best < kMarkers.size() ? kMarkers[best].kind : std::string_view();
  }

 private:
  static uint32_t Head(const char* p) {
    uint32_t w;
    std::memcpy(&w, p, 4);
    return w;
  }
  static uint32_t Hash(uint32_t head) { return (head * 2654435761u) >> 20; }  // 4096 buckets
  std::array<uint64_t, 64> seen_{};
};

}  // namespace

std::string_view DetectChange(const Event& event) {
  if (event.IsResponse()) return {};
  const std::string_view msg = event.message;
  if (IsJournalFormat(event.format) && event.join_key == "systemd") return SystemdChange(msg);
  static const MarkerScan markers;
  return markers.Find(msg);
}

}  // namespace why500
