"""PyTorch NOLA baseline for the `bench` command's dense and conv scenarios (issue 6).

Same shapes, batch, optimiser and NOLA settings as nola4j's bench; prints lines in the same format:
    bench <scenario>-<kind> median_ms=<m> p10=<a> p90=<b>
Kinds: full (layer trainable), frozen (layer frozen, gradients flow through), nola (NOLA adapter).
Interleaved step by step like nola4j's Timing.interleaved. Run with Debian's python3-torch:
    python3 samples/pytorch/nola_bench.py [--steps 30] [--warmup 10] [--threads 2]
"""
import argparse
import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class NolaLinear(nn.Module):
    """y = x W + b + s (x A) B, A = cA sum alpha_i A_i, B = cB sum beta_j B_j; only alpha, beta train."""

    def __init__(self, base: nn.Linear, rank, k, l, scale):
        super().__init__()
        self.base = base
        for p in base.parameters():
            p.requires_grad_(False)
        fan_in, n_out = base.in_features, base.out_features
        g = torch.Generator().manual_seed(42)
        self.register_buffer("bases_a", torch.randn(k, fan_in * rank, generator=g))
        self.register_buffer("bases_b", torch.randn(l, rank * n_out, generator=g))
        self.alpha = nn.Parameter(torch.rand(k, generator=g) * 2 - 1)
        self.beta = nn.Parameter(torch.zeros(l))
        self.shape_a, self.shape_b = (fan_in, rank), (rank, n_out)
        self.ca, self.cb, self.scale = 1 / math.sqrt(k * fan_in), 1 / math.sqrt(l), scale

    def factors(self):
        a = (self.ca * self.alpha @ self.bases_a).view(self.shape_a)
        b = (self.scale * self.cb * self.beta @ self.bases_b).view(self.shape_b)
        return a, b

    def forward(self, x):
        a, b = self.factors()
        return self.base(x) + (x @ a) @ b


class NolaConv2d(nn.Module):
    """One convolution with the kernel W + s (A B) reshaped, A [fanIn, r], B [r, nOut] mixtures as above."""

    def __init__(self, base: nn.Conv2d, rank, k, l, scale):
        super().__init__()
        self.base = base
        for p in base.parameters():
            p.requires_grad_(False)
        n_out, n_in, kh, kw = base.weight.shape
        fan_in = n_in * kh * kw
        g = torch.Generator().manual_seed(42)
        self.register_buffer("bases_a", torch.randn(k, fan_in * rank, generator=g))
        self.register_buffer("bases_b", torch.randn(l, rank * n_out, generator=g))
        self.alpha = nn.Parameter(torch.rand(k, generator=g) * 2 - 1)
        self.beta = nn.Parameter(torch.zeros(l))
        self.fan_in, self.rank, self.n_out = fan_in, rank, n_out
        self.ca, self.cb, self.scale = 1 / math.sqrt(k * fan_in), 1 / math.sqrt(l), scale

    def forward(self, x):
        a = (self.ca * self.alpha @ self.bases_a).view(self.fan_in, self.rank)
        b = (self.scale * self.cb * self.beta @ self.bases_b).view(self.rank, self.n_out)
        delta = (a @ b).t().reshape(self.base.weight.shape)
        return F.conv2d(x, self.base.weight + delta, self.base.bias, padding=self.base.padding)


def network(scenario, kind, input_grad):
    torch.manual_seed(7)
    if scenario == "dense":
        layer = nn.Linear(512, 512)
        adapted = NolaLinear(layer, 8, 256, 256, 1 / 8) if kind == "nola" else layer
        net = nn.Sequential(adapted, nn.Tanh(), nn.Linear(512, 10))
        x, y = torch.rand(64, 512), torch.arange(64) % 10
    else:
        layer = nn.Conv2d(64, 64, 3, padding=1)
        adapted = NolaConv2d(layer, 4, 256, 256, 1 / 4) if kind == "nola" else layer
        net = nn.Sequential(adapted, nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10))
        x, y = torch.rand(32, 64, 32, 32), torch.arange(32) % 10
    if kind == "frozen":
        for p in layer.parameters():
            p.requires_grad_(False)
    # DL4J backpropagates to the first layer's input too, and "frozen" means gradients flow through it
    x.requires_grad_(input_grad)
    opt = torch.optim.Adam([p for p in net.parameters() if p.requires_grad], lr=1e-3)

    def step():
        opt.zero_grad(set_to_none=True)
        x.grad = None
        loss = F.cross_entropy(net(x), y)
        loss.backward()
        opt.step()

    return step


def percentile(sorted_ms, p):
    index = max(0, min(len(sorted_ms) - 1, math.ceil(p / 100 * len(sorted_ms)) - 1))
    return sorted_ms[index]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--scenario", default="all", choices=["dense", "conv", "all"])
    parser.add_argument("--no-input-grad", action="store_true",
                        help="do not compute the gradient of the input (DL4J always does)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    for scenario in ["dense", "conv"]:
        if args.scenario not in ("all", scenario):
            continue
        kinds = ["full", "frozen", "nola"]
        steps = {k: network(scenario, k, not args.no_input_grad) for k in kinds}
        ms = {k: [] for k in kinds}
        for rnd in range(args.warmup + args.steps):
            for j in range(len(kinds)):
                kind = kinds[(rnd + j) % len(kinds)]
                start = time.perf_counter()
                steps[kind]()
                if rnd >= args.warmup:
                    ms[kind].append((time.perf_counter() - start) * 1e3)
        for kind in kinds:
            s = sorted(ms[kind])
            print(f"bench {scenario}-{kind} median_ms={percentile(s, 50):.3f} p10={percentile(s, 10):.3f} "
                  f"p90={percentile(s, 90):.3f}  (pytorch {torch.__version__}, {args.threads} threads, "
                  f"input gradient {'off' if args.no_input_grad else 'on'})")


if __name__ == "__main__":
    main()
