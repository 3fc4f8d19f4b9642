"""Makes the small ONNX models that nola-zoo's ImportedOnnxModelTest imports into SameDiff.

Run with Debian's PyTorch 1.13 and onnx 1.12 (python3-torch, python3-onnx):
    /usr/bin/python3 make_models.py
Writes tiny_cnn.onnx and tiny_vit.onnx beside this script, and for each a file <model>.io.txt with the
fixed input and PyTorch's output (one line "name shape" then the values, float32 as decimal text).

The export recipe that samediff-import-onnx 1.0.0-M2.1 reads:
  * torch.onnx.export(opset_version=13, do_constant_folding=True, export_params=True,
    keep_initializers_as_inputs=False, training=EVAL, a fixed batch, no dynamic axes);
    constant folding in eval mode folds BatchNorm into the convolutions' weights and biases.
  * every reshape written with constant target shapes (python ints and -1, never x.shape[i]), so the
    graph has no Shape/Gather/Concat chains computing shapes: the importer evaluated those to an empty
    shape ("Reshape: lengths before and after reshape should match, but got 512 vs 0").
  * the importer maps ONNX MatMul to libnd4j's matmul with alpha = 0, beta = 1 (tArgs [0.0, 1.0]), so every
    MatMul computes 0; Gemm keeps alpha and beta but drops its bias C. So: every linear layer runs on 2-D
    [rows, features] (token-wise layers reshape [B, N, D] to [B·N, D] first), and afterwards (python3-onnx)
    every Gemm and every MatMul with a weight initializer becomes Gemm(x, W; alpha 1, beta 0, no C) with W
    stored [in, out], then Add of the bias; the attention products q·kᵀ and a·v are written as broadcast Mul
    and ReduceSum, with no MatMul.
  * every Constant node becomes an initializer: the importer read the int64 target shape of a Reshape from
    a Constant node as a float [1] array ("Reshape ... Data types validation failed").
  * every ReduceMean / ReduceSum gets its keepdims attribute written out: the importer took a missing
    keepdims as 0 (ONNX's default is 1), so LayerNorm's x - mean(x) failed ("Op [subtract] execution failed",
    [2, 16, 16] - [2, 16]).
  * Identity nodes that forward an initializer (PyTorch shares equal LayerNorm parameters through them) are
    removed and their readers read the initializer: the importer failed on them ("IndexOutOfBoundsException:
    Index 1 out of bounds for length 1" in OnnxIRNode.outputAt).
  * Pow(x, 2) (LayerNorm's variance) becomes Mul(x, x): the importer failed on Pow with the same
    IndexOutOfBoundsException.
  * negative reduction and softmax axes (LayerNorm's ReduceMean over axis -1) are written as positive ones, from
    ONNX shape inference.
  * every value and initializer name is rewritten to [A-Za-z0-9_] ("onnx::Conv_239" ->
    "onnx__Conv_239", "blocks.0.attn.qkv.weight" -> "blocks_0_attn_qkv_weight"): the importer did not find
    variables whose names contain "::" ("No variable name found for onnx::Conv_239").
"""
import os
import re

import numpy as np
import onnx
import torch
from onnx import numpy_helper
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))


