#!/usr/bin/env python3
"""Peer benchmark: `kms-grants record` against what operators use today to list KMS grants.

    cargo build --release
    .venv/bin/python benches/peers/peers.py --kms-grants target/release/kms-grants \\
        --keys 150 --grants 12 --rounds 5 --cli-rounds 2 --latency-ms 30 --json bench-results.json

Starts a local moto_server (from this interpreter's bin dir), seeds it with --keys keys, an alias
each and --grants grants per key, then times three tools taking the same inventory (ListKeys,
ListAliases, then DescribeKey and ListGrants for every key, all paginated):

  kms-grants  `kms-grants record -o FILE --endpoint-url URL --region us-east-1 [--kms-grants-args]`
  boto3       benches/peers/boto3_inventory.py, sequential boto3 with paginators, in its own process
  aws-cli     benches/peers/aws_cli_inventory.sh, one `aws kms` process per call (skipped if `aws` is not
              on PATH; install it with `pip install awscli`)

Each tool runs as a fresh process, so start-up counts. The tool order rotates every round; the
CLI, being slow, runs only in the first --cli-rounds rounds. Every scenario runs twice: against
moto directly, and behind the latency proxy (benches/latency_proxy.py, or --latency-proxy) adding
a --latency-ms round trip to each request; --latency-ms 0 skips it. Every
run's output is checked (key, alias and grant counts) so a broken tool cannot win.

The tools get dummy credentials and a temporary HOME/XDG dirs, so no real AWS or kms-grants
configuration is read. The report gives the machine, the versions, a table of median/min/max
seconds with each tool's ratio to kms-grants, and moto's own floor: calls per second each tool
got, against the calls per second a warm in-process boto3 client gets sequentially and with the
same concurrency as kms-grants, to tell whether the local server is the limit."""
import argparse
import contextlib
import importlib.metadata
import json
import os
import re
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import boto3

REPO = Path(__file__).resolve().parents[2]
BENCH = Path(__file__).resolve().parent
REGION = "us-east-1"
ACCOUNT = "123456789012"
KMS_GRANTS_CONCURRENCY = 8  # kms-grants' default `concurrency`, used for the concurrent probe

OPERATION_SETS = [
    ["Decrypt"],
    ["Encrypt", "Decrypt"],
    ["GenerateDataKey", "Decrypt"],
    ["Encrypt", "Decrypt", "GenerateDataKey", "ReEncryptFrom", "ReEncryptTo"],
    ["Decrypt", "DescribeKey", "CreateGrant", "RetireGrant"],
    ["GenerateDataKeyWithoutPlaintext"],
]


@dataclass
class Tool:
    """One peer: how to run it into an output file, and how to check and count what it did."""

    name: str
    argv: list  # with "{out}" and "{url}" placeholders
    rounds: int
    calls_from: Callable  # (output path, stderr) -> number of API calls made
    check: Callable  # (output path) -> (keys, aliases, grants)
    times: dict = field(default_factory=dict)  # scenario -> list of seconds
    calls: dict = field(default_factory=dict)  # scenario -> API calls of one run


def parse_args():
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kms-grants", default="target/release/kms-grants",
                        help="the kms-grants binary (default: %(default)s, relative to the repo root)")
    parser.add_argument("--kms-grants-args", default="",
                        help="extra arguments for `kms-grants record`, split like a shell, e.g. '--config bench.toml'")
    parser.add_argument("--paced-config", default="benches/peers/kms-pace.toml",
                        help="also time `kms-grants record --config THIS` as 'kms-grants KMS pace': the rate "
                             "ceilings kms-grants keeps against AWS, which a loopback server otherwise does not "
                             "get; '' skips it (default: %(default)s)")
    parser.add_argument("--keys", type=int, default=150, help="keys to create (default: %(default)s)")
    parser.add_argument("--grants", type=int, default=12, help="grants per key (default: %(default)s)")
    parser.add_argument("--rounds", type=int, default=5, help="timed runs per tool and scenario (default: %(default)s)")
    parser.add_argument("--cli-rounds", type=int, default=2,
                        help="timed runs of the slow aws CLI per scenario (default: %(default)s)")
    parser.add_argument("--latency-ms", type=float, default=30.0,
                        help="delay the proxy adds to each request; 0 skips that scenario (default: %(default)s)")
    parser.add_argument("--latency-proxy", default="benches/latency_proxy.py",
                        help="the latency proxy script, absolute or relative to the repo root (default: %(default)s)")
    parser.add_argument("--json", metavar="OUT", help="also write the results to this JSON file")
    return parser.parse_args()


