// quantlab qparams <x.npy> [<x2.npy> ...] [options] [--json]
// quantlab quantize <x.npy> [options] [--out q.npy] [--dequant-out xhat.npy] [--json]
//
// Option names are the npm API's in kebab case; see kQuantUsage in main.cpp.
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <limits>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "args.h"
#include "commands.h"
#include "json_util.h"
#include "npy_io.h"
#include "quantlab/calib/observer.h"
#include "quantlab/error.h"
#include "quantlab/formats/decomposition.h"
#include "quantlab/quant/metrics.h"
#include "quantlab/quant/params.h"
#include "quantlab/quant/quantize.h"
#include "quantlab/quant/scheme.h"

namespace quantlab::cli {
namespace {

const std::set<std::string> kSpecFlags = {"json", "signed", "unsigned", "narrow-range"};
const std::set<std::string> kSpecValued = {"scheme",   "bits",       "per-channel", "group-size", "axis",
                                           "observer", "percentile", "momentum",    "bins"};

long long parse_integer(const std::string& option, const std::string& text) {
  long long v = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (ec != std::errc() || ptr != end || text.empty()) {
    throw InvalidArgument("--" + option + " needs an integer, got '" + text + "'");
  }
  return v;
}

int parse_int(const std::string& option, const std::string& text) {
  const long long v = parse_integer(option, text);
  if (v < std::numeric_limits<int>::min() || v > std::numeric_limits<int>::max()) {
    throw InvalidArgument("--" + option + " is out of range: " + text);
  }
  return static_cast<int>(v);
}

double parse_real(const std::string& option, const std::string& text) {
  try {
    return formats::parse_number(text);
  } catch (const Error&) {
    throw InvalidArgument("--" + option + " needs a number, got '" + text + "'");
  }
}

// What both commands read from the options: the spec and the observer.
struct Request {
  quant::QuantSpec spec;
  calib::ObserverOptions observer;
};

Request parse_request(const Args& args) {
  Request r;
  quant::QuantSpec& s = r.spec;
  s.scheme = quant::parse_scheme(args.value("scheme").value_or("asymmetric"));
  if (const auto bits = args.value("bits")) s.bits = parse_int("bits", *bits);
  // Symmetric grids default to signed codes (int8), affine ones to unsigned
  // (uint8), as the npm API and PyTorch's qint8 / quint8 defaults do.
  if (args.flag("signed") && args.flag("unsigned")) throw InvalidArgument("give --signed or --unsigned, not both");
  s.is_signed = args.flag("signed") || (!args.flag("unsigned") && s.scheme == quant::Scheme::symmetric);
  s.narrow_range = args.flag("narrow-range");
  const auto per_channel = args.value("per-channel");
  const auto group_size = args.value("group-size");
  const auto axis = args.value("axis");
  if (group_size) {
    if (per_channel && axis) throw InvalidArgument("give the group axis once: --axis or --per-channel, not both");
    if (!per_channel && !axis) throw InvalidArgument("--group-size needs the axis of the groups: --axis A");
    s.granularity = quant::Granularity::group;
    s.group_size = parse_int("group-size", *group_size);
    s.axis = parse_int(axis ? "axis" : "per-channel", axis ? *axis : *per_channel);
  } else if (axis) {
    throw InvalidArgument("--axis goes with --group-size; for one scale per channel use --per-channel AXIS");
  } else if (per_channel) {
    s.granularity = quant::Granularity::channel;
    s.axis = parse_int("per-channel", *per_channel);
  }
  quant::validate(s);

  calib::ObserverOptions& o = r.observer;
  o.kind = calib::parse_observer_kind(args.value("observer").value_or("minmax"));
  if (const auto p = args.value("percentile")) {
    if (o.kind != calib::ObserverKind::percentile)
      throw InvalidArgument("--percentile goes with --observer percentile");
    o.percentile = parse_real("percentile", *p);
  }
  if (const auto m = args.value("momentum")) {
    if (o.kind != calib::ObserverKind::moving_average) {
      throw InvalidArgument("--momentum goes with --observer moving_average");
    }
    o.momentum = static_cast<float>(parse_real("momentum", *m));
  }
  if (const auto b = args.value("bins")) o.bins = parse_int("bins", *b);
  if (s.granularity != quant::Granularity::group) {
    o.granularity = s.granularity;
    o.axis = s.axis;
    calib::Observer check(o);  // reports bad observer options before any file is read
  }
  return r;
}

xt::xarray<float> read_input(const std::string& path) {
  xt::xarray<float> x = read_npy_float(path);
  if (x.size() == 0) {
    throw InvalidArgument(path + ": the array is empty (shape " +
                          quant::shape_to_string(quant::Shape(x.shape().begin(), x.shape().end())) + ")");
  }
  return x;
}

nlohmann::json numbers(const std::vector<float>& v) {
  nlohmann::json out = nlohmann::json::array();
  for (const float f : v) out.push_back(number(f));
  return out;
}

nlohmann::json params_json(const Request& r, const calib::Calibration& cal, const quant::Shape& shape) {
  const quant::QuantSpec& s = r.spec;
  const bool has_axis = s.granularity != quant::Granularity::tensor;
  return {{"scale", numbers(cal.params.scale)},
          {"zero_point", cal.params.zero_point},
          {"qmin", cal.params.qmin},
          {"qmax", cal.params.qmax},
          {"scheme", quant::to_string(s.scheme)},
          {"bits", s.bits},
          {"signed", s.is_signed},
          {"narrow_range", s.narrow_range},
          {"granularity", quant::to_string(s.granularity)},
          {"axis", has_axis ? nlohmann::json(cal.params.axis) : nlohmann::json(nullptr)},
          {"group_size",
           s.granularity == quant::Granularity::group ? nlohmann::json(s.group_size) : nlohmann::json(nullptr)},
          {"param_shape", quant::param_shape(s, shape)},
          {"observer", calib::to_string(r.observer.kind)},
          {"range", {{"min", numbers(cal.range.min)}, {"max", numbers(cal.range.max)}}},
          {"nonfinite_count", cal.range.nonfinite_count},
          {"shape", shape}};
}

// The shortest decimal that reads back as the same float32 ("0.0188", not the
// 17 digits of its double).
std::string shortest_float(float v) {
  if (!std::isfinite(v)) return formats::shortest_decimal(v);
  char buf[32];
  for (int digits = 1; digits <= 9; ++digits) {
    std::snprintf(buf, sizeof buf, "%.*g", digits, static_cast<double>(v));
    if (std::strtof(buf, nullptr) == v) break;
  }
  return buf;
}

std::string join(const std::vector<float>& v) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + shortest_float(v[i]);
  return out;
}

std::string join(const std::vector<std::int32_t>& v) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + std::to_string(v[i]);
  return out;
}

