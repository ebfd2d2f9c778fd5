// The numeric-suite report, predictions and sensitivity analysis
// (core/docs/ptq.md, P5–P7). Every comparison runs the real quantized model
// (integer kernels where the executor fuses them), never a simulation.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <set>

#include "ptq/graph_utils.h"
#include "ptq/plan.h"
#include "quantlab/error.h"
#include "quantlab/model/onnx.h"
#include "quantlab/ptq/report.h"
#include "quantlab/quant/quantize.h"

namespace quantlab::ptq {
namespace {

using model::DataType;
using model::Tensor;

constexpr int kHistogramBins = 128;

/// Values of named activations, concatenated over batches.
using Captures = std::map<std::string, std::vector<float>>;

/// A float view of a captured value: float32 as is; int8/uint8 codes dequantized with `a`.
void append(std::vector<float>& dst, const Tensor& t, const ActivationParams* a) {
  const std::size_t n = static_cast<std::size_t>(t.size());
  const std::size_t at = dst.size();
  dst.resize(at + n);
  if (t.type() == DataType::float32) {
    std::memcpy(dst.data() + at, t.data<float>(), n * sizeof(float));
  } else if (a != nullptr && t.type() == DataType::int8) {
    const std::int8_t* q = t.data<std::int8_t>();
    for (std::size_t i = 0; i < n; ++i) dst[at + i] = a->scale * static_cast<float>(q[i] - a->zero_point);
  } else if (a != nullptr && t.type() == DataType::uint8) {
    const std::uint8_t* q = t.data<std::uint8_t>();
    for (std::size_t i = 0; i < n; ++i) dst[at + i] = a->scale * static_cast<float>(q[i] - a->zero_point);
  } else {
    throw InvalidArgument("cannot compare a " + model::type_name(t.type()) + " activation");
  }
}

/// What to capture: value name in the run model -> (key, parameters to dequantize with, or null).
struct Probe {
  std::string key;
  const ActivationParams* params = nullptr;
};

Captures run_and_capture(const model::Session& s, const std::vector<std::map<std::string, Tensor>>& inputs,
                         const std::map<std::string, Probe>& probes, const std::string& output) {
  Captures c;
  for (const auto& feeds : inputs) {
    const std::map<std::string, Tensor> out =
        s.run(feeds, [&](const model::NodeInfo& node, const std::vector<const Tensor*>& outs) {
          for (std::size_t i = 0; i < outs.size() && i < node.outputs.size(); ++i) {
            auto p = probes.find(node.outputs[i]);
            if (p != probes.end() && outs[i] != nullptr) append(c[p->second.key], *outs[i], p->second.params);
          }
        });
    auto o = out.find(output);
    if (o != out.end()) append(c["\x01output"], o->second, nullptr);
  }
  return c;
}

LayerError error_of(const std::vector<float>& x, const std::vector<float>& xhat) {
  LayerError e;
  if (x.size() != xhat.size() || x.empty()) {
    e.sqnr_db = std::numeric_limits<double>::quiet_NaN();
    e.max_abs_error = std::numeric_limits<double>::quiet_NaN();
    e.mse = std::numeric_limits<double>::quiet_NaN();
    return e;
  }
  double signal = 0, noise = 0, worst = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double d = static_cast<double>(xhat[i]) - x[i];
    signal += static_cast<double>(x[i]) * x[i];
    noise += d * d;
    worst = std::max(worst, std::abs(d));
  }
  e.mse = noise / static_cast<double>(x.size());
  e.max_abs_error = worst;
  e.sqnr_db = noise == 0 ? std::numeric_limits<double>::infinity()
              : signal == 0 ? -std::numeric_limits<double>::infinity()
                            : 10.0 * std::log10(signal / noise);
  return e;
}

Histogram histogram_of(const float* v, std::size_t n) {
  Histogram h;
  if (n == 0) return h;
  float lo = v[0], hi = v[0];
  for (std::size_t i = 1; i < n; ++i) {
    lo = std::min(lo, v[i]);
    hi = std::max(hi, v[i]);
  }
  if (hi == lo) hi = lo + 1e-6f;
  const double width = (static_cast<double>(hi) - lo) / kHistogramBins;
  for (int i = 0; i <= kHistogramBins; ++i) h.edges.push_back(lo + width * i);
  h.counts.assign(kHistogramBins, 0);
  for (std::size_t i = 0; i < n; ++i) {
    int b = static_cast<int>((v[i] - lo) / width);
    h.counts[static_cast<std::size_t>(std::clamp(b, 0, kHistogramBins - 1))]++;
  }
  return h;
}

/// The observer's histogram merged into at most kHistogramBins bins (whole bins only).
Histogram coarsen(const calib::Histogram& src) {
  Histogram h;
  if (src.empty()) return h;
  const int group = std::max(1, (src.bins() + kHistogramBins - 1) / kHistogramBins);
  const std::vector<double> edges = src.edges();
  for (int i = 0; i < src.bins(); i += group) {
    h.edges.push_back(edges[static_cast<std::size_t>(i)]);
    std::uint64_t sum = 0;
    for (int j = i; j < std::min(src.bins(), i + group); ++j) sum += src.counts()[static_cast<std::size_t>(j)];
    h.counts.push_back(sum);
  }
  h.edges.push_back(edges.back());
  // Trim empty bins at both ends so the chart shows the data, not the grown range.
  std::size_t first = 0, last = h.counts.size();
  while (first < last && h.counts[first] == 0) ++first;
  while (last > first && h.counts[last - 1] == 0) --last;
  Histogram t;
  t.edges.assign(h.edges.begin() + static_cast<std::ptrdiff_t>(first), h.edges.begin() + static_cast<std::ptrdiff_t>(last) + 1);
  t.counts.assign(h.counts.begin() + static_cast<std::ptrdiff_t>(first), h.counts.begin() + static_cast<std::ptrdiff_t>(last));
  return t;
}

WeightSummary weight_summary(const Prepared& prepared, const Layer& layer, const Options& options) {
  WeightSummary s;
  const Tensor& w = *detail::constant(prepared.model.graph, layer.weight);
  s.name = layer.weight;
  s.shape = w.shape();
  const WeightQuantization wq = quantize_weight_params(prepared, layer, options);
  s.params = wq.params;
  s.clip_min = wq.range.min;
  s.clip_max = wq.range.max;
  const xt::xarray<float> x = detail::to_xarray(w);
  const quant::Ranges mm = quant::min_max(x, weight_spec(options, layer));
  s.min = mm.min;
  s.max = mm.max;
  s.histogram = histogram_of(w.data<float>(), static_cast<std::size_t>(w.size()));
  const xt::xarray<float> xhat = quant::fake_quantize(x, wq.params);
  s.sqnr_db = error_of(std::vector<float>(x.begin(), x.end()), std::vector<float>(xhat.begin(), xhat.end())).sqnr_db;
  return s;
}

Options only_layer(const Prepared& prepared, const Options& options, std::size_t layer) {
  Options o = options;
  o.keep_float.clear();
  for (std::size_t i = 0; i < prepared.layers.size(); ++i)
    if (i != layer) o.keep_float.push_back(prepared.layers[i].name);
  return o;
}

/// The model with only layer `i` quantized.
model::Model single_layer_model(const Prepared& prepared, const Options& options, const Calibration& calibration,
                                std::size_t i) {
  if (options.mode == Mode::dynamic_mode) return convert(prepared, only_layer(prepared, options, i), calibration);
  model::Model m =
      detail::convert_with_plan(prepared, options, calibration, detail::single_layer_plan(prepared, i));
  return m;
}

std::vector<std::size_t> quantized_layer_indices(const Prepared& prepared, const Options& options) {
  const std::vector<std::string> names = quantized_layers(prepared, options);
  const std::set<std::string> q(names.begin(), names.end());
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < prepared.layers.size(); ++i)
    if (q.count(prepared.layers[i].name)) out.push_back(i);
  return out;
}

