"""PyTorch NOLA baseline for the `bench` command's dense, conv and resnet50 scenarios.

Same shapes, batch, optimiser and NOLA settings as nola4j's bench; prints lines in the same format:
    bench <scenario>-<kind> median_ms=<m> p10=<a> p90=<b>
Kinds: full (layer trainable), frozen (layer frozen, gradients flow through), head (resnet50 only:
backbone frozen in eval mode, only the new fc trains), nola (NOLA as the paper
writes it: x·W + s·(x·A)·B, for a convolution conv(x, W) + s·conv1x1(conv_r(x, A), B)), nola-merged
(one product with W + s·A·B), and nola-best, the faster of the two NOLA variants (the number to
compare nola4j's NOLA with). Interleaved step by step like nola4j's Timing.interleaved. After the resnet50
steps, ResNet50's inference in eval mode under no_grad (resnet50-inference-eval, with images_per_s).

Run with Debian's python3-torch and OpenBLAS (without libopenblas0-pthread, torch falls back to the
reference libblas3, several times slower; the script warns):
    apt-get install python3-torch python3-torchvision libopenblas0-pthread
    /usr/bin/python3 samples/pytorch/nola_bench.py [--scenario dense|conv|resnet50|all] [--steps 30]
                     [--warmup 10] [--threads 2] [--input-grad dl4j|on|off] [--profile]

--input-grad: whether the network's input gets a gradient. "dl4j" (default) does what nola4j's bench
computes: on for full and frozen (DL4J's layers always return dL/dx), off for NOLA (nola4j's bench
turns the unused input gradient of the lowest trainable layer off with InputGradients).
--profile: after the timing, runs torch.profiler over the resnet50 steps and prints per step, in ms,
convolution forward, convolution backward, BatchNorm, activations, updater and the rest:
    profile resnet50-<kind> step_ms=.. conv_fwd=.. conv_bwd=.. batchnorm=.. activations=.. updater=.. rest=..
"""
import argparse
import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

BASES = {}


def shared_bases(k, length, seed):
    """Rows [k, length] of one largest seeded Gaussian basis per (k, seed), as nola4j shares slices of one basis."""
    key = (k, seed)
    if key not in BASES or BASES[key].shape[1] < length:
        g = torch.Generator().manual_seed(seed)
        BASES[key] = torch.randn(k, max(length, 1 << 16), generator=g)
    return BASES[key][:, :length]


class NolaFactors(nn.Module):
    """A = cA sum alpha_i A_i [fanIn, r], B = s cB sum beta_j B_j [r, nOut]; only alpha and beta train."""

    def __init__(self, fan_in, n_out, rank, k, l, scale):
        super().__init__()
        g = torch.Generator().manual_seed(42)
        self.register_buffer("bases_a", shared_bases(k, fan_in * rank, 1), persistent=False)
        self.register_buffer("bases_b", shared_bases(l, rank * n_out, 2), persistent=False)
        self.alpha = nn.Parameter(torch.rand(k, generator=g) * 2 - 1)
        self.beta = nn.Parameter(torch.zeros(l))
        self.shape_a, self.shape_b = (fan_in, rank), (rank, n_out)
        self.ca, self.cb = 1 / math.sqrt(k * fan_in), scale / math.sqrt(l)

    def forward(self):
        a = (self.ca * self.alpha @ self.bases_a).view(self.shape_a)
        b = (self.cb * self.beta @ self.bases_b).view(self.shape_b)
        return a, b


class NolaLinear(nn.Module):
    """y = x W + b + s (x A) B (paper), or x (W + s A B) + b (merged)."""

    def __init__(self, base: nn.Linear, rank, k, l, scale, merged):
        super().__init__()
        self.base, self.merged = base, merged
        for p in base.parameters():
            p.requires_grad_(False)
        self.factors = NolaFactors(base.in_features, base.out_features, rank, k, l, scale)

    def forward(self, x):
        a, b = self.factors()
        if self.merged:
            return F.linear(x, self.base.weight + (a @ b).t(), self.base.bias)
        return self.base(x) + (x @ a) @ b


