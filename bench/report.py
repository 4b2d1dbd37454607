#!/usr/bin/env python3
"""report.py — the benchmark's tables and plots from bench/run.sh's runs.

    bench/report.py DIR
    bench/report.py --headline-into README.md DIR

The second form also replaces the lines between <!-- bench-headline -->
and <!-- /bench-headline --> in README.md with the headline table.

Reads DIR/runs.tsv and DIR/machine.txt; writes DIR/results.md (Markdown
tables) and DIR/*.png (gnuplot, bench/plots.gp). Every figure is computed
from the runs: medians over rounds, and ratios taken round by round (the
run of config X and the run of qemu or soft in the same round, same
workload, same vCPU count) before their median, so that a slow moment of
the host hits both sides of a ratio.

The time of a run is the guest's own: the workload's CLOCK_MONOTONIC time
as hspt-bench prints it, and for "boot" the uptime when /init starts
(kernel start to init, so without hspt's host-side zImage decompression
and qemu's in-guest one). Wall times, which include both, are listed too.

Counters are the shadow statistics hsptd prints at exit, which cover the
whole boot; a workload's counters are its run's minus the same round's
boot-only run in the same configuration (so they can be slightly negative
for counters the boot dominates).
"""
import csv
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
WORKLOAD_TEXT = {
    "boot": "boot to /init (guest uptime)",
    "int": "integer compute",
    "fp": "floating-point compute",
    "mem": "memory, 32 MiB random cycle",
    "forkexec": "fork + exec + wait, 150 times",
    "pipe": "pipe ping-pong, 20,000 round trips",
    "procs8": "token ring, 8 processes",
    "procs32": "token ring, 32 processes",
    "procs64": "token ring, 64 processes",
}
# Runs made before bench/run.sh summed its counters as doubles printed
# with %.0f hold 2^31 - 1 where mawk's %d saturated: a lower bound.
CLIPPED = 2147483647
COUNTERS = ["faults_filled", "unmaps", "full_flushes", "asid_flushes", "lru_steals", "vma_evictions",
            "gdvas_switches", "soft_refills", "soft_flushes"]


def median(v):
    return statistics.median(v) if v else None


def fmt(x, digits=2):
    return "–" if x is None else f"{x:.{digits}f}"


def fmt_ratio(x):
    return "–" if x is None else f"{x:.2f}×"


def fmt_count(x):
    if x is None:
        return "–"
    if abs(x) >= 1e6:
        return f"{x / 1e6:.2f} M"
    if abs(x) >= 1e4:
        return f"{x / 1e3:.0f} k"
    return f"{x:.0f}"


class Runs:
    def __init__(self, path):
        with open(path) as f:
            self.rows = list(csv.DictReader(f, delimiter="\t"))
        self.by = {}
        for r in self.rows:
            self.by[(r["vcpus"], r["workload"], r["config"], r["round"])] = r
        self.rounds = sorted({r["round"] for r in self.rows}, key=int)
        self.vcpus = sorted({r["vcpus"] for r in self.rows}, key=int)
        self.workloads = list(dict.fromkeys(r["workload"] for r in self.rows))
        self.configs = list(dict.fromkeys(r["config"] for r in self.rows))

    def get(self, n, w, c, rnd, col="guest_s"):
        r = self.by.get((n, w, c, rnd))
        if not r or r["status"] != "PASS" or r[col] in ("-", ""):
            return None
        return float(r[col])

    def times(self, n, w, c, col="guest_s"):
        v = [self.get(n, w, c, rnd, col) for rnd in self.rounds]
        return [x for x in v if x is not None]

    def ratio(self, n, w, num, den):
        """Median over rounds of time(num) / time(den), pair by pair."""
        v = []
        for rnd in self.rounds:
            a, b = self.get(n, w, num, rnd), self.get(n, w, den, rnd)
            if a is not None and b:
                v.append(a / b)
        return median(v)

    def counter(self, n, w, c, name):
        """Median over rounds of the workload's counter minus the boot's."""
        v = []
        for rnd in self.rounds:
            r = self.by.get((n, w, c, rnd))
            if not r or r["status"] != "PASS" or name not in r:
                continue   # not a PASS, or a counter its hsptd did not have
            x = float(r[name])
            if w != "boot":
                b = self.by.get((n, "boot", c, rnd))
                if not b or b["status"] != "PASS":
                    continue
                x -= float(b[name])
            v.append(x)
        return median(v)

    def clipped(self, n, w, c, name):
        """True when one of the runs behind a counter cell was saturated."""
        return any(r["vcpus"] == n and r["workload"] == w and r["config"] == c and
                   r["status"] == "PASS" and float(r[name]) == CLIPPED for r in self.rows)

    def status_count(self):
        bad = [r for r in self.rows if r["status"] != "PASS"]
        return len(self.rows), bad


