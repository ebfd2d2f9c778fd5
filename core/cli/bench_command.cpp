// quantlab bench [--json] [--impl scalar|simd] [--min-time-ms N]
//
// Times the standard kernel cases (the shapes of `npm run bench`) and the
// depthwise convolutions of fashion_dwcnn with the kernels compiled into this
// binary. A native build has the portable scalar kernels only (the SIMD ones
// are WebAssembly SIMD128).
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "args.h"
#include "commands.h"
#include "json_util.h"
#include "quantlab/error.h"
#include "quantlab/kernels/benchmark.h"
#include "quantlab/kernels/isa.h"

namespace quantlab::cli {

int bench_command(int argc, char** argv) {
  const Args args(argc, argv, 2, {"json"}, {"impl", "min-time-ms"});
  if (!args.positionals().empty()) throw InvalidArgument("bench takes no positional arguments");
  const std::string impl = args.value("impl").value_or(kernels::to_string(kernels::best_isa()));
  kernels::parse_isa(impl);  // rejects unknown names and "simd" in a native build
  double min_time_ms = 300;
  if (const auto v = args.value("min-time-ms")) {
    try {
      std::size_t used = 0;
      min_time_ms = std::stod(*v, &used);
      if (used != v->size()) throw InvalidArgument("");
    } catch (const std::exception&) {
      throw InvalidArgument("--min-time-ms needs a number, got '" + *v + "'");
    }
  }
  nlohmann::json records = nlohmann::json::array();
  if (!args.flag("json")) std::printf("%-7s %-5s %-20s %-7s %10s %8s\n", "kernel", "dtype", "shape", "impl", "ms", "GOPS");
  std::vector<kernels::BenchmarkSpec> specs = kernels::standard_benchmarks(impl, min_time_ms);
  for (const kernels::BenchmarkSpec& spec : kernels::depthwise_benchmarks(impl, min_time_ms)) specs.push_back(spec);
  for (const kernels::BenchmarkSpec& spec : specs) {
    const kernels::BenchmarkResult r = kernels::run_benchmark(spec);
    records.push_back({{"kernel", r.kernel},
                       {"dtype", r.dtype},
                       {"impl", r.impl},
                       {"shape", r.shape},
                       {"ms", number(r.ms)},
                       {"gops", number(r.gops)},
                       {"iterations", r.iterations}});
    if (!args.flag("json")) {
      std::printf("%-7s %-5s %-20s %-7s %10.3f %8.2f\n", r.kernel.c_str(), r.dtype.c_str(), r.shape.c_str(),
                  r.impl.c_str(), r.ms, r.gops);
      std::fflush(stdout);
    }
  }
  if (args.flag("json")) std::cout << records.dump() << "\n";
  return 0;
}

}  // namespace quantlab::cli