class NolaConv2d(nn.Module):
    """conv(x, W) + conv1x1(conv_r(x, A), B) (paper), or conv(x, W + reshape((A B)^T)) (merged)."""

    def __init__(self, base: nn.Conv2d, rank, k, l, scale, merged):
        super().__init__()
        assert base.groups == 1, "grouped convolutions are not adapted"
        self.base, self.merged = base, merged
        for p in base.parameters():
            p.requires_grad_(False)
        n_out, n_in, kh, kw = base.weight.shape
        self.factors = NolaFactors(n_in * kh * kw, n_out, rank, k, l, scale)
        self.rank = rank

    def forward(self, x):
        a, b = self.factors()
        w = self.base.weight
        conv = dict(stride=self.base.stride, padding=self.base.padding, dilation=self.base.dilation)
        if self.merged:
            return F.conv2d(x, w + (a @ b).t().reshape(w.shape), self.base.bias, **conv)
        n_out, n_in, kh, kw = w.shape
        h = F.conv2d(x, a.t().reshape(self.rank, n_in, kh, kw), None, **conv)
        return F.conv2d(x, w, self.base.bias, **conv) + F.conv2d(h, b.t().reshape(n_out, self.rank, 1, 1))


def adapt_convolutions(module, merged):
    """Replaces every nn.Conv2d below `module` by a NolaConv2d (r 4, k = l = 256, s 1/4), as bench's resnet50."""
    for name, child in module.named_children():
        if isinstance(child, nn.Conv2d):
            setattr(module, name, NolaConv2d(child, 4, 256, 256, 0.25, merged))
        else:
            adapt_convolutions(child, merged)


def dl4j_zoo_resnet50(num_classes=10):
    """torchvision's ResNet50 rebuilt in the layout of DL4J's zoo ResNet50, the network nola4j's bench adapts.

    DL4J's zoo ResNet50 (Keras' layout) differs from torchvision's: every stage's first block strides 2 in its
    first 1x1 convolution and in the shortcut (stage 2 included, torchvision's does not stride there and puts
    the stride of stages 3-5 in the 3x3), the stem's max pooling has no padding, every convolution has a bias
    and the pooling before the classifier is a max pooling. At 96x96 the spatial sizes are then 48, 23, 12, 6,
    3, 2 as in DL4J and a batch of 8 costs 3.51 GFLOP of convolution, where torchvision's costs 12.
    """
    import torchvision
    net = torchvision.models.resnet50(num_classes=num_classes)
    net.maxpool = nn.MaxPool2d(3, 2, padding=0)
    for stage in [net.layer1, net.layer2, net.layer3, net.layer4]:
        first = stage[0]
        first.conv1.stride, first.conv2.stride, first.downsample[0].stride = (2, 2), (1, 1), (2, 2)
    with_bias(net)
    net.avgpool = nn.AdaptiveMaxPool2d(1)
    return net


def with_bias(module):
    """Gives every nn.Conv2d below `module` a bias (DL4J's ConvolutionLayer has one by default)."""
    for name, child in module.named_children():
        if isinstance(child, nn.Conv2d) and child.bias is None:
            conv = nn.Conv2d(child.in_channels, child.out_channels, child.kernel_size, child.stride,
                             child.padding, child.dilation, child.groups, bias=True)
            with torch.no_grad():
                conv.weight.copy_(child.weight)
                conv.bias.zero_()
            setattr(module, name, conv)
        else:
            with_bias(child)


