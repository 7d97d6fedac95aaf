#!/usr/bin/env python3
"""The table of Scripts/bench-vs-peers, from the outputs of its runs.

    bench-vs-peers.py --results DIR --rounds N --workloads a,b --threads T --date D --cpu C
                      --cores K --commit H --command CMD --load L [--markdown FILE]

DIR holds one file per run, named by Scripts/bench-vs-peers:

    ops.out                      `llmlab bench ops` (the raw sgemm GFLOP/s)
    rROUND.WORKLOAD.llmlab.out   `llmlab bench --workload WORKLOAD --json`
    rROUND.WORKLOAD.peer.out     torch_gpt_bench.py or hf_generate_bench.py

Each holds measurements as JSON lines or as `key=value` pairs (what llmlab prints without
--json). Prints the header and table; with --markdown, writes the same as markdown into FILE
(a temporary file beside it, then a rename, so a reader never sees half a table).
Only the standard library: this runs under any Python 3.
"""
import argparse
import json
import os
import statistics
import sys
import tempfile

# llmlab tokens/s over the peer's: what each workload must reach.
TARGETS = {"train-S": 1.5, "train-M": 1.0, "train-V": 1.0, "sample-S": 10.0}
PEERS = {"train": "PyTorch eager (torch_gpt_bench.py)", "sample": "transformers generate, KV cache (hf_generate_bench.py)"}


def measurements(path):
    """The measurements in one output file: JSON objects, or `key=value  key=value` lines."""
    found = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith("{"):
                try:
                    found.append(json.loads(line))
                except ValueError:
                    pass
            elif "=" in line:
                record = {}
                for pair in line.split():
                    key, _, value = pair.partition("=")
                    try:
                        record[key] = float(value)
                    except ValueError:
                        record[key] = value
                found.append(record)
    return found


def tokens_per_second(record):
    for key in ("train_tokens_per_s", "sample_tokens_per_s"):
        if key in record:
            return float(record[key])
    return None


def sgemm_peak(results):
    """The best raw cblas_sgemm GFLOP/s among `llmlab bench ops`'s matrix products."""
    path = os.path.join(results, "ops.out")
    values = [float(m["blas_gflops"]) for m in measurements(path) if "blas_gflops" in m] if os.path.exists(path) else []
    return max(values) if values else None


def collect(results, workloads, rounds):
    """Per workload: the llmlab and peer runs (one record each per round), and what is missing."""
    table, missing = {}, []
    for w in workloads:
        runs = {"llmlab": [], "peer": []}
        for r in range(1, rounds + 1):
            for side in runs:
                path = os.path.join(results, f"r{r}.{w}.{side}.out")
                records = [m for m in measurements(path) if tokens_per_second(m) is not None] if os.path.exists(path) else []
                if records:
                    runs[side].append(records[-1])
                else:
                    missing.append(f"round {r} {w} {side}")
        table[w] = runs
    return table, missing


def rows(table):
    """One row per workload: the cells of the table, as strings, and whether targets hold."""
    out = []
    for w, runs in table.items():
        ours = [tokens_per_second(m) for m in runs["llmlab"]]
        theirs = [tokens_per_second(m) for m in runs["peer"]]
        if not ours or not theirs:
            continue
        a, b = statistics.median(ours), statistics.median(theirs)
        ratio = a / b if b > 0 else float("inf")
        target = TARGETS[w]
        training = w.startswith("train")
        row = {
            "workload": w,
            "llmlab": f"{a:,.0f}" if training else f"{a:,.1f}",
            "peer": f"{b:,.0f}" if training else f"{b:,.1f}",
            "spread": f"{min(ours):,.0f}–{max(ours):,.0f} / {min(theirs):,.0f}–{max(theirs):,.0f}",
            "ratio": f"{ratio:.2f}",
            "target": f"≥ {target:g}",
            "held": "yes" if ratio >= target else "no",
            "rss_llmlab": "–", "rss_peer": "–", "memory": "–",
        }
        if training:
            # Peak resident memory: the largest any round saw (each process reports its own).
            ours_rss = max(float(m.get("peak_rss_mb", "nan")) for m in runs["llmlab"])
            theirs_rss = max(float(m.get("peak_rss_mb", "nan")) for m in runs["peer"])
            row["rss_llmlab"], row["rss_peer"] = f"{ours_rss:.0f}", f"{theirs_rss:.0f}"
            row["memory"] = "yes" if ours_rss <= theirs_rss else "no"
        out.append(row)
    return out


