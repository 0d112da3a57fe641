// heed report DIR: the training of a model directory as one HTML page.
#include "commands/commands.h"
#include "commands/runtime_options.h"
#include "report/training_report.h"
#include "util/atomic_file.h"

#include <spdlog/spdlog.h>

namespace heed {

namespace {
struct ReportOptions {
  std::string dir;
  std::string out;  // default DIR/report.html
};

void run_report(const ReportOptions& o) {
  const TrainingReport report = read_training_report(o.dir);
  const std::string out = o.out.empty() ? o.dir + "/report.html" : o.out;
  write_atomically(out, [&](std::ostream& stream) { write_training_report_html(stream, report); });
  spdlog::info("wrote {} ({} validations)", out, report.log.size());
}
}  // namespace

void add_report_command(CLI::App& app) {
  auto o = std::make_shared<ReportOptions>();
  auto* cmd = app.add_subcommand("report", "Write a model directory's training curves, configuration and scores as HTML");
  cmd->add_option("dir", o->dir, "model directory written by `heed train`")->required();
  cmd->add_option("--out", o->out, "HTML file to write (default: DIR/report.html)");
  add_threads_option(cmd);
  cmd->callback([o] { run_report(*o); });
}

}  // namespace heed