def cell_time(runs, n, w, c, col="guest_s"):
    t = runs.times(n, w, c, col)
    if not t:
        return "–"
    if len(t) == 1:
        return fmt(t[0])
    return f"{fmt(median(t))} ({fmt(min(t))}–{fmt(max(t))})"


def table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(out) + "\n"


def hspt_configs(runs):
    return [c for c in runs.configs if c != "qemu"]


def speedup(runs, n, w, c, base):
    """base time / c time, per pair: > 1 means c is faster than base."""
    r = runs.ratio(n, w, base, c)
    return r


def write_dat(path, header, rows):
    with open(path, "w") as f:
        f.write(" ".join(h.replace(" ", "_") for h in header) + "\n")
        for r in rows:
            f.write(" ".join("-" if x is None else (x if isinstance(x, str) else f"{x:.4f}")
                             for x in r) + "\n")


def plot(d, kind, name, title, ylab, header, rows):
    dat = os.path.join(d, name + ".dat")
    png = os.path.join(d, name + ".png")
    write_dat(dat, header, rows)
    expr = f"kind='{kind}'; data='{dat}'; out='{png}'; ttl='{title}'; ylab='{ylab}'"
    try:
        subprocess.run(["gnuplot", "-e", expr, os.path.join(HERE, "plots.gp")], check=True)
    except (OSError, subprocess.CalledProcessError) as e:
        print(f"report.py: gnuplot failed for {png}: {e}", file=sys.stderr)
        return None
    return name + ".png"


def section(runs, d, n):
    hs = hspt_configs(runs)
    k = len({r["round"] for r in runs.rows if r["vcpus"] == n})
    out = [f"## {n} vCPU{'s' if n != '1' else ''}: {k} round{'s' if k != 1 else ''}\n"]
    plots = []
    out.append("### Guest time, seconds: median (min–max)\n")
    out.append(table(["workload"] + runs.configs,
                     [[w] + [cell_time(runs, n, w, c) for c in runs.configs]
                      for w in runs.workloads]))
    for base, cols, title, name, plot_title, ylabel in [
            ("qemu", hs, "Speed-up over qemu-system-arm: qemu time / hspt time, "
             "median of per-round ratios (> 1: hspt is faster)", "vs-qemu",
             "hspt speed relative to qemu-system-arm, {n} vCPU (higher is better)",
             "qemu time / hspt time"),
            ("soft", [c for c in hs if c != "soft"], "Speed-up over the software MMU "
             "(`soft`): soft time / time, median of per-round ratios", "vs-soft",
             "HSPT organizations relative to the software MMU, {n} vCPU",
             "soft time / time")]:
        if base not in runs.configs:
            continue
        rows = [[w] + [speedup(runs, n, w, c, base) for c in cols] for w in runs.workloads]
        out.append(f"\n### {title}\n")
        out.append(table(["workload"] + cols,
                         [[r[0]] + [fmt_ratio(x) for x in r[1:]] for r in rows]))
        plots.append(plot(d, "bars", f"{name}-{n}vcpu", plot_title.format(n=n), ylabel,
                          ["workload"] + cols, rows))
    if "private" in runs.configs:
        line = [c for c in ["shared", "group:1", "group:4", "group:8", "group:16",
                            "group:32", "private"] if c in runs.configs]
        ws = [w for w in runs.workloads if w != "boot"]
        rows = [[c] + [speedup(runs, n, w, c, "private") for w in ws] for c in line]
        plots.append(plot(d, "lines", f"groups-{n}vcpu",
                          f"shared, group:N and private, {n} vCPU: performance relative to private",
                          "private time / time", ["organization"] + ws, rows))
    out.append("\n### Wall time, seconds (host, emulator start to exit: includes the boot "
               "and, for hspt, the host-side zImage decompression)\n")
    out.append(table(["workload"] + runs.configs,
                     [[w] + [cell_time(runs, n, w, c, "wall_s") for c in runs.configs]
                      for w in runs.workloads]))
    out.append("\n### Shadow counters per workload (median; the workload's run minus the "
               "same round's boot-only run; boot: the whole boot)\n")
    rows = []
    clipped = False
    for w in runs.workloads:
        for c in hs:
            ins = runs.counter(n, w, c, "insns")
            fns = runs.counter(n, w, c, "fault_ns")
            fcell = "–" if fns is None else f"{fns / 1e9:.2f}"
            if fns is not None and runs.clipped(n, w, c, "fault_ns"):
                fcell, clipped = f"> {fns / 1e9:.2f} ‡", True
            rows.append([w, c, fmt_count(ins), fcell] +
                        [fmt_count(runs.counter(n, w, c, k)) for k in COUNTERS])
    out.append(table(["workload", "config", "instructions", "fault s"] + COUNTERS, rows))
    if clipped:
        out.append("‡ a lower bound: the run's fault_ns total was recorded saturated at "
                   "2^31 − 1 ns by the first version of bench/run.sh (mawk's `%d`).\n")
    return "\n".join(out), [p for p in plots if p]


