// The `heed` subcommands. Each add_* registers one subcommand on the app; its
// callback parses nothing itself beyond CLI11's typed options and calls the library.
#pragma once

#include <CLI/App.hpp>

namespace heed {

void add_data_command(CLI::App& app);
void add_models_command(CLI::App& app);
void add_train_command(CLI::App& app);
void add_translate_command(CLI::App& app);
void add_dump_attention_command(CLI::App& app);
void add_align_eval_command(CLI::App& app);
void add_eval_command(CLI::App& app);
void add_vocab_command(CLI::App& app);
void add_score_command(CLI::App& app);
void add_report_command(CLI::App& app);
void add_serve_command(CLI::App& app);
void add_gemm_rate_command(CLI::App& app);
void add_shortlist_command(CLI::App& app);

inline void add_all_commands(CLI::App& app) {
  add_data_command(app);
  add_models_command(app);
  add_train_command(app);
  add_translate_command(app);
  add_dump_attention_command(app);
  add_align_eval_command(app);
  add_eval_command(app);
  add_score_command(app);
  add_vocab_command(app);
  add_report_command(app);
  add_serve_command(app);
  add_shortlist_command(app);
  add_gemm_rate_command(app);
}

}  // namespace heed
