// Options, quantization specs, calibration of activations and weight parameters.
#include <set>

#include "ptq/graph_utils.h"
#include "quantlab/error.h"
#include "quantlab/ptq/ptq.h"

namespace quantlab::ptq {

const char* to_string(Mode mode) { return mode == Mode::dynamic_mode ? "dynamic" : "static"; }

Mode parse_mode(std::string_view name) {
  if (name == "static") return Mode::static_mode;
  if (name == "dynamic") return Mode::dynamic_mode;
  throw InvalidArgument("unknown mode '" + std::string(name) + "'; expected static or dynamic");
}

void validate(const Options& o) {
  if (o.mode != Mode::static_mode && o.mode != Mode::dynamic_mode) throw InvalidArgument("invalid mode");
  if (o.weights.bits < 2 || o.weights.bits > 8)
    throw InvalidArgument("weight bits must be 2..8 (codes are stored as int8), got " + std::to_string(o.weights.bits));
  for (const auto& [layer, bits] : o.weights.layer_bits)
    if (bits < 2 || bits > 8)
      throw InvalidArgument("weight bits of layer '" + layer + "' must be 2..8, got " + std::to_string(bits));
  if (o.weights.granularity == quant::Granularity::group)
    throw InvalidArgument("weight granularity must be tensor or channel; group quantization is for the LLM methods");
  // The observers check the rest (percentile range, bins, momentum) when built.
  calib::ObserverOptions a;
  a.kind = o.activations.observer;
  a.percentile = o.activations.percentile;
  a.momentum = o.activations.momentum;
  a.bins = o.activations.bins;
  (void)calib::Observer(a);
  calib::ObserverOptions w;
  w.kind = o.weights.observer;
  w.percentile = o.weights.percentile;
  w.bins = o.weights.bins;
  (void)calib::Observer(w);
  quant::validate(activation_spec(o));
}

quant::QuantSpec activation_spec(const Options& o) {
  quant::QuantSpec s;
  s.scheme = o.activations.scheme;
  s.bits = 8;
  s.is_signed = o.activations.is_signed;
  s.granularity = quant::Granularity::tensor;
  return s;
}

int weight_bits(const Options& o, const Layer& layer) {
  auto it = o.weights.layer_bits.find(layer.name);
  return it == o.weights.layer_bits.end() ? o.weights.bits : it->second;
}

quant::QuantSpec weight_spec(const Options& o, const Layer& layer) {
  quant::QuantSpec s;
  s.scheme = o.weights.scheme;
  s.bits = weight_bits(o, layer);
  s.is_signed = true;
  s.granularity = o.weights.granularity;
  s.axis = o.weights.granularity == quant::Granularity::channel ? layer.weight_axis : 0;
  return s;
}

std::string quantized_name(const std::string& activation) { return activation + "_q"; }

std::vector<std::string> quantized_layers(const Prepared& prepared, const Options& options) {
  std::set<std::string> keep(options.keep_float.begin(), options.keep_float.end());
  std::vector<std::string> out;
  for (const Layer& l : prepared.layers) {
    if (keep.count(l.name)) continue;
    if (options.mode == Mode::dynamic_mode && l.op_type == "Conv") continue;
    out.push_back(l.name);
  }
  return out;
}

WeightQuantization quantize_weight_params(const Prepared& prepared, const Layer& layer, const Options& options) {
  const model::Tensor* w = detail::constant(prepared.model.graph, layer.weight);
  if (w == nullptr) throw InvalidArgument("layer '" + layer.name + "' has no constant weight '" + layer.weight + "'");
  const quant::QuantSpec spec = weight_spec(options, layer);
  calib::ObserverOptions oo;
  oo.kind = options.weights.observer;
  oo.granularity = spec.granularity;
  oo.axis = spec.axis;
  oo.percentile = options.weights.percentile;
  oo.bins = options.weights.bins;
  const calib::Calibration c = calib::calibrate({detail::to_xarray(*w)}, spec, oo);
  return {c.params, c.range};
}

// ---- Calibrator ------------------------------------------------------------

Calibrator::Calibrator(const Prepared& prepared, const Options& options)
    : prepared_(prepared), options_(options), session_(prepared.model) {
  validate(options_);
  calib::ObserverOptions oo;
  oo.kind = options_.activations.observer;
  oo.percentile = options_.activations.percentile;
  oo.momentum = options_.activations.momentum;
  oo.bins = options_.activations.bins;
  for (const std::string& v : prepared_.observed) observers_.emplace(v, calib::Observer(oo));
}

void Calibrator::observe(const std::map<std::string, model::Tensor>& feeds) {
  auto input = feeds.find(prepared_.input);
  if (input == feeds.end()) throw InvalidArgument("calibration batch has no input '" + prepared_.input + "'");
  if (input->second.type() != model::DataType::float32)
    throw InvalidArgument("calibration input '" + prepared_.input + "' must be float32, got " +
                          model::type_name(input->second.type()));
  // Observe into copies first: a batch that fails half-way (bad shape, say) leaves the state unchanged.
  std::map<std::string, calib::Observer> next = observers_;
  auto see = [&](const std::string& name, const model::Tensor& t) {
    auto it = next.find(name);
    if (it == next.end() || t.type() != model::DataType::float32) return;
    it->second.observe(detail::to_xarray(t));
  };
  see(prepared_.input, input->second);
  session_.run(feeds, [&](const model::NodeInfo& node, const std::vector<const model::Tensor*>& outputs) {
    for (std::size_t i = 0; i < outputs.size() && i < node.outputs.size(); ++i)
      if (outputs[i] != nullptr) see(node.outputs[i], *outputs[i]);
  });
  observers_ = std::move(next);
  samples_ += input->second.rank() > 0 ? input->second.dim(0) : 1;
}

Calibration Calibrator::result() const {
  if (samples_ == 0) throw InvalidArgument("calibration has seen no batch yet");
  Calibration c;
  c.samples = samples_;
  const quant::QuantSpec spec = activation_spec(options_);
  for (const auto& [name, obs] : observers_) {
    if (obs.batch_count() == 0) throw InvalidArgument("activation '" + name + "' was never computed during calibration");
    const quant::Ranges r = obs.range(spec);
    const quant::QuantParams q = quant::params_from_range(spec, r.min, r.max);
    ActivationParams a;
    a.scale = q.scale[0];
    a.zero_point = q.zero_point[0];
    a.clip_min = r.min[0];
    a.clip_max = r.max[0];
    a.seen_min = obs.histogram(0).min();
    a.seen_max = obs.histogram(0).max();
    c.activations[name] = a;
  }
  return c;
}

const calib::Observer& Calibrator::observer(const std::string& activation) const {
  auto it = observers_.find(activation);
  if (it == observers_.end()) throw InvalidArgument("no observer for activation '" + activation + "'");
  return it->second;
}

}  // namespace quantlab::ptq
