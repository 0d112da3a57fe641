# Registers the GoogleTest suite with ctest, one ctest test per test file.
#
# Each test process loads LibTorch (most of a small test's time), so a file's tests run in
# one process: `<folder>/<file>` runs `heed_tests --gtest_filter=<the file's suites>`.
# A test whose TEST(...) line is preceded by the comment
#     // ctest: learning
# (a model learning a toy task: tens of seconds) runs as a ctest test of its own, named
# Suite.Test, with the label `learning` and a high COST, so `ctest -j` starts it first
# and the short files fill the other cores around it. `ctest -L learning` runs only
# those, `ctest -LE learning` everything else.
function(heed_add_test_files target)
  set(all_suites "")
  foreach(source IN LISTS ARGN)
    file(READ "${source}" text)
    string(REGEX MATCHALL "TEST(_F|_P)?\\(([A-Za-z0-9_]+)," declarations "${text}")
    set(suites "")
    foreach(declaration IN LISTS declarations)
      string(REGEX REPLACE "TEST(_F|_P)?\\(([A-Za-z0-9_]+)," "\\2" suite "${declaration}")
      list(APPEND suites ${suite})
    endforeach()
    list(REMOVE_DUPLICATES suites)
    if(NOT suites)
      continue()
    endif()
    foreach(suite IN LISTS suites)
      if(suite IN_LIST all_suites)
        message(FATAL_ERROR "${source}: test suite ${suite} also appears in another file (a file's tests run by suite name)")
      endif()
    endforeach()
    list(APPEND all_suites ${suites})

    string(REGEX MATCHALL "// ctest: learning[ \t]*\n[ \t]*TEST(_F|_P)?\\([A-Za-z0-9_]+, *[A-Za-z0-9_]+\\)" marked "${text}")
    set(learning "")
    foreach(declaration IN LISTS marked)
      string(REGEX REPLACE ".*TEST(_F|_P)?\\(([A-Za-z0-9_]+), *([A-Za-z0-9_]+)\\)" "\\2.\\3" name "${declaration}")
      list(APPEND learning ${name})
      add_test(NAME ${name} COMMAND ${target} --gtest_filter=${name})
      set_tests_properties(${name} PROPERTIES LABELS learning COST 1000 TIMEOUT 900)
    endforeach()

    list(LENGTH declarations tests)
    list(LENGTH learning learning_tests)
    if(tests EQUAL learning_tests)
      continue()  # every test of the file runs on its own
    endif()
    set(filter "")
    foreach(suite IN LISTS suites)
      list(APPEND filter "${suite}.*" "*/${suite}.*")
    endforeach()
    list(JOIN filter ":" filter)
    if(learning)
      list(JOIN learning ":" excluded)
      string(APPEND filter "-${excluded}")
    endif()
    file(RELATIVE_PATH name "${PROJECT_SOURCE_DIR}/tests" "${source}")
    string(REGEX REPLACE "\\.cpp$" "" name "${name}")
    add_test(NAME ${name} COMMAND ${target} --gtest_filter=${filter})
    set_tests_properties(${name} PROPERTIES TIMEOUT 900)
  endforeach()
endfunction()
