#include "args.h"

#include "quantlab/error.h"

namespace quantlab::cli {

Args::Args(int argc, char** argv, int first, const std::set<std::string>& flags,
           const std::set<std::string>& valued) {
  for (int i = first; i < argc; ++i) {
    std::string a = argv[i];
    // A lone "-" or a negative number is a positional, not an option.
    const bool is_option = a.size() > 2 && a.compare(0, 2, "--") == 0;
    if (!is_option) {
      positionals_.push_back(a);
      continue;
    }
    std::string name = a.substr(2);
    std::optional<std::string> inline_value;
    if (const auto eq = name.find('='); eq != std::string::npos) {
      inline_value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    if (flags.count(name)) {
      if (inline_value) throw InvalidArgument("option --" + name + " takes no value");
      flags_.insert(name);
    } else if (valued.count(name)) {
      if (inline_value) {
        values_[name].push_back(*inline_value);
      } else if (i + 1 < argc) {
        values_[name].push_back(argv[++i]);
      } else {
        throw InvalidArgument("option --" + name + " needs a value");
      }
    } else {
      throw InvalidArgument("unknown option --" + name);
    }
  }
}

std::optional<std::string> Args::value(const std::string& name) const {
  const auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second.back();  // the last one wins, as in most tools
}

std::vector<std::string> Args::values(const std::string& name) const {
  const auto it = values_.find(name);
  return it == values_.end() ? std::vector<std::string>{} : it->second;
}

}  // namespace quantlab::cli
