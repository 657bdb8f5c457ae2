#include "why500/report.h"

#include <algorithm>
#include <chrono>
#include <limits>

#include "why500/text.h"

namespace why500 {
namespace {

// A symptom must share at least this fraction of its activity with its root's (±1 bucket).
constexpr double kCoincidence = 0.5;
// A root may show in its log a little after its first symptom (an app logs the exception when
// the request ends, after the proxy gave up), not more.
constexpr int64_t kRootLagSeconds = 30;

void SeeTime(Group* g, TimeUs t) {
  if (t == kNoTime) return;
  if (g->first == kNoTime || t < g->first) g->first = t;
  if (g->last == kNoTime || t > g->last) g->last = t;
}

// The bucket of a settled minute: buckets are whole minutes wide and start on a minute
// (BuildTimeline), so every time of the minute falls in the bucket of its first second.
int BucketOfMinute(const Timeline& t, int64_t minute) {
  constexpr int64_t kLimit = std::numeric_limits<TimeUs>::max() / (60 * kUsPerSecond);
  if (minute > kLimit || minute < -kLimit) return -1;  // a damaged report's minute: no time at all
  return t.BucketOf(minute * 60 * kUsPerSecond);
}

std::unique_ptr<Group> UnknownGroup(const Aggregate& agg) {
  auto owned = std::make_unique<Group>();
  Group& g = *owned;
  g.cause = "unknown";
  g.subcause = "no-evidence";
  g.confidence = Confidence::kLow;
  g.template_text = "5xx response with no cause evidence in the logs given";
  const SettledTally& settled = agg.settled.unknown;  // what Settle folded away counts the same
  g.http_5xx = settled.http_5xx;
  g.status = settled.status;
  uint64_t from_backend = settled.from_backend;
  SeeTime(&g, settled.first);
  SeeTime(&g, settled.last);
  std::vector<int> examples = settled.examples;  // response example indices: response order
  for (const ResponseRef& r : agg.responses) {
    if (r.group >= 0 || r.duplicate) continue;
    ++g.http_5xx;
    ++g.status[r.status];
    if (r.upstream_status == r.status) ++from_backend;
    SeeTime(&g, r.time);
    if (r.example >= 0) examples.push_back(r.example);
  }
  std::sort(examples.begin(), examples.end());
  for (size_t i = 0; i < examples.size() && g.examples.size() < agg.max_examples(); ++i) {
    g.examples.push_back(agg.response_examples[static_cast<size_t>(examples[i])]);
  }
  if (from_backend * 2 > g.http_5xx) {
    g.hint = "The backend itself answered with these statuses (upstream_status): its own log (app, php-fpm, "
             "gunicorn) for the same minutes holds the error";
  } else if (agg.evidence_events == 0) {
    g.hint = "No error-log evidence was given: run why500 on the error log(s) of the same time as well";
  } else {
    g.hint = "No evidence matched these responses: check the application's own log for the same minutes";
  }
  return owned;
}

// Per cause and bucket: evidence events and tied 5xx responses. Index groups.size() is `unknown`.
struct Series {
  std::vector<std::vector<uint64_t>> evidence, http_5xx;
  std::vector<uint64_t> Activity(size_t g) const {
    std::vector<uint64_t> a = evidence[g];
    for (size_t b = 0; b < a.size(); ++b) a[b] += http_5xx[g][b];
    return a;
  }
};

Series SeriesOfCauses(const Aggregate& agg, const Timeline& t) {
  const size_t n = agg.groups.size() + 1;
  Series s;
  s.evidence.assign(n, std::vector<uint64_t>(t.http_5xx.size(), 0));
  s.http_5xx = s.evidence;
  for (const EvidenceRef& e : agg.evidence) {
    const int b = t.BucketOf(e.time);
    if (b >= 0) ++s.evidence[e.group][static_cast<size_t>(b)];
  }
  for (const ResponseRef& r : agg.responses) {
    const int b = t.BucketOf(r.time);
    if (r.duplicate || b < 0) continue;
    ++s.http_5xx[r.group >= 0 ? static_cast<size_t>(r.group) : n - 1][static_cast<size_t>(b)];
  }
  for (const auto& [minute, settled] : agg.settled.minutes) {
    const int b = BucketOfMinute(t, minute);
    if (b < 0) continue;
    for (const auto& [group, counts] : settled.groups) {
      s.evidence[group][static_cast<size_t>(b)] += counts.evidence;
      s.http_5xx[group][static_cast<size_t>(b)] += counts.http_5xx;
    }
    s.http_5xx[n - 1][static_cast<size_t>(b)] += settled.unknown_5xx;
  }
  return s;
}

// Responses Settle folded away count in the totals as they would have.
void AddSettledTotals(const SettledState& settled, Totals* totals) {
  auto add = [&](const SettledTally& tally, uint64_t* tied_or_not) {
    totals->http_5xx += tally.http_5xx;
    *tied_or_not += tally.http_5xx;
    for (const auto& [status, n] : tally.status) totals->status_5xx[status] += n;
  };
  for (const auto& [group, tally] : settled.groups) add(tally, &totals->classified_5xx);
  add(settled.unknown, &totals->unclassified_5xx);
}

uint64_t SumFrom(const std::vector<uint64_t>& v, size_t from) {
  uint64_t n = 0;
  for (size_t i = from; i < v.size(); ++i) n += v[i];
  return n;
}

// The earliest failure (of the onset's basis) inside bucket `b`.
TimeUs FirstFailureIn(const Report& r, int b) {
  TimeUs first = kNoTime;
  auto see = [&](TimeUs t) {
    if (t != kNoTime && r.timeline.BucketOf(t) == b && (first == kNoTime || t < first)) first = t;
  };
  const bool by_5xx = r.onset_basis == "http_5xx";
  if (by_5xx) {
    for (const ResponseRef& resp : r.agg->responses) {
      if (!resp.duplicate) see(resp.time);
    }
  } else {
    for (const EvidenceRef& e : r.agg->evidence) see(e.time);
  }
  for (const auto& [minute, settled] : r.agg->settled.minutes) {
    if (BucketOfMinute(r.timeline, minute) == b) see(by_5xx ? settled.first_5xx : settled.first_evidence);
  }
  return first;
}

void FindOnset(Report* r) {
  const bool by_5xx = r->have_access_log && r->totals.http_5xx > 0;
  r->onset_basis = by_5xx ? "http_5xx" : "evidence";
  r->onset = DetectOnset(by_5xx ? r->timeline.http_5xx : r->timeline.evidence);
  for (size_t b = 0; b < r->timeline.http_5xx.size() && r->first_failure == kNoTime; ++b) {
    if ((by_5xx ? r->timeline.http_5xx : r->timeline.evidence)[b] > 0) r->first_failure = FirstFailureIn(*r, static_cast<int>(b));
  }
  if (r->onset.found) r->onset_time = FirstFailureIn(*r, static_cast<int>(r->onset.bucket));
  const TimeUs reference = r->onset.found ? r->onset_time : r->first_failure;
  if (reference == kNoTime) return;
  for (const Change& c : r->agg->changes) {
    if (c.kind == "recycle") continue;  // routine worker recycling changes nothing
    if (c.time != kNoTime && c.time <= reference && (!r->last_change || c.time >= r->last_change->time)) {
      r->last_change = &c;
    }
  }
}

double TimingWeight(Timing t) {
  switch (t) {
    case Timing::kAt: return 1.0;
    case Timing::kGrew: return 0.8;
    case Timing::kAfter: return 0.4;
    case Timing::kBefore: return 0.0;
    case Timing::kUnknown: return 0.5;
  }
  return 0.5;
}

// The score of docs/architecture.md ("Ranking"), counted from the onset on when there is one.
void Score(Report* r, const std::vector<const Group*>& groups, const Series& s) {
  const size_t from = r->onset.found ? r->onset.bucket : 0;
  std::vector<double> fivexx(groups.size()), evidence(groups.size());
  double total_5xx = 0, total_evidence = 0;
  for (size_t i = 0; i < groups.size(); ++i) {
    const Group& g = *groups[i];
    const uint64_t untimed_5xx = g.http_5xx - SumFrom(s.http_5xx[i], 0);
    const uint64_t untimed_events = g.events - SumFrom(s.evidence[i], 0);
    fivexx[i] = static_cast<double>(SumFrom(s.http_5xx[i], from) + untimed_5xx);
    evidence[i] = static_cast<double>(SumFrom(s.evidence[i], from) + untimed_events);
    total_5xx += fivexx[i];
    total_evidence += evidence[i];
  }
  total_5xx = std::max(1.0, total_5xx);
  total_evidence = std::max(1.0, total_evidence);
  const double w5xx = r->have_access_log ? 0.5 : 0.0;
  const double wev = r->have_access_log ? 0.2 : 0.7;
  for (size_t i = 0; i < groups.size(); ++i) {
    const Group& g = *groups[i];
    RankedCause& c = r->causes[i];
    c.score = w5xx * fivexx[i] / total_5xx + wev * evidence[i] / total_evidence + 0.15 * TimingWeight(c.timing);
    if (g.cause != "unknown") c.score += 0.1 * ConfidenceWeight(g.confidence) + 0.05 * g.priority / 100.0;
  }
}

// Whether `root` can make `symptom` happen: a database that refuses connections makes requests
// hang (the proxy times out) and workers pile up; a memory limit of one PHP request kills only
// that request and explains nothing at the proxy.
bool CanCause(const Group& root, const Group& symptom) {
  auto is = [](std::string_view cause, std::initializer_list<std::string_view> ids) {
    return std::find(ids.begin(), ids.end(), cause) != ids.end();
  };
  const std::string_view r = root.cause;
  const std::string_view s = symptom.cause;
  if (StartsWith(r, "database.") || r == "dependency.external") {
    return is(s, {"upstream.timeout", "upstream.protocol", "resource.capacity", "resource.time_limit", "app.exception"});
  }
  if (r == "resource.memory") {
    const bool one_request = root.subcause == "php-memory-limit" || root.subcause == "imagemagick-resource-limit" ||
                             root.subcause == "python-memoryerror";
    return one_request ? s == "app.exception"
                       : is(s, {"crash", "upstream.protocol", "upstream.connect", "upstream.timeout", "app.exception"});
  }
  if (r == "resource.disk") return is(s, {"app.exception", "crash", "upstream.protocol", "config.server"});
  if (is(r, {"app.code_missing", "config.app"})) return is(s, {"upstream.connect", "upstream.protocol", "crash"});
  if (r == "app.exception") return s == "upstream.protocol";
  if (r == "permission") return is(s, {"upstream.connect", "app.exception"});
  // A full pool queues requests: the proxy times out, or its connects time out and it marks the
  // backend down. It refuses nothing (ECONNREFUSED is a backend not listening) and resets nothing.
  if (r == "resource.capacity") {
    return s == "upstream.timeout" ||
           (s == "upstream.connect" && (symptom.subcause == "connect-timeout" || symptom.subcause == "no-live-upstreams" ||
                                        symptom.subcause == "proxy-worker-disabled" ||
                                        symptom.subcause == "upstream-server-disabled"));
  }
  if (r == "resource.time_limit") {  // a slowlog entry only reports a slow request; a kill also cuts the response
    return s == "upstream.timeout" || (s == "upstream.protocol" && root.subcause != "slow-request");
  }
  if (r == "crash") return is(s, {"upstream.protocol", "upstream.connect"});
  return false;
}

// The fraction of `a`'s activity in buckets where `b` is active too (±1 bucket).
double SharedFraction(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b) {
  uint64_t shared = 0, total = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    total += a[i];
    const bool active = b[i] > 0 || (i > 0 && b[i - 1] > 0) || (i + 1 < b.size() && b[i + 1] > 0);
    if (active) shared += a[i];
  }
  return total == 0 ? 0 : static_cast<double>(shared) / static_cast<double>(total);
}

// Of the deeper causes active with `s` (±1 bucket) for most of its activity, the best root.
int RootOf(size_t s, const std::vector<std::vector<uint64_t>>& activity, const std::vector<RankedCause>& causes) {
  const std::vector<uint64_t>& a = activity[s];
  const uint64_t total = SumFrom(a, 0);
  if (total == 0 || causes[s].tier == 0) return -1;
  auto first_bucket = [](const std::vector<uint64_t>& v) {
    size_t b = 0;
    while (b < v.size() && v[b] == 0) ++b;
    return b;
  };
  int best = -1;
  double best_overlap = 0;
  for (size_t d = 0; d < causes.size(); ++d) {
    if (causes[d].tier <= causes[s].tier || !CanCause(*causes[d].group, *causes[s].group)) continue;
    // Something that was there all along, unchanged, explains no new failure.
    if (causes[d].timing == Timing::kBefore) continue;
    const std::vector<uint64_t>& root = activity[d];
    if (first_bucket(root) > first_bucket(a) + 1) continue;  // a root does not begin after its symptom
    const Group& dg = *causes[d].group;
    const Group& sg = *causes[s].group;
    if (dg.first != kNoTime && sg.first != kNoTime && dg.first > sg.first + kRootLagSeconds * kUsPerSecond) continue;
    const double overlap = SharedFraction(a, root);
    if (overlap < kCoincidence) continue;
    // Without an onset to tell chronic from new, the root must be mostly where its symptom is.
    if (causes[d].timing == Timing::kUnknown && SharedFraction(root, a) < kCoincidence) continue;
    const bool better = best < 0 || overlap > best_overlap ||
                        (overlap == best_overlap && (causes[d].tier > causes[best].tier ||
                                                     (causes[d].tier == causes[best].tier &&
                                                      causes[d].score > causes[best].score)));
    if (better) {
      best = static_cast<int>(d);
      best_overlap = overlap;
    }
  }
  return best;
}

// Links symptoms to roots, then lifts each root's score to its symptoms' so it ranks above them.
void LinkRootCauses(Report* r, const std::vector<std::vector<uint64_t>>& activity) {
  const size_t n = r->causes.size();
  std::vector<int> root(n, -1);
  for (size_t s = 0; s < n; ++s) root[s] = RootOf(s, activity, r->causes);
  for (int tier = 1; tier <= 4; ++tier) {  // symptoms are shallower than roots: lift bottom-up
    for (size_t s = 0; s < n; ++s) {
      if (r->causes[s].tier == tier && root[s] >= 0) {
        RankedCause& d = r->causes[static_cast<size_t>(root[s])];
        d.score = std::max(d.score, r->causes[s].score);
      }
    }
  }
  // Ranks are known only after sorting: keep the links as indices in `explained_by` for now.
  for (size_t s = 0; s < n; ++s) r->causes[s].explained_by = root[s] + 1;
}

void Rank(Report* r) {
  std::vector<size_t> order(r->causes.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  const auto& c = r->causes;
  std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) {
    const RankedCause& a = c[x];
    const RankedCause& b = c[y];
    if (a.score != b.score) return a.score > b.score;
    if (a.tier != b.tier) return a.tier > b.tier;  // a root before the symptom it lifted
    if (a.group->events != b.group->events) return a.group->events > b.group->events;
    if (a.group->first_input != b.group->first_input) return a.group->first_input < b.group->first_input;
    return a.group->first_line < b.group->first_line;
  });
  std::vector<int> rank_of(order.size());
  for (size_t i = 0; i < order.size(); ++i) rank_of[order[i]] = static_cast<int>(i) + 1;
  std::vector<RankedCause> sorted;
  for (size_t i : order) {
    RankedCause rc = c[i];
    rc.rank = rank_of[i];
    rc.explained_by = rc.explained_by > 0 ? rank_of[static_cast<size_t>(rc.explained_by - 1)] : 0;
    sorted.push_back(std::move(rc));
  }
  for (const RankedCause& s : sorted) {
    if (s.explained_by > 0) sorted[static_cast<size_t>(s.explained_by - 1)].explains.push_back(s.rank);
  }
  r->causes = std::move(sorted);
}

}  // namespace

