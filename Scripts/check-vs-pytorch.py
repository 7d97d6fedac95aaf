#!/usr/bin/env python3
"""Checks that llmlab and PyTorch do the same training work: same weights, same batches, same losses.

    check-vs-pytorch.py GATE_DIR [--tolerance 1e-4] [--threads 2] [--float64]

GATE_DIR is what `llmlab bench gate --workload W --out GATE_DIR` wrote:

    initial/model.safetensors   the workload's model before training, under GPT-2's names
    final/model.safetensors     the same after the last step
    batches.safetensors         "x", "y": [steps, batch, context] token ids (stored as F32)
    losses.json                 the workload's shape, AdamW's settings, llmlab's losses

The script builds the model of shared/bench/torch_gpt_bench.py (the same `GPT` and `Block`
modules, written again below so that this check does not run the benchmark), loads llmlab's
initial weights into it, trains it with torch.optim.AdamW on the same batches and compares
the two loss columns. It passes when every step's relative difference is within the
tolerance (fp32 arithmetic done in a different order: about 1e-7 is typical).

Losses alone are a blunt instrument: over 10 steps at lr 3e-4 the loss moves by about 1%,
so a small mistake in one parameter's update (a missing weight decay, say) changes it by
about 1e-6. The script therefore also compares the updates themselves: for every tensor,
||llmlab's change - PyTorch's change|| / ||PyTorch's change||, the changes being final -
initial, must be within --update-tolerance. (A norm, not the largest element: Adam divides
by sqrt(v), so an element whose gradient is near zero turns fp32 rounding into an update of
up to lr; a few such elements differ by 1% in either implementation against a float64 run,
while the norms agree to about 3e-4. Decaying the LayerNorm weights, which llmlab does not,
shows as about 1e-2.)

Names and layouts. GPT-2's checkpoints store each projection as a Conv1D weight of shape
[in, out] (x @ W); nn.Linear stores [out, in] (x @ W.T). So every projection weight is
transposed on the way in; biases, LayerNorm parameters and embeddings are taken as they are:

    transformer.wte.weight / wpe.weight        wte.weight / wpe.weight
    transformer.h.L.ln_1.* / ln_2.*            blocks.L.ln1.* / ln2.*
    transformer.h.L.attn.c_attn.{weight,bias}  blocks.L.qkv   (weight transposed)
    transformer.h.L.attn.c_proj.{weight,bias}  blocks.L.proj  (weight transposed)
    transformer.h.L.mlp.c_fc.{weight,bias}     blocks.L.fc    (weight transposed)
    transformer.h.L.mlp.c_proj.{weight,bias}   blocks.L.out   (weight transposed)
    transformer.ln_f.*                         lnf.*
    (tied embeddings: the output layer is wte, as in both models)

Weight decay follows llmlab: losses.json lists the parameters llmlab's AdamW exempts
(rank < 2: biases and LayerNorm weights); they go into a parameter group with no decay.
(shared/bench/torch_gpt_bench.py decays every parameter; the cost of a step is the same.)

--float64 also trains a float64 copy of the PyTorch model, as a reference that shows how
much of each difference is fp32 rounding on either side.

Exit status: 0 PASS, 1 FAIL, 2 bad input. Needs torch and safetensors (shared/bench/setup-peers.sh).
"""
import argparse
import json
import os
import sys


def gpt2_to_torch_names(layers):
    """(llmlab/GPT-2 name, torch_gpt_bench name, transpose?) for every parameter."""
    pairs = [("transformer.wte.weight", "wte.weight", False), ("transformer.wpe.weight", "wpe.weight", False)]
    for l in range(layers):
        h, b = f"transformer.h.{l}", f"blocks.{l}"
        for ours, theirs in (("ln_1", "ln1"), ("ln_2", "ln2")):
            pairs += [(f"{h}.{ours}.weight", f"{b}.{theirs}.weight", False), (f"{h}.{ours}.bias", f"{b}.{theirs}.bias", False)]
        for ours, theirs in (("attn.c_attn", "qkv"), ("attn.c_proj", "proj"), ("mlp.c_fc", "fc"), ("mlp.c_proj", "out")):
            pairs += [(f"{h}.{ours}.weight", f"{b}.{theirs}.weight", True), (f"{h}.{ours}.bias", f"{b}.{theirs}.bias", False)]
    pairs += [("transformer.ln_f.weight", "lnf.weight", False), ("transformer.ln_f.bias", "lnf.bias", False)]
    return pairs