double accuracy(const std::vector<std::int64_t>& pred, const std::vector<std::int64_t>& labels) {
  if (labels.empty()) return 0;
  std::size_t hit = 0;
  for (std::size_t i = 0; i < labels.size(); ++i) hit += pred[i] == labels[i];
  return static_cast<double>(hit) / static_cast<double>(labels.size());
}

/// The searches' arguments (sensitivity, low_bit_plan): one label per input, a
/// budget >= 0, and an evaluation, when given, of as many inputs.
void check_search(const std::string& what, const Tensor& inputs, const std::vector<std::int64_t>& labels, double budget,
                  const Evaluation* evaluation) {
  const auto n = static_cast<std::int64_t>(labels.size());
  if (inputs.rank() < 1 || inputs.dim(0) != n) throw InvalidArgument(what + " needs one label per input");
  if (!(budget >= 0)) throw InvalidArgument("the accuracy budget must be >= 0");
  if (evaluation != nullptr && evaluation->count != n)
    throw InvalidArgument(what + " was given an evaluation of " + std::to_string(evaluation->count) + " inputs for " +
                          std::to_string(n) + " labels");
}

/// Top-1 accuracy of `m` on the labelled inputs.
double model_accuracy(const Prepared& prepared, const model::Model& m, const Tensor& inputs,
                      const std::vector<std::int64_t>& labels) {
  const model::Session s(m);
  return accuracy(predict(s, prepared.input, inputs), labels);
}

}  // namespace

