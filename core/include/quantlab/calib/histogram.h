// quantlab/calib/histogram.h — a histogram with a fixed number of bins whose
// range grows by re-binning onto doubled bins, so memory stays bounded however
// much data is seen (C1).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace quantlab::calib {

/// @brief Default bins per histogram (as PyTorch's HistogramObserver and TensorRT).
constexpr int kDefaultBins = 2048;
/// @brief Fewest bins a histogram may have.
constexpr int kMinBins = 4;
/// @brief Most bins a histogram may have (8 MiB of counts).
constexpr int kMaxBins = 1 << 20;

/// @brief Equal-width bins over [lo, lo + bins·width), always containing 0 and
/// every value added, strictly below the top. When a range must grow, the width
/// doubles as often as needed (2^k) and the grid shifts by whole old bins, so
/// each old bin falls inside one new bin and its count moves there whole (C1):
/// counts are never split or approximated, only coarsened. Afterwards
/// width < 2·span / (bins − 2), span being that of the data and 0 (the first
/// range is exact: width = span / bins). Memory: bins × 8 bytes.
class Histogram {
 public:
  /// `bins` must be in kMinBins..kMaxBins, else InvalidArgument.
  explicit Histogram(int bins = kDefaultBins);

  /// @brief Grows the range until it holds [lo, hi] and 0. lo <= hi, both finite,
  /// else InvalidArgument. The first call sets the range to
  /// [min(lo, 0), max(hi, 0)], the top nudged up by ulps so that max(hi, 0) lies
  /// inside (a span of FLT_MIN when both are 0).
  void include(float lo, float hi);

  /// @brief Counts one finite value (NaN and ±Inf throw InvalidArgument). A value
  /// outside the range grows it first; calling include() with a batch's extremes
  /// beforehand grows it once for the batch.
  void add(float v);

  int bins() const { return static_cast<int>(counts_.size()); }
  double lo() const { return lo_; }                      ///< left edge of bin 0
  double width() const { return width_; }                ///< width of every bin
  double hi() const { return lo_ + width_ * bins(); }    ///< right edge of the last bin (exclusive)
  double edge(int i) const { return lo_ + width_ * i; }  ///< left edge of bin i (i = bins: hi())
  std::vector<double> edges() const;                     ///< bins + 1 edges
  const std::vector<std::uint64_t>& counts() const { return counts_; }
  std::uint64_t total() const { return total_; }  ///< values added
  bool empty() const { return total_ == 0; }
  float min() const { return min_; }  ///< smallest value added (0 when empty)
  float max() const { return max_; }  ///< largest value added (0 when empty)

 private:
  void regrid(double need_lo, double need_hi);

  std::vector<std::uint64_t> counts_;
  double lo_ = 0;
  double width_ = 0;  // 0 until the first include()
  std::uint64_t total_ = 0;
  float min_ = 0;
  float max_ = 0;
};

}  // namespace quantlab::calib
