// The teacher-forced GRU + Bahdanau-attention decoder recurrence (one decoder layer) as
// one autograd node with a hand-written backward through time.
//
// Per step t = 1..T, from s_0 = initial_state:
//   q_t = W_q s_{t-1}                                        attention query   (B, A)
//   e_t = tanh(projected_keys + q_t)                         energies          (B, S, A)
//   a_t = masked softmax over s of (e_t . v)                 attention weights (B, S)
//   c_t = sum_s a_t[s] keys[s]                               context           (B, E)
//   s_t = GRU(x = input_gates_t + W_c c_t, h = W_hh s_{t-1} + b_hh)            (B, H)
// exactly gru_bahdanau.h's decoder step (BahdanauAttention::forward + torch::gru_cell
// with the context's share of W_ih), which decoding still runs one step at a time.
//
// Written as LibTorch operators, each step is some thirty autograd nodes forward and
// back, with a (B, S, A) and a (B, S, E) tensor allocated, written and summed into the
// keys' gradients at every step. Here a step is four matrix products (query and W_hh
// as one, W_c forward; W_c^T and [W_q; W_hh]^T back) and loops over the step's rows;
// the keys' gradients accumulate in place, and the weight gradients of W_q, W_hh,
// b_hh and W_c are one product each over all T * B rows after the loop.
//
// Float32 CPU tensors only (gru_bahdanau.cpp takes the operator path otherwise, and
// under bf16 autocast). Saved for backward: the energies (T, B, S, A), the weights, the
// gates (T, B, 4H), states and contexts, about what autograd keeps for the operator path.
#pragma once

#include <torch/types.h>

namespace heed {

struct UnrolledGruAttentionInputs {
  torch::Tensor input_gates;     // (B, T, 3H) the embedding share of W_ih x + b_ih, per step
  torch::Tensor initial_state;   // (B, H) s_0
  torch::Tensor keys;            // (B, S, E) encoder states
  torch::Tensor projected_keys;  // (B, S, A) W_k keys + b (BahdanauAttention::prepare)
  torch::Tensor mask;            // (B, S) bool, true at real keys
};

struct UnrolledGruAttentionWeights {
  torch::Tensor query;         // (A, H)  W_q, the query columns of the attention layer
  torch::Tensor score;         // (1, A)  v, the attention layer to one score
  torch::Tensor context_gate;  // (3H, E) the context columns of W_ih
  torch::Tensor hidden_gate;   // (3H, H) W_hh
  torch::Tensor hidden_bias;   // (3H)    b_hh
};

struct UnrolledGruAttentionOutput {
  torch::Tensor states;    // (B, T, H) s_1 .. s_T
  torch::Tensor contexts;  // (B, T, E) c_1 .. c_T
  torch::Tensor weights;   // (B, T, S) a_1 .. a_T; exactly 0 at masked keys; no gradient
};

// True when unrolled_gru_attention can run these: float32 CPU tensors and no autocast.
bool can_unroll_gru_attention(const UnrolledGruAttentionInputs& inputs);

UnrolledGruAttentionOutput unrolled_gru_attention(const UnrolledGruAttentionInputs& inputs,
                                                  const UnrolledGruAttentionWeights& weights);

}  // namespace heed
