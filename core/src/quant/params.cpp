#include "quantlab/quant/params.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <limits>
#include <string>

#include "quant/layout.h"
#include "quant/rounding.h"
#include "quantlab/error.h"
#include "quantlab/formats/decomposition.h"

namespace quantlab::quant {
namespace {

// Codes stay within ±2^24 so that every code, and q − z, is exact in float32.
constexpr int kMaxCodeMagnitude = 1 << 24;

std::string text(float v) { return formats::shortest_decimal(v); }

Shape shape_of(const xt::xarray<float>& x) { return Shape(x.shape().begin(), x.shape().end()); }

std::string slot_name(std::size_t i, std::size_t n) {
  return n == 1 ? std::string("the range") : "range " + std::to_string(i);
}

// (Q5) The asymmetric scale in float32 as PyTorch computes it; when the span
// overflows float32 (a range wider than FLT_MAX) it is formed in double instead.
float asymmetric_scale(float min_neg, float max_pos, int levels) {
  const float span = max_pos - min_neg;
  if (std::isinf(span)) {
    return static_cast<float>((static_cast<double>(max_pos) - static_cast<double>(min_neg)) / levels);
  }
  return span / static_cast<float>(levels);
}

}  // namespace

Shape param_shape(const QuantSpec& spec, const Shape& shape) {
  validate(spec, shape);
  switch (spec.granularity) {
    case Granularity::tensor:
      return {1};
    case Granularity::channel:
      return {shape[normalize_axis(spec.axis, shape.size())]};
    case Granularity::group: {
      Shape out = shape;
      out[normalize_axis(spec.axis, shape.size())] /= static_cast<std::size_t>(spec.group_size);
      return out;
    }
  }
  return {1};
}

std::size_t param_count(const QuantSpec& spec, const Shape& shape) { return detail::slot_layout(spec, shape).slots; }

Ranges min_max(const xt::xarray<float>& x, const QuantSpec& spec) {
  const detail::SlotLayout layout = detail::slot_layout(spec, shape_of(x));
  Ranges r;
  r.min.assign(layout.slots, std::numeric_limits<float>::infinity());
  r.max.assign(layout.slots, -std::numeric_limits<float>::infinity());
  const float* data = x.data();
  detail::for_each_slot_run(layout, [&](std::size_t first, std::size_t count, std::size_t stride, std::size_t slot) {
    float lo = r.min[slot];
    float hi = r.max[slot];
    for (std::size_t i = 0; i < count; ++i) {
      const float v = data[first + i * stride];
      if (!std::isfinite(v)) {
        ++r.nonfinite_count;
        continue;
      }
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
    r.min[slot] = lo;
    r.max[slot] = hi;
  });
  for (std::size_t i = 0; i < layout.slots; ++i) {
    if (r.min[i] > r.max[i]) r.min[i] = r.max[i] = 0.0f;  // no finite element
  }
  return r;
}

QuantParams params_from_range(const QuantSpec& spec, const std::vector<float>& min, const std::vector<float>& max) {
  validate(spec);
  if (min.size() != max.size()) {
    throw InvalidArgument("got " + std::to_string(min.size()) + " minima but " + std::to_string(max.size()) +
                          " maxima");
  }
  if (min.empty()) throw InvalidArgument("quantization parameters need at least one range");
  QuantParams p;
  p.qmin = qmin(spec);
  p.qmax = qmax(spec);
  p.granularity = spec.granularity;
  p.axis = spec.axis;
  p.group_size = spec.granularity == Granularity::group ? spec.group_size : 0;
  p.scale.resize(min.size());
  p.zero_point.resize(min.size());
  const int levels = p.qmax - p.qmin;
  for (std::size_t i = 0; i < min.size(); ++i) {
    const float lo = min[i];
    const float hi = max[i];
    if (!std::isfinite(lo) || !std::isfinite(hi)) {
      throw InvalidArgument(slot_name(i, min.size()) + " [" + text(lo) + ", " + text(hi) + "] is not finite");
    }
    if (lo > hi) {
      throw InvalidArgument(slot_name(i, min.size()) + " has min " + text(lo) + " > max " + text(hi));
    }
    const float min_neg = std::min(lo, 0.0f);  // (Q4)
    const float max_pos = std::max(hi, 0.0f);
    if (spec.scheme == Scheme::symmetric) {
      const float max_abs = std::max(-min_neg, max_pos);
      p.scale[i] = std::max(max_abs / (static_cast<float>(levels) / 2.0f), kMinScale);  // (Q7)
      // (Q8) floor((qmin + qmax + 1) / 2); the sum is > -1 for every grid of Q3.
      p.zero_point[i] = (p.qmin + p.qmax + 1) / 2;
    } else {
      const float s = std::max(asymmetric_scale(min_neg, max_pos, levels), kMinScale);  // (Q5)
      p.scale[i] = s;
      // (Q6) in float32 as torch.round(min_val_neg / scale); |min_neg / s| <= levels.
      const double z = static_cast<double>(p.qmin) - detail::round_half_even_f32(min_neg / s);
      p.zero_point[i] =
          static_cast<std::int32_t>(std::clamp(z, static_cast<double>(p.qmin), static_cast<double>(p.qmax)));
    }
  }
  return p;
}

QuantParams params_from_data(const xt::xarray<float>& x, const QuantSpec& spec) {
  const Ranges r = min_max(x, spec);
  QuantParams p = params_from_range(spec, r.min, r.max);
  if (spec.granularity != Granularity::tensor) p.axis = static_cast<int>(normalize_axis(spec.axis, x.dimension()));
  return p;
}

void validate(const QuantParams& params, const Shape& shape) {
  if (!(params.qmin < params.qmax) || params.qmin < -kMaxCodeMagnitude || params.qmax > kMaxCodeMagnitude) {
    throw InvalidArgument("the code range [" + std::to_string(params.qmin) + ", " + std::to_string(params.qmax) +
                          "] must satisfy -2^24 <= qmin < qmax <= 2^24");
  }
  QuantSpec spec;
  spec.granularity = params.granularity;
  spec.axis = params.axis;
  spec.group_size = params.group_size;
  const std::size_t slots = detail::slot_layout(spec, shape).slots;
  if (params.scale.size() != slots || params.zero_point.size() != slots) {
    throw InvalidArgument("the parameters have " + std::to_string(params.scale.size()) + " scales and " +
                          std::to_string(params.zero_point.size()) + " zero points, but " +
                          std::string(to_string(params.granularity)) + " quantization of shape " +
                          shape_to_string(shape) + " needs " + std::to_string(slots));
  }
  for (std::size_t i = 0; i < slots; ++i) {
    const float s = params.scale[i];
    if (!(std::isfinite(s) && s >= FLT_MIN)) {
      throw InvalidArgument("scale " + std::to_string(i) + " is " + text(s) +
                            "; scales must be positive normal float32 numbers");
    }
    const std::int32_t z = params.zero_point[i];
    if (z < params.qmin || z > params.qmax) {
      throw InvalidArgument("zero point " + std::to_string(i) + " is " + std::to_string(z) + ", outside [" +
                            std::to_string(params.qmin) + ", " + std::to_string(params.qmax) + "]");
    }
  }
}

}  // namespace quantlab::quant
