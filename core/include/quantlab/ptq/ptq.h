// quantlab/ptq/ptq.h — post-training quantization of an ONNX model:
// prepare (fold BatchNorm, find the layers and what to observe), calibrate
// (observers see the float model's activations), convert (a QDQ model whose
// Conv/Gemm/MatMul the executor runs on the int8 kernels), and the dynamic
// variant. The method is in core/docs/ptq.md.
//
// Every step is a plain function over plain data: the same calibration can be
// converted with other options (layers kept in float, say) without observing
// again, and a Recipe (recipe.h) replays a conversion without any data.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "quantlab/calib/observer.h"
#include "quantlab/model/graph.h"
#include "quantlab/model/session.h"
#include "quantlab/model/tensor.h"
#include "quantlab/quant/params.h"
#include "quantlab/quant/scheme.h"

namespace quantlab::ptq {

/// @brief Static: activation parameters fixed by calibration, the whole layer
/// runs in integers. Dynamic: int8 weights ahead of time, activations
/// quantized per batch at run time (Gemm/MatMul only), as PyTorch's and
/// onnxruntime's quantize_dynamic.
enum class Mode { static_mode, dynamic_mode };

/// @brief "static", "dynamic".
const char* to_string(Mode mode);
/// @brief The inverse of to_string; unknown names throw InvalidArgument listing the valid ones.
Mode parse_mode(std::string_view name);

/// @brief How activations (values computed by the graph) are quantized.
struct ActivationOptions {
  quant::Scheme scheme = quant::Scheme::asymmetric;
  bool is_signed = true;  ///< int8 codes (else uint8)
  calib::ObserverKind observer = calib::ObserverKind::minmax;
  double percentile = 99.99;       ///< percentile observer
  float momentum = 0.01f;          ///< moving_average observer
  int bins = calib::kDefaultBins;  ///< histogram observers
};

/// @brief How weights (constant Conv/Gemm/MatMul inputs) are quantized; always int8 storage.
struct WeightOptions {
  quant::Scheme scheme = quant::Scheme::symmetric;
  int bits = 8;  ///< 8, or 2..7: static 2..4-bit codes are stored as int4 (opset 21), others in int8
  quant::Granularity granularity = quant::Granularity::channel;  ///< tensor or channel (output channels)
  calib::ObserverKind observer = calib::ObserverKind::minmax;
  double percentile = 99.99;
  int bins = calib::kDefaultBins;
  /// Bit widths of single layers (by Layer::name, 2..8) in place of `bits`:
  /// a model with some layers' weights at 4 bits and the rest at 8.
  std::map<std::string, int> layer_bits;
};

struct Options {
  Mode mode = Mode::static_mode;
  ActivationOptions activations;
  WeightOptions weights;
  /// Layers (by name, see Layer::name) or other nodes (by node name) to keep in float.
  std::vector<std::string> keep_float;
};

/// @brief Checks enums, bit widths (activations 8; weights 2..8), granularity
/// (weights tensor or channel) and observer settings. Throws InvalidArgument.
void validate(const Options& options);

/// @brief A quantizable layer: Conv, Gemm or MatMul with a constant weight,
/// with a following Relu or Clip fused into it.
struct Layer {
  std::string name;        ///< the node's name; "<op_type>_<index>" when the file has none
  std::string op_type;     ///< "Conv", "Gemm", "MatMul"
  std::string activation;  ///< "", "Relu" or "Clip"
  std::size_t node = 0;    ///< index of the Conv/Gemm/MatMul in Prepared::model's node list
  std::string input;       ///< the float activation the layer reads
  std::string weight;      ///< initializer
  std::string bias;        ///< initializer, or "" (MatMul, Conv without bias)
  std::string output;      ///< the value after the fused activation
  int weight_axis = 0;     ///< the weight's output-channel axis (per-channel quantization)
  std::int64_t weight_elements = 0;
  std::int64_t flops = 0;  ///< for one sample, as Session reports it
};

/// @brief Where an ONNX file's bytes go: tensor payloads by the role the
/// graph gives them, and the rest. See size_breakdown.
struct SizeBreakdown {
  std::int64_t total = 0;          ///< the file, as write_onnx writes it
  std::int64_t weights = 0;        ///< layers' weights: float32, or the integer codes a DequantizeLinear feeds them
  std::int64_t biases = 0;         ///< layers' biases: float32, or int32 codes
  std::int64_t quant_params = 0;   ///< scales and zero points (weights', biases', activations')
  std::int64_t other_tensors = 0;  ///< every other initializer (BatchNormalization parameters, shapes, ...)
  std::int64_t graph = 0;          ///< the rest: nodes, names, shapes, protobuf framing
};

/// @brief The byte count of `m` written as ONNX, split by what the bytes hold.
/// A layer is Conv, ConvTranspose, Gemm, MatMul or their integer forms; an
/// initializer's role comes from its first use.
SizeBreakdown size_breakdown(const model::Model& m);

/// @brief A float model ready for calibration.
struct Prepared {
  model::Model model;                  ///< BatchNormalization folded into the preceding Conv/Gemm
  std::vector<Layer> layers;           ///< in execution order
  std::vector<std::string> folded;     ///< names of the folded BatchNormalization nodes
  std::vector<std::string> observed;   ///< activations calibration observes (static mode)
  std::string input;                   ///< the model's (single) input
  std::string output;                  ///< the model's first output
  SizeBreakdown float_size;            ///< the float model (before folding) as an ONNX file
};

/// @brief Folds BatchNormalization (inference form, constant parameters) into
/// the Conv or Gemm whose only consumer it is, finds the layers and the
/// activations to observe. The model must load (Session) and have one input.
Prepared prepare(const model::Model& float_model);

/// @brief What calibration chose for one activation.
struct ActivationParams {
  float scale = 1.0f;
  std::int32_t zero_point = 0;
  float clip_min = 0.0f;  ///< the clipping range the observer chose
  float clip_max = 0.0f;
  float seen_min = 0.0f;  ///< the extremes observed
  float seen_max = 0.0f;
};

/// @brief The outcome of calibration: parameters for every observed activation.
struct Calibration {
  std::map<std::string, ActivationParams> activations;
  std::int64_t samples = 0;  ///< samples (first-dimension entries) observed
};

/// @brief Observes activations of the prepared float model batch by batch.
class Calibrator {
 public:
  Calibrator(const Prepared& prepared, const Options& options);
  /// Runs one batch (feeds as for Session::run) and observes every activation in Prepared::observed.
  void observe(const std::map<std::string, model::Tensor>& feeds);
  /// The parameters chosen so far; InvalidArgument before any batch.
  Calibration result() const;
  /// The observer of one activation (histograms for reports); InvalidArgument for an unknown name.
  const calib::Observer& observer(const std::string& activation) const;
  std::int64_t samples() const { return samples_; }

