#!/usr/bin/env python3
"""The table of Scripts/pipeline-matrix: one row per cell (seed × OpenBLAS kernel), one
column per figure the main job's checks read, and the checks that failed anywhere.

    pipeline-matrix-table.py DIR            the table of the reports in DIR
    pipeline-matrix-table.py --same A B     whether two reports hold the same figures

Exit status 0 when every check of every cell held (or, with --same, the figures agree)."""
import glob
import json
import os
import sys


def stage(report, name, first=False):
    """The last (or first) stage of that kind in a report, or {}."""
    found = [s for s in report.get("stages", []) if s.get("stage") == name]
    return found[0 if first else -1].get("metrics", {}) if found else {}


def gain(m):
    """A stage's change of the rule pass rate over the model it started from, with its error."""
    if "rule_rate_after" not in m:
        return "–"
    return "%+.3f ±%.3f" % (m["rule_rate_after"] - m["rule_rate_before"], m.get("rule_rate_change_se", float("nan")))


def num(m, key, fmt="%.3f"):
    return fmt % m[key] if key in m else "–"


COLUMNS = [
    ("seed", 4), ("kernel", 11), ("core", 11), ("val/unigram", 11), ("sft format", 10), ("sft rule", 8),
    ("rm acc", 6), ("ppo Δrule", 14), ("ppo KL/cap", 11), ("ppo d-2", 7), ("dpo acc", 7), ("dpo Δrule", 14),
    ("dpo KL", 6), ("grpo Δrule", 14), ("grpo KL", 7), ("checks", 6), ("min", 5),
]


def row(cell, report):
    # The pretraining check reads the first stage, on everything; the second is on the poems.
    pre, sft, rm = stage(report, "pretrain", first=True), stage(report, "sft"), stage(report, "reward")
    ppo, dpo, grpo = stage(report, "ppo"), stage(report, "dpo"), stage(report, "grpo")
    checks = report.get("checks", [])
    passed = sum(1 for c in checks if c.get("passed"))
    ratio = "%.3f" % (pre["val_loss"] / pre["unigram_val_loss"]) if "val_loss" in pre else "–"
    kl = "%.3f/%.2f" % (ppo["kl"], ppo["kl_cap"]) if "kl" in ppo else "–"
    return [
        str(cell.get("seed", "?")), cell.get("kernel", "?"), cell.get("core", "?"), ratio, num(sft, "format_rate"),
        num(sft, "rule_rate_after"), num(rm, "heldout_accuracy"), gain(ppo), kl, num(ppo, "distinct_2"),
        num(dpo, "heldout_accuracy"), gain(dpo), num(dpo, "kl"), gain(grpo), num(grpo, "kl"),
        "%d/%d" % (passed, len(checks)), "%.1f" % (report.get("seconds", 0) / 60),
    ]


def table(directory):
    cells = []
    for path in sorted(glob.glob(os.path.join(directory, "seed*.json"))):
        if path.endswith(".cell.json"):
            continue
        cell_path = path[: -len(".json")] + ".cell.json"
        cell = json.load(open(cell_path)) if os.path.exists(cell_path) else {}
        try:
            report = json.load(open(path))
        except (OSError, ValueError) as e:
            print("%s: no report (%s); see %s" % (path, e, path[: -len(".json")] + ".log"))
            cells.append((cell, None))
            continue
        cells.append((cell, report))
    if not cells:
        print("no reports in %s" % directory)
        return 1
    print("  ".join(name.ljust(width) for name, width in COLUMNS))
    failures = {}
    broken = 0
    for cell, report in cells:
        if report is None:
            broken += 1
            continue
        print("  ".join(value.ljust(width) for value, (_, width) in zip(row(cell, report), COLUMNS)))
        if cell.get("exit", 0) not in (0, 1) or not report.get("ok", False) and not report.get("checks"):
            broken += 1
        for c in report.get("checks", []):
            if not c.get("passed"):
                failures.setdefault(c["what"], []).append("seed %s/%s" % (cell.get("seed", "?"), cell.get("kernel", "?")))
    print("(Δrule: the rule pass rate after the stage minus before it, ± the paired standard error; "
          "min: minutes of the run)")
    if failures:
        print("\nchecks that failed:")
        for what, where in failures.items():
            print("  ✗ %s — %s" % (what, ", ".join(where)))
    if broken:
        print("\n%d cell(s) did not run to the end: read their logs" % broken)
    if not failures and not broken:
        print("\nevery check held in all %d cells" % len(cells))
    return 0 if not failures and not broken else 1


def same(a_path, b_path):
    a, b = json.load(open(a_path)), json.load(open(b_path))
    differences = []
    for sa, sb in zip(a.get("stages", []), b.get("stages", [])):
        for key, value in sa.get("metrics", {}).items():
            if key in ("tokens_per_s",):
                continue
            other = sb.get("metrics", {}).get(key)
            if other != value:
                differences.append("%s.%s: %r vs %r" % (sa.get("stage"), key, value, other))
    if len(a.get("stages", [])) != len(b.get("stages", [])):
        differences.append("different stages")
    if differences:
        print("the thread count changed figures:\n  " + "\n  ".join(differences))
        return 1
    print("same figures with %s and %s" % (os.path.basename(a_path), os.path.basename(b_path)))
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--same":
        sys.exit(same(sys.argv[2], sys.argv[3]))
    if len(sys.argv) != 2:
        print(__doc__)
        sys.exit(2)
    sys.exit(table(sys.argv[1]))
