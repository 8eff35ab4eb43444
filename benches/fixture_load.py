#!/usr/bin/env python3
"""Fixture loading against Python's json.load, on the same file, alternating, in one run.

    cargo build --release --examples
    python3 benches/fixture_load.py --rounds 5

Generates the large fixture (2,000 keys, 100,000 grants, two hot keys; deterministic) with
`target/release/examples/gen_fixture` unless --fixture names one, then times, alternating:

  kms-grants check FILE          reads, validates and summarizes the fixture (findings included)
  python3 -c json.load(FILE)     only parses it into dicts and lists: the peer does less work

and reports median wall time and peak resident memory (each child's own ru_maxrss, from wait4)
and the ratios. It also opens the fixture in the TUI (inside tmux, when tmux is installed) and
reads the process's resident memory once the first screen is drawn, against the file size."""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def run(argv):
    """Runs argv with stdout discarded; returns (seconds, peak RSS in bytes). Exits if it fails."""
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{argv[0]} failed: {stderr}")
    return seconds, usage.ru_maxrss * 1024


def tui_resident(binary, fixture):
    """(seconds to the first screen with the keys listed, resident memory once loaded) of the
    TUI with `fixture` open, polling tmux every 20 ms and reading /proc."""
    if not shutil.which("tmux"):
        return None
    session = f"kg-bench-{os.getpid()}"
    with tempfile.TemporaryDirectory() as tmp:
        audit = Path(tmp) / "audit.jsonl"
        subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "120", "-y", "40",
                        f"{binary} --fixture {fixture} --audit-log {audit}"], check=True)
        started = time.perf_counter()
        try:
            first_screen = None
            while time.perf_counter() - started < 30:
                screen = subprocess.run(["tmux", "capture-pane", "-p", "-t", session],
                                        capture_output=True, text=True).stdout
                if "Keys (" in screen:
                    first_screen = time.perf_counter() - started
                    break
                time.sleep(0.02)
            time.sleep(1.0)  # the background load of every key's grants finishes
            pid = subprocess.run(["tmux", "display-message", "-p", "-t", session, "#{pane_pid}"],
                                 capture_output=True, text=True).stdout.strip()
            status = Path(f"/proc/{pid}/status").read_text()
            rss = next(line for line in status.splitlines() if line.startswith("VmRSS:"))
            return first_screen, int(rss.split()[1]) * 1024
        finally:
            subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kms-grants", default=str(REPO / "target/release/kms-grants"))
    parser.add_argument("--generator", default=str(REPO / "target/release/examples/gen_fixture"))
    parser.add_argument("--fixture", help="use this fixture instead of generating the large one")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        fixture = Path(args.fixture) if args.fixture else Path(tmp) / "large.json"
        if not args.fixture:
            subprocess.run([args.generator, "-o", str(fixture)], check=True)
        size = fixture.stat().st_size
        python = [sys.executable, "-c", "import json, sys; json.load(open(sys.argv[1], encoding='utf-8'))", str(fixture)]
        ours = [args.kms_grants, "check", str(fixture)]
        results = {"kms-grants check": [], "python json.load": []}
        for round_no in range(args.rounds):
            order = [("kms-grants check", ours), ("python json.load", python)]
            for name, argv in order if round_no % 2 == 0 else reversed(order):
                results[name].append(run(argv))
        print(f"fixture: {fixture.name}, {size / 2**20:.1f} MiB; {args.rounds} rounds, alternating")
        print(f"{'':<18} {'median s':>9} {'peak RSS MiB':>13}")
        medians = {}
        for name, runs in results.items():
            seconds = statistics.median(s for s, _ in runs)
            rss = statistics.median(r for _, r in runs)
            medians[name] = (seconds, rss)
            print(f"{name:<18} {seconds:9.2f} {rss / 2**20:13.0f}")
        (ours_s, ours_rss), (py_s, py_rss) = medians["kms-grants check"], medians["python json.load"]
        print(f"ratio (kms-grants / python): time {ours_s / py_s:.2f}, peak memory {ours_rss / py_rss:.2f}")
        tui = tui_resident(args.kms_grants, fixture)
        if tui is None:
            print("TUI: skipped (tmux is not installed)")
        else:
            first_screen, resident = tui
            print(f"TUI first screen with the keys listed: {first_screen:.2f} s (tmux polled every 20 ms)")
            print(f"TUI resident memory with the fixture open: {resident / 2**20:.0f} MiB, "
                  f"{resident / size:.2f}x the file")


if __name__ == "__main__":
    main()
