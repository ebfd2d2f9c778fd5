// Command-line arguments: positionals and --options, parsed once.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace quantlab::cli {

/// @brief Positional arguments and options of one command. Options are given as
/// `--name value` or `--name=value`; flags (declared up front) take no value.
class Args {
 public:
  /// Parses argv[first..]; `flags` lists the options without a value, `valued`
  /// those with one. Unknown options throw InvalidArgument.
  Args(int argc, char** argv, int first, const std::set<std::string>& flags,
       const std::set<std::string>& valued);

  const std::vector<std::string>& positionals() const { return positionals_; }
  bool flag(const std::string& name) const { return flags_.count(name) > 0; }
  std::optional<std::string> value(const std::string& name) const;
  /// Every value of a repeatable option, in order (e.g. --input a=x.npy --input b=y.npy).
  std::vector<std::string> values(const std::string& name) const;

 private:
  std::vector<std::string> positionals_;
  std::set<std::string> flags_;
  std::map<std::string, std::vector<std::string>> values_;
};

}  // namespace quantlab::cli
