// quantlab — command-line front end of the core.
//
// Exit codes: 0 success, 2 bad input or usage (one line on stderr), 1 an
// unexpected internal failure.
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>

#include "commands.h"
#include "quantlab/error.h"

namespace {

constexpr const char* kUsage =
    "usage: quantlab <command> [options]\n"
    "\n"
    "commands:\n"
    "  bits <value> [--format fp32|fp16|bf16|fp8_e4m3|fp8_e5m2|intN|uintN] [--no-saturate] [--json]\n"
    "      how <value> is stored in a number format, with the textbook walkthrough\n"
    "  qparams <x.npy> [<x2.npy> ...] [quantizer options] [--json]\n"
    "      scale and zero point for float32/float64 .npy data (several files: calibration batches)\n"
    "  quantize <x.npy> [quantizer options] [--rounding half_even|half_away|stochastic] [--seed N]\n"
    "           [--out q.npy] [--dequant-out xhat.npy] [--json]\n"
    "      quantize, write the codes (uint8/int8, uint16/int16) and x-hat (float32), report the error\n"
    "  info <model.onnx> [--json]\n"
    "      inputs, outputs and the layer list of an ONNX model (shapes, parameters, share of FLOPs)\n"
    "  run <model.onnx> --input NAME=x.npy [--input ...] [--out-dir DIR] [--json]\n"
    "      run a model on .npy inputs; writes each output as DIR/NAME.npy\n"
    "  eval <model.onnx> --images x.npy --labels y.npy [--batch 32] [--normalize MEAN,STD] [--json]\n"
    "      top-1 accuracy and images/s of a classifier (uint8 images need --normalize)\n"
    "  ptq <model.onnx> --calib x.npy --out q.onnx [--normalize MEAN,STD] [--samples 200] [--mode static|dynamic]\n"
    "      [--activation-scheme S] [--activation-type int8|uint8] [--activation-observer K] [--percentile P]\n"
    "      [--weight-scheme S] [--weight-bits 8|7|4] [--weight-granularity channel|tensor] [--weight-observer K]\n"
    "      [--keep-float L1,L2] [--layer-bits L1=4,L2=4] [--report r.json] [--recipe r.json]\n"
    "      [--eval-images x.npy --eval-labels y.npy [--sensitivity] [--low-bits] [--budget 0.005]] [--json]\n"
    "      post-training quantization to a QDQ ONNX model, with a per-layer error report\n"
    "      (--sensitivity: layers to keep in float, --low-bits: layers whose weights can be 4-bit, within --budget)\n"
    "  ptq <model.onnx> --recipe r.json --out q.onnx\n"
    "      replay a recipe written by ptq: the same model, byte for byte, without data\n"
    "  bench [--json] [--impl scalar|simd] [--min-time-ms N]\n"
    "      time the kernels (GEMM, matvec, conv; fp32 and int8) on the standard shapes\n"
    "  help\n"
    "      this text\n"
    "\n"
    "quantizer options (defaults first):\n"
    "  --scheme asymmetric|symmetric   --bits 8 (2..8 or 16)   --narrow-range\n"
    "  --signed | --unsigned           (default: signed for symmetric, unsigned for asymmetric)\n"
    "  --per-channel AXIS              --group-size N --axis AXIS (or with --per-channel AXIS)\n"
    "  --observer minmax|moving_average|percentile|mse|entropy\n"
    "  --percentile 99.99   --momentum 0.01   --bins 2048\n";

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], "help") == 0 || std::strcmp(argv[1], "--help") == 0) {
    std::fputs(kUsage, argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  const std::string command = argv[1];
  try {
    if (command == "bits") return quantlab::cli::bits_command(argc, argv);
    if (command == "bench") return quantlab::cli::bench_command(argc, argv);
    if (command == "qparams") return quantlab::cli::qparams_command(argc, argv);
    if (command == "quantize") return quantlab::cli::quantize_command(argc, argv);
    if (command == "info") return quantlab::cli::info_command(argc, argv);
    if (command == "run") return quantlab::cli::run_command(argc, argv);
    if (command == "eval") return quantlab::cli::eval_command(argc, argv);
    if (command == "ptq") return quantlab::cli::ptq_command(argc, argv);
    std::fprintf(stderr, "quantlab: unknown command '%s' (try 'quantlab help')\n", command.c_str());
    return 2;
  } catch (const quantlab::Error& e) {
    std::fprintf(stderr, "quantlab %s: %s\n", command.c_str(), e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "quantlab %s: internal error: %s\n", command.c_str(), e.what());
    return 1;
  }
}