double ConfidenceWeight(Confidence c) {
  switch (c) {
    case Confidence::kHigh: return 1.0;
    case Confidence::kMedium: return 0.6;
    case Confidence::kLow: return 0.3;
  }
  return 0.3;
}

int CauseTier(std::string_view cause) {
  auto is = [&](std::initializer_list<std::string_view> ids) {
    return std::find(ids.begin(), ids.end(), cause) != ids.end();
  };
  if (StartsWith(cause, "upstream.") || is({"config.server", "security.waf"})) return 1;
  if (is({"resource.capacity", "resource.time_limit", "crash"})) return 2;
  if (is({"app.exception", "app.code_missing", "config.app", "permission"})) return 3;
  if (StartsWith(cause, "database.") || is({"resource.memory", "resource.disk", "dependency.external"})) return 4;
  return 0;
}

Report BuildReport(const Aggregate& agg, double elapsed_seconds) {
  Report r;
  r.version = WHY500_VERSION;
  r.generated_at = std::chrono::duration_cast<std::chrono::microseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  r.elapsed_seconds = elapsed_seconds;
  r.agg = &agg;
  r.have_access_log = agg.access_lines > 0;
  for (const InputStats& in : agg.inputs) {
    r.totals.lines += in.lines;
    r.totals.unparsed_lines += in.unparsed_lines;
    r.totals.cut_entries += in.cut_entries;
    r.totals.truncated_lines += in.truncated_lines;
  }
  r.totals.events = agg.events;
  r.totals.evidence_events = agg.evidence_events;
  for (const ResponseRef& resp : agg.responses) {
    if (resp.duplicate) continue;
    ++r.totals.http_5xx;
    ++r.totals.status_5xx[resp.status];
    (resp.group >= 0 ? r.totals.classified_5xx : r.totals.unclassified_5xx)++;
  }
  AddSettledTotals(agg.settled, &r.totals);
  for (const Group& g : agg.groups) r.totals.inferred_5xx += g.ties[static_cast<int>(Tie::kInferred)];
  r.unknown = UnknownGroup(agg);
  r.timeline = BuildTimeline(agg);
  FindOnset(&r);

  // Candidates: every group with evidence or tied 5xx, then `unknown`; series index = group index.
  const Series series = SeriesOfCauses(agg, r.timeline);
  std::vector<const Group*> groups;
  std::vector<std::vector<uint64_t>> activity;
  std::vector<size_t> series_index;
  for (size_t i = 0; i <= agg.groups.size(); ++i) {
    const Group* g = i < agg.groups.size() ? &agg.groups[i] : r.unknown.get();
    if (g->events == 0 && g->http_5xx == 0) continue;  // an inferred group no response needs now
    groups.push_back(g);
    activity.push_back(series.Activity(i));
    RankedCause c;
    c.group = g;
    c.tier = CauseTier(g->cause);
    c.timing = CauseTiming(activity.back(), r.onset);
    r.causes.push_back(c);
    series_index.push_back(i);
  }
  Series picked;
  for (size_t i : series_index) {
    picked.evidence.push_back(series.evidence[i]);
    picked.http_5xx.push_back(series.http_5xx[i]);
  }
  Score(&r, groups, picked);
  LinkRootCauses(&r, activity);
  Rank(&r);
  r.blind_spots = FindBlindSpots(r);
  return r;
}

}  // namespace why500
