# SPDX-License-Identifier: MIT OR Apache-2.0
#
# bpfxx CMake module: compiles kernel programs with clang -target bpf.
#
#   bpfxx_add_bpf_object(<target> SOURCES <src>... [INCLUDE_DIRECTORIES <dir>...]
#                        [COMPILE_OPTIONS <opt>...] [DEFINITIONS <def>...] [VMLINUX <target>]
#                        [OUTPUT_NAME <name>] [NO_CHECK] [EXCLUDE_FROM_ALL])
#
# Each source (C++ or plain C) is compiled to LLVM bitcode, the bitcode of all
# sources is linked with llvm-link and compiled to one BPF ELF object
# (<name>.bpf.o, name defaulting to <target>): ld.lld and Debian's bpftool
# cannot link BPF objects with BTF, so linking happens before code generation.
# The object is then checked for what the kernel cannot run (global
# constructors, vtables and indirect calls, unwind tables, the heap, C++
# runtime calls) and rejected with one line per finding, its source line
# where line info has it, and what to do. The object's path is in the target property
# BPFXX_OBJECT_FILE.

include_guard(GLOBAL)
# Depfiles of custom commands are read relative to the directory that
# declares them (CMake 3.20); the functions below write absolute paths.
# Functions keep the policies in effect where they are defined.
cmake_policy(SET CMP0116 NEW)

# Include roots for kernel code: the source tree, or an installed package.
if(EXISTS "${CMAKE_CURRENT_LIST_DIR}/../kernel/bpfxx")
  get_filename_component(_bpfxx_root "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
  set(BPFXX_KERNEL_INCLUDE_DIRS "${_bpfxx_root}/kernel" "${_bpfxx_root}/include" CACHE INTERNAL "")
else()
  get_filename_component(_bpfxx_share "${CMAKE_CURRENT_LIST_DIR}/../.." ABSOLUTE)
  get_filename_component(_bpfxx_prefix "${_bpfxx_share}/.." ABSOLUTE)
  set(BPFXX_KERNEL_INCLUDE_DIRS "${_bpfxx_share}/bpfxx/kernel" "${_bpfxx_prefix}/include" CACHE INTERNAL "")
endif()
# Cache variables: the functions below may be called from any directory
# scope, including a parent of the one that included this module.
set(_BPFXX_MODULE_DIR "${CMAKE_CURRENT_LIST_DIR}" CACHE INTERNAL "")

# Flags for C++ kernel code (docs/kernel.md says why each is there).
# -gsimple-template-names keeps template names valid for the kernel's BTF
# checks; -gomit-unreferenced-methods (clang 19) keeps member functions out
# of BTF structs.
# __TARGET_ARCH_<arch> (libbpf's spelling, so C sources written for
# bpf_tracing.h build too) tells kernel code whose pt_regs a probe sees:
# the target's, which is the host's unless cross-compiling.
set(_bpfxx_arch_flags)
if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$")
  set(_bpfxx_arch_flags -D__TARGET_ARCH_x86)
elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "^(aarch64|arm64|ARM64)$")
  set(_bpfxx_arch_flags -D__TARGET_ARCH_arm64)
endif()
set(BPFXX_BPF_COMMON_FLAGS -target bpf -O2 -g -mcpu=v3 -nostdinc -ffreestanding ${_bpfxx_arch_flags}
    -Wall -Wextra CACHE INTERNAL "")
set(BPFXX_BPF_CXX_FLAGS -std=c++20 -fno-exceptions -fno-rtti -fno-asynchronous-unwind-tables
    -fno-threadsafe-statics -nostdinc++ -Werror=global-constructors
    -Werror=exit-time-destructors -gsimple-template-names -gomit-unreferenced-methods CACHE INTERNAL "")
set(BPFXX_BPF_C_FLAGS -std=gnu11 CACHE INTERNAL "")

set(BPFXX_CLANG_MIN_VERSION 19 CACHE INTERNAL "")

function(_bpfxx_find_tool var)
  if(${var})
    return()
  endif()
  set(names)
  foreach(v 21 20 19)
    foreach(n ${ARGN})
      list(APPEND names "${n}-${v}")
    endforeach()
  endforeach()
  list(APPEND names ${ARGN})
  find_program(${var} NAMES ${names} PATHS /usr/lib/llvm-19/bin /usr/lib/llvm-20/bin)
endfunction()

