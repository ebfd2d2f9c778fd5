// The CLI's subcommands. Each returns the process exit code and throws
// quantlab::Error for bad input (main turns that into exit code 2).
#pragma once

namespace quantlab::cli {

int bits_command(int argc, char** argv);
int bench_command(int argc, char** argv);
int qparams_command(int argc, char** argv);
int quantize_command(int argc, char** argv);
int info_command(int argc, char** argv);
int run_command(int argc, char** argv);
int eval_command(int argc, char** argv);
int ptq_command(int argc, char** argv);

}  // namespace quantlab::cli
