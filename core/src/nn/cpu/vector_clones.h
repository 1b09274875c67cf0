// The element-wise loops of a training step (ReLU, max-pool pairs, the gradient
// transpose) are plain loops the compiler vectorises. The build targets a portable
// baseline, so on x86-64 each such loop is compiled three times (AVX-512, AVX2, the
// baseline) and the loader picks one from the CPU (GCC/Clang target_clones, an ifunc).
// No sum is reordered and nothing is fused in them, so every clone gives the same bits.
#pragma once

#if EPIBOOK_X86_KERNELS
#define EPIBOOK_VECTOR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define EPIBOOK_VECTOR_CLONES
#endif
