# SPDX-License-Identifier: MIT OR Apache-2.0
#
# Cross build for 64-bit Arm Linux with Debian's cross compilers
# (apt-get install g++-aarch64-linux-gnu qemu-user-static):
#
#   cmake -S . -B build-aarch64 -G Ninja \
#     -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/aarch64-linux-gnu.cmake \
#     -DBPFXX_SKEL_EXECUTABLE=$PWD/build/bpfxx-skel
#
# Kernel programs need no toolchain of their own: clang -target bpf output is
# the same bytes on every architecture. bpfxx-skel runs at build time, so a
# cross build takes it from a native build (BPFXX_SKEL_EXECUTABLE).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(BPFXX_CROSS_TRIPLE aarch64-linux-gnu)
set(CMAKE_C_COMPILER ${BPFXX_CROSS_TRIPLE}-gcc)
set(CMAKE_CXX_COMPILER ${BPFXX_CROSS_TRIPLE}-g++)

# Target libraries and headers come from the cross sysroot only; programs
# (clang, llvm-*, bpfxx-skel) are the build machine's.
list(APPEND CMAKE_FIND_ROOT_PATH /usr/${BPFXX_CROSS_TRIPLE})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# ctest runs target executables (and gtest_discover_tests lists them) through
# user-mode qemu when it is installed.
find_program(BPFXX_QEMU_AARCH64 NAMES qemu-aarch64-static qemu-aarch64)
if(BPFXX_QEMU_AARCH64)
  # Dynamically linked programs need the target's loader and libraries.
  set(CMAKE_CROSSCOMPILING_EMULATOR ${BPFXX_QEMU_AARCH64} -L /usr/${BPFXX_CROSS_TRIPLE})
endif()
