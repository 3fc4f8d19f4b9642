"""PyTorch NOLA baseline for the `bench --scenario vit` command: one training step of the ViT sample.

The same ViT as nola4j's TinyVit (28x28 images in 7x7 patches, width 64, 2 pre-norm blocks of 4 heads, GELU MLP
256, mean pool, label smoothing 0.1), the same batch (50) and NOLA settings (r = 4, s = 1/r, k = l = 112 on every
block's q, v, fc1 and fc2 weights); Adam. Prints lines in the format of nola_bench.py:
    bench vit-<kind> median_ms=<m> p10=<a> p90=<b>
Kinds: full (every weight trains), nola (x·W + s·(x·A)·B, the paper's form), nola-merged (x·(W + s·A·B)) and
nola-best, the faster NOLA variant (the number to compare nola4j's bench vit-nola with). Interleaved step by step.

    /usr/bin/python3 samples/pytorch/nola_vit_bench.py [--steps 30] [--warmup 10] [--threads 2]
"""
import argparse
import os
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nola_bench import NolaLinear, percentile, print_configuration  # noqa: E402

IMAGE, PATCH, WIDTH, DEPTH, HEADS, MLP, CLASSES, BATCH = 28, 7, 64, 2, 4, 256, 5, 50
RANK, BASES = 4, 112


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(WIDTH), nn.LayerNorm(WIDTH)
        self.q, self.k, self.v, self.o = (nn.Linear(WIDTH, WIDTH) for _ in range(4))
        self.fc1, self.fc2 = nn.Linear(WIDTH, MLP), nn.Linear(MLP, WIDTH)

    def forward(self, h):
        n, t, d = h.shape
        a = self.ln1(h)

        def heads(x):
            return x.view(n, t, HEADS, d // HEADS).transpose(1, 2)

        q, k, v = heads(self.q(a)), heads(self.k(a)), heads(self.v(a))
        attended = torch.softmax(q @ k.transpose(-2, -1) / (d // HEADS) ** 0.5, dim=-1) @ v
        h = h + self.o(attended.transpose(1, 2).reshape(n, t, d))
        return h + self.fc2(F.gelu(self.fc1(self.ln2(h))))


class TinyVit(nn.Module):
    def __init__(self):
        super().__init__()
        tokens = (IMAGE // PATCH) ** 2
        self.patch = nn.Linear(PATCH * PATCH, WIDTH)
        self.pos = nn.Parameter(torch.randn(tokens, WIDTH) * 0.02)
        self.blocks = nn.ModuleList(Block() for _ in range(DEPTH))
        self.norm = nn.LayerNorm(WIDTH)
        self.head = nn.Linear(WIDTH, CLASSES)

    def forward(self, x):
        n, side = x.shape[0], IMAGE // PATCH
        p = x.view(n, side, PATCH, side, PATCH).permute(0, 1, 3, 2, 4).reshape(n, side * side, PATCH * PATCH)
        h = self.patch(p) + self.pos
        for b in self.blocks:
            h = b(h)
        return self.head(self.norm(h).mean(1))


def step_function(kind):
    torch.manual_seed(1)
    net = TinyVit()
    if kind.startswith("nola"):
        for p in net.parameters():
            p.requires_grad_(False)
        for b in net.blocks:
            for name in ("q", "v", "fc1", "fc2"):
                setattr(b, name, NolaLinear(getattr(b, name), RANK, BASES, BASES, 1 / RANK, kind == "nola-merged"))
        for p in net.head.parameters():
            p.requires_grad_(True)
    x = torch.rand(BATCH, 1, IMAGE, IMAGE)
    y = torch.randint(0, CLASSES, (BATCH,))
    opt = torch.optim.Adam([p for p in net.parameters() if p.requires_grad], lr=1e-3)

    def step():
        opt.zero_grad(set_to_none=True)
        F.cross_entropy(net(x), y, label_smoothing=0.1).backward()
        opt.step()

    return step


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print_configuration(args.threads)
    kinds = ["full", "nola", "nola-merged"]
    steps = {k: step_function(k) for k in kinds}
    ms = {k: [] for k in kinds}
    for rnd in range(args.warmup + args.steps):
        for j in range(len(kinds)):
            kind = kinds[(rnd + j) % len(kinds)]
            start = time.perf_counter()
            steps[kind]()
            if rnd >= args.warmup:
                ms[kind].append((time.perf_counter() - start) * 1e3)
    medians = {}
    for kind in kinds:
        s = sorted(ms[kind])
        medians[kind] = percentile(s, 50)
        print(f"bench vit-{kind} median_ms={percentile(s, 50):.3f} p10={percentile(s, 10):.3f} "
              f"p90={percentile(s, 90):.3f}  (pytorch {torch.__version__}, {torch.get_num_threads()} threads)")
    best = min(("nola", "nola-merged"), key=lambda k: medians[k])
    print(f"bench vit-nola-best median_ms={medians[best]:.3f} variant={best}")
    print(f"bench vit-ratio nola/full={medians[best] / medians['full']:.3f}")


if __name__ == "__main__":
    main()
