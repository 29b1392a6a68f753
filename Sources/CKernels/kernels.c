// See include/ckernels.h. Built with -O3 -ffp-contract=off (Package.swift): no fast-math, so NaN and
// infinity behave as in IEEE arithmetic, and the 1.5·2²³ rounding trick in ci_exp is not folded away.
#include "ckernels.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#if defined(__x86_64__) && defined(__linux__)
#define CI_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define CI_CLONES
#endif

// Reductions keep sixteen partial results, lane l taking elements l, l + 16, l + 32, ... (the compiler turns
// each sixteen-wide inner loop into vector operations of whatever width the clone has), then fold them in
// a fixed order: the same bits on every clone.
#define LANES 16

static inline float fold_sum(const float *a) {
  float t[LANES];
  memcpy(t, a, sizeof t);
  for (int w = LANES / 2; w >= 1; w /= 2)
    for (int i = 0; i < w; i++) t[i] = t[i] + t[i + w];
  return t[0];
}

static inline float fold_max(const float *a) {
  float m = a[0];
  for (int i = 1; i < LANES; i++) m = a[i] > m ? a[i] : m;
  return m;
}

// e^x: FastMath.exp's method (clamp to [-87, 88], n = round(x / ln2) by the 1.5·2²³ trick, Cody–Waite
// reduction, degree-7 Taylor polynomial, 2ⁿ by building the exponent bits).
static inline float ci_exp(float x) {
  float xc = x < -87.0f ? -87.0f : x;
  xc = x > 88.0f ? 88.0f : xc;
  float shifted = xc * 1.4426950408889634f + 12582912.0f;
  float n = shifted - 12582912.0f;
  float g = (xc - n * 0.693145751953125f) - n * 1.4286067653301870e-06f;
  float p = 1.0f / 5040;
  p = p * g + 1.0f / 720;
  p = p * g + 1.0f / 120;
  p = p * g + 1.0f / 24;
  p = p * g + 1.0f / 6;
  p = p * g + 0.5f;
  p = p * g + 1;
  p = p * g + 1;
  uint32_t bits;
  memcpy(&bits, &shifted, sizeof bits);
  bits = (bits - 0x4B400000u + 127u) << 23;
  float scale;
  memcpy(&scale, &bits, sizeof scale);
  return p * scale;
}

static const float k = 0.7978845608028654f;  // √(2/π)

CI_CLONES
void ci_gelu_forward(float *restrict out, const float *restrict inp, size_t count) {
  for (size_t i = 0; i < count; i++) {
    float x = inp[i];
    float x3 = x * x * x;
    float u2 = (2 * k) * (x + 0.044715f * x3);
    out[i] = x / (1 + ci_exp(-u2));
  }
}

// gelu'(x) for the tanh form, as both backward kernels compute it (inlined into each loop).
static inline float ci_gelu_grad(float x) {
  float x2 = x * x;
  float u2 = (2 * k) * (x + 0.044715f * x2 * x);
  float s = 1 / (1 + ci_exp(-u2));
  float du = (2 * k) * (1 + (3 * 0.044715f) * x2);
  return s + x * s * (1 - s) * du;
}

CI_CLONES
void ci_gelu_backward(float *restrict dinp, const float *restrict inp, const float *restrict dout, size_t count) {
  for (size_t i = 0; i < count; i++) dinp[i] = dinp[i] + ci_gelu_grad(inp[i]) * dout[i];
}

// ci_gelu_backward into a zero-filled dinp without the fill: +0 + g·dout, the add kept (no fast-math), so even
// a product of -0 comes out +0 as it did after the fill.
CI_CLONES
void ci_gelu_backward_set(float *restrict dinp, const float *restrict inp, const float *restrict dout, size_t count) {
  for (size_t i = 0; i < count; i++) dinp[i] = 0.0f + ci_gelu_grad(inp[i]) * dout[i];
}

CI_CLONES
void ci_softmax_row(float *row, size_t limit, size_t count, const float *mask) {
  if (mask)
    for (size_t j = 0; j < limit; j++)
      if (mask[j] == 0) row[j] = -INFINITY;
  float acc[LANES];
  for (int l = 0; l < LANES; l++) acc[l] = -INFINITY;
  size_t j = 0;
  for (; j + LANES <= limit; j += LANES)
    for (int l = 0; l < LANES; l++) acc[l] = row[j + l] > acc[l] ? row[j + l] : acc[l];
  float mx = fold_max(acc);
  for (; j < limit; j++) mx = row[j] > mx ? row[j] : mx;
  if (mx == -INFINITY) {
    memset(row, 0, count * sizeof(float));
    return;
  }
  // two loops, not one with `mask ? … : …`: the compiler would turn the choice into a masked load from the
  // mask pointer, which with a null mask takes a fault-suppression assist on every vector (4× slower rows)
  if (mask) {
    for (j = 0; j < limit; j++) row[j] = ci_exp(row[j] - mx) * mask[j];
  } else {
    for (j = 0; j < limit; j++) row[j] = ci_exp(row[j] - mx);
  }
  for (int l = 0; l < LANES; l++) acc[l] = 0;
  for (j = 0; j + LANES <= limit; j += LANES)
    for (int l = 0; l < LANES; l++) acc[l] = acc[l] + row[j + l];
  float sum = fold_sum(acc);
  for (; j < limit; j++) sum += row[j];
  float inv = 1 / sum;
  for (j = 0; j < limit; j++) row[j] = row[j] * inv;
  for (j = limit; j < count; j++) row[j] = 0;
}

