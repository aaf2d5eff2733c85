# Benchmarks do not rot: each benchmark binary runs once with the smallest
# amount of work (one iteration per Google Benchmark case, a hundred
# coroutines, a fraction of a second of echo load), so a change that breaks
# a benchmark fails `ctest --preset bench` in CI. No timing is asserted:
# the figures of such a run mean nothing.
set(bench_smoke_labels LABELS bench-smoke)

# Google Benchmark 1.7 stops a case once it ran min_time seconds: 0 means
# one iteration. SkipWithError prints "ERROR OCCURRED".
foreach(binary switch_bench create_bench)
  add_test(NAME smoke_${binary} COMMAND ${binary} --benchmark_min_time=0)
  set_tests_properties(smoke_${binary} PROPERTIES ${bench_smoke_labels}
    PASS_REGULAR_EXPRESSION "candidate +baseline" FAIL_REGULAR_EXPRESSION "ERROR OCCURRED")
endforeach()

add_test(NAME smoke_memory_per_coroutine COMMAND memory_per_coroutine 100)
set_tests_properties(smoke_memory_per_coroutine PROPERTIES ${bench_smoke_labels}
  PASS_REGULAR_EXPRESSION "KiB per coroutine")

foreach(variant corosh fiber fcontext corosh-create fiber-create)
  add_test(NAME smoke_roundtrip_count_${variant} COMMAND roundtrip_count ${variant} 1000)
  set_tests_properties(smoke_roundtrip_count_${variant} PROPERTIES ${bench_smoke_labels})
endforeach()

if(TARGET echo_load AND TARGET echo_callback_server)
  add_test(NAME smoke_run_echo_bench
    COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/run_echo_bench --duration 0.2 --warmup 0 --repeat 1
            --connections "1 10" --sizes 64
            --client $<TARGET_FILE:echo_load>
            --callback $<TARGET_FILE:echo_callback_server>
            --corosh $<TARGET_FILE:corosh_echo_server>)
  # Both servers must have been measured: a skipped one shows "n/a".
  set_tests_properties(smoke_run_echo_bench PROPERTIES ${bench_smoke_labels}
    PASS_REGULAR_EXPRESSION "\\| 10 \\| 64 B \\| [0-9,]+ \\| [0-9,]+ \\|")
endif()

# The shell at scale, with a few hundred coroutines instead of 100,000.
add_test(NAME smoke_shell_scale
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/shell_scale --spawns 300 --list 300 --shell $<TARGET_FILE:corosh>)
set_tests_properties(smoke_shell_scale PROPERTIES ${bench_smoke_labels}
  PASS_REGULAR_EXPRESSION "`list` \\(with[^|]*\\| 300 \\| [0-9.]+ \\|")

# What attaching costs the echo server, with a hundred sleepers and a
# fraction of a second per setting.
if(TARGET echo_load)
  add_test(NAME smoke_run_attach_bench
    COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/run_attach_bench --coroutines 100 --connections 10
            --duration 0.3 --warmup 0 --repeat 1)
  set_tests_properties(smoke_run_attach_bench PROPERTIES ${bench_smoke_labels}
    PASS_REGULAR_EXPRESSION "\\| idle monitor \\| [0-9]+ \\|")
endif()
