# The corosh echo listener as a standalone program (driven by the echo load
# client; prints "listening on HOST:PORT" when ready).
add_executable(corosh_echo_server ${CMAKE_CURRENT_SOURCE_DIR}/corosh_echo_server.cpp)
target_link_libraries(corosh_echo_server PRIVATE corosh_echo)
