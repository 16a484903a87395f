# SPDX-License-Identifier: MIT OR Apache-2.0
# Seeds CORPUS for fuzzer NAME from the test objects, then runs it SECONDS.
file(MAKE_DIRECTORY "${CORPUS}")
file(GLOB objects "${OBJECTS}/*.bpf.o")
if(EXISTS "${SEEDS}")
  file(COPY "${SEEDS}/" DESTINATION "${CORPUS}")
endif()
if(NAME STREQUAL "binary_fuzz")
  # Executables and libraries, not BPF objects: small ones of the system.
  foreach(seed /usr/bin/true /usr/bin/env)
    if(EXISTS "${seed}")
      file(COPY "${seed}" DESTINATION "${CORPUS}")
    endif()
  endforeach()
  set(objects)
endif()
foreach(obj ${objects})
  get_filename_component(base "${obj}" NAME_WE)
  if(NAME STREQUAL "elf_fuzz" OR NAME STREQUAL "object_fuzz")
    file(COPY "${obj}" DESTINATION "${CORPUS}")
  elseif(NAME STREQUAL "btf_fuzz")
    execute_process(COMMAND "${OBJCOPY}" --dump-section ".BTF=${CORPUS}/${base}.btf" "${obj}" /dev/null
                    RESULT_VARIABLE rc OUTPUT_QUIET ERROR_QUIET)
  elseif(NAME STREQUAL "btf_ext_fuzz" OR NAME STREQUAL "core_fuzz")
    # Input layout of btf_ext_fuzz: u32 length of the BTF blob, the .BTF
    # section (its string table names the .BTF.ext sections), then .BTF.ext.
    execute_process(COMMAND "${OBJCOPY}" --dump-section ".BTF=${CORPUS}/${base}.btf.tmp"
                            --dump-section ".BTF.ext=${CORPUS}/${base}.ext.tmp" "${obj}" /dev/null
                    RESULT_VARIABLE rc OUTPUT_QUIET ERROR_QUIET)
    if(rc EQUAL 0 AND EXISTS "${CORPUS}/${base}.btf.tmp" AND EXISTS "${CORPUS}/${base}.ext.tmp")
      # The length as four little-endian bytes, in POSIX printf's octal escapes.
      file(SIZE "${CORPUS}/${base}.btf.tmp" n)
      set(len "")
      foreach(shift 0 8 16 24)
        math(EXPR byte "(${n} >> ${shift}) & 255")
        math(EXPR d0 "(${byte} >> 6) & 7")
        math(EXPR d1 "(${byte} >> 3) & 7")
        math(EXPR d2 "${byte} & 7")
        string(APPEND len "\\${d0}${d1}${d2}")
      endforeach()
      execute_process(COMMAND sh -c "printf '${len}' > '${base}.seed' && cat '${base}.btf.tmp' '${base}.ext.tmp' >> '${base}.seed'"
                      WORKING_DIRECTORY "${CORPUS}")
    endif()
    file(REMOVE "${CORPUS}/${base}.btf.tmp" "${CORPUS}/${base}.ext.tmp")
  endif()
endforeach()
execute_process(COMMAND "${FUZZER}" "${CORPUS}" -max_total_time=${SECONDS} -print_final_stats=1
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${NAME} found a crash (exit ${rc}); the reproducer is in the working directory")
endif()
