#include "quantlab/calib/observer.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "quant/layout.h"
#include "quantlab/error.h"

namespace quantlab::calib {
namespace {

template <typename S>
quant::Shape shape_of(const S& s) {
  return quant::Shape(s.begin(), s.end());
}

quant::QuantSpec layout_spec(quant::Granularity granularity, int axis) {
  quant::QuantSpec spec;
  spec.granularity = granularity;
  spec.axis = axis;
  return spec;
}

}  // namespace

const char* to_string(ObserverKind kind) {
  switch (kind) {
    case ObserverKind::minmax:
      return "minmax";
    case ObserverKind::moving_average:
      return "moving_average";
    case ObserverKind::percentile:
      return "percentile";
    case ObserverKind::mse:
      return "mse";
    case ObserverKind::entropy:
      return "entropy";
  }
  return "?";
}

ObserverKind parse_observer_kind(std::string_view name) {
  for (const ObserverKind k : {ObserverKind::minmax, ObserverKind::moving_average, ObserverKind::percentile,
                               ObserverKind::mse, ObserverKind::entropy}) {
    if (name == to_string(k)) return k;
  }
  throw InvalidArgument("unknown observer '" + std::string(name) +
                        "' (expected minmax, moving_average, percentile, mse or entropy)");
}

Observer::Observer(const ObserverOptions& options) : options_(options) {
  parse_observer_kind(to_string(options.kind));  // rejects values outside the enum
  if (options.granularity == quant::Granularity::group) {
    throw InvalidArgument("observers work per tensor or per channel; for groups use min-max (quant::min_max)");
  }
  if (options.granularity != quant::Granularity::tensor && options.granularity != quant::Granularity::channel) {
    throw InvalidArgument("unknown granularity");
  }
  if (!(options.momentum > 0.0f && options.momentum <= 1.0f)) {
    throw InvalidArgument("momentum must be in (0, 1], got " + std::to_string(options.momentum));
  }
  if (!(options.percentile >= 50.0 && options.percentile <= 100.0)) {
    throw InvalidArgument("percentile must be in 50..100, got " + std::to_string(options.percentile));
  }
  Histogram probe(options.bins);  // validates the bin count
}

void Observer::observe(const xt::xarray<float>& batch) {
  if (batch.size() == 0) return;
  const quant::Shape shape = shape_of(batch.shape());
  const quant::detail::SlotLayout layout =
      quant::detail::slot_layout(layout_spec(options_.granularity, options_.axis), shape);
  if (slots_.empty()) {
    if (options_.granularity == quant::Granularity::channel) axis_ = quant::normalize_axis(options_.axis, shape.size());
    rank_ = shape.size();
    slots_.assign(layout.slots, Slot{false, 0, 0, 0, 0, Histogram(options_.bins)});
  } else if (layout.slots != slots_.size() ||
             (options_.granularity == quant::Granularity::channel && shape.size() != rank_)) {
    throw InvalidArgument("this batch has shape " + quant::shape_to_string(shape) + ", but the observer has seen " +
                          std::to_string(rank_) + "-dimensional batches with " + std::to_string(slots_.size()) +
                          (options_.granularity == quant::Granularity::channel
                               ? " channels along axis " + std::to_string(axis_)
                               : std::string(" slot")));
  }
  // Pass 1: this batch's finite extremes per slot.
  const std::size_t n = slots_.size();
  std::vector<float> lo(n, std::numeric_limits<float>::infinity());
  std::vector<float> hi(n, -std::numeric_limits<float>::infinity());
  const float* data = batch.data();
  quant::detail::for_each_slot_run(layout,
                                   [&](std::size_t first, std::size_t count, std::size_t stride, std::size_t slot) {
                                     for (std::size_t i = 0; i < count; ++i) {
                                       const float v = data[first + i * stride];
                                       if (!std::isfinite(v)) {
                                         ++nonfinite_;
                                         continue;
                                       }
                                       lo[slot] = std::min(lo[slot], v);
                                       hi[slot] = std::max(hi[slot], v);
                                     }
                                   });
  for (std::size_t i = 0; i < n; ++i) {
    if (lo[i] > hi[i]) continue;  // no finite value in this slot
    Slot& s = slots_[i];
    if (!s.seen) {
      s.seen = true;
      s.min = s.avg_min = lo[i];
      s.max = s.avg_max = hi[i];
    } else {
      s.min = std::min(s.min, lo[i]);
      s.max = std::max(s.max, hi[i]);
      // (C6) in float32, as torch: m + c · (m_batch − m)
      s.avg_min = s.avg_min + options_.momentum * (lo[i] - s.avg_min);
      s.avg_max = s.avg_max + options_.momentum * (hi[i] - s.avg_max);
    }
    s.hist.include(lo[i], hi[i]);
  }
  // Pass 2: the histograms, whose ranges now hold every finite value.
  quant::detail::for_each_slot_run(layout,
                                   [&](std::size_t first, std::size_t count, std::size_t stride, std::size_t slot) {
                                     Histogram& h = slots_[slot].hist;
                                     for (std::size_t i = 0; i < count; ++i) {
                                       const float v = data[first + i * stride];
                                       if (std::isfinite(v)) h.add(v);
                                     }
                                   });
  ++batches_;
}

void Observer::check_spec(const quant::QuantSpec& spec) const {
  quant::validate(spec);
  if (slots_.empty()) throw InvalidArgument("the observer has not seen any data yet; observe a batch first");
  if (spec.granularity != options_.granularity) {
    throw InvalidArgument(std::string("the observer works per ") + quant::to_string(options_.granularity) +
                          " but the spec asks for per-" + quant::to_string(spec.granularity) + " parameters");
  }
  if (spec.granularity == quant::Granularity::channel && quant::normalize_axis(spec.axis, rank_) != axis_) {
    throw InvalidArgument("the observer's channel axis is " + std::to_string(axis_) + " but the spec asks for axis " +
                          std::to_string(spec.axis));
  }
}

quant::Ranges Observer::range(const quant::QuantSpec& spec) const {
  check_spec(spec);
  quant::Ranges r;
  r.nonfinite_count = nonfinite_;
  r.min.resize(slots_.size());
  r.max.resize(slots_.size());
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    const Slot& s = slots_[i];
    ClipRange c{0.0f, 0.0f};
    if (s.seen) {
      switch (options_.kind) {
        case ObserverKind::minmax:
          c = {s.min, s.max};
          break;
        case ObserverKind::moving_average:
          c = {s.avg_min, s.avg_max};
          break;
        case ObserverKind::percentile:
          c = percentile_range(s.hist, options_.percentile);
          break;
        case ObserverKind::mse:
          c = mse_range(s.hist, spec);
          break;
        case ObserverKind::entropy:
          c = entropy_range(s.hist, spec);
          break;
      }
    }
    r.min[i] = c.min;
    r.max[i] = c.max;
  }
  return r;
}

