// quantlab/calib/clipping.h — choosing a clipping range from a histogram:
// percentile (C2), minimum expected MSE (C3, C4) and minimum KL divergence (C5).
// Each works on one slot's histogram; observers call them per slot.
#pragma once

#include <cstdint>

#include "quantlab/calib/histogram.h"
#include "quantlab/quant/scheme.h"

namespace quantlab::calib {

/// @brief A real clipping range [min, max] for one slot.
struct ClipRange {
  float min;
  float max;
};

/// @brief The value below which a fraction q in [0, 1] of the histogram's mass
/// lies, interpolating linearly inside a bin and clamped to [h.min(), h.max()]
/// (C2). An empty histogram gives 0.
double quantile(const Histogram& h, double q);

/// @brief [quantile(1 − p/100), quantile(p/100)]: p percent of the values lie
/// at or below the upper end, and as many above the lower end (C2). p in
/// [50, 100], else InvalidArgument; p = 100 gives [h.min(), h.max()].
ClipRange percentile_range(const Histogram& h, double percentile);

/// @brief Expected squared error per value of quantizing the histogram's data
/// with one slot's grid (scale, zero point, qmin, qmax), modelling each bin's
/// values as uniform over the bin (cut to [h.min(), h.max()]), rounding and
/// clipping error both counted, integrated exactly (C3). 0 for an empty histogram.
double expected_mse(const Histogram& h, float scale, std::int32_t zero_point, int qmin, int qmax);

/// @brief The range whose quantization grid under `spec` has the least
/// expected_mse (C4): symmetric a 1-D search over the threshold T of [−T, T],
/// asymmetric a coordinate search over min and max. [h.min(), h.max()] is
/// always a candidate, so the result is never worse than min-max in this model.
ClipRange mse_range(const Histogram& h, const quant::QuantSpec& spec);

/// @brief The range minimising the KL divergence between the clipped histogram
/// and its quantized version, TensorRT's calibration generalised to any grid
/// (C5). Falls back to [h.min(), h.max()] when no threshold leaves at least one
/// bin per code (e.g. 16 bits with the default 2048 bins).
ClipRange entropy_range(const Histogram& h, const quant::QuantSpec& spec);

}  // namespace quantlab::calib