void print_params_text(const std::string& what, const Request& r, const calib::Calibration& cal,
                       const quant::Shape& shape) {
  const quant::QuantSpec& s = r.spec;
  std::printf("%s, shape %s: %s %s%d%s per %s", what.c_str(), quant::shape_to_string(shape).c_str(),
              quant::to_string(s.scheme), s.is_signed ? "int" : "uint", s.bits, s.narrow_range ? " narrow" : "",
              quant::to_string(s.granularity));
  if (s.granularity != quant::Granularity::tensor) std::printf(" (axis %d)", cal.params.axis);
  if (s.granularity == quant::Granularity::group) std::printf(" of %d", s.group_size);
  std::printf(", observer %s\n", calib::to_string(r.observer.kind));
  std::printf("  codes       %d..%d\n", cal.params.qmin, cal.params.qmax);
  std::printf("  scale       %s\n", join(cal.params.scale).c_str());
  std::printf("  zero_point  %s\n", join(cal.params.zero_point).c_str());
  std::printf("  range min   %s\n", join(cal.range.min).c_str());
  std::printf("  range max   %s\n", join(cal.range.max).c_str());
  if (cal.range.nonfinite_count) {
    std::printf("  skipped     %llu NaN/Inf values\n", static_cast<unsigned long long>(cal.range.nonfinite_count));
  }
}

}  // namespace

