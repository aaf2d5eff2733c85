# Runtime benchmarks: switch round trips, creation, memory per coroutine.
# Every binary measures corosh against its baseline in the same run and
# prints the ratios at the end (see docs/BENCHMARKS.md).
find_package(benchmark REQUIRED)
find_package(Boost 1.74 REQUIRED COMPONENTS context)

# The assembly-level comparison of the two return styles. The switch is
# assembled a second time with both variants; its symbols are renamed so this
# copy cannot clash with the runtime's own corosh_switch and corosh_trampoline.
if(COROSH_ARCH STREQUAL "x86_64")
  add_library(bench_switch_variants OBJECT ${PROJECT_SOURCE_DIR}/asm/switch_x86_64.S)
  target_include_directories(bench_switch_variants PRIVATE ${PROJECT_SOURCE_DIR}/asm)
  target_compile_definitions(bench_switch_variants PRIVATE
    COROSH_SWITCH_VARIANTS
    corosh_switch=bench_switch_jmp
    corosh_switch_ret=bench_switch_ret
    corosh_trampoline=bench_switch_trampoline)
endif()

# Resume + yield round trips: corosh vs Boost.Context, ucontext, C++20.
add_executable(switch_bench ${CMAKE_CURRENT_SOURCE_DIR}/switch_bench.cpp)
target_link_libraries(switch_bench PRIVATE corosh::core benchmark::benchmark Boost::context)
if(TARGET bench_switch_variants)
  target_sources(switch_bench PRIVATE $<TARGET_OBJECTS:bench_switch_variants>)
  target_compile_definitions(switch_bench PRIVATE COROSH_BENCH_SWITCH_VARIANTS)
endif()

# Create + first resume + destroy, pooled stacks on both sides.
add_executable(create_bench ${CMAKE_CURRENT_SOURCE_DIR}/create_bench.cpp)
target_link_libraries(create_bench PRIVATE corosh::core benchmark::benchmark Boost::context)

# Resident memory per suspended coroutine (a plain program, not a benchmark).
add_executable(memory_per_coroutine ${CMAKE_CURRENT_SOURCE_DIR}/memory_per_coroutine.cpp)
target_link_libraries(memory_per_coroutine PRIVATE corosh::core Boost::context)

# A fixed number of round trips, for instruction counts under callgrind.
add_executable(roundtrip_count ${CMAKE_CURRENT_SOURCE_DIR}/roundtrip_count.cpp)
target_link_libraries(roundtrip_count PRIVATE corosh::core Boost::context)
