# SPDX-License-Identifier: MIT OR Apache-2.0
# Copies IN to OUT with an extra section SECTION, then runs the object check
# (CHECKER --check) on the copy and prints what it said.
file(WRITE "${BLOB}" "12345678")
execute_process(COMMAND "${OBJCOPY}" --add-section "${SECTION}=${BLOB}" "${IN}" "${OUT}" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "llvm-objcopy failed")
endif()
execute_process(COMMAND "${CHECKER}" --check "${OUT}" RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(rc EQUAL 0)
  message(FATAL_ERROR "the object check accepted ${OUT}")
endif()
message("${out}")