 private:
  const Prepared& prepared_;
  Options options_;
  model::Session session_;
  std::map<std::string, calib::Observer> observers_;
  std::int64_t samples_ = 0;
};

/// @brief The bit width of one layer's weight: weights.layer_bits, else weights.bits.
int weight_bits(const Options& options, const Layer& layer);

/// @brief The quantization spec of activations / of one layer's weight.
quant::QuantSpec activation_spec(const Options& options);
quant::QuantSpec weight_spec(const Options& options, const Layer& layer);

/// @brief Parameters of one layer's weight (its observer sees the whole weight once).
struct WeightQuantization {
  quant::QuantParams params;
  quant::Ranges range;  ///< the clipping range per slot
};
WeightQuantization quantize_weight_params(const Prepared& prepared, const Layer& layer, const Options& options);

/// @brief The quantized model. Static: a QDQ model — the float graph with
/// QuantizeLinear/DequantizeLinear around every quantized layer, int8 weights
/// (per-channel axis on the output channels) and int32 biases behind
/// DequantizeLinear — which the executor runs on the int8 kernels and
/// onnxruntime runs as it is. Dynamic: Gemm/MatMul become
/// DynamicQuantizeLinear → MatMulInteger → scale (→ bias), as onnxruntime's
/// quantize_dynamic writes them. Layers in options.keep_float stay float; an
/// unknown name there throws InvalidArgument. Static mode needs a Calibration
/// holding every activation a quantized layer reads or writes.
model::Model convert(const Prepared& prepared, const Options& options, const Calibration& calibration);

/// @brief The names convert() gives a quantized activation's codes and its
/// dequantized value ("<name>_q", "<name>_dq"; short: names are a good part of a small model's file).
std::string quantized_name(const std::string& activation);

/// @brief Layers quantized under `options` (not in keep_float; dynamic mode: Gemm/MatMul only).
std::vector<std::string> quantized_layers(const Prepared& prepared, const Options& options);

}  // namespace quantlab::ptq