class BasicBlock(nn.Module):
    """ResNet's basic block: conv-BN-ReLU-conv-BN plus the identity, then ReLU."""

    def __init__(self, c):
        super().__init__()
        self.conv1 = nn.Conv2d(c, c, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(c)
        self.conv2 = nn.Conv2d(c, c, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(c)

    def forward(self, x):
        y = torch.relu(self.bn1(self.conv1(x)))
        return torch.relu(self.bn2(self.conv2(y)) + x)


class TinyCnn(nn.Module):
    """A ResNet-style network: stem conv-BN-ReLU, a basic block, a stride-2 conv, global average pool, linear."""

    def __init__(self, classes=5):
        super().__init__()
        self.stem = nn.Conv2d(1, 8, 3, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(8)
        self.block = BasicBlock(8)
        self.down = nn.Conv2d(8, 16, 3, stride=2, padding=1)
        self.fc = nn.Linear(16, classes)

    def forward(self, x):
        x = torch.relu(self.bn(self.stem(x)))
        x = self.block(x)
        x = torch.relu(self.down(x))
        x = x.mean(dim=(2, 3))
        return self.fc(x)


class TokenLinear(nn.Linear):
    """nn.Linear on every token: [B, N, D] -> [B·N, D] -> Gemm -> [B, N, D'] (constant target shapes)."""

    def __init__(self, d_in, d_out, tokens):
        super().__init__(d_in, d_out)
        self.tokens = tokens

    def forward(self, x):
        return super().forward(x.reshape(-1, self.in_features)).reshape(-1, self.tokens, self.out_features)


class Attention(nn.Module):
    def __init__(self, dim, heads, tokens):
        super().__init__()
        self.heads, self.tokens, self.head_dim = heads, tokens, dim // heads
        self.q = TokenLinear(dim, dim, tokens)
        self.k = TokenLinear(dim, dim, tokens)
        self.v = TokenLinear(dim, dim, tokens)
        self.proj = TokenLinear(dim, dim, tokens)

    def split(self, x):  # [B, N, D] -> [B, H, N, d], constant target shape
        return x.reshape(-1, self.tokens, self.heads, self.head_dim).permute(0, 2, 1, 3)

    def forward(self, x):
        q, k, v = self.split(self.q(x)), self.split(self.k(x)), self.split(self.v(x))
        scores = (q.unsqueeze(3) * k.unsqueeze(2)).sum(-1)  # q·kᵀ [B, H, N, N] without MatMul
        a = torch.softmax(scores * self.head_dim ** -0.5, dim=-1)
        y = (a.unsqueeze(-1) * v.unsqueeze(2)).sum(3)  # a·v [B, H, N, d]
        return self.proj(y.permute(0, 2, 1, 3).reshape(-1, self.tokens, self.heads * self.head_dim))


class Block(nn.Module):
    """Pre-norm transformer block: x + attn(LN(x)), then x + MLP(LN(x)) with GELU."""

    def __init__(self, dim, heads, tokens):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.attn = Attention(dim, heads, tokens)
        self.norm2 = nn.LayerNorm(dim)
        self.fc1 = TokenLinear(dim, 2 * dim, tokens)
        self.fc2 = TokenLinear(2 * dim, dim, tokens)

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.fc2(torch.nn.functional.gelu(self.fc1(self.norm2(x))))


class TinyVit(nn.Module):
    """Patch embedding (4x4 conv, stride 4) on 1x16x16 images, a learned position embedding, two pre-norm
    blocks, LayerNorm, mean pool over tokens, linear head."""

    def __init__(self, dim=16, heads=2, classes=5, size=16, patch=4):
        super().__init__()
        self.tokens, self.dim = (size // patch) ** 2, dim
        self.patch = nn.Conv2d(1, dim, patch, stride=patch)
        self.pos = nn.Parameter(torch.randn(1, self.tokens, dim) * 0.02)
        self.blocks = nn.Sequential(*[Block(dim, heads, self.tokens) for _ in range(2)])
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, classes)

    def forward(self, x):
        x = self.patch(x).reshape(-1, self.dim, self.tokens).permute(0, 2, 1) + self.pos
        x = self.norm(self.blocks(x))
        return self.head(x.mean(dim=1))


def sanitise_names(model):
    """Rewrites every value, initializer and node name to [A-Za-z0-9_]."""
    def clean(name):
        return re.sub(r"[^A-Za-z0-9_]", "_", name) if name else name
    g = model.graph
    for t in g.initializer:
        t.name = clean(t.name)
    for v in list(g.input) + list(g.output) + list(g.value_info):
        v.name = clean(v.name)
    for n in g.node:
        n.name = clean(n.name)
        for i in range(len(n.input)):
            n.input[i] = clean(n.input[i])
        for i in range(len(n.output)):
            n.output[i] = clean(n.output[i])
    return model


def linear_as_gemm_add(model):
    """Gemm(A, B, C) or MatMul(A, B) + Add(C) with B an initializer -> Gemm(A, B'; alpha 1, beta 0) then Add(C),
    B' = B as [in, out]."""
    g = model.graph
    inits = {t.name: t for t in g.initializer}
    nodes = []
    for n in g.node:
        if n.op_type not in ("Gemm", "MatMul") or n.input[1] not in inits:
            nodes.append(n)
            continue
        attrs = {a.name: onnx.helper.get_attribute_value(a) for a in n.attribute}
        assert attrs.get("transA", 0) == 0 and attrs.get("alpha", 1.0) == 1.0 and attrs.get("beta", 1.0) == 1.0, attrs
        a, b = n.input[0], n.input[1]
        if attrs.get("transB", 0) == 1:
            w = numpy_helper.to_array(inits[b]).T
            inits[b].CopyFrom(numpy_helper.from_array(np.ascontiguousarray(w), b))
        product = n.output[0] + "_gemm" if len(n.input) == 3 else n.output[0]
        nodes.append(onnx.helper.make_node("Gemm", [a, b], [product], name=n.name + "_Gemm", alpha=1.0, beta=0.0))
        if len(n.input) == 3:
            nodes.append(onnx.helper.make_node("Add", [product, n.input[2]], [n.output[0]], name=n.name + "_Add"))
    del g.node[:]
    g.node.extend(nodes)
    return model


def constants_to_initializers(model):
    """Every Constant node's value becomes an initializer of the same name."""
    g = model.graph
    nodes = []
    for n in g.node:
        if n.op_type == "Constant" and n.attribute[0].name == "value":
            g.initializer.append(numpy_helper.from_array(numpy_helper.to_array(n.attribute[0].t), n.output[0]))
        else:
            nodes.append(n)
    del g.node[:]
    g.node.extend(nodes)
    return model


def drop_initializer_identities(model):
    """Identity(initializer) nodes are removed; whatever read their output reads the initializer."""
    g = model.graph
    inits = {t.name for t in g.initializer}
    alias = {n.output[0]: n.input[0] for n in g.node if n.op_type == "Identity" and n.input[0] in inits}
    nodes = [n for n in g.node if not (n.op_type == "Identity" and n.output[0] in alias)]
    for n in nodes:
        for i in range(len(n.input)):
            n.input[i] = alias.get(n.input[i], n.input[i])
    del g.node[:]
    g.node.extend(nodes)
    return model


def square_as_mul(model):
    """Pow(x, 2) with a constant exponent 2 becomes Mul(x, x)."""
    inits = {t.name: t for t in model.graph.initializer}
    for n in model.graph.node:
        if n.op_type == "Pow" and n.input[1] in inits and float(numpy_helper.to_array(inits[n.input[1]])) == 2.0:
            n.op_type = "Mul"
            n.input[1] = n.input[0]
    return model


def positive_axes(model):
    """axes / axis attributes < 0 of Reduce* and Softmax nodes become rank + axis (ranks from shape inference)."""
    inferred = onnx.shape_inference.infer_shapes(model)
    ranks = {v.name: len(v.type.tensor_type.shape.dim)
             for v in list(inferred.graph.value_info) + list(inferred.graph.input) + list(inferred.graph.output)}
    for n in model.graph.node:
        if not (n.op_type.startswith("Reduce") or n.op_type == "Softmax"):
            continue
        rank = ranks[n.input[0]]
        for a in n.attribute:
            if a.name == "axes":
                fixed = [x + rank if x < 0 else x for x in a.ints]
                del a.ints[:]
                a.ints.extend(fixed)
            elif a.name == "axis" and a.i < 0:
                a.i += rank
    return model


def explicit_keepdims(model):
    """Writes keepdims = 1 (ONNX's default) on every Reduce* node that leaves it out."""
    for n in model.graph.node:
        if n.op_type.startswith("Reduce") and not any(a.name == "keepdims" for a in n.attribute):
            n.attribute.append(onnx.helper.make_attribute("keepdims", 1))
    return model


def write_io(path, x, y):
    with open(path, "w") as f:
        for name, t in (("input", x), ("output", y)):
            f.write(name + " " + " ".join(str(s) for s in t.shape) + "\n")
            f.write(" ".join(repr(float(v)) for v in t.reshape(-1).tolist()) + "\n")


def export(model, x, name):
    model.eval()
    path = os.path.join(HERE, name + ".onnx")
    torch.onnx.export(model, x, path, opset_version=13, do_constant_folding=True, export_params=True,
                      keep_initializers_as_inputs=False, training=torch.onnx.TrainingMode.EVAL,
                      input_names=["input"], output_names=["output"])
    m = onnx.load(path)
    for rewrite in (linear_as_gemm_add, constants_to_initializers, drop_initializer_identities, square_as_mul,
                    positive_axes, explicit_keepdims,
                    sanitise_names):
        m = rewrite(m)
    onnx.checker.check_model(m)
    onnx.save(m, path)
    with torch.no_grad():
        y = model(x)
    write_io(os.path.join(HERE, name + ".io.txt"), x, y)
    print(name, os.path.getsize(path), "bytes,", sorted({n.op_type for n in m.graph.node}))


def main():
    torch.manual_seed(23)
    cnn = TinyCnn()
    with torch.no_grad():  # BatchNorm statistics and affine parameters away from the identity
        for bn in (cnn.bn, cnn.block.bn1, cnn.block.bn2):
            bn.running_mean.uniform_(-0.2, 0.2)
            bn.running_var.uniform_(0.5, 1.5)
            bn.weight.uniform_(0.5, 1.5)
            bn.bias.uniform_(-0.2, 0.2)
    export(cnn, torch.randn(2, 1, 12, 12), "tiny_cnn")
    vit = TinyVit()
    export(vit, torch.randn(2, 1, 16, 16), "tiny_vit")


if __name__ == "__main__":
    main()
