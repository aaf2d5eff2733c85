# Echo benchmark tooling: a load client and the callback baseline server.
# bench/run_echo_bench runs both servers (this baseline and corosh's own echo
# server) under the same client and prints the ratios.
#
# Both programs use epoll directly, so they are Linux-only; corosh's runtime is
# not linked in — the client must not share code with what it measures.
if(CMAKE_SYSTEM_NAME STREQUAL "Linux")
  add_executable(echo_load ${CMAKE_CURRENT_SOURCE_DIR}/echo_load.cpp)
  add_executable(echo_callback_server ${CMAKE_CURRENT_SOURCE_DIR}/echo_callback_server.cpp)
  foreach(target echo_load echo_callback_server)
    target_compile_features(${target} PRIVATE cxx_std_20)
  endforeach()
else()
  message(STATUS "echo_load and echo_callback_server use epoll: skipped on ${CMAKE_SYSTEM_NAME}")
endif()
