// Packing of weights: the panel layout the kernels read, the per-column terms
// of eq. K5/K6, both caller layouts, and the size checks.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "quantlab/error.h"
#include "quantlab/kernels/packed_weights.h"

namespace quantlab::kernels {
namespace {

TEST(PackedWeightsTest, qs8_panel_row_is_16_bytes) { EXPECT_EQ(sizeof(Qs8PanelRow), 16u); }

TEST(PackedWeightsTest, f32_panel_holds_bias_then_k_rows_zero_padded) {
  // B is 3×10: two panels, the second with 2 real columns.
  std::vector<float> b(30), bias(10);
  for (int i = 0; i < 30; ++i) b[i] = static_cast<float>(i + 1);
  for (int j = 0; j < 10; ++j) bias[j] = -static_cast<float>(j + 1);
  const PackedWeightsF32 w = pack_weights_f32(3, 10, b.data(), 10, bias.data());
  ASSERT_EQ(w.panels, 2u);
  ASSERT_EQ(w.data.size(), 2 * 8 * 4u);
  EXPECT_EQ(w.panel(0)[0], -1.0f);     // bias of column 0
  EXPECT_EQ(w.panel(0)[8 + 3], 4.0f);  // B[0][3]
  EXPECT_EQ(w.panel(0)[16 + 0], 11.0f);  // B[1][0]
  EXPECT_EQ(w.panel(1)[1], -10.0f);    // bias of column 9
  EXPECT_EQ(w.panel(1)[8 + 1], 10.0f); // B[0][9]
  EXPECT_EQ(w.panel(1)[8 + 2], 0.0f);  // column 10 does not exist
  EXPECT_NO_THROW(w.check());
}

TEST(PackedWeightsTest, qs8_pairs_k_and_keeps_column_terms) {
  // B is 3×9 (K odd: the last pair is padded with 0).
  std::vector<std::int8_t> b(27);
  for (int i = 0; i < 27; ++i) b[i] = static_cast<std::int8_t>(i - 13);
  const PackedWeightsQs8 w = pack_weights_qs8(3, 9, b.data(), 9, {-2}, std::vector<std::int32_t>(9, 7));
  ASSERT_EQ(w.k_padded, 4u);
  ASSERT_EQ(w.panels, 2u);
  const auto* rows = reinterpret_cast<const Qs8PanelRow*>(w.panel(0));
  EXPECT_EQ(rows[0].w[2][0], b[0 * 9 + 2]);  // B[0][2]
  EXPECT_EQ(rows[0].w[2][1], b[1 * 9 + 2]);  // B[1][2]
  EXPECT_EQ(rows[1].w[2][0], b[2 * 9 + 2]);  // B[2][2]
  EXPECT_EQ(rows[1].w[2][1], 0);             // k = 3 is padding
  EXPECT_EQ(w.column_sums[4], b[4] + b[13] + b[22]);
  EXPECT_EQ(w.zero_point[8], -2);
  EXPECT_EQ(w.zero_point[9], 0);  // padding column
  EXPECT_EQ(w.bias[8], 7);
  EXPECT_TRUE(w.has_zero_point);
  EXPECT_NO_THROW(w.check());
}

TEST(PackedWeightsTest, n_by_k_layout_packs_like_k_by_n) {
  std::vector<std::int8_t> kn(5 * 11), nk(5 * 11);
  for (int kk = 0; kk < 5; ++kk) {
    for (int j = 0; j < 11; ++j) {
      kn[kk * 11 + j] = static_cast<std::int8_t>(kk * 17 - j * 5);
      nk[j * 5 + kk] = kn[kk * 11 + j];
    }
  }
  const PackedWeightsQs8 a = pack_weights_qs8(5, 11, kn.data(), 11, {0}, {});
  const PackedWeightsQs8 b = pack_weights_qs8(5, 11, nk.data(), 5, {0}, {}, WeightLayout::n_by_k);
  EXPECT_EQ(a.data, b.data);
  EXPECT_EQ(a.column_sums, b.column_sums);
}

TEST(PackedWeightsTest, check_catches_inconsistent_sizes) {
  std::vector<std::int8_t> b(16, 1);
  PackedWeightsQs8 w = pack_weights_qs8(4, 4, b.data(), 4, {0}, {});
  w.data.pop_back();
  EXPECT_THROW(w.check(), InvalidArgument);
  std::vector<float> f(16, 1.0f);
  PackedWeightsF32 wf = pack_weights_f32(4, 4, f.data(), 4, nullptr);
  wf.k = 5;
  EXPECT_THROW(wf.check(), InvalidArgument);
}

TEST(PackedWeightsTest, rejects_bad_arguments) {
  std::vector<std::int8_t> b(64, 1);
  EXPECT_THROW(pack_weights_qs8(0, 4, b.data(), 4, {0}, {}), InvalidArgument);
  EXPECT_THROW(pack_weights_qs8(4, 4, b.data(), 3, {0}, {}), InvalidArgument);          // stride < N
  EXPECT_THROW(pack_weights_qs8(4, 4, b.data(), 4, {128}, {}), InvalidArgument);        // zb outside int8
  EXPECT_THROW(pack_weights_qs8(4, 4, b.data(), 4, {0, 0}, {}), InvalidArgument);       // 1 or N zero points
  EXPECT_THROW(pack_weights_qs8(4, 4, b.data(), 4, {0}, {1, 2, 3}), InvalidArgument);   // N biases
  EXPECT_THROW(pack_weights_qs8(kMaxQ8K + 1, 1, b.data(), 1, {0}, {}), InvalidArgument);  // eq. K7 limit
  EXPECT_THROW(pack_weights_qs8(4, 4, nullptr, 4, {0}, {}), InvalidArgument);
  std::vector<float> f(64);
  EXPECT_THROW(pack_weights_f32(4, 0, f.data(), 4, nullptr), InvalidArgument);
  EXPECT_THROW(pack_weights_f32(4, 5, f.data(), 4, nullptr), InvalidArgument);
  EXPECT_THROW(pack_weights_f32(std::size_t{1} << 20, std::size_t{1} << 20, f.data(), std::size_t{1} << 20, nullptr),
               InvalidArgument);  // 2^40 elements
}

}  // namespace
}  // namespace quantlab::kernels