CI_CLONES
void ci_softmax_backward_row(const float *p, float *g, size_t count, float scale) {
  float acc[LANES] = {0};
  size_t j = 0;
  for (; j + LANES <= count; j += LANES)
    for (int l = 0; l < LANES; l++) acc[l] = acc[l] + p[j + l] * g[j + l];
  float dot = fold_sum(acc);
  for (; j < count; j++) dot += p[j] * g[j];
  for (j = 0; j < count; j++) g[j] = scale * p[j] * (g[j] - dot);
}

CI_CLONES
float ci_softmax_logsumexp_row(float *restrict probs, const float *restrict logits, size_t count) {
  float acc[LANES];
  for (int l = 0; l < LANES; l++) acc[l] = -INFINITY;
  size_t j = 0;
  for (; j + LANES <= count; j += LANES)
    for (int l = 0; l < LANES; l++) acc[l] = logits[j + l] > acc[l] ? logits[j + l] : acc[l];
  float mx = fold_max(acc);
  for (; j < count; j++) mx = logits[j] > mx ? logits[j] : mx;
  for (j = 0; j < count; j++) probs[j] = ci_exp(logits[j] - mx);
  for (int l = 0; l < LANES; l++) acc[l] = 0;
  for (j = 0; j + LANES <= count; j += LANES)
    for (int l = 0; l < LANES; l++) acc[l] = acc[l] + probs[j + l];
  float sum = fold_sum(acc);
  for (; j < count; j++) sum += probs[j];
  float inv = 1 / sum;
  for (j = 0; j < count; j++) probs[j] = probs[j] * inv;
  return mx + logf(sum);
}

CI_CLONES
size_t ci_argmax(const float *values, size_t count) {
  if (count == 0) return 0;
  float acc[LANES];
  for (int l = 0; l < LANES; l++) acc[l] = -INFINITY;
  size_t j = 0;
  for (; j + LANES <= count; j += LANES)
    for (int l = 0; l < LANES; l++) acc[l] = values[j + l] > acc[l] ? values[j + l] : acc[l];
  float mx = fold_max(acc);
  for (; j < count; j++) mx = values[j] > mx ? values[j] : mx;
  for (j = 0; j < count; j++)
    if (values[j] == mx) return j;
  return 0;  // every value NaN or −∞ below the start: as a strict `>` scan from index 0
}

CI_CLONES
void ci_dropout(float *out, float *mask, const float *inp, size_t rows, size_t width, const long *row_index,
                long index_offset, float p, float scale, unsigned long long key) {
  for (size_t r = 0; r < rows; r++) {
    uint64_t base = row_index ? (uint64_t)row_index[r] * width : (uint64_t)index_offset + r * width;
    float *o = out + r * width, *m = mask + r * width;
    const float *x = inp + r * width;
    for (size_t k = 0; k < width; k++) {
      uint64_t z = (uint64_t)key + (base + k) * 0x9E3779B97F4A7C15ull;
      z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
      z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
      z ^= z >> 31;
      float u = (float)(uint32_t)(z >> 40) * 0x1.0p-24f;
      float v = u < p ? 0.0f : scale;
      m[k] = v;
      o[k] = x[k] * v;
    }
  }
}

// One AdamW element update from the gradient gi, as both loops below compute it (inlined into each).
static inline void ci_adamw_one(float gi, float *p, float *m, float *v, float b1, float b2, float c1, float c2,
                                float lr, float eps, float wd) {
  float mi = b1 * *m + (1 - b1) * gi;
  float vi = b2 * *v + (1 - b2) * gi * gi;
  *m = mi;
  *v = vi;
  *p = *p - (lr * (mi * c1) / (sqrtf(vi * c2) + eps) + wd * *p);
}

CI_CLONES
void ci_adamw(float *restrict p, const float *restrict g, float *restrict m, float *restrict v, size_t count,
              float b1, float b2, float c1, float c2, float lr, float eps, float wd) {
  for (size_t i = 0; i < count; i++) ci_adamw_one(g[i], &p[i], &m[i], &v[i], b1, b2, c1, c2, lr, eps, wd);
}

// ci_adamw on the gradient times gscale (global-norm clipping folded in): gi = g[i] · gscale is the product the
// separate clipping pass stored, then the same operations.
CI_CLONES
void ci_adamw_scaled(float *restrict p, const float *restrict g, float *restrict m, float *restrict v, size_t count,
                     float b1, float b2, float c1, float c2, float lr, float eps, float wd, float gscale) {
  for (size_t i = 0; i < count; i++) ci_adamw_one(g[i] * gscale, &p[i], &m[i], &v[i], b1, b2, c1, c2, lr, eps, wd);
}
