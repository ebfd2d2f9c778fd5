// Clipping that minimises the KL divergence between the clipped histogram and
// its quantized version: TensorRT's entropy calibration on any grid (C5).
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "quantlab/calib/clipping.h"
#include "quantlab/quant/params.h"

namespace quantlab::calib {
namespace {

// Thresholds tried at most; more are subsampled evenly (each costs O(bins)).
constexpr int kMaxThresholds = 512;

int bin_of(const Histogram& h, double x) {
  const double pos = std::floor((x - h.lo()) / h.width());
  return static_cast<int>(std::clamp(pos, 0.0, static_cast<double>(h.bins() - 1)));
}

// Prefix sums over the bins, so that any run of bins costs O(1): its mass, how
// many of its bins hold data, and Σ c·ln c over them.
struct Prefix {
  std::vector<double> count;    // count[i]: counts of bins [0, i)
  std::vector<double> holding;  // bins of [0, i) with data
  std::vector<double> c_log_c;  // Σ c ln c over bins [0, i)
  std::vector<int> next_held;   // the first bin >= i with data (bins if none)
  explicit Prefix(const Histogram& h) {
    const std::size_t n = static_cast<std::size_t>(h.bins());
    count.assign(n + 1, 0.0);
    holding.assign(n + 1, 0.0);
    c_log_c.assign(n + 1, 0.0);
    next_held.assign(n + 1, static_cast<int>(n));
    for (std::size_t i = 0; i < n; ++i) {
      const double c = static_cast<double>(h.counts()[i]);
      count[i + 1] = count[i] + c;
      holding[i + 1] = holding[i] + (c > 0);
      c_log_c[i + 1] = c_log_c[i] + (c > 0 ? c * std::log(c) : 0.0);
    }
    for (std::size_t i = n; i-- > 0;) next_held[i] = h.counts()[i] > 0 ? static_cast<int>(i) : next_held[i + 1];
  }
  double mass(int a, int b) const { return count[static_cast<std::size_t>(b)] - count[static_cast<std::size_t>(a)]; }
  double held(int a, int b) const {
    return holding[static_cast<std::size_t>(b)] - holding[static_cast<std::size_t>(a)];
  }
  double clc(int a, int b) const { return c_log_c[static_cast<std::size_t>(b)] - c_log_c[static_cast<std::size_t>(a)]; }
};

// KL(P || Q) for the clip range [lo, hi] (C5), or +inf when Q misses mass of P.
//   P: the bins overlapping [lo, hi], with the mass outside added to the edge bins.
//   Q: the same bins without that mass, merged per code of the grid (the code of
//      a bin's centre) and spread evenly over the merged bins that hold data.
// Per run of bins sharing a code, with q the run's Q value per holding bin,
//   Σ (c/N) ln((c/N)/q) = (Σ c ln c − m ln(N q)) / N      (m: the run's mass),
// so a candidate costs O(codes in the range that hold data), not O(bins); the
// two edge bins, whose P differs from their count, are corrected one by one.
double clipped_divergence(const Histogram& h, const Prefix& prefix, float lo, float hi, const quant::QuantParams& p) {
  const auto& counts = h.counts();
  const int first = bin_of(h, lo);
  const int last = bin_of(h, hi);
  const double below = prefix.mass(0, first);
  const double above = prefix.mass(last + 1, h.bins());
  const double inside = prefix.mass(first, last + 1);  // the mass Q spreads
  if (inside == 0) return std::numeric_limits<double>::infinity();
  const double total = static_cast<double>(h.total());
  const double s = p.scale[0];
  const double z = p.zero_point[0];
  const double code_min = p.qmin;
  const double code_max = p.qmax;
  // The code of a bin's centre (clamped to the range, which moves only the edge
  // bins' centres); only the grouping matters, so ties go up.
  const auto code_of = [&](int i) {
    const double centre = std::clamp(h.edge(i) + h.width() / 2, static_cast<double>(lo), static_cast<double>(hi));
    return std::clamp(std::floor(centre / s + 0.5) + z, code_min, code_max);
  };
  // The first interior bin whose centre reaches code c + 1.
  const auto next_run_start = [&](double c) {
    const double centre = (c + 1 - z - 0.5) * s;
    return std::ceil((centre - h.lo()) / h.width() - 0.5);
  };
  double kl = 0;
  for (int i = first; i <= last;) {
    // Empty interior bins add nothing (P and Q are 0 there): skip to the next
    // bin with data, or to the last bin, whose P may hold clipped mass.
    if (i > first) i = std::min(prefix.next_held[static_cast<std::size_t>(i)], last);
    const double code = code_of(i);
    int j = last + 1;
    if (code < code_max) {
      j = static_cast<int>(std::clamp(next_run_start(code), static_cast<double>(i + 1), static_cast<double>(last + 1)));
      if (j == last + 1 && last > i && code_of(last) != code) j = last;  // the last bin's centre is clamped
    }
    const double mass = prefix.mass(i, j);
    const double held = prefix.held(i, j);
    const double q = held > 0 ? mass / held / inside : 0.0;
    if (held > 0) kl += (prefix.clc(i, j) - mass * std::log(total * q)) / total;
    // Edge bins: P is the count plus the clipped mass.
    for (const int k : {first, last}) {
      if (k < i || k >= j) continue;
      const double c = static_cast<double>(counts[static_cast<std::size_t>(k)]);
      const double extra = (k == first ? below : 0.0) + (k == last ? above : 0.0);
      if (extra == 0) continue;
      if (c == 0) return std::numeric_limits<double>::infinity();  // P has mass where Q has none
      const double pk = (c + extra) / total;
      kl += pk * std::log(pk / q) - (c / total) * std::log((c / total) / q);
      if (first == last) break;  // one bin carries both tails; corrected once
    }
    i = j;
  }
  return kl;
}

}  // namespace

ClipRange entropy_range(const Histogram& h, const quant::QuantSpec& spec) {
  quant::validate(spec);
  if (h.empty()) return {0.0f, 0.0f};
  const float data_min = h.min();
  const float data_max = h.max();
  const double max_abs = std::max(std::fabs(static_cast<double>(data_min)), std::fabs(static_cast<double>(data_max)));
  ClipRange best{data_min, data_max};
  if (max_abs == 0) return best;
  // (C5) thresholds T = j·width up to max|x| (the last is max|x| itself, the
  // min-max range), range [max(min, −T), min(max, T)].
  const int steps = static_cast<int>(std::ceil(max_abs / h.width()));
  const int stride = std::max(1, steps / kMaxThresholds);
  const Prefix prefix(h);
  double best_kl = std::numeric_limits<double>::infinity();
  for (int j = steps; j >= 1; j -= stride) {
    const double t = std::min(j * h.width(), max_abs);
    const float lo = std::max(data_min, static_cast<float>(-t));
    const float hi = std::min(data_max, static_cast<float>(t));
    if (lo > hi) continue;
    const quant::QuantParams p = quant::params_from_range(spec, {lo}, {hi});
    // At least one bin per code, else Q equals P and the divergence says nothing.
    if (static_cast<double>(p.scale[0]) < h.width()) continue;
    const double kl = clipped_divergence(h, prefix, lo, hi, p);
    if (kl < best_kl) {  // ties keep the wider range, met first
      best_kl = kl;
      best = {lo, hi};
    }
  }
  return best;
}

}  // namespace quantlab::calib