def convolution_gflop(net, x):
    """Multiply-adds x 2 of every nn.Conv2d in one forward pass of `net` on `x`, in GFLOP."""
    total = []

    def count(conv, _, out):
        total.append(2 * out.numel() * conv.in_channels // conv.groups * conv.kernel_size[0] * conv.kernel_size[1])
    hooks = [m.register_forward_hook(count) for m in net.modules() if isinstance(m, nn.Conv2d)]
    with torch.no_grad():
        net(x)
    for h in hooks:
        h.remove()
    return sum(total) / 1e9


def network(scenario, kind, input_grad):
    """@return (net, x, y, trainable parameters)"""
    torch.manual_seed(7)
    merged = kind == "nola-merged"
    nola = kind.startswith("nola")
    if scenario == "resnet50":
        net = dl4j_zoo_resnet50()
        x, y = torch.rand(8, 3, 96, 96), torch.arange(8) % 10
        if kind == "head":  # head-only transfer: backbone frozen in eval mode (running statistics), new fc trains
            net.eval()
            for name, p in net.named_parameters():
                p.requires_grad_(name.startswith("fc."))
        if nola:
            adapt_convolutions(net, merged)
            for m in net.modules():
                if isinstance(m, nn.BatchNorm2d):  # frozen: running statistics, no update (as nola4j's zoo freezing)
                    m.eval()
                    m.weight.requires_grad_(False)
                    m.bias.requires_grad_(False)
    elif scenario == "dense":
        layer = nn.Linear(512, 512)
        adapted = NolaLinear(layer, 8, 256, 256, 1 / 8, merged) if nola else layer
        net = nn.Sequential(adapted, nn.Tanh(), nn.Linear(512, 10))
        x, y = torch.rand(64, 512), torch.arange(64) % 10
    else:
        layer = nn.Conv2d(64, 64, 3, padding=1)
        adapted = NolaConv2d(layer, 4, 256, 256, 1 / 4, merged) if nola else layer
        net = nn.Sequential(adapted, nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10))
        x, y = torch.rand(32, 64, 32, 32), torch.arange(32) % 10
        if kind == "frozen":
            for p in layer.parameters():
                p.requires_grad_(False)
    x.requires_grad_(input_grad)
    return net, x, y, [p for p in net.parameters() if p.requires_grad]


def step_function(scenario, kind, input_grad):
    net, x, y, params = network(scenario, kind, input_grad)
    opt = torch.optim.Adam(params, lr=1e-3)

    def step(profiled=False):
        with torch.profiler.record_function("bench_step") if profiled else NullContext():
            opt.zero_grad(set_to_none=True)
            x.grad = None
            loss = F.cross_entropy(net(x), y)
            loss.backward()
            with torch.profiler.record_function("bench_updater") if profiled else NullContext():
                opt.step()

    return step


class NullContext:
    def __enter__(self):
        return self

    def __exit__(self, *args):
        return False


def percentile(sorted_ms, p):
    index = max(0, min(len(sorted_ms) - 1, math.ceil(p / 100 * len(sorted_ms)) - 1))
    return sorted_ms[index]


def wants_input_grad(mode, kind):
    if mode == "dl4j":
        return not kind.startswith("nola") and kind != "head"
    return mode == "on"


def loaded_blas():
    """@return the paths of the BLAS libraries mapped into this process (after one matrix product)"""
    torch.rand(64, 64) @ torch.rand(64, 64)
    libs = set()
    try:
        with open("/proc/self/maps") as maps:
            for line in maps:
                path = line.split()[-1]
                if "blas" in path.lower() or "mkl" in path.lower() or "blis" in path.lower():
                    libs.add(path)
    except OSError:
        pass
    return sorted(libs)


def print_configuration(threads):
    print(torch.__config__.show())
    print(f"torch {torch.__version__}, torch.get_num_threads() = {torch.get_num_threads()} (asked {threads})")
    libs = loaded_blas()
    print("BLAS libraries loaded: " + (", ".join(libs) if libs else "none found"))
    fast = any(name in path.lower() for path in libs for name in ("openblas", "mkl", "blis"))
    if not fast:
        print("WARNING: torch runs on the reference BLAS (Debian's libblas3), several times slower than "
              "OpenBLAS; install libopenblas0-pthread (apt-get install libopenblas0-pthread) and run again. "
              "These timings are not a fair baseline.")


CATEGORIES = [
    ("conv_bwd", ("convolution_backward", "convolutionbackward", "conv2d_backward", "conv_backward")),
    ("conv_fwd", ("mkldnn_convolution", "_slow_conv2d_forward", "thnn_conv2d", "_convolution", "conv2d",
                  "convolution")),
    ("batchnorm", ("batch_norm", "batchnorm")),
    ("activations", ("relu", "threshold_backward", "tanh", "sigmoid")),
]


def category(name):
    lower = name.lower()
    for cat, keys in CATEGORIES:
        if any(key in lower for key in keys):
            return cat
    return None