function(_bpfxx_require_toolchain)
  if(BPFXX_TOOLCHAIN_OK)
    return()
  endif()
  set(install_hint "On Debian 12: apt-get install clang-19 llvm-19 (or set BPFXX_CLANG to a clang++ with the BPF target)")
  _bpfxx_find_tool(BPFXX_CLANG clang++)
  if(NOT BPFXX_CLANG)
    message(FATAL_ERROR "bpfxx: no clang++ found for compiling BPF programs. ${install_hint}")
  endif()
  execute_process(COMMAND "${BPFXX_CLANG}" --version OUTPUT_VARIABLE out RESULT_VARIABLE rc)
  string(REGEX MATCH "clang version ([0-9]+)" _ "${out}")
  set(major "${CMAKE_MATCH_1}")
  if(NOT rc EQUAL 0 OR NOT major OR major LESS BPFXX_CLANG_MIN_VERSION)
    message(FATAL_ERROR "bpfxx: ${BPFXX_CLANG} is clang ${major}; BPF programs need clang ${BPFXX_CLANG_MIN_VERSION} or newer. ${install_hint}")
  endif()
  # The BPF target must be compiled in (some distributions build clang without it).
  set(probe "${CMAKE_BINARY_DIR}/CMakeFiles/bpfxx_probe.c")
  file(WRITE "${probe}" "int bpfxx_probe(void) { return 0; }\n")
  execute_process(COMMAND "${BPFXX_CLANG}" -x c -target bpf -c "${probe}" -o "${probe}.o"
                  RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "bpfxx: ${BPFXX_CLANG} cannot compile for -target bpf:\n${err}\n${install_hint}")
  endif()
  get_filename_component(clang_dir "${BPFXX_CLANG}" DIRECTORY)
  foreach(tool llvm-link)
    string(TOUPPER "BPFXX_${tool}" var)
    string(REPLACE "-" "_" var "${var}")
    find_program(${var} NAMES ${tool}-${major} ${tool} HINTS "${clang_dir}" /usr/lib/llvm-${major}/bin NO_DEFAULT_PATH)
    find_program(${var} NAMES ${tool}-${major} ${tool})
    if(NOT ${var})
      message(FATAL_ERROR "bpfxx: ${tool} (LLVM ${major}) not found; it links BPF objects. On Debian 12: apt-get install llvm-${major}")
    endif()
  endforeach()
  message(STATUS "bpfxx: BPF compiler ${BPFXX_CLANG} (clang ${major})")
  set(BPFXX_CLANG_VERSION_MAJOR "${major}" CACHE INTERNAL "")
  set(BPFXX_TOOLCHAIN_OK TRUE CACHE INTERNAL "")
endfunction()

