# SPDX-License-Identifier: MIT OR Apache-2.0
# cmake -DBUILD_DIR=<tree> -DTARGET=<bpf object target> -DOBJECT=<its .bpf.o> -DSKEL=<bpfxx-skel>
#       -DOUT=<dir> -P build_then_generate.cmake
# Builds a BPF object that is outside `all`, then generates its skeleton;
# prints what the generator said (the test matches it).
execute_process(COMMAND ${CMAKE_COMMAND} --build ${BUILD_DIR} --target ${TARGET} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "building ${TARGET} failed")
endif()
file(MAKE_DIRECTORY "${OUT}")
execute_process(COMMAND ${SKEL} ${OBJECT} x ${OUT}/x.skel.hpp ${OUT}/x.skel.cpp
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
message("bpfxx-skel exit ${rc}: ${out}")
