#!/usr/bin/env python3
"""PyTorch CPU peer for `codeintel bench tensor` (issue 4): the same pre-LN Transformer encoder stack
(learned positions, final LayerNorm, masked mean pooling), timed forward-only (inference) and as a
training step (forward + backward of a fixed random projection of the pooled output + clip + AdamW).

A measuring stick, never a dependency: run it from a throw-away venv (`python3 -m venv /tmp/torchvenv &&
/tmp/torchvenv/bin/pip install torch`). Prints one line per measurement in the same format as the Swift side.
"""
import argparse
import statistics
import time

import torch
import torch.nn as nn


class Encoder(nn.Module):
    def __init__(self, vocab, dim, layers, heads, ffn, max_len, dropout):
        super().__init__()
        self.tokens = nn.Embedding(vocab, dim)
        self.positions = nn.Embedding(max_len, dim)
        self.drop = nn.Dropout(dropout)
        layer = nn.TransformerEncoderLayer(dim, heads, ffn, dropout, activation="gelu", batch_first=True,
                                           norm_first=True)
        self.layers = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(dim)

    def forward(self, tokens, mask):
        t = tokens.shape[1]
        x = self.drop(self.tokens(tokens) + self.positions(torch.arange(t)))
        x = self.norm(self.layers(x, src_key_padding_mask=~mask))
        m = mask.unsqueeze(-1).float()
        return x, (x * m).sum(1) / m.sum(1).clamp(min=1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--dim", type=int, default=256)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--ffn", type=int, default=1024)
    ap.add_argument("--vocab", type=int, default=8192)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--length", type=int, default=128)
    ap.add_argument("--dropout", type=float, default=0.1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--iterations", type=int, default=10)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = Encoder(a.vocab, a.dim, a.layers, a.heads, a.ffn, a.length, a.dropout)
    tokens = torch.randint(0, a.vocab, (a.batch, a.length))
    mask = torch.ones(a.batch, a.length, dtype=torch.bool)
    probe = torch.randn(a.batch, a.dim)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4)

    def median(body):
        for _ in range(a.warmup):
            body()
        times = []
        cpu0 = time.process_time()
        for _ in range(a.iterations):
            t0 = time.perf_counter()
            body()
            times.append(time.perf_counter() - t0)
        return statistics.median(times), (time.process_time() - cpu0) / a.iterations

    model.eval()

    def infer():
        with torch.inference_mode():
            model(tokens, mask)

    fwd, fwd_cpu = median(infer)
    model.train()

    def step():
        opt.zero_grad(set_to_none=True)
        _, pooled = model(tokens, mask)
        (pooled * probe).sum().backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()

    train, train_cpu = median(step)
    bt, d, f, t = a.batch * a.length, a.dim, a.ffn, a.length
    flops = a.layers * (2 * bt * (3 * d * d + d * d + 2 * d * f) + 4 * bt * t * d)
    print(f"PyTorch {torch.__version__} ({torch.get_num_threads()} threads): {a.layers} layers, d={d}, "
          f"{a.heads} heads, FFN {f}, vocab {a.vocab}, batch {a.batch}x{t}, dropout {a.dropout}")
    print(f"  inference:  {a.batch / fwd:.1f} functions/s  ({fwd * 1000:.1f} ms/batch, {flops / fwd / 1e9:.1f} GFLOP/s)")
    print(f"  train step: {a.batch / train:.1f} functions/s  ({train * 1000:.1f} ms/batch, "
          f"{3 * flops / train / 1e9:.1f} GFLOP/s)")
    print(f"  cpu time:   {fwd_cpu * 1000:.1f} ms/batch inference, {train_cpu * 1000:.1f} ms/batch train step")


if __name__ == "__main__":
    main()
