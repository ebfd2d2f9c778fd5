#include "quantlab/quant/scheme.h"

#include <string>

#include "quantlab/error.h"

namespace quantlab::quant {

int qmin(const QuantSpec& spec) {  // (Q3)
  if (!spec.is_signed) return spec.narrow_range ? 1 : 0;
  const int half = 1 << (spec.bits - 1);
  return spec.narrow_range ? -(half - 1) : -half;
}

int qmax(const QuantSpec& spec) {  // (Q3)
  return spec.is_signed ? (1 << (spec.bits - 1)) - 1 : (1 << spec.bits) - 1;
}

void validate(const QuantSpec& spec) {
  if (!((spec.bits >= 2 && spec.bits <= 8) || spec.bits == 16)) {
    throw InvalidArgument("bits must be 2..8 or 16, got " + std::to_string(spec.bits));
  }
  if (spec.scheme != Scheme::symmetric && spec.scheme != Scheme::asymmetric) {
    throw InvalidArgument("unknown quantization scheme");
  }
  if (spec.rounding != Rounding::half_even && spec.rounding != Rounding::half_away &&
      spec.rounding != Rounding::stochastic) {
    throw InvalidArgument("unknown rounding mode");
  }
  switch (spec.granularity) {
    case Granularity::tensor:
    case Granularity::channel:
      return;
    case Granularity::group:
      if (spec.group_size <= 0) {
        throw InvalidArgument("group size must be positive, got " + std::to_string(spec.group_size));
      }
      return;
  }
  throw InvalidArgument("unknown granularity");
}

std::size_t normalize_axis(int axis, std::size_t rank) {
  const long long r = static_cast<long long>(rank);
  const long long a = axis < 0 ? axis + r : axis;
  if (a < 0 || a >= r) {
    throw InvalidArgument("axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank) +
                          (rank == 0 ? "" : " (expected " + std::to_string(-r) + ".." + std::to_string(r - 1) + ")"));
  }
  return static_cast<std::size_t>(a);
}

void validate(const QuantSpec& spec, const Shape& shape) {
  validate(spec);
  if (spec.granularity == Granularity::tensor) return;
  const char* what = spec.granularity == Granularity::channel ? "per-channel" : "per-group";
  if (shape.empty()) {
    throw InvalidArgument(std::string(what) + " quantization needs an axis, but the array is a scalar (shape [])");
  }
  const long long r = static_cast<long long>(shape.size());
  if (spec.axis < -r || spec.axis >= r) {
    throw InvalidArgument(std::string(what) + " axis " + std::to_string(spec.axis) + " does not exist in shape " +
                          shape_to_string(shape) + " (expected " + std::to_string(-r) + ".." + std::to_string(r - 1) +
                          ")");
  }
  if (spec.granularity == Granularity::group) {
    const std::size_t extent = shape[normalize_axis(spec.axis, shape.size())];
    if (extent % static_cast<std::size_t>(spec.group_size) != 0) {
      throw InvalidArgument("group size " + std::to_string(spec.group_size) + " does not divide the length " +
                            std::to_string(extent) + " of axis " + std::to_string(spec.axis) + " in shape " +
                            shape_to_string(shape));
    }
  }
}

const char* to_string(Scheme s) { return s == Scheme::symmetric ? "symmetric" : "asymmetric"; }

const char* to_string(Granularity g) {
  switch (g) {
    case Granularity::tensor:
      return "tensor";
    case Granularity::channel:
      return "channel";
    case Granularity::group:
      return "group";
  }
  return "?";
}

const char* to_string(Rounding r) {
  switch (r) {
    case Rounding::half_even:
      return "half_even";
    case Rounding::half_away:
      return "half_away";
    case Rounding::stochastic:
      return "stochastic";
  }
  return "?";
}

Scheme parse_scheme(std::string_view name) {
  if (name == "symmetric") return Scheme::symmetric;
  if (name == "asymmetric") return Scheme::asymmetric;
  throw InvalidArgument("unknown scheme '" + std::string(name) + "' (expected symmetric or asymmetric)");
}

Granularity parse_granularity(std::string_view name) {
  if (name == "tensor") return Granularity::tensor;
  if (name == "channel") return Granularity::channel;
  if (name == "group") return Granularity::group;
  throw InvalidArgument("unknown granularity '" + std::string(name) + "' (expected tensor, channel or group)");
}

Rounding parse_rounding(std::string_view name) {
  if (name == "half_even") return Rounding::half_even;
  if (name == "half_away") return Rounding::half_away;
  if (name == "stochastic") return Rounding::stochastic;
  throw InvalidArgument("unknown rounding '" + std::string(name) + "' (expected half_even, half_away or stochastic)");
}

std::string shape_to_string(const Shape& shape) {
  std::string out = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i) out += ", ";
    out += std::to_string(shape[i]);
  }
  return out + "]";
}

}  // namespace quantlab::quant
