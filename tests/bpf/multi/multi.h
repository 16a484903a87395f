// SPDX-License-Identifier: MIT OR GPL-2.0-only
#pragma once
#ifdef __cplusplus
extern "C" {
#endif
unsigned int c_square(unsigned int x);
#ifdef __cplusplus
}
#endif