Report numeric_report(const Prepared& prepared, const Options& options, const Calibration& calibration,
                      const std::vector<std::map<std::string, Tensor>>& inputs, const Calibrator* calibrator,
                      const Progress& progress) {
  if (inputs.empty()) throw InvalidArgument("the report needs at least one input batch");
  const bool is_static = options.mode == Mode::static_mode;
  const detail::Plan plan = is_static ? detail::make_plan(prepared, options) : detail::Plan{};
  const std::vector<std::size_t> quantized = quantized_layer_indices(prepared, options);
  const std::set<std::size_t> quantized_set(quantized.begin(), quantized.end());
  const std::int64_t total = 2 + static_cast<std::int64_t>(quantized.size());
  std::int64_t done = 0;
  auto step = [&] {
    ++done;
    if (progress) progress("report", done, total);
  };

  auto params_for = [&](const std::string& v) -> const ActivationParams* {
    auto src = plan.params_of.find(v);
    if (src == plan.params_of.end()) return nullptr;
    auto it = calibration.activations.find(src->second);
    return it == calibration.activations.end() ? nullptr : &it->second;
  };

  // Float reference: every layer's output.
  std::map<std::string, Probe> float_probes;
  for (const Layer& l : prepared.layers) float_probes[l.output] = {l.output, nullptr};
  const model::Session float_session(prepared.model);
  const Captures ref = run_and_capture(float_session, inputs, float_probes, prepared.output);
  step();

  // Probes of a quantized model: a quantized layer's codes (static) or its float output.
  auto probes_for = [&](const detail::Plan* p) {
    std::map<std::string, Probe> probes;
    for (const Layer& l : prepared.layers) {
      if (is_static && p != nullptr && p->roles[l.node] == detail::Role::layer) {
        auto it = calibration.activations.find(p->params_of.at(l.output));
        probes[quantized_name(l.output)] = {l.output, it == calibration.activations.end() ? nullptr : &it->second};
      } else {
        probes[l.output] = {l.output, nullptr};
      }
    }
    return probes;
  };

  const model::Model full = convert(prepared, options, calibration);
  const model::Session full_session(full);
  const Captures whole = run_and_capture(full_session, inputs, probes_for(is_static ? &plan : nullptr),
                                         prepared.output);
  step();

  Report r;
  r.samples = 0;
  for (const auto& feeds : inputs) {
    auto it = feeds.find(prepared.input);
    if (it != feeds.end()) r.samples += it->second.rank() > 0 ? it->second.dim(0) : 1;
  }
  r.float_size = prepared.float_size;
  r.quantized_size = size_breakdown(full);
  r.model_output = error_of(ref.at("\x01output"), whole.at("\x01output"));

  for (std::size_t i = 0; i < prepared.layers.size(); ++i) {
    const Layer& l = prepared.layers[i];
    LayerReport lr;
    lr.layer = l;
    lr.quantized = quantized_set.count(i) > 0;
    lr.weight = weight_summary(prepared, l, options);
    auto got = whole.find(l.output);
    lr.propagated = error_of(ref.at(l.output), got == whole.end() ? std::vector<float>{} : got->second);
    if (lr.quantized) {
      const detail::Plan single = is_static ? detail::single_layer_plan(prepared, i) : detail::Plan{};
      const model::Session s(single_layer_model(prepared, options, calibration, i));
      const Captures alone = run_and_capture(s, inputs, probes_for(is_static ? &single : nullptr), prepared.output);
      auto a = alone.find(l.output);
      lr.isolated = error_of(ref.at(l.output), a == alone.end() ? std::vector<float>{} : a->second);
      step();
    } else {
      lr.isolated.sqnr_db = std::numeric_limits<double>::infinity();
    }
    if (is_static) {
      for (auto [name, summary] : {std::pair{l.input, &lr.input}, std::pair{l.output, &lr.output}}) {
        const ActivationParams* a = params_for(name);
        if (a == nullptr) {
          auto it = calibration.activations.find(name);
          if (it == calibration.activations.end()) continue;
          a = &it->second;
        }
        summary->name = name;
        summary->params = *a;
        if (calibrator != nullptr) {
          const std::string src = plan.params_of.count(name) ? plan.params_of.at(name) : name;
          summary->histogram = coarsen(calibrator->observer(src).histogram(0));
        }
      }
    }
    r.layers.push_back(std::move(lr));
  }
  return r;
}

