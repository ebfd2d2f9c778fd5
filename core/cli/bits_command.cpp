// quantlab bits <value> [--format F] [--no-saturate] [--json]
#include <cstdio>
#include <iostream>
#include <string>

#include "args.h"
#include "commands.h"
#include "json_util.h"
#include "quantlab/error.h"
#include "quantlab/formats/decomposition.h"

namespace quantlab::cli {
namespace {

nlohmann::json to_json(const formats::Decomposition& d) {
  nlohmann::json steps = nlohmann::json::array();
  for (const auto& s : d.steps) {
    steps.push_back({{"id", s.id}, {"title", s.title}, {"detail", s.detail}, {"value", s.value}});
  }
  return {{"format", d.format},
          {"input", number(d.input)},
          {"bits", d.bits},
          {"hex", d.hex},
          {"sign", d.sign},
          {"exponent_bits", d.exponent_bits},
          {"mantissa_bits", d.mantissa_bits},
          {"exponent", d.exponent ? nlohmann::json(*d.exponent) : nlohmann::json(nullptr)},
          {"class", formats::to_string(d.value_class)},
          {"stored_value", number(d.stored_value)},
          {"error", number(d.error)},
          {"ulp", number(d.ulp)},
          {"overflowed", d.overflowed},
          {"steps", steps}};
}

void print_text(const formats::Decomposition& d) {
  std::printf("%s of %s\n", d.format.c_str(), formats::shortest_decimal(d.input).c_str());
  if (d.exponent_bits.empty()) {
    std::printf("  bits      %s  (%s)\n", d.bits.c_str(), d.hex.c_str());
  } else {
    std::printf("  bits      %c %s %s  (%s)\n", d.bits[0], d.exponent_bits.c_str(), d.mantissa_bits.c_str(),
                d.hex.c_str());
    std::printf("            sign exponent mantissa\n");
  }
  std::printf("  class     %s\n", formats::to_string(d.value_class));
  if (d.exponent) std::printf("  exponent  %d\n", *d.exponent);
  std::printf("  stored    %s\n", formats::shortest_decimal(d.stored_value).c_str());
  std::printf("  error     %s%s\n", formats::shortest_decimal(d.error).c_str(), d.overflowed ? "  (overflowed)" : "");
  std::printf("\nwalkthrough\n");
  int i = 1;
  for (const auto& s : d.steps) {
    std::printf("  %d. %s: %s\n     %s\n", i++, s.title.c_str(), s.value.c_str(), s.detail.c_str());
  }
}

}  // namespace

int bits_command(int argc, char** argv) {
  const Args args(argc, argv, 2, {"json", "no-saturate"}, {"format"});
  if (args.positionals().size() != 1) {
    throw InvalidArgument("expected exactly one value, e.g. 'quantlab bits 85.125 --format fp32'");
  }
  const double value = formats::parse_number(args.positionals()[0]);
  const formats::FormatSpec spec = formats::format_spec(args.value("format").value_or("fp32"));
  const auto overflow = args.flag("no-saturate") ? formats::Overflow::to_inf_or_nan : formats::Overflow::saturate;
  const formats::Decomposition d = formats::describe_value(spec, value, overflow);
  if (args.flag("json")) {
    std::cout << to_json(d).dump() << "\n";
  } else {
    print_text(d);
  }
  return 0;
}

}  // namespace quantlab::cli
