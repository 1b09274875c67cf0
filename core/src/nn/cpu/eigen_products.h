// Eigen's matrix products, included through here by the files that instantiate them.
// GCC 12 reports a false "may be used uninitialized" inside Eigen's AVX-512 packing
// code (its unpack intrinsics); the warning is about Eigen's header, not our code.
#pragma once

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include <Eigen/Core>