std::vector<std::int64_t> predict(const model::Session& session, const std::string& input, const Tensor& inputs,
                                  std::int64_t batch, const Progress& progress) {
  if (inputs.type() != DataType::float32 || inputs.rank() < 1)
    throw InvalidArgument("inputs must be a float32 tensor [N, ...]");
  if (batch < 1) throw InvalidArgument("batch must be >= 1");
  const std::int64_t n = inputs.dim(0);
  const std::int64_t row = n == 0 ? 0 : inputs.size() / n;
  std::vector<std::int64_t> out;
  out.reserve(static_cast<std::size_t>(n));
  for (std::int64_t start = 0; start < n; start += batch) {
    const std::int64_t b = std::min(batch, n - start);
    std::vector<std::int64_t> shape = inputs.shape();
    shape[0] = b;
    Tensor t(DataType::float32, shape);
    std::memcpy(t.data<float>(), inputs.data<float>() + start * row, static_cast<std::size_t>(b * row) * sizeof(float));
    const std::map<std::string, Tensor> res = session.run({{input, std::move(t)}});
    const Tensor& logits = res.at(session.outputs()[0].name);
    if (logits.type() != DataType::float32 || logits.rank() != 2 || logits.dim(0) != b)
      throw InvalidArgument("the model's first output must be float32 logits [N, classes], got " +
                            model::type_name(logits.type()) + " " + model::shape_string(logits.shape()));
    const std::int64_t classes = logits.dim(1);
    for (std::int64_t i = 0; i < b; ++i) {
      const float* p = logits.data<float>() + i * classes;
      out.push_back(std::max_element(p, p + classes) - p);
    }
    if (progress) progress("predict", start + b, n);
  }
  return out;
}

Evaluation compare_predictions(const std::vector<std::int64_t>& f, const std::vector<std::int64_t>& q,
                               const std::vector<std::int64_t>& labels) {
  if (f.size() != q.size() || f.size() != labels.size())
    throw InvalidArgument("predictions and labels differ in length: " + std::to_string(f.size()) + ", " +
                          std::to_string(q.size()) + ", " + std::to_string(labels.size()));
  Evaluation e;
  e.count = static_cast<std::int64_t>(labels.size());
  e.float_predictions = f;
  e.quantized_predictions = q;
  e.float_accuracy = accuracy(f, labels);
  e.quantized_accuracy = accuracy(q, labels);
  std::size_t same = 0;
  for (std::size_t i = 0; i < f.size(); ++i) {
    if (f[i] == q[i]) ++same;
    else e.disagreements.push_back(static_cast<std::int64_t>(i));
  }
  e.agreement = f.empty() ? 1.0 : static_cast<double>(same) / static_cast<double>(f.size());
  return e;
}

Sensitivity sensitivity(const Prepared& prepared, const Options& options, const Calibration& calibration,
                        const Tensor& inputs, const std::vector<std::int64_t>& labels, double budget, int max_steps,
                        const Progress& progress, const Evaluation* evaluation) {
  check_search("sensitivity", inputs, labels, budget, evaluation);
  const std::vector<std::size_t> layers = quantized_layer_indices(prepared, options);
  const std::int64_t total = 2 + static_cast<std::int64_t>(layers.size()) + max_steps;
  std::int64_t done = 0;
  auto step = [&] {
    ++done;
    if (progress) progress("sensitivity", done, total);
  };
  auto acc_of = [&](const model::Model& m) { return model_accuracy(prepared, m, inputs, labels); };

  Sensitivity out;
  out.budget = budget;
  out.float_accuracy = evaluation ? evaluation->float_accuracy : acc_of(prepared.model);
  step();
  out.quantized_accuracy = evaluation ? evaluation->quantized_accuracy : acc_of(convert(prepared, options, calibration));
  step();
  for (std::size_t i : layers) {
    LayerSensitivity ls;
    ls.layer = prepared.layers[i].name;
    ls.accuracy = acc_of(single_layer_model(prepared, options, calibration, i));
    ls.drop = out.float_accuracy - ls.accuracy;
    out.layers.push_back(ls);
    step();
  }
  std::stable_sort(out.layers.begin(), out.layers.end(),
                   [](const LayerSensitivity& a, const LayerSensitivity& b) { return a.drop > b.drop; });

  PlanStep current{options.keep_float, out.quantized_accuracy};
  out.steps.push_back(current);
  std::size_t next = 0;
  while (out.float_accuracy - current.accuracy > budget && next < out.layers.size() &&
         static_cast<int>(out.steps.size()) <= max_steps) {
    current.keep_float.push_back(out.layers[next++].layer);
    Options o = options;
    o.keep_float = current.keep_float;
    current.accuracy = acc_of(convert(prepared, o, calibration));
    out.steps.push_back(current);
    step();
  }
  out.within_budget = out.float_accuracy - current.accuracy <= budget;
  out.plan = current.keep_float;
  for (const PlanStep& s : out.steps)
    if (out.float_accuracy - s.accuracy <= budget) {
      out.plan = s.keep_float;
      break;
    }
  if (progress) progress("sensitivity", total, total);
  return out;
}

