#!/usr/bin/env python3
"""Checks an llmlab checkpoint against Hugging Face's own libraries.

    verify-hf.py CHECKPOINT_DIR REFERENCE_JSON [--tolerance 1e-4] [--force]

CHECKPOINT_DIR is a directory written by llmlab's `Checkpoint.save` (model.safetensors,
config.json, tokenizer.json). REFERENCE_JSON is what llmlab's `LogitsReference` wrote for
the same model:

    {"ids": [...], "logits": [[...], ...], "text": "...", "text_ids": [...]}

The checks:
  1. `transformers.AutoModelForCausalLM.from_pretrained(CHECKPOINT_DIR)` loads every weight:
     no missing, unexpected or mismatched tensor (a missing one would be silently initialized
     at random, and the logits would be wrong).
  2. Its logits for `ids` match llmlab's within the tolerance (max absolute difference).
  3. `tokenizers.Tokenizer.from_file(tokenizer.json)` gives `text_ids` for `text`, and
     decodes them back to `text`.

Producing the inputs: llmlab's tests write six tiny trained checkpoints and their
references when asked (`Scripts/verify-hf` with no arguments does this for you):

    LLMLAB_HF_EXPORT=/tmp/hf swift test --filter HFExportTests

A checkpoint whose config.json has no "architectures" is one transformers has no class for
(for instance GPT-2 without biases, or rotary positions with LayerNorm); it is reported as
not loadable and exits 3, unless --force tries anyway.

Exit status: 0 all checks pass, 1 a check fails, 2 bad usage or input, 3 not loadable.
Needs torch, transformers and tokenizers (shared/bench/setup-peers.sh installs them).
"""
import argparse
import json
import os
import sys


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("checkpoint", help="directory written by llmlab's Checkpoint.save")
    parser.add_argument("reference", help="JSON with ids and llmlab's logits")
    parser.add_argument("--tolerance", type=float, default=1e-4, help="max abs logit difference (default 1e-4)")
    parser.add_argument("--force", action="store_true", help="try to load even without \"architectures\"")
    args = parser.parse_args()

    name = os.path.basename(os.path.normpath(args.checkpoint))
    try:
        with open(os.path.join(args.checkpoint, "config.json")) as f:
            config = json.load(f)
        with open(args.reference) as f:
            reference = json.load(f)
        ids, expected = reference["ids"], reference["logits"]
    except (OSError, ValueError, KeyError) as e:
        print(f"{name}: cannot read the inputs: {e}", file=sys.stderr)
        return 2
    if not config.get("architectures") and not args.force:
        print(f"{name}: not loadable by transformers (config.json has no \"architectures\"; "
              f"llmlab layout {json.dumps(config.get('llmlab'))})")
        return 3

    import torch
    import transformers
    from transformers import AutoModelForCausalLM

    torch.manual_seed(0)
    transformers.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()
    failures = []
    try:
        model, info = AutoModelForCausalLM.from_pretrained(args.checkpoint, dtype=torch.float32, output_loading_info=True)
    except Exception as e:  # transformers raises many kinds; all mean "does not load"
        print(f"{name}: FAIL: transformers cannot load the checkpoint: {type(e).__name__}: {e}")
        return 1
    model.eval()
    for kind in ("missing_keys", "unexpected_keys", "mismatched_keys", "error_msgs"):
        if info.get(kind):
            failures.append(f"{kind.replace('_', ' ')}: {sorted(map(str, info[kind]))}")

    with torch.no_grad():
        logits = model(torch.tensor([ids], dtype=torch.long)).logits[0]
    ours = torch.tensor(expected, dtype=torch.float32)
    if tuple(logits.shape) != tuple(ours.shape):
        failures.append(f"logits have shape {tuple(logits.shape)}, llmlab's {tuple(ours.shape)}")
        difference = float("inf")
    else:
        difference = (logits - ours).abs().max().item()
        if not difference <= args.tolerance:
            failures.append(f"max abs logit difference {difference:.3e} > {args.tolerance:g}")
    print(f"{name}: {type(model).__name__}, {len(ids)} positions x {ours.shape[-1]} logits, "
          f"max abs difference {difference:.3e}")

    tokenizer_path = os.path.join(args.checkpoint, "tokenizer.json")
    if "text" in reference and os.path.exists(tokenizer_path):
        from tokenizers import Tokenizer
        text, want = reference["text"], reference["text_ids"]
        try:
            tokenizer = Tokenizer.from_file(tokenizer_path)
        except Exception as e:
            failures.append(f"tokenizers cannot load tokenizer.json: {e}")
        else:
            got = tokenizer.encode(text).ids
            if got != want:
                failures.append(f"tokenizers gives {got} for {text!r}, llmlab {want}")
            decoded = tokenizer.decode(want, skip_special_tokens=False)
            if decoded != text:
                failures.append(f"tokenizers decodes llmlab's ids to {decoded!r}, not {text!r}")
            print(f"{name}: tokenizers: {len(want)} ids for {text!r}: {'same' if got == want else 'DIFFERENT'}")

    for failure in failures:
        print(f"{name}: FAIL: {failure}")
    if not failures:
        print(f"{name}: ok")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
