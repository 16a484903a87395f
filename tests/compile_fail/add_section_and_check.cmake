# SPDX-License-Identifier: MIT OR Apache-2.0
# Copies IN to OUT with an extra section SECTION, then runs the object check.
file(WRITE "${BLOB}" "12345678")
execute_process(COMMAND "${OBJCOPY}" --add-section "${SECTION}=${BLOB}" "${IN}" "${OUT}" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "llvm-objcopy failed")
endif()
set(OBJECT "${OUT}")
include("${CHECK}")
message(STATUS "object check accepted ${OUT}")