int qparams_command(int argc, char** argv) {
  const Args args(argc, argv, 2, kSpecFlags, kSpecValued);
  if (args.positionals().empty()) {
    throw InvalidArgument("expected one or more .npy files, e.g. 'quantlab qparams x.npy --bits 8 --json'");
  }
  const Request r = parse_request(args);
  std::vector<xt::xarray<float>> batches;
  for (const std::string& path : args.positionals()) batches.push_back(read_input(path));
  const quant::Shape shape(batches[0].shape().begin(), batches[0].shape().end());
  const calib::Calibration cal = calib::calibrate(batches, r.spec, r.observer);
  if (args.flag("json")) {
    nlohmann::json j = params_json(r, cal, shape);
    j["batches"] = batches.size();
    std::cout << j.dump() << "\n";
  } else {
    print_params_text("qparams of " + args.positionals()[0] +
                          (batches.size() > 1 ? " and " + std::to_string(batches.size() - 1) + " more" : ""),
                      r, cal, shape);
  }
  return 0;
}

int quantize_command(int argc, char** argv) {
  std::set<std::string> valued = kSpecValued;
  valued.insert({"rounding", "seed", "out", "dequant-out"});
  const Args args(argc, argv, 2, kSpecFlags, valued);
  if (args.positionals().size() != 1) {
    throw InvalidArgument("expected exactly one .npy file, e.g. 'quantlab quantize x.npy --out q.npy --json'");
  }
  Request r = parse_request(args);
  r.spec.rounding = quant::parse_rounding(args.value("rounding").value_or("half_even"));
  if (const auto seed = args.value("seed")) {
    if (r.spec.rounding != quant::Rounding::stochastic) throw InvalidArgument("--seed goes with --rounding stochastic");
    const long long v = parse_integer("seed", *seed);
    if (v < 0) throw InvalidArgument("--seed must be a non-negative integer");
    r.spec.seed = static_cast<std::uint64_t>(v);
  }
  const std::string& path = args.positionals()[0];
  const xt::xarray<float> x = read_input(path);
  const quant::Shape shape(x.shape().begin(), x.shape().end());
  const calib::Calibration cal = calib::calibrate({x}, r.spec, r.observer);
  const xt::xarray<std::int32_t> q = quant::quantize(x, cal.params, r.spec.rounding, r.spec.seed);
  const xt::xarray<float> xhat = quant::dequantize(q, cal.params);
  const quant::ErrorStats st = quant::error_stats(x, xhat);
  std::optional<std::string> code_dtype;
  if (const auto out = args.value("out")) code_dtype = write_npy_codes(*out, q, cal.params.qmin, cal.params.qmax);
  if (const auto out = args.value("dequant-out")) write_npy_float(*out, xhat);
  if (args.flag("json")) {
    nlohmann::json j = params_json(r, cal, shape);
    j["rounding"] = quant::to_string(r.spec.rounding);
    j["mse"] = number(st.mse);
    j["rmse"] = number(st.rmse);
    j["max_abs_error"] = number(st.max_abs_error);
    j["sqnr_db"] = number(st.sqnr_db);
    j["cosine"] = number(st.cosine);
    j["out"] = args.value("out") ? nlohmann::json(*args.value("out")) : nlohmann::json(nullptr);
    j["code_dtype"] = code_dtype ? nlohmann::json(*code_dtype) : nlohmann::json(nullptr);
    j["dequant_out"] = args.value("dequant-out") ? nlohmann::json(*args.value("dequant-out")) : nlohmann::json(nullptr);
    std::cout << j.dump() << "\n";
  } else {
    print_params_text("quantize " + path, r, cal, shape);
    std::printf("  mse         %s\n", formats::shortest_decimal(st.mse).c_str());
    std::printf("  rmse        %s\n", formats::shortest_decimal(st.rmse).c_str());
    std::printf("  max error   %s\n", formats::shortest_decimal(st.max_abs_error).c_str());
    std::printf("  sqnr        %s dB\n", formats::shortest_decimal(st.sqnr_db).c_str());
    std::printf("  cosine      %s\n", formats::shortest_decimal(st.cosine).c_str());
    if (code_dtype) std::printf("  codes       %s (%s)\n", args.value("out")->c_str(), code_dtype->c_str());
    if (args.value("dequant-out")) std::printf("  dequantized %s (float32)\n", args.value("dequant-out")->c_str());
  }
  return 0;
}

}  // namespace quantlab::cli
