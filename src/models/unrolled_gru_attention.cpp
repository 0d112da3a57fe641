#include "models/unrolled_gru_attention.h"

#include <ATen/autocast_mode.h>
#include <torch/autograd.h>

#include <utility>

#include "kernels/gru_attention_kernels.h"

namespace heed {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

gru_attention::Sizes sizes_of(const torch::Tensor& keys, const torch::Tensor& projected_keys) {
  return {keys.size(0), keys.size(1), projected_keys.size(2), keys.size(2)};
}

float* data(torch::Tensor& tensor) { return tensor.data_ptr<float>(); }
const float* data(const torch::Tensor& tensor) { return tensor.data_ptr<float>(); }

class UnrolledGruAttentionFunction : public torch::autograd::Function<UnrolledGruAttentionFunction> {
 public:
  static variable_list forward(AutogradContext* ctx, const torch::Tensor& input_gates,
                               const torch::Tensor& initial_state, const torch::Tensor& keys_in,
                               const torch::Tensor& projected_keys_in, const torch::Tensor& mask_in,
                               const torch::Tensor& query_weight, const torch::Tensor& score_weight,
                               const torch::Tensor& context_gate, const torch::Tensor& hidden_gate,
                               const torch::Tensor& hidden_bias) {
    const auto keys = keys_in.contiguous();                        // (B, S, E)
    const auto projected_keys = projected_keys_in.contiguous();    // (B, S, A)
    const auto mask = mask_in.contiguous();                        // (B, S)
    const auto score = score_weight.reshape({-1}).contiguous();    // (A)
    const gru_attention::Sizes n = sizes_of(keys, projected_keys);
    const int64_t B = n.batch, S = n.keys, A = n.attention, E = n.key_size;
    const int64_t T = input_gates.size(1), H = initial_state.size(1);
    const int64_t P = A + 3 * H;  // columns of the per-step product of s_{t-1}
    const auto options = keys.options();

    const auto step_inputs = input_gates.transpose(0, 1).contiguous();  // (T, B, 3H)
    // q_t and W_hh s_{t-1} + b_hh in one product: [W_q; W_hh] (P, H), bias [0; b_hh].
    const auto state_weight = torch::cat({query_weight, hidden_gate}, /*dim=*/0);
    const auto state_bias = torch::cat({torch::zeros({A}, options), hidden_bias});
    const auto state_weight_t = state_weight.t();
    const auto context_gate_t = context_gate.t();  // (E, 3H)

    auto states = torch::empty({T + 1, B, H}, options);  // s_0 .. s_T
    states[0].copy_(initial_state);
    auto contexts = torch::empty({T, B, E}, options);
    auto energies = torch::empty({T, B, S, A}, options);
    auto weights = torch::empty({T, B, S}, options);
    auto gates = torch::empty({T, B, 4 * H}, options);  // [r | z | n | W_hn s + b_hn]
    auto projected = torch::empty({B, P}, options);     // [q_t | W_hh s_{t-1} + b_hh]
    auto x = torch::empty({B, 3 * H}, options);         // W_ih [emb; c_t] + b_ih

    const bool* mask_data = mask.data_ptr<bool>();
    for (int64_t t = 0; t < T; ++t) {
      const auto previous = states[t];
      auto energy = energies[t];
      auto weight = weights[t];
      auto context = contexts[t];
      auto gate = gates[t];
      auto next = states[t + 1];
      torch::addmm_out(projected, state_bias, previous, state_weight_t);
      gru_attention::add_query(n, data(projected_keys), data(projected), P, mask_data, data(energy));
      energy.tanh_();
      gru_attention::attend(n, data(energy), data(score), mask_data, data(keys), data(weight), data(context));
      torch::addmm_out(x, step_inputs[t], context, context_gate_t);
      gru_attention::gru_gate_inputs(B, H, data(x), data(projected) + A, P, data(gate));
      gate.narrow(/*dim=*/1, /*start=*/0, 2 * H).sigmoid_();
      gru_attention::gru_candidate_input(B, H, data(x), data(gate));
      gate.narrow(/*dim=*/1, /*start=*/2 * H, H).tanh_();
      gru_attention::gru_output(B, H, data(gate), data(previous), data(next));
    }

    ctx->save_for_backward({keys, mask, score, context_gate});
    ctx->saved_data["state_weight"] = state_weight;
    ctx->saved_data["states"] = states;
    ctx->saved_data["contexts"] = contexts;
    ctx->saved_data["energies"] = energies;
    ctx->saved_data["weights"] = weights;
    ctx->saved_data["gates"] = gates;
    ctx->saved_data["attention"] = A;

    auto weights_out = weights.transpose(0, 1);  // (B, T, S)
    ctx->mark_non_differentiable({weights_out});
    return {states.narrow(/*dim=*/0, /*start=*/1, T).transpose(0, 1), contexts.transpose(0, 1), weights_out};
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad_outputs) {
    const auto saved = ctx->get_saved_variables();
    const auto& keys = saved[0];
    const auto& mask = saved[1];
    const auto& score = saved[2];
    const auto& context_gate = saved[3];
    const auto state_weight = ctx->saved_data["state_weight"].toTensor();
    const auto states = ctx->saved_data["states"].toTensor();
    const auto contexts = ctx->saved_data["contexts"].toTensor();
    const auto energies = ctx->saved_data["energies"].toTensor();
    const auto weights = ctx->saved_data["weights"].toTensor();
    const auto gates = ctx->saved_data["gates"].toTensor();
    const int64_t A = ctx->saved_data["attention"].toInt();
    const int64_t T = contexts.size(0), B = contexts.size(1), E = contexts.size(2), H = states.size(2);
    const int64_t S = keys.size(1), P = A + 3 * H;
    const gru_attention::Sizes n{B, S, A, E};
    const auto options = keys.options();

    // Time-major incoming gradients; undefined when an output was not used.
    const auto time_major = [](const torch::Tensor& grad) {
      return grad.defined() ? grad.transpose(0, 1).contiguous() : torch::Tensor();
    };
    const auto grad_states = time_major(grad_outputs[0]);    // (T, B, H)
    const auto grad_contexts = time_major(grad_outputs[1]);  // (T, B, E)

    auto grad_x = torch::empty({T, B, 3 * H}, options);   // d (W_ih [emb; c] + b_ih) per step
    auto grad_projected = torch::empty({T, B, P}, options);  // d [q_t | W_hh s + b_hh]
    auto grad_keys = torch::zeros({B, S, E}, options);
    auto grad_projected_keys = torch::zeros({B, S, A}, options);
    auto grad_score = torch::zeros({A}, options);
    auto grad_state = torch::zeros({B, H}, options);     // d s_t, carried back
    auto grad_previous = torch::empty({B, H}, options);  // d s_{t-1}
    auto grad_context = torch::empty({B, E}, options);
    auto scratch = torch::empty({S}, options);  // d weights of one row

    const bool* mask_data = mask.data_ptr<bool>();
    for (int64_t t = T - 1; t >= 0; --t) {
      if (grad_states.defined()) grad_state.add_(grad_states[t]);
      auto step_grad_x = grad_x[t];
      auto step_grad_projected = grad_projected[t];
      gru_attention::gru_backward(B, H, data(gates[t]), data(states[t]), data(grad_state), data(step_grad_x),
                                  data(step_grad_projected) + A, P, data(grad_previous));
      // d c_t = (its own gradient) + d x_t W_c
      if (grad_contexts.defined()) {
        torch::addmm_out(grad_context, grad_contexts[t], step_grad_x, context_gate);
      } else {
        torch::mm_out(grad_context, step_grad_x, context_gate);
      }
      gru_attention::attend_backward(n, data(energies[t]), data(score), mask_data, data(keys), data(weights[t]),
                                     data(grad_context), data(step_grad_projected), P,
                                     data(grad_projected_keys), data(grad_keys), data(grad_score),
                                     data(scratch));
      // d s_{t-1} = z * d s_t + [d q_t | d (W_hh s)] [W_q; W_hh]
      grad_previous.addmm_(step_grad_projected, state_weight);
      std::swap(grad_state, grad_previous);
    }

    // The weight gradients, one product each over all T * B rows.
    const auto flat_grad_projected = grad_projected.view({T * B, P});
    const auto grad_state_weight =
        flat_grad_projected.t().mm(states.narrow(/*dim=*/0, /*start=*/0, T).reshape({T * B, H}));  // (P, H)
    const auto grad_hidden_bias = flat_grad_projected.narrow(/*dim=*/1, /*start=*/A, 3 * H).sum(0);
    const auto grad_context_gate = grad_x.view({T * B, 3 * H}).t().mm(contexts.view({T * B, E}));  // (3H, E)
    return {grad_x.transpose(0, 1),
            grad_state,
            grad_keys,
            grad_projected_keys,
            torch::Tensor(),
            grad_state_weight.narrow(/*dim=*/0, /*start=*/0, A),
            grad_score.view({1, A}),
            grad_context_gate,
            grad_state_weight.narrow(/*dim=*/0, /*start=*/A, 3 * H),
            grad_hidden_bias};
  }
};

bool is_cpu_float(const torch::Tensor& tensor) {
  return tensor.defined() && tensor.device().is_cpu() && tensor.scalar_type() == torch::kFloat;
}

}  // namespace

bool can_unroll_gru_attention(const UnrolledGruAttentionInputs& inputs) {
  return !at::autocast::is_cpu_enabled() && is_cpu_float(inputs.input_gates) &&
         is_cpu_float(inputs.initial_state) && is_cpu_float(inputs.keys) && is_cpu_float(inputs.projected_keys) &&
         inputs.mask.scalar_type() == torch::kBool;
}

UnrolledGruAttentionOutput unrolled_gru_attention(const UnrolledGruAttentionInputs& inputs,
                                                  const UnrolledGruAttentionWeights& weights) {
  TORCH_CHECK(can_unroll_gru_attention(inputs), "unrolled_gru_attention: float32 CPU tensors, no autocast");
  auto outputs = UnrolledGruAttentionFunction::apply(
      inputs.input_gates, inputs.initial_state, inputs.keys, inputs.projected_keys, inputs.mask, weights.query,
      weights.score, weights.context_gate, weights.hidden_gate, weights.hidden_bias);
  return {outputs[0], outputs[1], outputs[2]};
}

}  // namespace heed
