# SPDX-License-Identifier: MIT OR Apache-2.0
# Configures, builds and runs the consumer project one way (MODE).
set(work "${BINARY_DIR}/consumer-${MODE}")
file(REMOVE_RECURSE "${work}")
set(extra)
if(MODE STREQUAL "find_package")
  execute_process(COMMAND ${CMAKE_COMMAND} -S ${SOURCE} -B ${work}/bpfxx-build -G Ninja
                          -DBPFXX_BUILD_TESTS=OFF -DBPFXX_BUILD_EXAMPLES=OFF -DBPFXX_BUILD_TOOLS=OFF
                          -DBPFXX_INSTALL=ON -DCMAKE_INSTALL_PREFIX=${work}/prefix
                  RESULT_VARIABLE rc)
  if(rc EQUAL 0)
    execute_process(COMMAND ${CMAKE_COMMAND} --build ${work}/bpfxx-build RESULT_VARIABLE rc)
  endif()
  if(rc EQUAL 0)
    execute_process(COMMAND ${CMAKE_COMMAND} --install ${work}/bpfxx-build RESULT_VARIABLE rc)
  endif()
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "installing bpfxx failed")
  endif()
  set(extra -DCMAKE_PREFIX_PATH=${work}/prefix)
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -S ${SOURCE}/tests/consumer -B ${work}/build -G Ninja
                        -DCMAKE_CXX_COMPILER=${CXX} -DBPFXX_CONSUME=${MODE} -DBPFXX_SOURCE=${SOURCE} ${extra}
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "configuring the consumer (${MODE}) failed")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --build ${work}/build RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "building the consumer (${MODE}) failed")
endif()
execute_process(COMMAND ${work}/build/consumer RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the consumer (${MODE}) failed")
endif()
