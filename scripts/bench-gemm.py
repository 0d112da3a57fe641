#!/usr/bin/python3
"""Matrix-product rates of the GRU benchmark's output layer, one thread.

The output layer of the Multi30k GRU benchmark configuration is (N, 1024) x (1024, 8000)
with N about 3400 target tokens per batch: per training step a forward product, the
input gradient and the weight gradient. This times each of the three in float32 through
OpenBLAS (torch.mm, what heed and the reference both run), the forward in oneDNN's
float32 kernel, and in bfloat16 (what --precision bf16 runs), and prints GFLOP/s.

    OPENBLAS_NUM_THREADS=1 scripts/bench-gemm.py [--rows N] [--reps R]

Needs Debian's python3-torch (the LibTorch heed links, with the same OpenBLAS).
"""
import argparse
import time

import torch


def seconds(product, reps):
    product()  # warm-up: packing buffers, oneDNN's kernel generation
    start = time.perf_counter()
    for _ in range(reps):
        product()
    return (time.perf_counter() - start) / reps


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=3400, help="target tokens per batch (N)")
    parser.add_argument("--input", type=int, default=1024, help="output layer input size")
    parser.add_argument("--vocab", type=int, default=8000, help="target vocabulary")
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(1)
    n, k, v = args.rows, args.input, args.vocab
    x = torch.randn(n, k)      # (N, K) the output layer's input
    w = torch.randn(v, k)      # (V, K) its weight
    g = torch.randn(n, v)      # (N, V) the logits' gradient
    flop = 2 * n * k * v
    x_dnn, w_dnn = x.to_mkldnn(), w.to_mkldnn()
    x_bf16, w_bf16 = x.bfloat16(), w.bfloat16()
    products = [
        ("float32 OpenBLAS  forward   x w^T", lambda: torch.mm(x, w.t())),
        ("float32 OpenBLAS  input     g w", lambda: torch.mm(g, w)),
        ("float32 OpenBLAS  weight    g^T x", lambda: torch.mm(g.t(), x)),
        ("float32 oneDNN    forward   x w^T", lambda: torch._C._nn.mkldnn_linear(x_dnn, w_dnn, None)),
        ("bfloat16 oneDNN   forward   x w^T", lambda: torch.mm(x_bf16, w_bf16.t())),
    ]
    print(f"N={n} K={k} V={v}: {flop / 1e9:.1f} GFLOP per product, 1 thread")
    for name, product in products:
        s = seconds(product, args.reps)
        print(f"{name:36s} {s * 1e3:8.1f} ms {flop / s / 1e9:7.1f} GFLOP/s")


if __name__ == "__main__":
    main()
