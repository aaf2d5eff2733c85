# cmake -DBUILD_DIR=... -DWORK_DIR=... -DGENERATOR=... [-DGDB=...] -P check_install.cmake
# Installs the build into a scratch prefix, builds the consumer project
# against it with find_package(corosh), runs its programs and checks their
# output.
file(REMOVE_RECURSE "${WORK_DIR}")
execute_process(COMMAND ${CMAKE_COMMAND} --install "${BUILD_DIR}" --prefix "${WORK_DIR}/prefix"
                RESULT_VARIABLE rc OUTPUT_QUIET)
if(rc)
  message(FATAL_ERROR "cmake --install failed (${rc})")
endif()
foreach(expected include/corosh/coroutine.hpp include/corosh/generator.hpp include/corosh/spawnable.hpp
                 include/corosh/version.hpp share/corosh/gdb/corosh.py share/corosh/lldb/corosh.py
                 share/corosh/debugger/corosh_debug/model.py)
  if(NOT EXISTS "${WORK_DIR}/prefix/${expected}")
    message(FATAL_ERROR "not installed: ${expected}")
  endif()
endforeach()
execute_process(COMMAND ${CMAKE_COMMAND} -S "${CMAKE_CURRENT_LIST_DIR}/consumer" -B "${WORK_DIR}/build"
                        -G "${GENERATOR}" -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(rc)
  message(FATAL_ERROR "configuring the consumer failed:\n${out}")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --build "${WORK_DIR}/build" RESULT_VARIABLE rc
                OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(rc)
  message(FATAL_ERROR "building the consumer failed:\n${out}")
endif()
execute_process(COMMAND "${WORK_DIR}/build/consumer" RESULT_VARIABLE rc OUTPUT_VARIABLE out)
if(rc OR NOT out STREQUAL "0\n1\n1\n2\n3\n")
  message(FATAL_ERROR "the consumer printed '${out}' (exit ${rc}); expected 0 1 1 2 3")
endif()
execute_process(COMMAND "${WORK_DIR}/build/shell_inside" RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(rc OR NOT out MATCHES "spawned coroutine 1 'hello'.*yielded hello from the program\n")
  message(FATAL_ERROR "shell_inside printed '${out}' (exit ${rc})")
endif()
# The installed gdb scripts load (they find the model beside them) and add `coro`.
if(GDB)
  execute_process(COMMAND ${GDB} -batch -nx -ex "source ${WORK_DIR}/prefix/share/corosh/gdb/corosh.py"
                          -ex "help coro"
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(rc OR NOT out MATCHES "coro list")
    message(FATAL_ERROR "the installed gdb/corosh.py did not load (exit ${rc}):\n${out}")
  endif()
endif()
message(STATUS "find_package(corosh) + corosh::core and corosh::shell work from an installed tree")
