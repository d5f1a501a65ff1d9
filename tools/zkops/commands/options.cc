#include "commands/options.h"

#include <algorithm>
#include <cstdlib>

namespace zkops {
namespace {

bool Contains(const std::vector<std::string>& list, const std::string& s) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

}  // namespace

std::vector<Word> SplitWords(const std::vector<std::string>& args,
                             const std::vector<std::string>& valued,
                             const OptionalValues& optional) {
  std::vector<Word> words;
  for (size_t i = 0; i < args.size(); ++i) {
    Word w;
    w.text = args[i];
    w.name = w.text;
    w.option = !w.text.empty() && w.text[0] == '-' && w.text != "-";
    if (!w.option) {
      words.push_back(std::move(w));
      continue;
    }
    if (const size_t eq = w.text.find('='); w.text.rfind("--", 0) == 0 && eq != std::string::npos) {
      w.name = w.text.substr(0, eq);
      w.value = w.text.substr(eq + 1);
      w.has_value = w.inline_value = true;
    } else if (i + 1 < args.size()) {
      auto opt = optional.find(w.name);
      if (Contains(valued, w.name) || (opt != optional.end() && opt->second(args[i + 1]))) {
        w.value = args[++i];
        w.has_value = true;
      }
    }
    words.push_back(std::move(w));
  }
  return words;
}

zk::Status ParseCommandLine(const std::vector<std::string>& args,
                            const std::vector<std::string>& flags,
                            const std::vector<std::string>& valued, CommandLine* out) {
  *out = CommandLine();
  std::vector<std::string> all_valued = {"-i", "--inventory", "--env", "--server"};
  all_valued.insert(all_valued.end(), valued.begin(), valued.end());
  for (const Word& w : SplitWords(args, all_valued)) {
    if (w.text == "-h" || w.text == "--help" || w.text == "help") {
      out->help = true;
      continue;
    }
    if (!w.option) {
      out->positional.push_back(w.text);
      continue;
    }
    if (!Contains(all_valued, w.name)) {
      if (Contains(flags, w.name) && !w.inline_value) {
        out->flags.insert(w.name);
        continue;
      }
      return zk::Status::InvalidArgument("unknown option " + w.name);
    }
    if (!w.has_value) return zk::Status::InvalidArgument(w.name + " needs a value");
    const std::string& value = w.value;
    if (w.name == "-i" || w.name == "--inventory") {
      out->inventory = value;
    } else if (w.name == "--env") {
      out->env = value;
    } else if (w.name == "--server") {
      if (value.empty() || value.size() > 3 ||
          value.find_first_not_of("0123456789") != std::string::npos) {
        return zk::Status::InvalidArgument("--server needs a server id (0..255), got '" + value +
                                           "'");
      }
      out->server = std::stoull(value);
    } else {
      out->values[w.name] = value;
    }
  }
  if (out->inventory.empty()) {
    const char* env = std::getenv("ZKOPS_INVENTORY");
    if (env != nullptr && *env != '\0') {
      out->inventory = env;
    } else {
      out->inventory = "zkops.yaml";
    }
  }
  return zk::Status::OK();
}

}  // namespace zkops
