# SPDX-License-Identifier: MIT OR Apache-2.0
# cmake -DGENERATOR=<Ninja|Unix Makefiles> -DSOURCE=<bpfxx> -DBINARY_DIR=<dir> -DCXX=<c++>
#       [-DSKEL=<bpfxx-skel of the host build>] -P run_incremental.cmake
#
# What each rebuild of a user's project does:
#   - a second build with nothing changed does nothing;
#   - touching the kernel source (same object comes out) rebuilds the object
#     but no user code: the skeleton files keep their bytes and times;
#   - touching a header the kernel source includes rebuilds that object.
string(MAKE_C_IDENTIFIER "${GENERATOR}" gen_id)
set(work "${BINARY_DIR}/incremental-${gen_id}")
file(REMOVE_RECURSE "${work}")
file(COPY "${SOURCE}/tests/incremental/" DESTINATION "${work}/src")
set(extra)
if(SKEL)
  list(APPEND extra -DBPFXX_SKEL_EXECUTABLE=${SKEL})
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -S ${work}/src -B ${work}/build -G "${GENERATOR}"
                        -DCMAKE_CXX_COMPILER=${CXX} -DBPFXX_SOURCE=${SOURCE} ${extra}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "configuring with ${GENERATOR} failed:\n${out}")
endif()

function(build step out_var)
  execute_process(COMMAND ${CMAKE_COMMAND} --build ${work}/build RESULT_VARIABLE rc OUTPUT_VARIABLE out
                  ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${step}: the build with ${GENERATOR} failed:\n${out}")
  endif()
  set(${out_var} "${out}" PARENT_SCOPE)
endfunction()

# What a build did, as the generators word it.
set(compiled_user "Building CXX object [^\n]*main\\.cpp")
set(compiled_bpf "Compiling BPF counter\\.bpf\\.cpp")
set(any_work "Building|Compiling|Linking|Generating")

build("first build" out)
execute_process(COMMAND ${work}/build/counter/counter RESULT_VARIABLE rc OUTPUT_VARIABLE run)
if(NOT rc EQUAL 0 OR NOT run MATCHES "counter: 1 program")
  message(FATAL_ERROR "the program built with ${GENERATOR} did not run: ${run}")
endif()

build("no-op build" out)
if(out MATCHES "${any_work}")
  message(FATAL_ERROR "a build with nothing changed did work (${GENERATOR}):\n${out}")
endif()

# Make compares times in whole seconds on some file systems: let them differ.
execute_process(COMMAND ${CMAKE_COMMAND} -E sleep 1.1)
file(TOUCH "${work}/src/counter/counter.bpf.cpp")
build("after touching the kernel source" out)
if(NOT out MATCHES "${compiled_bpf}")
  message(FATAL_ERROR "touching the kernel source did not rebuild its object (${GENERATOR}):\n${out}")
endif()
if(out MATCHES "${compiled_user}")
  message(FATAL_ERROR "an unchanged object recompiled user code (${GENERATOR}):\n${out}")
endif()

execute_process(COMMAND ${CMAKE_COMMAND} -E sleep 1.1)
file(TOUCH "${work}/src/counter/counter.hpp")
build("after touching a header the kernel source includes" out)
if(NOT out MATCHES "${compiled_bpf}")
  message(FATAL_ERROR "touching a header of the kernel source did not rebuild the object (${GENERATOR}):\n${out}")
endif()

build("no-op build at the end" out)
if(out MATCHES "${any_work}")
  message(FATAL_ERROR "a build with nothing changed did work (${GENERATOR}):\n${out}")
endif()
message(STATUS "${GENERATOR}: no-op builds do nothing, kernel edits rebuild the object and no user code")