def make_model_classes(torch):
    nn, F = torch.nn, torch.nn.functional

    # The modules of shared/bench/torch_gpt_bench.py, with the workload's shape passed in.
    class Block(nn.Module):
        def __init__(s, d, h):
            super().__init__()
            s.ln1, s.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
            s.qkv, s.proj = nn.Linear(d, 3 * d), nn.Linear(d, d)
            s.fc, s.out = nn.Linear(d, 4 * d), nn.Linear(4 * d, d)
            s.h = h

        def forward(s, x):
            B, T, C = x.shape
            q, k, v = s.qkv(s.ln1(x)).split(C, dim=2)
            q, k, v = (t.view(B, T, s.h, C // s.h).transpose(1, 2) for t in (q, k, v))
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
            x = x + s.proj(y.transpose(1, 2).contiguous().view(B, T, C))
            return x + s.out(F.gelu(s.fc(s.ln2(x)), approximate="tanh"))

    class GPT(nn.Module):
        def __init__(s, shape):
            super().__init__()
            s.wte, s.wpe = nn.Embedding(shape["vocab"], shape["dim"]), nn.Embedding(shape["context"], shape["dim"])
            s.blocks = nn.ModuleList(Block(shape["dim"], shape["heads"]) for _ in range(shape["layers"]))
            s.lnf = nn.LayerNorm(shape["dim"])

        def forward(s, idx):
            x = s.wte(idx) + s.wpe(torch.arange(idx.shape[1]))
            for b in s.blocks:
                x = b(x)
            return s.lnf(x) @ s.wte.weight.T

    return GPT


def load_model(torch, GPT, shape, weights, dtype):
    """The torch model with llmlab's weights; every parameter assigned exactly once."""
    model = GPT(shape).to(dtype)
    params = dict(model.named_parameters())
    mapping = gpt2_to_torch_names(shape["layers"])
    problems = []
    unused = set(weights) - {ours for ours, _, _ in mapping}
    if unused:
        problems.append(f"tensors in the checkpoint with no place in the model: {sorted(unused)}")
    unassigned = set(params) - {theirs for _, theirs, _ in mapping}
    if unassigned:
        problems.append(f"model parameters the mapping does not fill: {sorted(unassigned)}")
    with torch.no_grad():
        for ours, theirs, transpose in mapping:
            if ours not in weights:
                problems.append(f"missing tensor {ours}")
                continue
            value = weights[ours].T if transpose else weights[ours]
            if tuple(value.shape) != tuple(params[theirs].shape):
                problems.append(f"{ours} {tuple(weights[ours].shape)} does not fit {theirs} {tuple(params[theirs].shape)}")
                continue
            params[theirs].copy_(value.to(dtype))
    return model, problems


def train(torch, model, optimizer_settings, no_decay_torch, xs, ys, dtype):
    F = torch.nn.functional
    decay = [p for n, p in model.named_parameters() if n not in no_decay_torch]
    exempt = [p for n, p in model.named_parameters() if n in no_decay_torch]
    o = optimizer_settings
    groups = [{"params": decay, "weight_decay": o["weight_decay"]}]
    if exempt:
        groups.append({"params": exempt, "weight_decay": 0.0})
    optimizer = torch.optim.AdamW(groups, lr=o["lr"], betas=(o["beta1"], o["beta2"]), eps=o["eps"], foreach=False)
    losses = []
    for x, y in zip(xs, ys):
        logits = model(x)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]).to(dtype), y.reshape(-1))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def update_differences(torch, model, initial, final, layers):
    """(llmlab name, relative difference of the updates) for every tensor, worst first."""
    params = dict(model.named_parameters())
    out = []
    for ours, theirs, transpose in gpt2_to_torch_names(layers):
        trained = params[theirs].detach().to(torch.float64)
        if transpose:
            trained = trained.T
        start = initial[ours].to(torch.float64)
        theirs_delta, ours_delta = trained - start, final[ours].to(torch.float64) - start
        scale = theirs_delta.norm().item()
        diff = (ours_delta - theirs_delta).norm().item()
        out.append((ours, diff / scale if scale > 0 else (0.0 if diff == 0 else float("inf"))))
    return sorted(out, key=lambda item: -item[1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("gate_dir", help="directory written by `llmlab bench gate`")
    parser.add_argument("--tolerance", type=float, default=1e-4, help="max relative loss difference (default 1e-4)")
    parser.add_argument("--update-tolerance", type=float, default=2e-3,
                        help="max ||difference of a tensor's updates|| / ||PyTorch's update|| (default 2e-3)")
    parser.add_argument("--threads", type=int, default=2, help="PyTorch threads (default 2)")
    parser.add_argument("--float64", action="store_true", help="also train a float64 reference")
    args = parser.parse_args()

    try:
        with open(os.path.join(args.gate_dir, "losses.json")) as f:
            gate = json.load(f)
        shape, settings, ours = gate["shape"], gate["optimizer"], gate["losses"]
    except (OSError, ValueError, KeyError) as e:
        print(f"check-vs-pytorch: cannot read {args.gate_dir}/losses.json: {e}", file=sys.stderr)
        return 2

    import torch
    from safetensors.torch import load_file

    torch.set_num_threads(args.threads)
    try:
        weights = load_file(os.path.join(args.gate_dir, "initial", "model.safetensors"))
        final = load_file(os.path.join(args.gate_dir, "final", "model.safetensors"))
        batches = load_file(os.path.join(args.gate_dir, "batches.safetensors"))
    except Exception as e:  # safetensors raises several kinds for a missing or bad file
        print(f"check-vs-pytorch: cannot read the gate's safetensors files: {e}", file=sys.stderr)
        return 2
    xs, ys = batches["x"].round().long(), batches["y"].round().long()
    if len(xs) != len(ours):
        print(f"check-vs-pytorch: {len(xs)} batches but {len(ours)} losses", file=sys.stderr)
        return 2

    to_torch = {ours_name: theirs for ours_name, theirs, _ in gpt2_to_torch_names(shape["layers"])}
    unknown = [n for n in settings["no_decay"] if n not in to_torch]
    if unknown:
        print(f"check-vs-pytorch: no_decay names parameters the mapping does not know: {unknown}", file=sys.stderr)
        return 2
    no_decay = {to_torch[n] for n in settings["no_decay"]}

    GPT = make_model_classes(torch)
    columns, trained = {}, None
    for name, dtype in [("pytorch", torch.float32)] + ([("pytorch_f64", torch.float64)] if args.float64 else []):
        model, problems = load_model(torch, GPT, shape, weights, dtype)
        if problems:
            for p in problems:
                print(f"check-vs-pytorch: FAIL: {p}")
            return 1
        columns[name] = train(torch, model, settings, no_decay, xs, ys, dtype)
        if dtype == torch.float32:
            trained = model

    theirs = columns["pytorch"]
    print(f"{gate['workload']}: {sum(t.numel() for t in weights.values())} parameters, {len(ours)} steps, "
          f"AdamW lr {settings['lr']:g} betas ({settings['beta1']:g}, {settings['beta2']:g}) eps {settings['eps']:g} "
          f"weight decay {settings['weight_decay']:g} ({len(no_decay)} vectors exempt, as llmlab)")
    print(f"pytorch {torch.__version__}, {args.threads} threads; llmlab {gate.get('threads', '?')} threads")
    header = f"{'step':>4}  {'llmlab':>12}  {'pytorch':>12}  {'abs diff':>10}  {'rel diff':>10}"
    if args.float64:
        header += f"  {'float64 ref':>16}  {'llmlab rel':>10}  {'torch rel':>10}"
    print(header)
    max_abs = max_rel = 0.0
    for i, (a, b) in enumerate(zip(ours, theirs)):
        d = abs(a - b)
        r = d / max(abs(b), 1e-12)
        max_abs, max_rel = max(max_abs, d), max(max_rel, r)
        line = f"{i + 1:>4}  {a:>12.7f}  {b:>12.7f}  {d:>10.2e}  {r:>10.2e}"
        if args.float64:
            ref = columns["pytorch_f64"][i]
            line += f"  {ref:>16.11f}  {abs(a - ref) / abs(ref):>10.2e}  {abs(b - ref) / abs(ref):>10.2e}"
        print(line)
    print(f"losses: max abs difference {max_abs:.3e}, max rel difference {max_rel:.3e} (tolerance {args.tolerance:g} relative)")
    updates = update_differences(torch, trained, weights, final, shape["layers"])
    worst = ", ".join(f"{n} {d:.2e}" for n, d in updates[:3])
    print(f"updates after {len(ours)} steps, ||llmlab - pytorch|| / ||pytorch||, worst tensors: {worst} "
          f"(tolerance {args.update_tolerance:g})")
    passed = max_rel <= args.tolerance and updates[0][1] <= args.update_tolerance
    print("PASS" if passed else "FAIL")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
