# SPDX-License-Identifier: MIT OR Apache-2.0
# cmake -DINCLUDE_DIR=<include> -P check_layers.cmake
#
# The include graph of the user-space library may only point down the
# layers below (a header may include its own layer and any lower one):
#
#   0 base      config, error, result, shared/, sys/, detail/ (but the ring
#               buffer walk)
#   1 formats   elf/, btf/, section
#   2 core      core/, features (the kernel probes), kconfig
#   3 loader    object, loader
#   4 handles   attach, attach_options, introspect, net, test_run, testing(/),
#               tracefs, link, map, map_kinds
#   5 streams   ring_buffer, perf_buffer, user_ring_buffer, event_loop,
#               coroutine, stream, detail/ring_buffer_core,
#               detail/perf_buffer_core, detail/user_ring_core
#   6 skeleton  skeleton
#   7 umbrella  bpfxx.hpp, impl/src.hpp
#
# impl/<name>.ipp belongs to <name>.hpp's layer. Formats make no system
# calls: elf/ and btf/ may not include sys/ headers either.
function(layer_of rel out)
  string(REGEX REPLACE "^impl/(.*)\\.ipp$" "\\1.hpp" rel "${rel}")
  if(rel MATCHES "^(bpfxx\\.hpp|impl/src\\.hpp)$")
    set(l 7)
  elseif(rel STREQUAL "skeleton.hpp")
    set(l 6)
  elseif(rel MATCHES "^(ring_buffer|perf_buffer|user_ring_buffer|event_loop|coroutine|stream)\\.hpp$|^detail/(ring_buffer|perf_buffer|user_ring)_core\\.hpp$")
    set(l 5)
  elseif(rel MATCHES "^(attach|attach_options|introspect|net|test_run|testing|tracefs|link|map|map_kinds)\\.hpp$|^testing/")
    set(l 4)
  elseif(rel MATCHES "^(object|loader)\\.hpp$")
    set(l 3)
  elseif(rel MATCHES "^(core/|features\\.hpp|kconfig\\.hpp)")
    set(l 2)
  elseif(rel MATCHES "^(elf/|btf/|section\\.hpp)")
    set(l 1)
  elseif(rel MATCHES "^(config|error|result)\\.hpp$|^(shared|sys|detail)/|^shared\\.hpp$")
    set(l 0)
  else()
    message(FATAL_ERROR "bpfxx/${rel} has no layer: add it to tests/layers/check_layers.cmake")
  endif()
  set(${out} ${l} PARENT_SCOPE)
endfunction()

file(GLOB_RECURSE files RELATIVE "${INCLUDE_DIR}/bpfxx" "${INCLUDE_DIR}/bpfxx/*.hpp" "${INCLUDE_DIR}/bpfxx/*.ipp")
set(bad)
set(edges 0)
foreach(f ${files})
  layer_of("${f}" from)
  file(STRINGS "${INCLUDE_DIR}/bpfxx/${f}" lines REGEX "^#include <bpfxx/")
  foreach(line ${lines})
    string(REGEX REPLACE "^#include <bpfxx/([^>]+)>.*$" "\\1" to "${line}")
    layer_of("${to}" l)
    math(EXPR edges "${edges} + 1")
    if(l GREATER from)
      list(APPEND bad "bpfxx/${f} (layer ${from}) includes bpfxx/${to} (layer ${l})")
    endif()
    if(f MATCHES "^(elf|btf)/" AND to MATCHES "^sys/")
      list(APPEND bad "bpfxx/${f} is a format and includes bpfxx/${to}: formats make no system calls")
    endif()
  endforeach()
endforeach()
if(bad)
  string(REPLACE ";" "\n  " text "${bad}")
  message(FATAL_ERROR "include edges against the layers:\n  ${text}")
endif()
list(LENGTH files n)
message(STATUS "${n} headers, ${edges} bpfxx include edges, all pointing down the layers")
