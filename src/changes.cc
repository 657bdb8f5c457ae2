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

// Every event that is not evidence is looked at, so the markers are found in one pass, and it
// need not look at every position: every marker is at least kStride + 3 bytes long, so each of
// its occurrences holds, at one of its first kStride offsets, a position the scan samples (one
// in kStride) with four of its bytes after it. Those 4 bytes are looked up among the markers'
// 4-byte substrings at their first kStride offsets (by hash), and only a marker whose bytes they
// are is compared in full where it would start. Twenty `find`s cost many times as much.
constexpr size_t kStride = 8;

constexpr bool MarkersAtLeast(size_t bytes) {
  for (const Marker& m : kMarkers) {
    if (m.text.size() < bytes) return false;
  }
  return true;
}
static_assert(MarkersAtLeast(kStride + 3), "a shorter marker could fall between two sampled positions");

class MarkerScan {
 public:
  MarkerScan() {
    // Each marker's 4-byte substrings at its first kStride offsets, filed by hash.
    std::array<uint16_t, kBuckets + 1> count{};
    for (const Marker& marker : kMarkers) {
      for (size_t offset = 0; offset < kStride; ++offset) ++count[Hash(Head(marker.text.data() + offset)) + 1];
    }
    for (size_t h = 1; h <= kBuckets; ++h) count[h] = static_cast<uint16_t>(count[h] + count[h - 1]);
    bucket_ = count;
    for (uint8_t m = 0; m < kMarkers.size(); ++m) {
      for (uint8_t offset = 0; offset < kStride; ++offset) {
        const uint32_t head = Head(kMarkers[m].text.data() + offset);
        entries_[count[Hash(head)]++] = {head, m, offset};
      }
    }
  }

  // The kind of the first marker, in kMarkers order, that `msg` holds; empty when none.
  std::string_view Find(std::string_view msg) const {
    size_t best = kMarkers.size();
    for (size_t i = 0; i + 4 <= msg.size(); i += kStride) {
      const uint32_t head = Head(msg.data() + i);
      const uint32_t h = Hash(head);
      for (size_t e = bucket_[h]; e < bucket_[h + 1]; ++e) {
        const Entry& entry = entries_[e];
        if (entry.head != head || entry.marker >= best || entry.offset > i) continue;
        if (msg.substr(i - entry.offset, kMarkers[entry.marker].text.size()) == kMarkers[entry.marker].text) {
          best = entry.marker;
        }
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
  static constexpr size_t kBuckets = 4096;
  static uint32_t Hash(uint32_t head) { return (head * 2654435761u) >> 20; }  // kBuckets wide
  struct Entry {
    uint32_t head;   // the 4 bytes
    uint8_t marker;  // in kMarkers
    uint8_t offset;  // into the marker
  };
  std::array<uint16_t, kBuckets + 1> bucket_{};  // hash -> first entry; hash + 1 -> one past the last
  std::array<Entry, kMarkers.size() * kStride> entries_{};
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
