// heed: neural machine translation that shows its attention.
// Parses the command line and runs one subcommand; every error is reported once, here.
#include <CLI/CLI.hpp>
#include <c10/util/Exception.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <torch/csrc/autograd/profiler_legacy.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <optional>

#include "commands/commands.h"
#include "commands/config_file.h"
#include "util/allocator.h"
#include "util/error.h"
#include "util/output_check.h"

namespace {
int fail(const std::string& message, int code = 1) {
  std::cerr << "heed: error: " << message << std::endl;
  return code;
}
}  // namespace

int main(int argc, char** argv) {
  // A closed pipe on stdout is a write error that commands report (util/output_check.h),
  // not a silent death by SIGPIPE.
  std::signal(SIGPIPE, SIG_IGN);
  heed::tune_allocator();
  // Logs and progress go to stderr; stdout carries results only.
  auto logger = spdlog::stderr_color_mt("heed");
  logger->set_pattern("[%H:%M:%S] %v");
  spdlog::set_default_logger(logger);

  CLI::App app{"heed — neural machine translation that shows its attention"};
  app.set_version_flag("--version", std::string("heed ") + HEED_VERSION);
  app.require_subcommand(1);
  bool quiet = false;
  app.add_flag("-q,--quiet", quiet, "only warnings and errors on stderr");
  app.parse_complete_callback([&] {
    if (quiet) spdlog::set_level(spdlog::level::warn);
  });
  heed::add_all_commands(app);

  if (argc == 1) {
    std::cout << app.help();
    return 0;
  }
  // A first word that is neither an option nor a subcommand: name it and the known ones.
  if (argc > 1 && argv[1][0] != '-') {
    std::string known;
    bool found = false;
    for (const auto* command : app.get_subcommands({})) {
      found = found || command->get_name() == argv[1];
      known += (known.empty() ? "" : ", ") + command->get_name();
    }
    if (!found) return fail("unknown command '" + std::string(argv[1]) + "' (known: " + known + ")", 2);
  }
  // For developers: HEED_PROFILE=FILE records every LibTorch operator the command runs
  // as a chrome://tracing file; scripts/profile-ops.py sums it per operator.
  std::optional<torch::autograd::profiler::RecordProfile> profile;
  if (const char* path = std::getenv("HEED_PROFILE")) profile.emplace(std::string(path));
  try {
    std::vector<std::string> args(argv, argv + argc);
    args = heed::expand_config_files(app, "train", std::move(args));
    std::reverse(args.begin(), args.end());  // CLI11 takes a reversed vector
    args.pop_back();                         // without the program name
    app.parse(args);
    heed::check_written(std::cout, "standard output");
    if (std::fflush(stdout) != 0 || std::ferror(stdout)) throw heed::Error("cannot write to standard output");
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    return fail(e.what(), 2);
  } catch (const heed::Error& e) {
    return fail(e.what());
  } catch (const c10::Error& e) {
    return fail(std::string("internal error in LibTorch: ") + e.what_without_backtrace());
  } catch (const std::exception& e) {
    return fail(e.what());
  }
  return 0;
}