def headline(runs, n):
    """The README's table: the main organizations' times and the ratios
    the issue asks for, at one vCPU count."""
    cols = [c for c in ["qemu", "soft", "shared", "group:8", "private"] if c in runs.configs]
    ratios = [(a, b) for a, b in [("private", "soft"), ("shared", "soft"), ("group:8", "soft"),
                                   ("private", "qemu")]
              if a in runs.configs and b in runs.configs]
    header = ["workload"] + [f"{c} s" for c in cols] + [f"{a} vs {b}" for a, b in ratios]
    rows = [[w] + [fmt(median(runs.times(n, w, c))) for c in cols] +
            [fmt_ratio(runs.ratio(n, w, b, a)) for a, b in ratios] for w in runs.workloads]
    k = len({r["round"] for r in runs.rows if r["vcpus"] == n})
    return (f"## Headline: {n} vCPU\n\nGuest seconds (median of {k} "
            f"round{'s' if k != 1 else ''}); \"A vs B\" is B's time / A's time "
            "(> 1: A is faster), median of per-round ratios.\n\n" + table(header, rows))


def replace_headline(path, text):
    begin, end = "<!-- bench-headline -->", "<!-- /bench-headline -->"
    with open(path) as f:
        doc = f.read()
    i, j = doc.find(begin), doc.find(end)
    if i < 0 or j < i:
        print(f"report.py: {path}: no {begin} ... {end} block", file=sys.stderr)
        return 1
    with open(path, "w") as f:
        f.write(doc[:i + len(begin)] + "\n" + text + doc[j:])
    return 0


def main():
    args = sys.argv[1:]
    readme = None
    if len(args) == 3 and args[0] == "--headline-into":
        readme, args = args[1], args[2:]
    if len(args) != 1:
        print("usage: report.py [--headline-into README.md] DIR", file=sys.stderr)
        return 2
    d = args[0]
    runs = Runs(os.path.join(d, "runs.tsv"))
    total, bad = runs.status_count()
    with open(os.path.join(d, "machine.txt")) as f:
        machine = f.read()
    out = ["# hspt against qemu-system-arm: benchmark results\n",
           "Generated by `bench/report.py` from `runs.tsv` (bench/run.sh); nothing here "
           "is edited by hand. Times are the guest's own (see bench/README.md); ratios "
           "are medians of per-round ratios.\n",
           "## The run\n", "```\n" + machine + "```\n",
           f"{total} runs, {len(bad)} not PASS"
           + ("" if not bad else ": " + ", ".join(
               f"{r['workload']} {r['config']} {r['vcpus']} vCPU round {r['round']} {r['status']}"
               for r in bad)) + ".\n",
           "Workloads: " + "; ".join(f"`{w}` {WORKLOAD_TEXT.get(w, w)}"
                                     for w in runs.workloads) + ".\n"]
    out.append(headline(runs, runs.vcpus[0]))
    for n in runs.vcpus:
        text, plots = section(runs, d, n)
        out.append(text)
        if plots:
            out.append("Plots: " + ", ".join(f"[{p}]({p})" for p in plots) + "\n")
    with open(os.path.join(d, "results.md"), "w") as f:
        f.write("\n".join(out))
    print(f"report.py: wrote {os.path.join(d, 'results.md')}")
    if readme:
        first = machine.splitlines()[0].replace("date: ", "")
        head = headline(runs, runs.vcpus[0]).split("\n", 2)[2]
        pngs = sorted(f for f in os.listdir(d) if f.endswith(".png"))
        note = (f"Measured from {first}, {len(runs.rounds)} round(s) in all (see the file for "
                "which vCPU counts each covered), on the machine described in "
                "[bench/results/](bench/results/README.md), with every table and the "
                "counters; plots: " + ", ".join(f"[{p}](bench/results/{p})" for p in pngs) +
                ". Generated by `make bench-publish`.\n\n")
        return replace_headline(readme, note + head)
    return 0


if __name__ == "__main__":
    sys.exit(main())