def profile(scenario, kind, step, steps):
    """Prints convolution forward/backward, BatchNorm, activations, updater and the rest, ms per step."""
    from torch.profiler import profile as torch_profile, ProfilerActivity
    with torch_profile(activities=[ProfilerActivity.CPU]) as prof:
        for _ in range(steps):
            step(profiled=True)
    totals = {"conv_fwd": 0.0, "conv_bwd": 0.0, "batchnorm": 0.0, "activations": 0.0}
    step_us = updater_us = updater_inner_us = 0.0
    for event in prof.key_averages():
        if event.key == "bench_step":
            step_us = event.cpu_time_total
        elif event.key == "bench_updater":
            updater_us = event.cpu_time_total
    updater_ranges = [(e.time_range.start, e.time_range.end) for e in prof.events() if e.name == "bench_updater"]
    for event in prof.events():
        if event.name.startswith("bench_"):
            continue
        cat = category(event.name)
        if cat is None:
            continue
        inside_updater = any(s <= event.time_range.start and event.time_range.end <= e for s, e in updater_ranges)
        if inside_updater:
            updater_inner_us += event.self_cpu_time_total
        else:
            totals[cat] += event.self_cpu_time_total
    per_step = {cat: us / 1e3 / steps for cat, us in totals.items()}
    step_ms = step_us / 1e3 / steps
    updater_ms = updater_us / 1e3 / steps
    rest = step_ms - sum(per_step.values()) - updater_ms
    print(f"profile {scenario}-{kind} step_ms={step_ms:.1f} " + " ".join(f"{k}={v:.1f}" for k, v in per_step.items())
          + f" updater={updater_ms:.1f} rest={rest:.1f}  (torch.profiler, self CPU time, {steps} steps)")


def inference(steps, warmup):
    """ResNet50 in eval mode under no_grad, batch 8 at 96x96: what nola4j's resnet50-inference-nola compares with."""
    torch.manual_seed(7)
    net = dl4j_zoo_resnet50().eval()
    x = torch.rand(8, 3, 96, 96)
    ms = []
    with torch.no_grad():
        for rnd in range(warmup + steps):
            start = time.perf_counter()
            net(x)
            if rnd >= warmup:
                ms.append((time.perf_counter() - start) * 1e3)
    s = sorted(ms)
    print(f"bench resnet50-inference-eval median_ms={percentile(s, 50):.3f} p10={percentile(s, 10):.3f} "
          f"p90={percentile(s, 90):.3f} images_per_s={8 * 1000 / percentile(s, 50):.1f}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--scenario", default="all", choices=["dense", "conv", "resnet50", "all"])
    parser.add_argument("--input-grad", default="dl4j", choices=["dl4j", "on", "off"],
                        help="dl4j: on for full/frozen, off for NOLA, as nola4j's bench computes it")
    parser.add_argument("--profile", action="store_true",
                        help="profile the resnet50 steps with torch.profiler after timing them")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print_configuration(args.threads)
    for scenario in ["dense", "conv", "resnet50"]:
        if args.scenario not in ("all", scenario):
            continue
        kinds = ["full", "nola", "nola-merged", "head"] if scenario == "resnet50" \
            else ["full", "frozen", "nola", "nola-merged"]
        steps = {k: step_function(scenario, k, wants_input_grad(args.input_grad, k)) for k in kinds}
        ms = {k: [] for k in kinds}
        warmup = min(args.warmup, 3) if scenario == "resnet50" else args.warmup
        for rnd in range(warmup + args.steps):
            for j in range(len(kinds)):
                kind = kinds[(rnd + j) % len(kinds)]
                start = time.perf_counter()
                steps[kind]()
                if rnd >= warmup:
                    ms[kind].append((time.perf_counter() - start) * 1e3)
        medians = {}
        for kind in kinds:
            s = sorted(ms[kind])
            medians[kind] = percentile(s, 50)
            print(f"bench {scenario}-{kind} median_ms={percentile(s, 50):.3f} p10={percentile(s, 10):.3f} "
                  f"p90={percentile(s, 90):.3f}  (pytorch {torch.__version__}, {torch.get_num_threads()} threads, "
                  f"input gradient {'on' if wants_input_grad(args.input_grad, kind) else 'off'})")
        best = min(("nola", "nola-merged"), key=lambda k: medians[k])
        print(f"bench {scenario}-nola-best median_ms={medians[best]:.3f} variant={best}")
        if scenario == "resnet50":
            print(f"bench resnet50-ratio head/full={medians['head'] / medians['full']:.3f}")
            inference(args.steps, warmup)
        if args.profile and scenario == "resnet50":
            for kind in ("full", best):
                profile(scenario, kind, steps[kind], min(args.steps, 10))


if __name__ == "__main__":
    main()