quant::QuantParams Observer::params(const quant::QuantSpec& spec) const {
  const quant::Ranges r = range(spec);
  quant::QuantParams p = quant::params_from_range(spec, r.min, r.max);
  if (spec.granularity == quant::Granularity::channel) p.axis = static_cast<int>(axis_);
  return p;
}

const Histogram& Observer::histogram(std::size_t slot) const {
  if (slot >= slots_.size()) {
    throw InvalidArgument("histogram slot " + std::to_string(slot) + " does not exist (the observer has " +
                          std::to_string(slots_.size()) + ")");
  }
  return slots_[slot].hist;
}

Observer make_observer(const ObserverOptions& options) { return Observer(options); }

Calibration calibrate(const std::vector<xt::xarray<float>>& batches, const quant::QuantSpec& spec,
                      const ObserverOptions& options) {
  quant::validate(spec);
  if (batches.empty()) throw InvalidArgument("calibration needs at least one batch");
  if (spec.granularity == quant::Granularity::group) {
    if (options.kind != ObserverKind::minmax) {
      throw InvalidArgument(std::string("per-group parameters use the minmax observer; '") + to_string(options.kind) +
                            "' works per tensor or per channel");
    }
    const quant::Shape shape = shape_of(batches[0].shape());
    quant::Ranges r = quant::min_max(batches[0], spec);
    for (std::size_t b = 1; b < batches.size(); ++b) {
      if (shape_of(batches[b].shape()) != shape) {
        throw InvalidArgument("per-group calibration needs batches of one shape; batch 0 is " +
                              quant::shape_to_string(shape) + ", batch " + std::to_string(b) + " is " +
                              quant::shape_to_string(shape_of(batches[b].shape())));
      }
      const quant::Ranges rb = quant::min_max(batches[b], spec);
      for (std::size_t i = 0; i < r.min.size(); ++i) {
        r.min[i] = std::min(r.min[i], rb.min[i]);
        r.max[i] = std::max(r.max[i], rb.max[i]);
      }
      r.nonfinite_count += rb.nonfinite_count;
    }
    quant::QuantParams p = quant::params_from_range(spec, r.min, r.max);
    p.axis = static_cast<int>(quant::normalize_axis(spec.axis, shape.size()));
    return {p, r};
  }
  ObserverOptions o = options;
  o.granularity = spec.granularity;
  o.axis = spec.axis;
  Observer observer(o);
  for (const auto& batch : batches) observer.observe(batch);
  return {observer.params(spec), observer.range(spec)};
}

}  // namespace quantlab::calib
