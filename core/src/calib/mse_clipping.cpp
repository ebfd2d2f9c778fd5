// Clipping that minimises the expected quantization MSE on a histogram (C3, C4).
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "calib/search.h"
#include "formats/rounding.h"
#include "quantlab/calib/clipping.h"
#include "quantlab/quant/params.h"

namespace quantlab::calib {
namespace {

double cube(double v) { return v * v * v; }

// ∫ from −s/2 to x of e(t)² dt, e(t) = t − s·round(t / s): n whole periods of
// s³/12 each, plus the part of the current period (C3).
double periodic_error_integral(double x, double s) {
  const double n = std::floor(x / s + 0.5);
  const double r = x - s * n;  // in [−s/2, s/2)
  return n * cube(s) / 12.0 + (cube(r) + cube(s) / 8.0) / 3.0;
}

// The grid of one slot in real units (C3).
struct RealGrid {
  double s;
  double z;
  double code_min;  // qmin, as a real
  double code_max;  // qmax
  double low;       // s·(qmin − z): the lowest level
  double high;      // s·(qmax − z): the highest level
};

// Squared error of one value under the grid (Q2 then Q1, in double).
double point_error(double x, const RealGrid& g) {
  const double q = std::clamp(formats::round_half_even(x / g.s) + g.z, g.code_min, g.code_max);
  const double e = x - g.s * (q - g.z);
  return e * e;
}

// ∫ over [u, v] of (Q(x) − x)²: clipped to the lowest level below L = low − s/2,
// to the highest above U = high + s/2, periodic rounding error between (C3).
// Adjacent bins share an edge, so the periodic antiderivative at the previous
// upper end is remembered (`memo`) and reused as this lower end.
struct EdgeMemo {
  double at = 0;
  double value = 0;
  bool valid = false;
};

double error_integral(double u, double v, const RealGrid& g, EdgeMemo& memo) {
  const double lower = g.low - g.s / 2;
  const double upper = g.high + g.s / 2;
  double total = 0;
  if (u < lower) total += (cube(std::min(v, lower) - g.low) - cube(u - g.low)) / 3.0;
  const double a = std::max(u, lower);
  const double b = std::min(v, upper);
  if (a < b) {
    const double fa = memo.valid && memo.at == a ? memo.value : periodic_error_integral(a, g.s);
    const double fb = periodic_error_integral(b, g.s);
    memo = {b, fb, true};
    total += fb - fa;
  }
  if (v > upper) total += (cube(v - g.high) - cube(std::max(u, upper) - g.high)) / 3.0;
  return total;
}

// The histogram's non-empty bins, each cut to the data's extremes (no mass is
// modelled beyond min and max): what every evaluation of (C3) reads, built
// once per search so that sparse histograms cost only their occupied bins.
struct Mass {
  double u;  // the bin's lower end, cut to [min, max]
  double v;  // its upper end
  double count;
};

std::vector<Mass> occupied_bins(const Histogram& h) {
  std::vector<Mass> out;
  const double data_min = h.min();
  const double data_max = h.max();
  const auto& counts = h.counts();
  for (int i = 0; i < h.bins(); ++i) {
    const std::uint64_t c = counts[static_cast<std::size_t>(i)];
    if (c == 0) continue;
    out.push_back({std::clamp(h.edge(i), data_min, data_max), std::clamp(h.edge(i + 1), data_min, data_max),
                   static_cast<double>(c)});
  }
  return out;
}

double mean_squared_error(const std::vector<Mass>& bins, double total, float scale, std::int32_t zero_point, int qmin,
                          int qmax) {
  const double s = scale;
  const double z = zero_point;
  const RealGrid g{s, z, static_cast<double>(qmin), static_cast<double>(qmax), s * (qmin - z), s * (qmax - z)};
  // Below this width a bin's values are treated as one point: the error varies
  // by a negligible fraction of s across it, and the integral would cancel.
  const double point_width = 1e-6 * s;
  EdgeMemo memo;
  double sum = 0;
  for (const Mass& m : bins) {
    const double mean =
        m.v - m.u <= point_width ? point_error((m.u + m.v) / 2, g) : error_integral(m.u, m.v, g, memo) / (m.v - m.u);
    sum += m.count * mean;
  }
  return sum / total;
}

}  // namespace

double expected_mse(const Histogram& h, float scale, std::int32_t zero_point, int qmin, int qmax) {
  if (h.empty()) return 0.0;
  return mean_squared_error(occupied_bins(h), static_cast<double>(h.total()), scale, zero_point, qmin, qmax);
}

ClipRange mse_range(const Histogram& h, const quant::QuantSpec& spec) {
  quant::validate(spec);
  if (h.empty()) return {0.0f, 0.0f};
  const float data_min = h.min();
  const float data_max = h.max();
  const std::vector<Mass> bins = occupied_bins(h);
  const double total = static_cast<double>(h.total());
  const auto error_of = [&](float lo, float hi) {
    const quant::QuantParams p = quant::params_from_range(spec, {lo}, {hi});
    return mean_squared_error(bins, total, p.scale[0], p.zero_point[0], p.qmin, p.qmax);
  };
  const float min_neg = std::min(data_min, 0.0f);
  const float max_pos = std::max(data_max, 0.0f);
  if (spec.scheme == quant::Scheme::symmetric) {
    // (C4) one threshold T, range [−T, T]; T = max|x| is min-max.
    const float max_abs = std::max(-min_neg, max_pos);
    if (max_abs == 0.0f) return {data_min, data_max};
    const Minimum best = minimise_on_interval(0.0, max_abs, [&](double t) {
      const float tf = static_cast<float>(t);
      return error_of(-tf, tf);
    });
    const float t = static_cast<float>(best.at);
    return {-t, t};
  }
  // (C4) asymmetric: coordinate search from the min-max range, min in
  // [min_neg, 0] with max fixed, then max in [0, max_pos] with min fixed,
  // until neither moves. Each step keeps the current value as a candidate, so
  // the error never increases.
  constexpr int kMaxRounds = 4;
  float lo = min_neg;
  float hi = max_pos;
  double err = error_of(lo, hi);
  for (int round = 0; round < kMaxRounds; ++round) {
    const double before = err;
    if (lo < 0.0f) {
      const Minimum m =
          minimise_on_interval(min_neg, 0.0, [&](double a) { return error_of(static_cast<float>(a), hi); });
      if (m.value < err) {
        lo = static_cast<float>(m.at);
        err = m.value;
      }
    }
    if (hi > 0.0f) {
      const Minimum m =
          minimise_on_interval(0.0, max_pos, [&](double b) { return error_of(lo, static_cast<float>(b)); });
      if (m.value < err) {
        hi = static_cast<float>(m.at);
        err = m.value;
      }
    }
    if (!(err < before)) break;
  }
  return {lo, hi};
}

}  // namespace quantlab::calib
