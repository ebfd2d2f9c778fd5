#include "quantlab/calib/histogram.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <string>

#include "quantlab/error.h"

namespace quantlab::calib {

Histogram::Histogram(int bins) {
  if (bins < kMinBins || bins > kMaxBins) {
    throw InvalidArgument("histogram bins must be in " + std::to_string(kMinBins) + ".." + std::to_string(kMaxBins) +
                          ", got " + std::to_string(bins));
  }
  counts_.assign(static_cast<std::size_t>(bins), 0);
}

std::vector<double> Histogram::edges() const {
  std::vector<double> e(counts_.size() + 1);
  for (int i = 0; i <= bins(); ++i) e[static_cast<std::size_t>(i)] = edge(i);
  return e;
}

void Histogram::include(float lo, float hi) {
  if (!std::isfinite(lo) || !std::isfinite(hi) || lo > hi) {
    throw InvalidArgument("histogram range must be finite with lo <= hi");
  }
  // Everything the range must hold: the new range, the data so far, and 0.
  double need_lo = std::min(static_cast<double>(lo), 0.0);
  double need_hi = std::max(static_cast<double>(hi), 0.0);
  if (width_ == 0) {
    lo_ = need_lo;
    // Both 0: a span of FLT_MIN, far below any nonzero float32 range that matters.
    width_ = (need_hi > need_lo ? need_hi - need_lo : static_cast<double>(FLT_MIN)) / bins();
    // The top stays strictly above the data, so no value sits on the upper edge.
    while (!(this->hi() > need_hi)) width_ = std::nextafter(width_, INFINITY);
    return;
  }
  if (need_lo >= lo_ && need_hi < this->hi()) return;
  if (total_ > 0) {
    need_lo = std::min(need_lo, static_cast<double>(min_));
    need_hi = std::max(need_hi, static_cast<double>(max_));
  }
  regrid(need_lo, need_hi);
}

// (C1) The new grid keeps old edges: width w' = 2^k·w and lo' = lo − j·w for
// integers k >= 0 and j, so every old bin lies inside one new bin and its count
// moves there whole. k is the least for which some j puts [need_lo, need_hi]
// inside [lo', lo' + bins·w'); j centres the data. Hence w' < 2·span/(bins − 2).
void Histogram::regrid(double need_lo, double need_hi) {
  const double b = bins();
  double factor = 1;
  double j = 0;
  for (;; factor *= 2) {
    const double j_min = std::ceil((lo_ - need_lo) / width_);
    const double j_max = std::ceil((lo_ - need_hi) / width_ + b * factor) - 1;  // keeps need_hi below the top
    if (j_min <= j_max) {
      j = std::floor((j_min + j_max) / 2);
      break;
    }
  }
  const double new_lo = lo_ - j * width_;
  const double new_width = width_ * factor;
  std::vector<std::uint64_t> moved(counts_.size(), 0);
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    if (counts_[i] == 0) continue;
    // The new bin of the old bin's centre: exact while the old edges are new
    // edges, and harmless when an old bin is far narrower than a new one.
    const double centre = lo_ + (static_cast<double>(i) + 0.5) * width_;
    const double pos = std::floor((centre - new_lo) / new_width);
    moved[static_cast<std::size_t>(std::clamp(pos, 0.0, b - 1))] += counts_[i];
  }
  counts_.swap(moved);
  lo_ = new_lo;
  width_ = new_width;
}

void Histogram::add(float v) {
  if (width_ == 0 || !(v >= lo_ && v < hi())) include(v, v);  // also rejects NaN and ±Inf
  const double pos = (static_cast<double>(v) - lo_) / width_;
  const long long last = static_cast<long long>(counts_.size()) - 1;
  const long long bin = std::clamp(static_cast<long long>(std::floor(pos)), 0LL, last);
  ++counts_[static_cast<std::size_t>(bin)];
  if (total_ == 0) {
    min_ = max_ = v;
  } else {
    min_ = std::min(min_, v);
    max_ = std::max(max_, v);
  }
  ++total_;
}

}  // namespace quantlab::calib
