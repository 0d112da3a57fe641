#include "kernels/gru_attention_kernels.h"

#include <cmath>
#include <limits>

#include "kernels/cpu_clones.h"

namespace heed::gru_attention {

namespace {

// a . b over n floats with 16 independent partial sums, so that the loop vectorises
// without reassociating one running sum.
inline __attribute__((always_inline)) float dot(const float* __restrict a, const float* __restrict b,
                                                 int64_t n) {
  constexpr int kLanes = 16;
  float partial[kLanes] = {};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    for (int lane = 0; lane < kLanes; ++lane) partial[lane] += a[i + lane] * b[i + lane];
  }
  float sum = 0.0f;
  for (int lane = 0; lane < kLanes; ++lane) sum += partial[lane];
  for (; i < n; ++i) sum += a[i] * b[i];
  return sum;
}

// y += alpha x over n floats.
inline __attribute__((always_inline)) void axpy(float alpha, const float* __restrict x, float* __restrict y,
                                                 int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] += alpha * x[i];
}

}  // namespace

HEED_CPU_CLONES
void add_query(const Sizes& n, const float* projected_keys, const float* query, int64_t query_stride,
               const bool* mask, float* pre) {
  const int64_t A = n.attention;
  for (int64_t b = 0; b < n.batch; ++b) {
    const float* __restrict q = query + b * query_stride;
    for (int64_t s = 0; s < n.keys; ++s) {
      const int64_t row = b * n.keys + s;
      const float* __restrict pk = projected_keys + row * A;
      float* __restrict out = pre + row * A;
      if (mask[row]) {
        for (int64_t a = 0; a < A; ++a) out[a] = pk[a] + q[a];
      } else {
        for (int64_t a = 0; a < A; ++a) out[a] = 0.0f;
      }
    }
  }
}

HEED_CPU_CLONES
void attend(const Sizes& n, const float* energies, const float* score_weight, const bool* mask,
            const float* keys, float* weights, float* context) {
  const int64_t S = n.keys, A = n.attention, E = n.key_size;
  for (int64_t b = 0; b < n.batch; ++b) {
    float* __restrict w = weights + b * S;
    float highest = -std::numeric_limits<float>::infinity();
    for (int64_t s = 0; s < S; ++s) {
      if (!mask[b * S + s]) continue;
      w[s] = dot(energies + (b * S + s) * A, score_weight, A);
      if (w[s] > highest) highest = w[s];
    }
    float total = 0.0f;
    for (int64_t s = 0; s < S; ++s) {
      if (mask[b * S + s]) {
        w[s] = std::exp(w[s] - highest);
        total += w[s];
      } else {
        w[s] = 0.0f;
      }
    }
    float* __restrict c = context + b * E;
    for (int64_t e = 0; e < E; ++e) c[e] = 0.0f;
    if (total == 0.0f) continue;  // no real key
    const float inverse = 1.0f / total;
    for (int64_t s = 0; s < S; ++s) {
      if (!mask[b * S + s]) continue;
      w[s] *= inverse;
      axpy(w[s], keys + (b * S + s) * E, c, E);
    }
  }
}

HEED_CPU_CLONES
void attend_backward(const Sizes& n, const float* energies, const float* score_weight, const bool* mask,
                     const float* keys, const float* weights, const float* grad_context,
                     float* grad_query, int64_t query_stride, float* grad_projected_keys,
                     float* grad_keys, float* grad_score_weight, float* scratch) {
  const int64_t S = n.keys, A = n.attention, E = n.key_size;
  const float* __restrict v = score_weight;
  for (int64_t b = 0; b < n.batch; ++b) {
    const float* __restrict w = weights + b * S;
    const float* __restrict dc = grad_context + b * E;
    float* __restrict dq = grad_query + b * query_stride;
    for (int64_t a = 0; a < A; ++a) dq[a] = 0.0f;
    // d weights[s] = dc . k_s, and the softmax's sum_s w[s] d weights[s].
    float* __restrict d_weights = scratch;
    float weighted = 0.0f;
    for (int64_t s = 0; s < S; ++s) {
      const int64_t row = b * S + s;
      if (!mask[row]) continue;
      d_weights[s] = dot(dc, keys + row * E, E);
      weighted += w[s] * d_weights[s];
      axpy(w[s], dc, grad_keys + row * E, E);
    }
    for (int64_t s = 0; s < S; ++s) {
      const int64_t row = b * S + s;
      if (!mask[row]) continue;
      const float d_score = w[s] * (d_weights[s] - weighted);
      const float* __restrict e = energies + row * A;
      float* __restrict dpk = grad_projected_keys + row * A;
      float* __restrict dv = grad_score_weight;
      for (int64_t a = 0; a < A; ++a) {
        const float d_pre = d_score * v[a] * (1.0f - e[a] * e[a]);
        dpk[a] += d_pre;
        dq[a] += d_pre;
        dv[a] += d_score * e[a];
      }
    }
  }
}

