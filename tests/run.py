#!/usr/bin/env python3
"""tests/run.py - the one test runner.

Reads tests/tests.list, runs every test (two at a time), keeps each log in
build/test-logs/, prints one line per failing or skipped test with its
reason, and ends with "N passed, N failed[, N skipped]".  Exits 1 on any
failure.

A test passes on exit 0, is skipped on exit 77 (its last output line says
why), and fails otherwise (its last "FAIL" line, or last line, says why).

tests.list lines:  <kind> <name> <command...>
  kind c    : a C program; run from build/bin, and again from build/asan/bin
              when --asan is given (AddressSanitizer + UBSan build)
  kind sh   : any command, run once
Placeholders in commands: {bin} (the variant's bin dir), {root} (repository
root), {py} (the oracle virtualenv's python).
"""
import argparse
import concurrent.futures
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def parse_list(path):
    tests = []
    with open(path) as f:
        for lineno, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split(None, 2)
            if len(parts) < 3 or parts[0] not in ("c", "sh"):
                sys.exit(f"{path}:{lineno}: expected '<c|sh> <name> <command>'")
            tests.append(tuple(parts))
    return tests


def reason_of(out, code):
    lines = [l for l in out.splitlines() if l.strip()]
    key = "SKIP" if code == 77 else "FAIL"
    for l in reversed(lines):
        if l.startswith(key):
            return l.split(":", 1)[1].strip() if ":" in l else l
    return lines[-1].strip() if lines else f"exit code {code}, no output"


def run_one(name, cmd, logdir, timeout):
    t0 = time.time()
    env = dict(os.environ)
    try:
        p = subprocess.run(cmd, shell=True, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=timeout)
        out, code = p.stdout.decode(errors="replace"), p.returncode
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode(errors="replace") + f"\nFAIL: timed out after {timeout}s"
        code = 124
    with open(os.path.join(logdir, name.replace("/", "_") + ".log"), "w") as f:
        f.write(f"$ {cmd}\n{out}\n[exit {code}, {time.time() - t0:.1f}s]\n")
    return name, code, out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--list", default=os.path.join(ROOT, "tests", "tests.list"))
    ap.add_argument("--asan", action="store_true", help="also run the C tests from the sanitizer build")
    ap.add_argument("--only-asan", action="store_true", help="run only the sanitizer variants")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=int, default=1200, help="per-test limit in seconds")
    ap.add_argument("-k", dest="filter", default="", help="run tests whose name contains this")
    args = ap.parse_args()

    py = os.path.join(ROOT, "build", "venv", "bin", "python")
    if not os.path.exists(py):  # oracle scripts then skip with their reason
        py = sys.executable
    logdir = os.path.join(ROOT, "build", "test-logs")
    os.makedirs(logdir, exist_ok=True)
    jobs = []
    for kind, name, cmd in parse_list(args.list):
        variants = []
        if not args.only_asan:
            variants.append(("", "build/bin"))
        if kind == "c" and (args.asan or args.only_asan):
            variants.append(("asan/", "build/asan/bin"))
        for prefix, bindir in variants:
            full = prefix + name
            if args.filter and args.filter not in full:
                continue
            jobs.append((full, cmd.format(bin=bindir, root=ROOT, py=py)))

    passed = failed = skipped = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as ex:
        futs = [ex.submit(run_one, n, c, logdir, args.timeout) for n, c in jobs]
        for fut in concurrent.futures.as_completed(futs):
            name, code, out = fut.result()
            if code == 0:
                passed += 1
                print(f"ok   {name}", flush=True)
            elif code == 77:
                skipped += 1
                print(f"SKIP {name}: {reason_of(out, code)}", flush=True)
            else:
                failed += 1
                print(f"FAIL {name}: {reason_of(out, code)}  (log: build/test-logs/{name.replace('/', '_')}.log)", flush=True)
    summary = f"{passed} passed, {failed} failed"
    if skipped:
        summary += f", {skipped} skipped"
    print(summary)
    return 1 if failed or not jobs else 0


if __name__ == "__main__":
    sys.exit(main())
