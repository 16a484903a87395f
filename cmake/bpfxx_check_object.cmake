# SPDX-License-Identifier: MIT OR Apache-2.0
#
# cmake -DOBJECT=<x.bpf.o> -DREADELF=<llvm-readelf> -DNM=<llvm-nm> [-DCXXFILT=<llvm-cxxfilt>] -P
#
# Rejects a BPF object holding what the kernel cannot run. The compiler
# accepts these in C++ sources; the kernel or verifier would refuse them later
# with a far less helpful message. On rejection the object is deleted so the
# next build tries again.

set(problems)

function(_demangle sym out)
  set(pretty "${sym}")
  if(CXXFILT)
    execute_process(COMMAND "${CXXFILT}" "${sym}" OUTPUT_VARIABLE pretty OUTPUT_STRIP_TRAILING_WHITESPACE)
  endif()
  set(${out} "${pretty}" PARENT_SCOPE)
endfunction()

execute_process(COMMAND "${READELF}" -S -W "${OBJECT}" OUTPUT_VARIABLE sections RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "bpfxx: cannot read ${OBJECT}: ${err}")
endif()
foreach(pair
    "\\.init_array|a global constructor (.init_array): the kernel never runs it; make the global constexpr or constinit"
    "\\.fini_array|a global destructor (.fini_array): the kernel never runs it; give the type a trivial destructor"
    "\\.ctors|a global constructor (.ctors): the kernel never runs it; make the global constexpr or constinit"
    "\\.eh_frame|unwind tables (.eh_frame): compile with -fno-exceptions -fno-asynchronous-unwind-tables"
    "\\.gcc_except_table|exception tables (.gcc_except_table): exceptions do not exist in BPF programs")
  string(FIND "${pair}" "|" bar)
  string(SUBSTRING "${pair}" 0 ${bar} section_re)
  math(EXPR bar "${bar} + 1")
  string(SUBSTRING "${pair}" ${bar} -1 why)
  if(sections MATCHES " ${section_re}[ \t]")
    list(APPEND problems "${why}")
  endif()
endforeach()

execute_process(COMMAND "${NM}" "${OBJECT}" OUTPUT_VARIABLE symbols RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "bpfxx: cannot list symbols of ${OBJECT}: ${err}")
endif()
string(REPLACE "\n" ";" lines "${symbols}")
foreach(line ${lines})
  if(line MATCHES "^[ 0-9a-fA-F]* ([A-Za-z]) (.+)$")
    set(kind "${CMAKE_MATCH_1}")
    set(sym "${CMAKE_MATCH_2}")
    _demangle("${sym}" pretty)
    if(sym MATCHES "^_ZTV")
      list(APPEND problems "a virtual function table '${pretty}': BPF has no indirect calls; replace virtual functions with templates, if constexpr or a switch")
    elseif(sym MATCHES "^_ZTI|^_ZTS")
      list(APPEND problems "run-time type information '${pretty}': compile with -fno-rtti")
    elseif(kind STREQUAL "U")
      if(sym MATCHES "^_Zn[wa]")
        list(APPEND problems "a heap allocation (${pretty}): BPF programs have no heap; keep data on the stack or in a map (array_map, per-CPU array)")
      elseif(sym MATCHES "^_Zd[la]")
        list(APPEND problems "a heap deallocation (${pretty}): BPF programs have no heap")
      elseif(sym MATCHES "^__cxa_pure_virtual|^__cxa_deleted_virtual")
        list(APPEND problems "a virtual function (${sym}): BPF has no indirect calls")
      elseif(sym MATCHES "^__cxa_atexit|^__cxa_thread_atexit")
        list(APPEND problems "a static object with a destructor (${sym}): the kernel never runs it")
      elseif(sym MATCHES "^__cxa_guard")
        list(APPEND problems "a thread-safe static local (${sym}): compile with -fno-threadsafe-statics")
      elseif(sym MATCHES "^__cxa_|^__gxx_|^_Unwind_")
        list(APPEND problems "a call into the C++ runtime (${sym}): exceptions and RTTI do not exist in BPF programs")
      elseif(sym MATCHES "^_Z")
        list(APPEND problems "a C++ function that is declared but never defined ('${pretty}'): BPF objects cannot call out; define it inline in a header, or declare kfuncs extern \"C\"")
      endif()
      # Other undefined names are kfuncs, ksyms and .kconfig externs, which
      # the loader resolves against the kernel.
    endif()
  endif()
endforeach()

if(problems)
  file(REMOVE "${OBJECT}")
  get_filename_component(name "${OBJECT}" NAME)
  set(msg "bpfxx: ${name} cannot run in the kernel:")
  list(REMOVE_DUPLICATES problems)
  foreach(p ${problems})
    string(APPEND msg "\n  - ${p}")
  endforeach()
  message(FATAL_ERROR "${msg}")
endif()
