// quantlab/ptq/report.h — where quantization error enters: a numeric-suite
// report per layer (isolated and propagated SQNR), classification accuracy of
// float against quantized, and per-layer sensitivity with a mixed-precision plan.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "quantlab/model/session.h"
#include "quantlab/ptq/ptq.h"

namespace quantlab::ptq {

/// @brief Progress of a long step: `done` of `total` units of `stage`.
using Progress = std::function<void(const std::string& stage, std::int64_t done, std::int64_t total)>;

/// @brief A histogram of values (edges.size() == counts.size() + 1).
struct Histogram {
  std::vector<double> edges;
  std::vector<std::uint64_t> counts;
};

/// @brief An activation as calibration saw it and as it is quantized.
struct ActivationSummary {
  std::string name;
  ActivationParams params;
  Histogram histogram;  ///< of the observed values (the observer's, coarsened to at most 128 bins)
};

/// @brief A weight and its quantization.
struct WeightSummary {
  std::string name;
  std::vector<std::int64_t> shape;
  quant::QuantParams params;       ///< one slot per output channel, or one
  std::vector<float> min, max;     ///< per slot: the weight's extremes
  std::vector<float> clip_min, clip_max;  ///< per slot: the clipping range chosen
  Histogram histogram;             ///< of all weight values, 128 bins
  double sqnr_db = 0;              ///< of the dequantized weight against the float one
};

/// @brief Error of one layer's output, quantized against float.
struct LayerError {
  double sqnr_db = 0;  ///< +inf when equal
  double max_abs_error = 0;
  double mse = 0;
};

struct LayerReport {
  Layer layer;
  bool quantized = false;
  LayerError isolated;    ///< only this layer quantized (its input, weight and output)
  LayerError propagated;  ///< the whole quantized model, error accumulated up to here
  WeightSummary weight;
  ActivationSummary input;   ///< static mode; empty name otherwise
  ActivationSummary output;  ///< static mode; empty name otherwise
};

/// @brief The numeric-suite report.
struct Report {
  std::vector<LayerReport> layers;
  std::int64_t samples = 0;                 ///< inputs compared
  LayerError model_output;                  ///< of the graph output, whole quantized model
  SizeBreakdown float_size;                 ///< the float model as an ONNX file
  SizeBreakdown quantized_size;             ///< the quantized model as an ONNX file
};

/// @brief Compares per-layer outputs of the float (prepared) model, of the
/// quantized model, and of one model per quantized layer with only that layer
/// quantized, on `inputs` (feeds of the model's input, batched as given).
/// `calibrator` supplies the activation histograms (static mode; may be null).
Report numeric_report(const Prepared& prepared, const Options& options, const Calibration& calibration,
                      const std::vector<std::map<std::string, model::Tensor>>& inputs,
                      const Calibrator* calibrator = nullptr, const Progress& progress = {});

/// @brief Top-1 predictions of a classifier whose first output is [N, classes].
std::vector<std::int64_t> predict(const model::Session& session, const std::string& input,
                                  const model::Tensor& inputs, std::int64_t batch = 50,
                                  const Progress& progress = {});

/// @brief Float against quantized on labelled data.
struct Evaluation {
  std::int64_t count = 0;
  double float_accuracy = 0;   ///< fraction in [0, 1]
  double quantized_accuracy = 0;
  double agreement = 0;        ///< same top-1
  std::vector<std::int64_t> float_predictions, quantized_predictions;
  std::vector<std::int64_t> disagreements;  ///< indices where the top-1 differ
};
Evaluation compare_predictions(const std::vector<std::int64_t>& float_predictions,
                               const std::vector<std::int64_t>& quantized_predictions,
                               const std::vector<std::int64_t>& labels);

struct LayerSensitivity {
  std::string layer;
  double accuracy = 0;  ///< with only this layer quantized
  double drop = 0;      ///< float accuracy − accuracy, in points of fraction (0.01 = 1 %)
};

/// @brief One step of the mixed-precision search.
struct PlanStep {
  std::vector<std::string> keep_float;
  double accuracy = 0;
};

struct Sensitivity {
  double float_accuracy = 0;
  double quantized_accuracy = 0;   ///< every layer of `options` quantized
  double budget = 0;               ///< allowed accuracy drop (fraction)
  std::vector<LayerSensitivity> layers;  ///< most sensitive first
  std::vector<PlanStep> steps;     ///< from options.keep_float, one more layer kept float per step
  std::vector<std::string> plan;   ///< the first step within budget (or the last step)
  bool within_budget = false;
};

/// @brief Accuracy with each quantized layer alone quantized, then the greedy
/// plan: keep in float the most sensitive layer still quantized until the
/// whole model is within `budget` of float accuracy (at most `max_steps` layers).
/// `evaluation`, when given, is compare_predictions of the float and the
/// options' model on these inputs: its accuracies are used instead of
/// evaluating both models again.
Sensitivity sensitivity(const Prepared& prepared, const Options& options, const Calibration& calibration,
                        const model::Tensor& inputs, const std::vector<std::int64_t>& labels, double budget,
                        int max_steps = 8, const Progress& progress = {}, const Evaluation* evaluation = nullptr);

/// @brief One layer's weights at low bits, the rest of the model as the options say.
struct LowBitLayer {
  std::string layer;
  double accuracy = 0;
  double drop = 0;               ///< float accuracy − accuracy
  std::int64_t bytes_saved = 0;  ///< file bytes saved against the layer at the options' bits
};

/// @brief One step of the low-bit search: one more layer tried at low bits.
struct LowBitStep {
  std::string layer;   ///< the layer tried
  double accuracy = 0; ///< the whole model with the accepted layers and this one at low bits
  std::int64_t bytes = 0;  ///< that model's file size
  bool accepted = false;   ///< within budget: kept for the next steps
};

/// @brief Which layers can hold `bits`-bit weights within the accuracy budget:
/// the smallest file the greedy search finds (see low_bit_plan).
struct LowBitPlan {
  int bits = 4;
  double float_accuracy = 0;
  double quantized_accuracy = 0;      ///< the model of `options`
  std::int64_t quantized_bytes = 0;   ///< its file size
  std::int64_t float_bytes = 0;       ///< the float model's file size
  double budget = 0;
  std::vector<LowBitLayer> layers;    ///< the search's order: bytes saved per point lost, best first
  std::vector<LowBitStep> steps;
  std::map<std::string, int> plan;    ///< weights.layer_bits to apply (the options' own entries included)
  double accuracy = 0;                ///< of the plan
  std::int64_t bytes = 0;             ///< of the plan
  bool within_budget = false;         ///< the options' model itself is within budget (else the plan is empty)
};

/// @brief Per layer, accuracy with its weights at `bits` (the others as in
/// `options`); then the greedy plan: try the layers in order of bytes saved per
/// point of accuracy lost (those that lose nothing first), and keep each whose
/// addition leaves the model within `budget` of float accuracy.
/// Static mode only (dynamic layers keep 8-bit weights for MatMulInteger).
/// `evaluation` as for sensitivity().
LowBitPlan low_bit_plan(const Prepared& prepared, const Options& options, const Calibration& calibration,
                        const model::Tensor& inputs, const std::vector<std::int64_t>& labels, double budget,
                        int bits = 4, const Progress& progress = {}, const Evaluation* evaluation = nullptr);

}  // namespace quantlab::ptq

namespace quantlab::ptq {

/// @brief The report (and, when given, the evaluation and sensitivity) as JSON
/// with camelCase keys — the shape the npm package returns and `quantlab ptq
/// --report` writes. Non-finite numbers are the strings "Infinity",
/// "-Infinity" and "NaN".
std::string report_to_json(const Report& report, const Evaluation* evaluation = nullptr,
                           const Sensitivity* sensitivity = nullptr, const LowBitPlan* low_bits = nullptr);

}  // namespace quantlab::ptq
