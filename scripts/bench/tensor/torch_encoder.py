#!/usr/bin/env python3
"""PyTorch CPU peer for `codeintel bench tensor` (issue 4): the same pre-LN Transformer encoder stack
(learned positions, final LayerNorm, masked mean pooling), timed forward-only (inference) and as a
training step (forward + backward of a fixed random projection of the pooled output + clip + AdamW), and
with --moco one MoCo step as codeintel's `MoCo.step` does it (query encoder + projection head with dropout,
key encoder + head without gradient, logits against the positive and a queue, cross-entropy, clip, AdamW,
momentum update, enqueue), and with --hybrid one hybrid step as `Models/configs/hybrid-small.json` trains
(masked-token prediction on a pass of its own over a third batch, 15 % of positions, a BERT head tied to
the token embedding, plus the MoCo loss, one backward). --data-parallel is codeintel's and ignored here
(PyTorch splits each op over its own intra-op threads).

A measuring stick, never a dependency: run it from a throw-away venv (`python3 -m venv /tmp/torchvenv &&
/tmp/torchvenv/bin/pip install torch`). Prints one line per measurement in the same format as the Swift side.
"""
import argparse
import copy
import platform
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


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


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
    ap.add_argument("--small", action="store_true", help="the shipped model's shape: 2 layers, d=128, FFN 512, vocab 8000")
    ap.add_argument("--moco", action="store_true")
    ap.add_argument("--hybrid", action="store_true")
    ap.add_argument("--data-parallel", type=int, default=None, help="ignored (codeintel's option)")
    ap.add_argument("--queue", type=int, default=4096)
    ap.add_argument("--projection", type=int, default=128)
    a = ap.parse_args()
    if a.small:
        a.layers, a.dim, a.heads, a.ffn, a.vocab = 2, 128, 4, 512, 8000
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = Encoder(a.vocab, a.dim, a.layers, a.heads, a.ffn, a.length, a.dropout)
    tokens = torch.randint(0, a.vocab, (a.batch, a.length))
    mask = torch.ones(a.batch, a.length, dtype=torch.bool)
    probe = torch.randn(a.batch, a.dim)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4)

    state = {"main": 0.0}

    def median(body):
        for _ in range(a.warmup):
            body()
        times = []
        cpu0 = time.process_time()
        main0 = time.thread_time()
        for _ in range(a.iterations):
            t0 = time.perf_counter()
            body()
            times.append(time.perf_counter() - t0)
        state["main"] = (time.thread_time() - main0) / a.iterations
        return statistics.median(times), (time.process_time() - cpu0) / a.iterations

    model.eval()

    def infer():
        with torch.inference_mode():
            model(tokens, mask)

    fwd, fwd_cpu = median(infer)
    fwd_main = state["main"]
    model.train()

    def step():
        opt.zero_grad(set_to_none=True)
        _, pooled = model(tokens, mask)
        (pooled * probe).sum().backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()

    train, train_cpu = median(step)
    train_main = state["main"]
    moco_time = None
    hybrid_time = None
    for kind in ["moco", "hybrid"]:
        if not getattr(a, kind):
            continue
        qenc = Encoder(a.vocab, a.dim, a.layers, a.heads, a.ffn, a.length, a.dropout)
        qhead = nn.Sequential(nn.Linear(a.dim, a.dim), nn.ReLU(), nn.Linear(a.dim, a.projection))
        kenc, khead = copy.deepcopy(qenc).eval(), copy.deepcopy(qhead)
        for prm in list(kenc.parameters()) + list(khead.parameters()):
            prm.requires_grad_(False)
        queue = nn.functional.normalize(torch.randn(a.queue, a.projection), dim=1)
        mlm = nn.ModuleDict({"dense": nn.Linear(a.dim, a.dim), "norm": nn.LayerNorm(a.dim)})
        mlm_bias = nn.Parameter(torch.zeros(a.vocab))
        params = list(qenc.parameters()) + list(qhead.parameters())
        if kind == "hybrid":
            params += list(mlm.parameters()) + [mlm_bias]
        mopt = torch.optim.AdamW(params, lr=1e-4)
        ktokens = torch.randint(0, a.vocab, (a.batch, a.length))
        original = torch.randint(5, a.vocab, (a.batch, a.length))
        selected = torch.rand(a.batch, a.length) < 0.15
        targets = original[selected]
        masked = torch.where(selected & (torch.rand(a.batch, a.length) < 0.8), torch.full_like(original, 4), original)
        state["ptr"] = 0

        def moco_step():
            nonlocal queue
            qenc.train()
            mopt.zero_grad(set_to_none=True)
            loss = 0.0
            if kind == "hybrid":
                # BERT-style: 15 % of positions, 80 % of those <mask>; the head reads the selected rows only
                states = qenc(masked, mask)[0][selected]
                h = mlm["norm"](nn.functional.gelu(mlm["dense"](states)))
                loss = nn.functional.cross_entropy(h @ qenc.tokens.weight.t() + mlm_bias, targets)
            q = nn.functional.normalize(qhead(qenc(tokens, mask)[1]), dim=1)
            with torch.no_grad():
                k = nn.functional.normalize(khead(kenc(ktokens, mask)[1]), dim=1)
            logits = torch.cat([(q * k).sum(1, keepdim=True), q @ queue.t()], dim=1) / 0.07
            (loss + nn.functional.cross_entropy(logits, torch.zeros(a.batch, dtype=torch.long))).backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            mopt.step()
            with torch.no_grad():
                for pk, pq in zip(list(kenc.parameters()) + list(khead.parameters()), params):
                    pk.mul_(0.99).add_(pq, alpha=0.01)
                i = state["ptr"]
                queue[i:i + a.batch] = k[: a.queue - i]
                state["ptr"] = (i + a.batch) % a.queue

        if kind == "moco":
            moco_time, _ = median(moco_step)
            moco_main = state["main"]
        else:
            hybrid_time, _ = median(moco_step)
            hybrid_main = state["main"]
    bt, d, f, t = a.batch * a.length, a.dim, a.ffn, a.length
    flops = a.layers * (2 * bt * (3 * d * d + d * d + 2 * d * f) + 4 * bt * t * d)
    on = f"[{cpu_model()}, PyTorch {torch.__version__} {torch.backends.cpu.get_cpu_capability()}]"
    print(f"PyTorch {torch.__version__} ({torch.get_num_threads()} threads): {a.layers} layers, d={d}, "
          f"{a.heads} heads, FFN {f}, vocab {a.vocab}, batch {a.batch}x{t}, dropout {a.dropout}")
    print(f"  inference:  {a.batch / fwd:.1f} functions/s  ({fwd * 1000:.1f} ms/batch, "
          f"{flops / fwd / 1e9:.1f} GFLOP/s) {on}")
    print(f"  train step: {a.batch / train:.1f} functions/s  ({train * 1000:.1f} ms/batch, "
          f"{3 * flops / train / 1e9:.1f} GFLOP/s) {on}")
    if moco_time is not None:
        print(f"  moco step:  {a.batch / moco_time:.1f} pairs/s  ({moco_time * 1000:.1f} ms/step, queue {a.queue}) {on}")
    if hybrid_time is not None:
        print(f"  hybrid step: {a.batch / hybrid_time:.1f} pairs/s  ({hybrid_time * 1000:.1f} ms/step, MLM + MoCo, "
              f"queue {a.queue}) {on}")
    print(f"  cpu time:   {fwd_cpu * 1000:.1f} ms/batch inference, {train_cpu * 1000:.1f} ms/batch train step")
    moco_main_text = f", {moco_main * 1000:.1f} ms/moco step" if moco_time is not None else ""
    if hybrid_time is not None:
        moco_main_text += f", {hybrid_main * 1000:.1f} ms/hybrid step"
    print(f"  main thread: {fwd_main * 1000:.1f} ms/batch inference, {train_main * 1000:.1f} ms/batch train step"
          f"{moco_main_text} (CPU time of the calling thread)")


if __name__ == "__main__":
    main()
