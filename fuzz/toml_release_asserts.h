// Force-included before src/commands/config_file.cpp in fuzz_config_file (fuzz/CMakeLists.txt).
//
// toml++ checks its parser's internal assumptions with assert() unless NDEBUG is set,
// and some are reachable from input (toml++ 3.3.0: "[~x]" fails an assertion in
// parse_key, where the release build goes on to a clean parse error). heed links
// Debian's libtomlplusplus.so, built by GCC with NDEBUG, in which these checks are
// compiled out (TOML_ASSERT_ASSUME is then an assumption hint, which GCC ignores). The
// fuzz target compiles toml++ header-only and without NDEBUG, so it turns them off the
// same way, without turning them into clang's __builtin_assume.
#pragma once
#define TOML_ASSERT(expr) static_assert(true)
