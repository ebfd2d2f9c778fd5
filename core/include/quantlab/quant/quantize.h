// quantlab/quant/quantize.h — real to integer codes and back, on whole arrays,
// at any granularity (Q1, Q2, Q9, Q10, Q11).
#pragma once

#include <cstdint>
#include <xtensor/xarray.hpp>

#include "quantlab/quant/params.h"
#include "quantlab/quant/scheme.h"

namespace quantlab::quant {

/// @brief q = clamp(round(x · (1/s)) + z, qmin, qmax) per element, with the
/// element's slot's s and z (Q2, Q11). 1/s and the product are float32, as
/// PyTorch computes them, so the codes equal torch.quantize_per_tensor /
/// quantize_per_channel exactly. ±Inf saturate to qmin / qmax; NaN throws
/// InvalidArgument (naming the first index), as does a `params` that does not fit
/// x's shape (validate(params, shape)). Stochastic rounding draws from a hash of
/// (seed, flat element index), so it is reproducible on every platform (Q10).
xt::xarray<std::int32_t> quantize(const xt::xarray<float>& x, const QuantParams& params,
                                  Rounding rounding = Rounding::half_even, std::uint64_t seed = 0);

/// @brief x̂ = s · (q − z) per element in float32 (Q1). Codes outside
/// [qmin, qmax] throw InvalidArgument. A level beyond float32's range (only for
/// ranges within a step of ±FLT_MAX) saturates to ±FLT_MAX.
xt::xarray<float> dequantize(const xt::xarray<std::int32_t>& q, const QuantParams& params);

/// @brief dequantize(quantize(x)) without the integer array (Q9): the float
/// values the quantized model sees. Same rounding, errors and results.
xt::xarray<float> fake_quantize(const xt::xarray<float>& x, const QuantParams& params,
                                Rounding rounding = Rounding::half_even, std::uint64_t seed = 0);

}  // namespace quantlab::quant
