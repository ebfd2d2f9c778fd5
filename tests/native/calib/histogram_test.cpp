// Histogram (C1): growth by re-binning keeps every count exact, keeps memory
// fixed, keeps 0 and the data inside the range and the width below
// 2·span / (bins − 2); bad bin counts and non-finite values are rejected.
#include "quantlab/calib/histogram.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <string>
#include <vector>

#include "quant/sample_data.h"
#include "quantlab/error.h"

namespace quantlab::calib {
namespace {

// Bins per histogram in the sweeps: the fewest, odd, a power of two ± 1, the default.
const std::vector<int> kBinCounts = {kMinBins, 7, 15, 16, 17, kDefaultBins};

// One histogram built from scratch over the final edges, for comparison.
std::vector<std::uint64_t> bin_directly(const Histogram& h, const std::vector<float>& values) {
  std::vector<std::uint64_t> counts(static_cast<std::size_t>(h.bins()), 0);
  for (const float v : values) {
    const double pos = std::floor((static_cast<double>(v) - h.lo()) / h.width());
    ++counts[static_cast<std::size_t>(std::clamp(pos, 0.0, static_cast<double>(h.bins() - 1)))];
  }
  return counts;
}

TEST(CalibHistogram, counts_after_any_growth_equal_binning_everything_over_the_final_edges) {
  for (const int bins : kBinCounts) {
    for (std::uint64_t seed = 1; seed <= 20; ++seed) {
      test::Sampler rng(seed);
      Histogram h(bins);
      std::vector<float> all;
      double spread = 1e-3;
      for (int batch = 0; batch < 12; ++batch) {
        // Batches that drift and widen, so the range grows left, right or both.
        const double centre = rng.uniform(-2, 2) * spread;
        std::vector<float> b;
        for (int i = 0; i < 50; ++i) b.push_back(static_cast<float>(centre + rng.normal() * spread));
        const auto [lo, hi] = std::minmax_element(b.begin(), b.end());
        h.include(*lo, *hi);
        for (const float v : b) h.add(v);
        all.insert(all.end(), b.begin(), b.end());
        spread *= rng.uniform(1, 6);
      }
      EXPECT_EQ(h.counts(), bin_directly(h, all)) << bins << " bins, seed " << seed;
      EXPECT_EQ(h.total(), all.size());
      EXPECT_EQ(h.counts().size(), static_cast<std::size_t>(bins)) << "memory stays at the bin count";
      EXPECT_EQ(h.min(), *std::min_element(all.begin(), all.end()));
      EXPECT_EQ(h.max(), *std::max_element(all.begin(), all.end()));
    }
  }
}

TEST(CalibHistogram, range_holds_zero_and_the_data_and_width_stays_below_twice_the_span_over_bins_minus_2) {
  for (const int bins : kBinCounts) {
    for (std::uint64_t seed = 1; seed <= 20; ++seed) {
      test::Sampler rng(seed);
      Histogram h(bins);
      double lo = 0, hi = 0;
      for (int batch = 0; batch < 10; ++batch) {
        const float v = static_cast<float>(rng.uniform(-1, 3) * std::pow(10.0, batch * rng.uniform(0, 0.5)));
        h.add(v);
        lo = std::min(lo, static_cast<double>(v));
        hi = std::max(hi, static_cast<double>(v));
        ASSERT_LE(h.lo(), 0.0);
        ASSERT_GE(h.hi(), 0.0);
        ASSERT_LE(h.lo(), lo);
        ASSERT_GT(h.hi(), hi);
        ASSERT_LT(h.width() * (bins - 2), 2 * (hi - lo)) << bins << " bins, seed " << seed << ", batch " << batch;
      }
    }
  }
}

TEST(CalibHistogram, first_range_is_the_data_and_zero_and_growth_centres_the_data) {
  Histogram h(4);
  h.include(2.0f, 6.0f);
  EXPECT_EQ(h.lo(), 0.0);
  EXPECT_DOUBLE_EQ(h.width(), 1.5);  // nudged up by an ulp: 6 lies strictly inside
  EXPECT_GT(h.hi(), 6.0);
  for (const float v : {2.0f, 2.9f, 3.1f, 6.0f}) h.add(v);
  EXPECT_EQ(h.counts(), (std::vector<std::uint64_t>{0, 2, 1, 1}));
  // −1 does not fit: the width doubles and the grid shifts two old bins left,
  // [−3, 9) in bins of 3, so [−1, 6] sits in the middle.
  h.add(-1.0f);
  EXPECT_DOUBLE_EQ(h.lo(), -3.0);
  EXPECT_DOUBLE_EQ(h.width(), 3.0);
  EXPECT_EQ(h.counts(), (std::vector<std::uint64_t>{1, 2, 2, 0}));
  // 8 fits now: no change of grid.
  h.add(8.0f);
  EXPECT_DOUBLE_EQ(h.width(), 3.0);
  EXPECT_EQ(h.counts(), (std::vector<std::uint64_t>{1, 2, 2, 1}));
}

TEST(CalibHistogram, all_zero_data_then_values_from_1e_minus_30_to_float_max) {
  Histogram h;
  for (int i = 0; i < 10; ++i) h.add(0.0f);
  EXPECT_GT(h.width(), 0.0);
  for (const float v : {1e-30f, -1e-30f, 1e30f, -3e30f, FLT_MAX, -FLT_MAX, 0x1p-149f}) h.add(v);
  EXPECT_TRUE(std::isfinite(h.width()));
  EXPECT_TRUE(std::isfinite(h.lo()));
  EXPECT_TRUE(std::isfinite(h.hi()));
  EXPECT_EQ(h.total(), 17u);
  EXPECT_EQ(std::accumulate(h.counts().begin(), h.counts().end(), std::uint64_t{0}), 17u);
  EXPECT_EQ(h.min(), -FLT_MAX);
  EXPECT_EQ(h.max(), FLT_MAX);
}

TEST(CalibHistogram, bad_bin_counts_and_nonfinite_values_are_rejected) {
  for (const int bins : {-2, 0, 1, kMinBins - 1, kMaxBins + 1})
    EXPECT_THROW(Histogram h(bins), InvalidArgument) << bins;
  EXPECT_NO_THROW(Histogram h(kMaxBins));
  EXPECT_NO_THROW(Histogram h(kMinBins));
  Histogram h(8);
  EXPECT_THROW(h.add(std::numeric_limits<float>::quiet_NaN()), InvalidArgument);
  EXPECT_THROW(h.add(std::numeric_limits<float>::infinity()), InvalidArgument);
  EXPECT_THROW(h.include(1.0f, 0.0f), InvalidArgument);
  EXPECT_TRUE(h.empty());
}

}  // namespace
}  // namespace quantlab::calib
