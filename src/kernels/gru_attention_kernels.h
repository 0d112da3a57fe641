// The element-wise arithmetic of one step of the GRU + additive-attention decoder and of
// its backward, as loops over raw float arrays (the unrolled decoder of
// unrolled_gru_attention.h calls them; its matrix products and the tanh / sigmoid
// themselves are LibTorch's). Plain C++, no LibTorch here; compiled for AVX-512,
// AVX2 + FMA and baseline x86-64, picked at load time.
//
// Sizes: B rows (sentences), S keys (source positions), A attention units, E key size,
// H hidden units. Every array is row-major and contiguous unless a stride is given (a
// row stride, in floats). mask (B, S): true at real keys; masked keys get weight 0 and
// no gradient.
#pragma once

#include <cstdint>

namespace heed::gru_attention {

struct Sizes {
  int64_t batch;      // B
  int64_t keys;       // S
  int64_t attention;  // A
  int64_t key_size;   // E
};

// pre (B, S, A) = projected_keys (B, S, A) + query[b] (B, A; row stride query_stride),
// 0 at masked keys. The caller applies tanh in place: the energies.
void add_query(const Sizes& n, const float* projected_keys, const float* query, int64_t query_stride,
               const bool* mask, float* pre);

// From the energies e (B, S, A): scores e . v, masked softmax over the keys into
// weights (B, S), and context (B, E) = sum_s weights[s] keys[s] (keys (B, S, E)).
// A row without a real key gets weights 0 and context 0.
void attend(const Sizes& n, const float* energies, const float* score_weight, const bool* mask,
            const float* keys, float* weights, float* context);

// The backward of add_query + tanh + attend for one step, given grad_context (B, E):
//   grad_query (B, A; row stride query_stride)  = sum_s d pre        (overwritten)
//   grad_projected_keys (B, S, A)              += d pre              (accumulated)
//   grad_keys (B, S, E)                        += weights[s] grad_context
//   grad_score_weight (A)                      += sum_{b,s} d score * e
// where d score = weights * (d weights - sum_s weights d weights), d weights[s] =
// grad_context . keys[s], and d pre = d score * v * (1 - e^2). scratch: S floats.
void attend_backward(const Sizes& n, const float* energies, const float* score_weight, const bool* mask,
                     const float* keys, const float* weights, const float* grad_context,
                     float* grad_query, int64_t query_stride, float* grad_projected_keys,
                     float* grad_keys, float* grad_score_weight, float* scratch);

// GRU gates, PyTorch's order and formula, for B rows of H units:
//   r = sigmoid(x_r + h_r), z = sigmoid(x_z + h_z), n = tanh(x_n + r * h_n),
//   h' = (1 - z) * n + z * h
// where x = W_ih x + b_ih (B, 3H) and h_ = W_hh h + b_hh (B, 3H; row stride
// hidden_stride). The saved gates (B, 4H) hold [r | z | n | h_n] per row.

// saved[:, 0:2H] = x[:, 0:2H] + h_[:, 0:2H] (sigmoid to be applied in place: r, z);
// saved[:, 3H:4H] = h_n.
void gru_gate_inputs(int64_t batch, int64_t hidden, const float* input_gates, const float* hidden_gates,
                     int64_t hidden_stride, float* saved);

// saved[:, 2H:3H] = x_n + r * h_n (tanh to be applied in place: n).
void gru_candidate_input(int64_t batch, int64_t hidden, const float* input_gates, float* saved);

// h' (B, H) = (1 - z) * n + z * h (h (B, H)).
void gru_output(int64_t batch, int64_t hidden, const float* saved, const float* previous, float* next);

// The backward of one GRU step, given grad_next (B, H) and the step's saved gates:
//   grad_input_gates (B, 3H)  = d x   (the gradient of x = W_ih x + b_ih)
//   grad_hidden_gates (B, 3H; row stride hidden_stride) = d h_
//   grad_previous (B, H)      = z * grad_next (the direct part; the caller adds d h_ W_hh)
void gru_backward(int64_t batch, int64_t hidden, const float* saved, const float* previous,
                  const float* grad_next, float* grad_input_gates, float* grad_hidden_gates,
                  int64_t hidden_stride, float* grad_previous);

}  // namespace heed::gru_attention
