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
    "  help\n"
    "      this text\n";

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], "help") == 0 || std::strcmp(argv[1], "--help") == 0) {
    std::fputs(kUsage, argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  const std::string command = argv[1];
  try {
    if (command == "bits") return quantlab::cli::bits_command(argc, argv);
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