LowBitPlan low_bit_plan(const Prepared& prepared, const Options& options, const Calibration& calibration,
                        const Tensor& inputs, const std::vector<std::int64_t>& labels, double budget, int bits,
                        const Progress& progress, const Evaluation* evaluation) {
  if (options.mode != Mode::static_mode)
    throw InvalidArgument("the low-bit plan is for static mode: dynamic layers keep 8-bit weights (MatMulInteger)");
  check_search("the low-bit plan", inputs, labels, budget, evaluation);
  if (bits < 2 || bits > 7) throw InvalidArgument("the low-bit plan's bits must be 2..7, got " + std::to_string(bits));
  std::vector<std::size_t> candidates;
  for (std::size_t i : quantized_layer_indices(prepared, options))
    if (weight_bits(options, prepared.layers[i]) > bits) candidates.push_back(i);
  const std::int64_t total = 2 + 2 * static_cast<std::int64_t>(candidates.size());
  std::int64_t done = 0;
  auto step = [&] {
    ++done;
    if (progress) progress("low-bit plan", done, total);
  };
  struct Outcome {
    double accuracy;
    std::int64_t bytes;
  };
  // Only the file's length: no breakdown by role.
  auto file_bytes = [](const model::Model& m) { return static_cast<std::int64_t>(model::write_onnx(m).size()); };
  auto outcome = [&](const Options& o) {
    const model::Model m = convert(prepared, o, calibration);
    return Outcome{model_accuracy(prepared, m, inputs, labels), file_bytes(m)};
  };

  LowBitPlan out;
  out.bits = bits;
  out.budget = budget;
  out.float_bytes = prepared.float_size.total;
  out.float_accuracy = evaluation ? evaluation->float_accuracy : model_accuracy(prepared, prepared.model, inputs, labels);
  step();
  const Outcome base = evaluation ? Outcome{evaluation->quantized_accuracy, file_bytes(convert(prepared, options, calibration))}
                                  : outcome(options);
  out.quantized_accuracy = base.accuracy;
  out.quantized_bytes = base.bytes;
  step();
  for (std::size_t i : candidates) {
    Options o = options;
    o.weights.layer_bits[prepared.layers[i].name] = bits;
    const Outcome r = outcome(o);
    out.layers.push_back({prepared.layers[i].name, r.accuracy, out.float_accuracy - r.accuracy, base.bytes - r.bytes});
    step();
  }
  // Bytes saved per point of accuracy lost, best first: layers that cost
  // nothing (drop <= 0) lead, the largest first; then the best trade.
  auto better = [](const LowBitLayer& a, const LowBitLayer& b) {
    const bool free_a = a.drop <= 0, free_b = b.drop <= 0;
    if (free_a != free_b) return free_a;
    if (free_a || a.drop == b.drop) return a.bytes_saved > b.bytes_saved;
    return static_cast<double>(a.bytes_saved) / a.drop > static_cast<double>(b.bytes_saved) / b.drop;
  };
  std::stable_sort(out.layers.begin(), out.layers.end(), better);

  out.within_budget = out.float_accuracy - base.accuracy <= budget;
  out.plan = options.weights.layer_bits;
  out.accuracy = base.accuracy;
  out.bytes = base.bytes;
  if (out.within_budget) {
    for (const LowBitLayer& l : out.layers) {
      Options o = options;
      o.weights.layer_bits = out.plan;
      o.weights.layer_bits[l.layer] = bits;
      const Outcome r = outcome(o);
      LowBitStep st{l.layer, r.accuracy, r.bytes, out.float_accuracy - r.accuracy <= budget};
      if (st.accepted) {
        out.plan = o.weights.layer_bits;
        out.accuracy = r.accuracy;
        out.bytes = r.bytes;
      }
      out.steps.push_back(st);
      step();
    }
  }
  if (progress) progress("low-bit plan", total, total);
  return out;
}

}  // namespace quantlab::ptq