def repo_path(path):
    """`path` as given if it is absolute or exists from the current directory, else from the repo root."""
    path = Path(path)
    return path if path.is_absolute() or path.exists() else REPO / path


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def background(argv, log_path):
    """Runs `argv` with its output in `log_path` for the duration of the block, then stops it."""
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def wait_until(ready, proc, what, log_path, timeout=30.0):
    """Polls `ready()` until it is true; fails if `proc` exits first or `timeout` passes."""
    deadline = time.monotonic() + timeout
    while not ready():
        if proc.poll() is not None or time.monotonic() > deadline:
            log = Path(log_path).read_text(errors="replace")[-2000:]
            sys.exit(f"{what} did not start (exit code {proc.poll()}); its log ends with:\n{log}")
        time.sleep(0.1)


def answers_http(url):
    """Whether an HTTP server answers at `url` (with any status)."""
    try:
        urllib.request.urlopen(url, timeout=1).close()
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False
    return True


def accepts(port):
    """Whether something accepts TCP connections on 127.0.0.1:`port`."""
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
        return True
    return False


def kms_client(url):
    """A boto3 KMS client for the local server."""
    return boto3.client("kms", region_name=REGION, endpoint_url=url,
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def seed(url, keys, grants_per_key):
    """Wipes the server and creates `keys` keys, an alias each and `grants_per_key` varied grants each."""
    urllib.request.urlopen(urllib.request.Request(f"{url}/moto-api/reset", method="POST"), timeout=10).close()
    kms = kms_client(url)
    for k in range(keys):
        key_id = kms.create_key(Description=f"bench key {k}")["KeyMetadata"]["KeyId"]
        kms.create_alias(AliasName=f"alias/bench-{k:04d}", TargetKeyId=key_id)
        for g in range(grants_per_key):
            n = k * grants_per_key + g
            grantee = (f"arn:aws:iam::444455556666:role/partner-{n % 5}" if g % 7 == 6  # cross-account
                       else f"arn:aws:iam::{ACCOUNT}:role/app-{n % 40}")
            grant = {"KeyId": key_id, "GranteePrincipal": grantee,
                     "Operations": OPERATION_SETS[n % len(OPERATION_SETS)]}
            if g % 2 == 0:
                grant["Name"] = f"app-{n % 40}-grant-{g}"
            if g % 4 == 1:
                grant["RetiringPrincipal"] = f"arn:aws:iam::{ACCOUNT}:role/admin"
            if g % 3 == 0:
                grant["Constraints"] = {"EncryptionContextSubset": {"Department": f"team-{n % 9}"}}
            elif g % 5 == 4:
                grant["Constraints"] = {"EncryptionContextEquals": {"Department": f"team-{n % 9}", "App": "x"}}
            kms.create_grant(**grant)


def tool_env(home):
    """The environment for the timed tools: dummy credentials, no AWS settings, HOME and XDG in `home`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_EC2_METADATA_DISABLED="true",
        AWS_CONFIG_FILE=str(home / "aws-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(home / "aws-credentials"),
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_STATE_HOME=str(home / "state"),
        XDG_CACHE_HOME=str(home / "cache"),
        XDG_DATA_HOME=str(home / "data"),
    )
    return env


def fixture_counts(path):
    """(keys, aliases, grants) of a kms-grants fixture or a boto3_inventory.py file: same "keys" shape."""
    keys = json.loads(Path(path).read_text())["keys"]
    return len(keys), sum(len(k["Aliases"]) for k in keys), sum(len(k["Grants"]) for k in keys)


def cli_counts(path):
    """(keys, aliases, grants) of an aws_cli_inventory.sh file (aliases: those targeting a listed key)."""
    data = json.loads(Path(path).read_text())
    key_ids = {k["KeyId"] for k in data["Keys"]}
    aliases = sum(1 for a in data["Aliases"]["Aliases"] if a.get("TargetKeyId") in key_ids)
    return len(data["Keys"]), aliases, sum(len(k["ListGrants"]["Grants"]) for k in data["Keys"])


def kms_grants_calls(_path, stderr):
    """The API call count `kms-grants record` reports on stderr ("API calls: N in all")."""
    match = re.search(r"API calls: (\d+) in all", stderr)
    return int(match.group(1)) if match else None


def make_tools(args, kms_grants, aws):
    """The peers to time; the CLI only if `aws` was found."""
    keys = args.keys
    tools = [
        Tool("kms-grants",
             [str(kms_grants), "record", "-o", "{out}", "--endpoint-url", "{url}", "--region", REGION,
              *shlex.split(args.kms_grants_args)],
             args.rounds, kms_grants_calls, fixture_counts),
        *([Tool("kms-grants KMS pace",
                [str(kms_grants), "record", "-o", "{out}", "--endpoint-url", "{url}", "--region", REGION,
                 "--config", str(repo_path(args.paced_config))],
                args.rounds, kms_grants_calls, fixture_counts)] if args.paced_config else []),
        Tool("boto3",
             [sys.executable, str(BENCH / "boto3_inventory.py"), "-o", "{out}", "--endpoint-url", "{url}",
              "--region", REGION],
             args.rounds, lambda path, _stderr: json.loads(Path(path).read_text())["calls"], fixture_counts),
    ]
    if aws:
        tools.append(Tool("aws-cli",
                          ["bash", str(BENCH / "aws_cli_inventory.sh"), "{out}", "--endpoint-url", "{url}",
                           "--region", REGION],
                          min(args.cli_rounds, args.rounds), lambda _path, _stderr: 2 + 2 * keys, cli_counts))
    return tools


def run_tool(tool, url, out, env):
    """Runs `tool` once into `out` and returns (seconds, stderr); exits showing stderr if it fails."""
    argv = [a.replace("{out}", str(out)).replace("{url}", url) for a in tool.argv]
    started = time.perf_counter()
    proc = subprocess.run(argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        sys.exit(f"{tool.name} failed (exit code {proc.returncode}): {shlex.join(argv)}\n{proc.stderr}")
    return seconds, proc.stderr


def time_scenario(scenario, url, tools, args, workdir, env):
    """Times every tool `rounds` times against `url`, rotating the order each round and checking each output."""
    expected = (args.keys, args.keys, args.keys * args.grants)
    for round_no in range(args.rounds):
        shift = round_no % len(tools)
        for tool in tools[shift:] + tools[:shift]:
            if round_no >= tool.rounds:
                continue
            out = workdir / f"{tool.name}.json"
            out.unlink(missing_ok=True)
            seconds, stderr = run_tool(tool, url, out, env)
            counts = tool.check(out)
            if counts != expected:
                sys.exit(f"{tool.name} listed (keys, aliases, grants) = {counts}, expected {expected}")
            tool.times.setdefault(scenario, []).append(seconds)
            tool.calls[scenario] = tool.calls_from(out, stderr)
            print(f"  {scenario:<12} round {round_no + 1}/{args.rounds}  {tool.name:<18} {seconds:7.2f} s",
                  flush=True)


def probe_server(url, keys, calls):
    """Calls per second a warm in-process boto3 client gets from `url`: sequentially and with
    kms-grants' concurrency, alternating DescribeKey and ListGrants as the inventory does."""
    kms = kms_client(url)
    key_ids = [k["KeyId"] for k in kms.list_keys()["Keys"]][:keys]

    def call(i):
        key_id = key_ids[(i // 2) % len(key_ids)]
        return kms.describe_key(KeyId=key_id) if i % 2 == 0 else kms.list_grants(KeyId=key_id)

    call(0)  # warm the connection pool
    started = time.perf_counter()
    for i in range(calls):
        call(i)
    sequential = calls / (time.perf_counter() - started)
    with ThreadPoolExecutor(KMS_GRANTS_CONCURRENCY) as pool:
        started = time.perf_counter()
        list(pool.map(call, range(calls)))
        concurrent = calls / (time.perf_counter() - started)
    return {"sequential_calls_per_s": sequential, "concurrent_calls_per_s": concurrent,
            "sequential_ms_per_call": 1000 / sequential}


def startup_seconds(argv, env, runs=3):
    """Median wall time of `argv`, a command that does no API work (process start-up cost)."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def command_output(argv, env):
    """The first line a command prints (stdout, else stderr), or None if it cannot run."""
    try:
        proc = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)
    except OSError:
        return None
    lines = (proc.stdout or proc.stderr).strip().splitlines()
    return lines[0] if proc.returncode == 0 and lines else None


def machine():
    """The CPU model, logical core count and 1-minute load average (other work skews the timings)."""
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {"cpu": cpu, "cores": os.cpu_count(), "load_average_1m": os.getloadavg()[0]}


def versions(kms_grants, aws, env):
    """Versions of everything timed."""
    return {
        "python": sys.version.split()[0],
        "moto": importlib.metadata.version("moto"),
        "boto3": importlib.metadata.version("boto3"),
        "aws-cli": command_output([aws, "--version"], env) if aws else None,
        "kms-grants": command_output([str(kms_grants), "--version"], env),
    }


def summarize(tools, scenarios):
    """One row per scenario and tool: runs, median/min/max seconds, ratio to kms-grants, calls, calls/s."""
    rows = []
    for scenario in scenarios:
        base = statistics.median(tools[0].times[scenario])
        for tool in tools:
            times = tool.times.get(scenario)
            if not times:  # a tool given zero rounds
                continue
            median = statistics.median(times)
            calls = tool.calls[scenario]
            rows.append({
                "scenario": scenario, "tool": tool.name, "runs": len(times), "median_s": median,
                "min_s": min(times), "max_s": max(times), "ratio_to_kms_grants": median / base,
                "calls": calls, "calls_per_s": calls / median if calls else None,
            })
    return rows


def print_report(info, rows, probes, startup):
    """Prints the machine, versions, results table, server floor and start-up costs."""
    print(f"\nMachine: {info['machine']['cpu']}, {info['machine']['cores']} cores, "
          f"load average {info['machine']['load_average_1m']:.2f} before timing")
    print("Versions: " + ", ".join(f"{k} {v}" for k, v in info["versions"].items() if v))
    print(f"Workload: {info['keys']} keys, {info['keys']} aliases, {info['grants']} grants per key "
          f"({info['keys'] * info['grants']} grants)\n")
    header = (f"{'scenario':<12} {'tool':<18} {'runs':>4} {'median s':>9} {'min s':>7} {'max s':>7} "
              f"{'x kms-grants':>12} {'calls':>6} {'calls/s':>8}")
    print(header)
    print("-" * len(header))
    for r in rows:
        calls_per_s = f"{r['calls_per_s']:8.0f}" if r["calls_per_s"] else f"{'?':>8}"
        print(f"{r['scenario']:<12} {r['tool']:<18} {r['runs']:>4} {r['median_s']:9.2f} {r['min_s']:7.2f} "
              f"{r['max_s']:7.2f} {r['ratio_to_kms_grants']:12.1f} {r['calls'] or '?':>6} {calls_per_s}")
    print("\nServer floor (warm in-process boto3 client, DescribeKey/ListGrants alternating):")
    plain_ms = probes["plain"]["sequential_ms_per_call"]
    for scenario, probe in probes.items():
        added = probe["sequential_ms_per_call"] - plain_ms
        print(f"  {scenario:<12} sequential {probe['sequential_calls_per_s']:6.0f} calls/s "
              f"({probe['sequential_ms_per_call']:.1f} ms/call"
              + (f", {added:+.1f} ms over plain" if scenario != "plain" else "")
              + f"), {KMS_GRANTS_CONCURRENCY} threads {probe['concurrent_calls_per_s']:6.0f} calls/s")
    print("Process start-up, no API calls (median of 3): "
          + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in startup.items()))


def main():
    """Sets up the server and proxy, times the peers and reports."""
    args = parse_args()
    kms_grants = repo_path(args.kms_grants)
    if not kms_grants.is_file():
        sys.exit(f"no kms-grants binary at {kms_grants}: build it with `cargo build --release` "
                 "in the repo root, or pass --kms-grants PATH")
    proxy_script = repo_path(args.latency_proxy)
    if args.latency_ms > 0 and not proxy_script.is_file():
        sys.exit(f"no latency proxy at {proxy_script}: pass --latency-proxy PATH, or --latency-ms 0 to skip")
    aws = shutil.which("aws")
    if not aws:
        print("`aws` is not on PATH, so the aws-cli peer is skipped; install it with `pip install awscli`.")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    with tempfile.TemporaryDirectory(prefix="kms-grants-bench-") as tmp, contextlib.ExitStack() as stack:
        workdir = Path(tmp)
        env = tool_env(workdir / "home")
        moto_port = free_port()
        moto_log = workdir / "moto.log"
        moto = stack.enter_context(background(
            [str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(moto_port)], moto_log))
        moto_url = f"http://127.0.0.1:{moto_port}"
        wait_until(lambda: answers_http(f"{moto_url}/moto-api/"), moto, "moto_server", moto_log)
        scenarios = {"plain": moto_url}
        if args.latency_ms > 0:
            proxy_port = free_port()
            proxy_log = workdir / "proxy.log"
            proxy = stack.enter_context(background(
                [sys.executable, str(proxy_script), "--listen", str(proxy_port), "--target", str(moto_port),
                 "--delay-ms", str(args.latency_ms), "--max-seconds", "86400"], proxy_log))
            wait_until(lambda: accepts(proxy_port), proxy, "latency proxy", proxy_log)
            scenarios[f"{args.latency_ms:g} ms"] = f"http://127.0.0.1:{proxy_port}"

        started = time.perf_counter()
        seed(moto_url, args.keys, args.grants)
        print(f"seeded {args.keys} keys with {args.grants} grants each in {time.perf_counter() - started:.1f} s")

        host = machine()
        tools = make_tools(args, kms_grants, aws)
        probes = {}
        for scenario, url in scenarios.items():
            time_scenario(scenario, url, tools, args, workdir, env)
            probes[scenario] = probe_server(url, args.keys, 2 * args.keys)
        startup = {
            "kms-grants --version": startup_seconds([str(kms_grants), "--version"], env),
            "python+boto3 client": startup_seconds(
                [sys.executable, "-c", f"import boto3; boto3.client('kms', region_name='{REGION}')"], env),
        }
        if aws:
            startup["aws --version"] = startup_seconds([aws, "--version"], env)

        info = {"machine": host, "versions": versions(kms_grants, aws, env), "keys": args.keys,
                "grants": args.grants, "kms_grants_args": args.kms_grants_args, "latency_ms": args.latency_ms}
        rows = summarize(tools, scenarios)
        print_report(info, rows, probes, startup)
        if args.json:
            Path(args.json).write_text(json.dumps(
                {**info, "results": rows, "server_floor": probes, "startup_s": startup}, indent=2) + "\n")
            print(f"results written to {args.json}")


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit("interrupted; moto_server and the proxy were stopped")