HEED_CPU_CLONES
void gru_gate_inputs(int64_t batch, int64_t hidden, const float* input_gates, const float* hidden_gates,
                     int64_t hidden_stride, float* saved) {
  const int64_t H = hidden;
  for (int64_t b = 0; b < batch; ++b) {
    const float* __restrict x = input_gates + b * 3 * H;
    const float* __restrict h = hidden_gates + b * hidden_stride;
    float* __restrict out = saved + b * 4 * H;
    for (int64_t i = 0; i < 2 * H; ++i) out[i] = x[i] + h[i];
    for (int64_t i = 0; i < H; ++i) out[3 * H + i] = h[2 * H + i];
  }
}

HEED_CPU_CLONES
void gru_candidate_input(int64_t batch, int64_t hidden, const float* input_gates, float* saved) {
  const int64_t H = hidden;
  for (int64_t b = 0; b < batch; ++b) {
    const float* __restrict x = input_gates + b * 3 * H + 2 * H;
    float* __restrict row = saved + b * 4 * H;
    const float* __restrict r = row;
    const float* __restrict h_n = row + 3 * H;
    float* __restrict out = row + 2 * H;
    for (int64_t i = 0; i < H; ++i) out[i] = x[i] + r[i] * h_n[i];
  }
}

HEED_CPU_CLONES
void gru_output(int64_t batch, int64_t hidden, const float* saved, const float* previous, float* next) {
  const int64_t H = hidden;
  for (int64_t b = 0; b < batch; ++b) {
    const float* __restrict z = saved + b * 4 * H + H;
    const float* __restrict candidate = saved + b * 4 * H + 2 * H;
    const float* __restrict h = previous + b * H;
    float* __restrict out = next + b * H;
    for (int64_t i = 0; i < H; ++i) out[i] = (1.0f - z[i]) * candidate[i] + z[i] * h[i];
  }
}

HEED_CPU_CLONES
void gru_backward(int64_t batch, int64_t hidden, const float* saved, const float* previous,
                  const float* grad_next, float* grad_input_gates, float* grad_hidden_gates,
                  int64_t hidden_stride, float* grad_previous) {
  const int64_t H = hidden;
  for (int64_t b = 0; b < batch; ++b) {
    const float* __restrict r = saved + b * 4 * H;
    const float* __restrict z = r + H;
    const float* __restrict candidate = r + 2 * H;
    const float* __restrict h_n = r + 3 * H;
    const float* __restrict h = previous + b * H;
    const float* __restrict dh = grad_next + b * H;
    float* __restrict dx = grad_input_gates + b * 3 * H;
    float* __restrict dhg = grad_hidden_gates + b * hidden_stride;
    float* __restrict dprev = grad_previous + b * H;
    for (int64_t i = 0; i < H; ++i) {
      const float d_candidate = dh[i] * (1.0f - z[i]) * (1.0f - candidate[i] * candidate[i]);
      const float d_r = d_candidate * h_n[i] * r[i] * (1.0f - r[i]);
      const float d_z = dh[i] * (h[i] - candidate[i]) * z[i] * (1.0f - z[i]);
      dx[i] = d_r;
      dx[H + i] = d_z;
      dx[2 * H + i] = d_candidate;
      dhg[i] = d_r;
      dhg[H + i] = d_z;
      dhg[2 * H + i] = d_candidate * r[i];
      dprev[i] = dh[i] * z[i];
    }
  }
}

}  // namespace heed::gru_attention
