// Elementwise and row kernels of the Tensor engine, compiled once per instruction-set level
// (x86-64-v4 with AVX-512, x86-64-v3 with AVX2, and the baseline) and picked when the library loads.
// Swift code is compiled for the x86-64 baseline (SSE2), so its SIMD loops run four lanes at a time; these
// run sixteen. Floating-point contraction is off (no FMA fusion) and every reduction has a fixed lane
// order, so each kernel gives the same bits on every instruction-set level (docs/TENSOR.md).
#ifndef CODEINTEL_CKERNELS_H
#define CODEINTEL_CKERNELS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// out[i] = gelu(inp[i]) = x · σ(2u), u = √(2/π)(x + 0.044715 x³): the same operations, in the same order,
/// as `GELU.forward`'s Swift loop, so the same bits.
void ci_gelu_forward(float *out, const float *inp, size_t count);

/// dinp[i] += gelu'(inp[i]) · dout[i] (the same operations as `GELU.backward`).
void ci_gelu_backward(float *dinp, const float *inp, const float *dout, size_t count);

/// dinp[i] = +0 + gelu'(inp[i]) · dout[i]: `ci_gelu_backward` into a zero-filled dinp, bit for bit, without
/// the fill (dinp's old contents are not read).
void ci_gelu_backward_set(float *dinp, const float *inp, const float *dout, size_t count);

/// Softmax of row[0..<limit] in place: entries whose mask is 0 (mask may be NULL) get probability 0 exactly,
/// entries from limit to count are set to 0; a row with no visible entry becomes all zeros.
void ci_softmax_row(float *row, size_t limit, size_t count, const float *mask);

/// g = scale · p ⊙ (g − Σ p ⊙ g), in place on g (softmax backward with a scale folded in).
void ci_softmax_backward_row(const float *p, float *g, size_t count, float scale);

/// probs = softmax(logits) over one row of `count`; returns log Σ exp(logits) (the log-sum-exp).
float ci_softmax_logsumexp_row(float *probs, const float *logits, size_t count);

/// The index of the first largest of `count` values (0 when count is 0).
size_t ci_argmax(const float *values, size_t count);

/// Dropout with a hashed mask: element k of row r draws u = hash(key, index) in [0, 1) for the index
/// `row_index[r] · width + k` (row_index NULL: `index_offset + r · width + k`) with SplitMix64's output function,
/// mask = u < p ? 0 : scale, out = inp · mask (out may be inp). The same bits as `Dropout`'s Swift loop.
void ci_dropout(float *out, float *mask, const float *inp, size_t rows, size_t width, const long *row_index,
                long index_offset, float p, float scale, unsigned long long key);

/// One AdamW step over `count` parameters: m = b1·m + (1−b1)·g, v = b2·v + (1−b2)·g·g,
/// p −= lr·(m·c1) / (√(v·c2) + eps) + wd·p, in `AdamW.update`'s order of operations (the same bits).
void ci_adamw(float *p, const float *g, float *m, float *v, size_t count, float b1, float b2, float c1, float c2,
              float lr, float eps, float wd);

/// `ci_adamw` on the gradients g · gscale (the product a separate clipping pass stores): the same bits as
/// scaling g in place first, without writing g.
void ci_adamw_scaled(float *p, const float *g, float *m, float *v, size_t count, float b1, float b2, float c1,
                     float c2, float lr, float eps, float wd, float gscale);

#ifdef __cplusplus
}
#endif

#endif
