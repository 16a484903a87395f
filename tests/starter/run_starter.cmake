# SPDX-License-Identifier: MIT OR Apache-2.0
# cmake -DSOURCE=<bpfxx> -DBINARY_DIR=<dir> -DCXX=<c++> [-DSKEL=<bpfxx-skel>] -P run_starter.cmake
#
# Copies starter/ out of the tree, builds it against this checkout as its
# README says, and runs it: for five seconds as root (it must list this
# process among the counted ones), else only --help.
set(work "${BINARY_DIR}/starter-copy")
file(REMOVE_RECURSE "${work}")
file(COPY "${SOURCE}/starter/" DESTINATION "${work}/src")
set(extra)
if(SKEL)
  list(APPEND extra -DBPFXX_SKEL_EXECUTABLE=${SKEL})
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -S ${work}/src -B ${work}/build -G Ninja -DCMAKE_CXX_COMPILER=${CXX}
                        -DBPFXX_SOURCE_DIR=${SOURCE} ${extra}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "configuring the starter failed:\n${out}")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --build ${work}/build RESULT_VARIABLE rc OUTPUT_VARIABLE out
                ERROR_VARIABLE out)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "building the starter failed:\n${out}")
endif()
execute_process(COMMAND ${work}/build/syscount --help RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT rc EQUAL 0 OR NOT out MATCHES "usage: syscount")
  message(FATAL_ERROR "syscount --help: ${out}")
endif()
execute_process(COMMAND id -u OUTPUT_VARIABLE uid OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT uid STREQUAL "0")
  message(STATUS "starter built; not run (loading programs needs root)")
  return()
endif()
execute_process(COMMAND ${work}/build/syscount -d 2 RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT rc EQUAL 0 OR NOT out MATCHES "PID +SYSCALLS\n[0-9]+ +[0-9]+")
  message(FATAL_ERROR "syscount -d 2 (exit ${rc}):\n${out}")
endif()
message(STATUS "starter built outside the tree and counted system calls:\n${out}")
