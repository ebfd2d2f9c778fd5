// Bindings of core/formats: number formats, encode/decode, the walkthrough.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <string>

#include "guard.h"
#include "quantlab/formats/decomposition.h"
#include "quantlab/formats/format_spec.h"

namespace quantlab::wasm {
namespace {

using emscripten::val;
namespace qf = quantlab::formats;

val to_js(const qf::Decomposition& d) {
  val steps = val::array();
  for (const auto& s : d.steps) {
    val step = val::object();
    step.set("id", s.id);
    step.set("title", s.title);
    step.set("detail", s.detail);
    step.set("value", s.value);
    steps.call<void>("push", step);
  }
  val o = val::object();
  o.set("format", d.format);
  o.set("input", d.input);
  o.set("bits", d.bits);
  o.set("hex", d.hex);
  o.set("sign", d.sign);
  o.set("exponent_bits", d.exponent_bits);
  o.set("mantissa_bits", d.mantissa_bits);
  o.set("exponent", d.exponent ? val(*d.exponent) : val::null());
  o.set("class", std::string(qf::to_string(d.value_class)));
  o.set("stored_value", d.stored_value);
  o.set("error", d.error);
  o.set("ulp", d.ulp);
  o.set("overflowed", d.overflowed);
  o.set("steps", steps);
  return o;
}

qf::Overflow overflow_policy(bool saturate) {
  return saturate ? qf::Overflow::saturate : qf::Overflow::to_inf_or_nan;
}

val float_bits(double value, std::string format, bool saturate) {
  return to_js(qf::describe_value(qf::format_spec(format), value, overflow_policy(saturate)));
}

val float_bits_text(std::string text, std::string format, bool saturate) {
  const qf::FormatSpec spec = qf::format_spec(format);
  return to_js(qf::describe_value(spec, qf::parse_number(text), overflow_policy(saturate)));
}

val decode_bits(std::string bits, std::string format) {
  const qf::FormatSpec spec = qf::format_spec(format);
  return to_js(qf::describe_pattern(spec, qf::parse_pattern(spec, bits)));
}

val format_info(std::string format) {
  const qf::FormatSpec s = qf::format_spec(format);
  const qf::FormatLimits l = qf::format_limits(s);
  val o = val::object();
  o.set("name", s.name);
  o.set("kind", std::string(s.kind == qf::Kind::floating ? "float" : "integer"));
  o.set("total_bits", s.total_bits);
  o.set("exponent_bits", s.exponent_bits);
  o.set("mantissa_bits", s.mantissa_bits);
  o.set("bias", s.bias);
  o.set("is_signed", s.is_signed);
  o.set("has_infinity", s.kind == qf::Kind::floating && s.specials == qf::SpecialValues::ieee);
  o.set("max_finite", l.max_finite);
  o.set("lowest", l.lowest);
  o.set("min_normal", l.min_normal);
  o.set("min_subnormal", l.min_subnormal);
  o.set("epsilon", l.epsilon);
  o.set("min_exponent", l.min_exponent);
  o.set("max_exponent", l.max_exponent);
  return o;
}

val float_formats() {
  val names = val::array();
  for (const auto& n : qf::float_format_names()) names.call<void>("push", n);
  return names;
}

}  // namespace
}  // namespace quantlab::wasm

EMSCRIPTEN_BINDINGS(quantlab_formats) {
  using namespace quantlab::wasm;
  emscripten::function("floatBits", QL_GUARD(float_bits));
  emscripten::function("floatBitsText", QL_GUARD(float_bits_text));
  emscripten::function("decodeBits", QL_GUARD(decode_bits));
  emscripten::function("formatInfo", QL_GUARD(format_info));
  emscripten::function("floatFormats", QL_GUARD(float_formats));
}
