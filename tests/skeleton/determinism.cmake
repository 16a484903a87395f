# SPDX-License-Identifier: MIT OR Apache-2.0
# Generates the same skeleton twice, from two copies of the object in
# different directories, and compares the bytes of both files.
file(MAKE_DIRECTORY "${OUT}/a" "${OUT}/b")
file(COPY "${OBJECT}" DESTINATION "${OUT}/a")
file(COPY "${OBJECT}" DESTINATION "${OUT}/b")
get_filename_component(name "${OBJECT}" NAME)
foreach(d a b)
  file(REMOVE "${OUT}/${d}/x.skel.hpp" "${OUT}/${d}/x.skel.cpp")
  execute_process(COMMAND "${TOOL}" "${OUT}/${d}/${name}" x "${OUT}/${d}/x.skel.hpp" "${OUT}/${d}/x.skel.cpp"
                  RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "bpfxx-skel failed")
  endif()
endforeach()
foreach(f x.skel.hpp x.skel.cpp)
  file(SHA256 "${OUT}/a/${f}" ha)
  file(SHA256 "${OUT}/b/${f}" hb)
  if(NOT ha STREQUAL hb)
    message(FATAL_ERROR "two generations of ${f} from the same object differ")
  endif()
endforeach()