COLUMNS = [
    ("workload", "workload"), ("llmlab", "llmlab tok/s"), ("peer", "peer tok/s"), ("ratio", "ratio"),
    ("target", "target"), ("held", "held"), ("rss_llmlab", "llmlab MB"), ("rss_peer", "peer MB"),
    ("memory", "memory ≤ peer"), ("spread", "range over rounds (llmlab / peer)"),
]


def header_lines(args, peak):
    peak_text = f"{peak:.1f} GFLOP/s" if peak is not None else "not measured"
    return [
        ("date", f"{args.date} (start)"),
        ("machine", f"{args.cpu}, {args.cores} cores"),
        ("load average", f"{args.load} (1, 5, 15 min; at the start → at the end)"),
        ("threads", f"{args.threads} (llmlab and the peers)"),
        ("sgemm peak", f"{peak_text} (raw cblas_sgemm, {args.threads} threads, best of `llmlab bench ops`'s three shapes)"),
        ("llmlab", f"commit {args.commit}"),
        ("command", args.command),
        ("rounds", f"{args.rounds}, medians reported; who runs first alternates by round"),
    ]


def peers_line(args):
    line = f"train-* {PEERS['train']}; sample-S {PEERS['sample']}"
    return line + (f"; run with {args.peer_env}" if args.peer_env else "; their default threading settings")


def text_table(args, peak, table_rows):
    lines = [f"{k + ':':<14} {v}" for k, v in header_lines(args, peak)]
    lines.append("")
    widths = {key: max(len(title), *(len(r[key]) for r in table_rows)) if table_rows else len(title) for key, title in COLUMNS}
    lines.append("  ".join(title.ljust(widths[key]) for key, title in COLUMNS).rstrip())
    for r in table_rows:
        lines.append("  ".join(r[key].ljust(widths[key]) for key, _ in COLUMNS).rstrip())
    lines.append("")
    lines.append(f"peers: {peers_line(args)}")
    return "\n".join(lines) + "\n"


def markdown_table(args, peak, table_rows):
    lines = [f"- **{k}**: {v if k != 'command' else '`' + v + '`'}" for k, v in header_lines(args, peak)]
    lines.append(f"- **peers**: {peers_line(args)}")
    lines.append("")
    lines.append("| " + " | ".join(title for _, title in COLUMNS) + " |")
    lines.append("|" + "|".join("---" if key in ("workload", "target", "held", "memory", "spread") else "---:" for key, _ in COLUMNS) + "|")
    for r in table_rows:
        lines.append("| " + " | ".join(r[key] for key, _ in COLUMNS) + " |")
    return "\n".join(lines) + "\n"


def write_atomically(path, text):
    directory = os.path.dirname(os.path.abspath(path))
    fd, temporary = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", dir=directory)
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    for name in ("results", "workloads", "date", "cpu", "cores", "commit", "command", "threads", "load"):
        p.add_argument("--" + name, required=True)
    p.add_argument("--rounds", type=int, required=True)
    p.add_argument("--markdown")
    p.add_argument("--peer-env", default="", help="environment the peers ran with, for the header")
    args = p.parse_args()

    workloads = args.workloads.split(",")
    table, missing = collect(args.results, workloads, args.rounds)
    for m in missing:
        print(f"bench-vs-peers: no measurement for {m}", file=sys.stderr)
    peak = sgemm_peak(args.results)
    table_rows = rows(table)
    sys.stdout.write(text_table(args, peak, table_rows))
    if args.markdown:
        write_atomically(args.markdown, markdown_table(args, peak, table_rows))
        print(f"wrote {args.markdown}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
