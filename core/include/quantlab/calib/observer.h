// quantlab/calib/observer.h — observers: see many batches, keep bounded
// state (running extremes and a histogram per slot), then choose a clipping
// range and quantization parameters for any spec (C1–C6).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>
#include <xtensor/xarray.hpp>

#include "quantlab/calib/clipping.h"
#include "quantlab/calib/histogram.h"
#include "quantlab/quant/params.h"
#include "quantlab/quant/scheme.h"

namespace quantlab::calib {

/// @brief How an observer turns what it has seen into a clipping range.
enum class ObserverKind {
  minmax,          ///< running min and max (PyTorch MinMaxObserver / PerChannelMinMaxObserver)
  moving_average,  ///< exponential moving average of each batch's min and max (C6)
  percentile,      ///< two-sided percentile of the histogram (C2)
  mse,             ///< least expected quantization MSE on the histogram (C3, C4)
  entropy,         ///< least KL divergence, TensorRT-style (C5)
};

/// @brief "minmax", "moving_average", "percentile", "mse", "entropy".
const char* to_string(ObserverKind kind);
/// @brief The inverse of to_string; unknown names throw InvalidArgument listing the valid ones.
ObserverKind parse_observer_kind(std::string_view name);

/// @brief What to observe and how.
struct ObserverOptions {
  ObserverKind kind = ObserverKind::minmax;
  quant::Granularity granularity = quant::Granularity::tensor;  ///< tensor or channel (not group)
  int axis = 0;                                                 ///< channel axis; negative counts from the end
  float momentum = 0.01f;     ///< moving_average: weight of the newest batch, in (0, 1] (torch's averaging_constant)
  double percentile = 99.99;  ///< percentile: in [50, 100]
  int bins = kDefaultBins;    ///< histogram bins per slot: kMinBins..kMaxBins
};

/// @brief A calibration observer. Memory: one histogram (bins × 8 bytes) and
/// four floats per slot (one slot per tensor, or per channel), whatever the data.
///
/// NaN and ±Inf are skipped and counted (nonfinite_count()); a slot that has
/// seen no finite value has the range [0, 0].
class Observer {
 public:
  /// Validates the options (InvalidArgument on a bad kind, granularity, momentum,
  /// percentile or bin count).
  explicit Observer(const ObserverOptions& options);

  /// @brief Adds one batch. An empty batch is ignored (as PyTorch does). Per
  /// channel, every batch must have the first one's rank and number of channels
  /// along the axis; the other dimensions may change (per tensor, any shape).
  /// A bad axis or channel count throws InvalidArgument and leaves the observer
  /// unchanged.
  void observe(const xt::xarray<float>& batch);

  /// @brief The clipping range per slot for `spec` (mse and entropy depend on the
  /// grid: scheme, bits, sign, narrow range). spec's granularity and axis must
  /// match the observer's; InvalidArgument otherwise, or before any batch was seen.
  quant::Ranges range(const quant::QuantSpec& spec) const;

  /// @brief params_from_range(spec, range(spec)); the axis is the observer's, normalized.
  quant::QuantParams params(const quant::QuantSpec& spec) const;

  /// @brief The histogram of one slot (slot < slots(), else InvalidArgument).
  const Histogram& histogram(std::size_t slot = 0) const;

  std::size_t slots() const { return slots_.size(); }           ///< 0 before the first batch
  std::uint64_t nonfinite_count() const { return nonfinite_; }  ///< NaN and ±Inf skipped so far
  std::uint64_t batch_count() const { return batches_; }        ///< non-empty batches seen
  const ObserverOptions& options() const { return options_; }

 private:
  struct Slot {
    bool seen = false;  // has any finite value arrived
    float min = 0;      // running extremes
    float max = 0;
    float avg_min = 0;  // moving averages (C6)
    float avg_max = 0;
    Histogram hist;
  };

  void check_spec(const quant::QuantSpec& spec) const;

  ObserverOptions options_;
  std::vector<Slot> slots_;
  std::size_t rank_ = 0;  // per channel, every batch has the first batch's rank
  std::size_t axis_ = 0;  // normalized channel axis
  std::uint64_t nonfinite_ = 0;
  std::uint64_t batches_ = 0;
};

/// @brief An observer for `options` (the factory the bindings and the CLI use).
Observer make_observer(const ObserverOptions& options);

/// @brief Parameters and the chosen ranges from one calibration pass.
struct Calibration {
  quant::QuantParams params;
  quant::Ranges range;  ///< per slot, with the count of skipped non-finite values
};

/// @brief Observes `batches` in order with an observer of `options.kind`, whose
/// granularity and axis are taken from `spec`, and returns params(spec) and
/// range(spec). Group granularity works with minmax only (min_max per batch,
/// combined; the batches must then share one shape); other kinds throw
/// InvalidArgument for groups. An empty list throws too.
Calibration calibrate(const std::vector<xt::xarray<float>>& batches, const quant::QuantSpec& spec,
                      const ObserverOptions& options);

}  // namespace quantlab::calib