function(bpfxx_add_bpf_object target)
  cmake_parse_arguments(PARSE_ARGV 1 arg "NO_CHECK;EXCLUDE_FROM_ALL" "OUTPUT_NAME;VMLINUX"
                        "SOURCES;INCLUDE_DIRECTORIES;COMPILE_OPTIONS;DEFINITIONS")
  if(NOT arg_SOURCES)
    message(FATAL_ERROR "bpfxx_add_bpf_object(${target}): SOURCES is required")
  endif()
  _bpfxx_require_toolchain()
  if(NOT arg_OUTPUT_NAME)
    set(arg_OUTPUT_NAME "${target}")
  endif()
  set(dir "${CMAKE_CURRENT_BINARY_DIR}/${target}.bpfxx")
  set(object "${CMAKE_CURRENT_BINARY_DIR}/${arg_OUTPUT_NAME}.bpf.o")

  set(includes)
  set(generated)
  if(arg_VMLINUX)
    get_target_property(vmlinux_dir ${arg_VMLINUX} BPFXX_INCLUDE_DIR)
    get_target_property(vmlinux_header ${arg_VMLINUX} BPFXX_HEADER)
    list(APPEND arg_INCLUDE_DIRECTORIES "${vmlinux_dir}")
    set(generated "${vmlinux_header}" ${arg_VMLINUX})
  endif()
  foreach(d ${arg_INCLUDE_DIRECTORIES} ${BPFXX_KERNEL_INCLUDE_DIRS})
    get_filename_component(d "${d}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    list(APPEND includes "-I${d}")
  endforeach()
  set(werror)
  if(BPFXX_WERROR)
    set(werror -Werror)
  endif()
  set(defs)
  foreach(d ${arg_DEFINITIONS})
    list(APPEND defs "-D${d}")
  endforeach()

  # Ninja creates output folders itself, Unix Makefiles do not.
  file(MAKE_DIRECTORY "${dir}")
  set(bitcode)
  foreach(src ${arg_SOURCES})
    get_filename_component(src "${src}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    get_filename_component(name "${src}" NAME)
    get_filename_component(ext "${src}" LAST_EXT)
    if(ext STREQUAL ".c")
      set(lang -x c ${BPFXX_BPF_C_FLAGS})
    elseif(ext MATCHES "^\\.(cpp|cc|cxx|C)$")
      set(lang -x c++ ${BPFXX_BPF_CXX_FLAGS})
    else()
      message(FATAL_ERROR "bpfxx_add_bpf_object(${target}): ${src} is neither C (.c) nor C++ (.cpp, .cc, .cxx)")
    endif()
    set(bc "${dir}/${name}.bc")
    add_custom_command(OUTPUT "${bc}"
      COMMAND "${BPFXX_CLANG}" ${lang} ${BPFXX_BPF_COMMON_FLAGS} ${werror} ${includes} ${defs}
              ${arg_COMPILE_OPTIONS} -emit-llvm -MD -MF "${bc}.d" -MT "${bc}" -c "${src}" -o "${bc}"
      DEPENDS "${src}" ${generated}
      DEPFILE "${bc}.d"
      COMMENT "Compiling BPF ${name}"
      COMMAND_EXPAND_LISTS VERBATIM)
    list(APPEND bitcode "${bc}")
  endforeach()

  # The check is the loader's own rule set (bpfxx::find_unrunnable), run by
  # the build machine's bpfxx-skel: one list of findings with source lines,
  # then the remedies.
  set(check_cmd)
  set(check_dep)
  if(NOT arg_NO_CHECK)
    _bpfxx_host_tool(skel checker check_dep)
    set(check_cmd COMMAND "${checker}" --check "${object}")
  endif()
  add_custom_command(OUTPUT "${object}"
    COMMAND "${BPFXX_LLVM_LINK}" ${bitcode} -o "${dir}/${arg_OUTPUT_NAME}.linked.bc"
    COMMAND "${BPFXX_CLANG}" -target bpf -mcpu=v3 -O2 -g -c "${dir}/${arg_OUTPUT_NAME}.linked.bc" -o "${object}"
    ${check_cmd}
    DEPENDS ${bitcode} ${check_dep}
    COMMENT "Linking BPF object ${arg_OUTPUT_NAME}.bpf.o"
    VERBATIM)
  set(all ALL)
  if(arg_EXCLUDE_FROM_ALL)
    set(all)
  endif()
  add_custom_target(${target} ${all} DEPENDS "${object}")
  set_target_properties(${target} PROPERTIES BPFXX_OBJECT_FILE "${object}")
endfunction()

# A generator that runs on the build machine: the in-tree target, or in a
# cross build (or an installed package) BPFXX_<NAME>_EXECUTABLE / bin/.
function(_bpfxx_host_tool name out_cmd out_dep)
  string(TOUPPER "BPFXX_${name}_EXECUTABLE" var)
  if(${var})
    set(${out_cmd} "${${var}}" PARENT_SCOPE)
    set(${out_dep} "${${var}}" PARENT_SCOPE)
  elseif(TARGET bpfxx-${name} AND NOT CMAKE_CROSSCOMPILING)
    set(${out_cmd} "$<TARGET_FILE:bpfxx-${name}>" PARENT_SCOPE)
    set(${out_dep} bpfxx-${name} PARENT_SCOPE)
  else()
    find_program(${var} bpfxx-${name} HINTS "${_BPFXX_MODULE_DIR}/../../../bin")
    if(NOT ${var})
      message(FATAL_ERROR "bpfxx: no bpfxx-${name} for the build machine; build bpfxx's tools natively "
                          "and set ${var} to it")
    endif()
    set(${out_cmd} "${${var}}" PARENT_SCOPE)
    set(${out_dep} "${${var}}" PARENT_SCOPE)
  endif()
endfunction()

#   bpfxx_runtime()
#
# Makes the target bpfxx::runtime: a static library, compiled in the
# user's build from bpfxx's headers, that holds the loader, CO-RE, BTF and
# ELF code once (bpfxx/impl/src.hpp) and makes everything that links it use
# separate compilation (BPFXX_SEPARATE_COMPILATION), so a translation unit
# compiles bpfxx's declarations only. Every skeleton links it. Nothing is
# prebuilt: header-only use, without it, keeps working.
function(bpfxx_runtime)
  if(TARGET bpfxx_runtime)
    return()
  endif()
  set(src "${CMAKE_BINARY_DIR}/bpfxx_runtime/bpfxx_runtime.cpp")
  file(CONFIGURE OUTPUT "${src}" CONTENT "// Generated by bpfxx.cmake: bpfxx's separately compiled parts.\n#include <bpfxx/impl/src.hpp>\n")
  add_library(bpfxx_runtime STATIC EXCLUDE_FROM_ALL "${src}")
  target_link_libraries(bpfxx_runtime PUBLIC bpfxx::bpfxx)
  target_compile_definitions(bpfxx_runtime PUBLIC BPFXX_SEPARATE_COMPILATION)
  if(BPFXX_WARNINGS)
    target_compile_options(bpfxx_runtime PRIVATE ${BPFXX_WARNINGS})
  endif()
  add_library(bpfxx::runtime ALIAS bpfxx_runtime)
endfunction()

#   bpfxx_add_skeleton(<target> OBJECT <bpf-object-target> [NAME <name>])
#
# Generates <name>.skel.hpp (namespace <name>, class skeleton; NAME defaults
# to the object target's name) and <name>.skel.cpp (the object's bytes and
# skeleton::open()), and makes <target> a static library of the latter to
# link. The library links bpfxx::runtime, so the loader is compiled once
# per program and a user file that includes the skeleton compiles in about
# the time of the standard headers it uses. Regenerated when the object
# changes; each file is rewritten only when its text changes, so a kernel
# edit that leaves the skeleton's interface alone recompiles no user code.
# The generator, bpfxx-skel, runs on the build machine: in a cross build,
# point BPFXX_SKEL_EXECUTABLE at a host build.
function(bpfxx_add_skeleton target)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "OBJECT;NAME" "")
  if(NOT arg_OBJECT)
    message(FATAL_ERROR "bpfxx_add_skeleton(${target}): OBJECT is required")
  endif()
  if(NOT arg_NAME)
    set(arg_NAME "${arg_OBJECT}")
  endif()
  bpfxx_runtime()
  _bpfxx_host_tool(skel tool tool_dep)
  get_target_property(object ${arg_OBJECT} BPFXX_OBJECT_FILE)
  set(dir "${CMAKE_CURRENT_BINARY_DIR}/${target}.include")
  set(header "${dir}/${arg_NAME}.skel.hpp")
  set(source "${dir}/${arg_NAME}.skel.cpp")
  set(stamp "${dir}/${arg_NAME}.skel.stamp")
  file(MAKE_DIRECTORY "${dir}")
  # The stamp is the rule's output: the generated files keep their time
  # when unchanged (Ninja's restat; Makefiles would rerun the rule forever).
  add_custom_command(OUTPUT "${stamp}"
    BYPRODUCTS "${header}" "${source}"
    COMMAND "${tool}" "${object}" "${arg_NAME}" "${header}" "${source}"
    COMMAND "${CMAKE_COMMAND}" -E touch "${stamp}"
    DEPENDS "${object}" ${arg_OBJECT} ${tool_dep}
    COMMENT "Generating skeleton ${arg_NAME}.skel.hpp"
    VERBATIM)
  add_custom_target(${target}_generate DEPENDS "${stamp}")
  add_library(${target} STATIC "${source}")
  target_include_directories(${target} PUBLIC "${dir}")
  target_link_libraries(${target} PUBLIC bpfxx::runtime)
  add_dependencies(${target} ${target}_generate)
endfunction()

#   bpfxx_add_vmlinux_header(<target> [BTF <file>] [BASE <file>] [NAMESPACE <ns>])
#
# Generates vmlinux.hpp — every kernel struct, union, enum and typedef as
# C++ for kernel programs, sizes and offsets checked — from BTF: the build
# machine's kernel by default (/sys/kernel/btf/vmlinux), or a file (raw BTF
# or an ELF with .BTF) for cross builds and fixed kernels; BASE for split
# module BTF. Pass the target to bpfxx_add_bpf_object(... VMLINUX <target>).
function(bpfxx_add_vmlinux_header target)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "BTF;BASE;NAMESPACE" "")
  if(NOT arg_BTF)
    set(arg_BTF /sys/kernel/btf/vmlinux)
  endif()
  if(NOT EXISTS "${arg_BTF}")
    message(FATAL_ERROR "bpfxx_add_vmlinux_header(${target}): ${arg_BTF} does not exist "
                        "(the kernel needs CONFIG_DEBUG_INFO_BTF=y; or pass BTF <file>)")
  endif()
  _bpfxx_host_tool(vmlinux tool tool_dep)
  set(dir "${CMAKE_CURRENT_BINARY_DIR}/${target}.include")
  set(header "${dir}/vmlinux.hpp")
  set(args --btf "${arg_BTF}")
  if(arg_BASE)
    list(APPEND args --base "${arg_BASE}")
  endif()
  if(DEFINED arg_NAMESPACE)
    list(APPEND args --namespace "${arg_NAMESPACE}")
  endif()
  file(MAKE_DIRECTORY "${dir}")
  add_custom_command(OUTPUT "${header}"
    COMMAND "${tool}" ${args} -o "${header}"
    DEPENDS ${tool_dep} "${arg_BTF}" ${arg_BASE}
    COMMENT "Generating vmlinux.hpp from ${arg_BTF}"
    VERBATIM)
  add_custom_target(${target} DEPENDS "${header}")
  set_target_properties(${target} PROPERTIES BPFXX_INCLUDE_DIR "${dir}" BPFXX_HEADER "${header}")
endfunction()
