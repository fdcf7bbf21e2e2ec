"""constraints/flow.py - what the synthesis, power and iCE40 flows share:
the library path, running a tool with its log, failing loudly, the RTL file
list of a generated configuration, tool versions, atomic file writes."""
import json
import os
import subprocess
import sys

LIB = "/usr/share/qflow/tech/osu018/osu018_stdcells.lib"
CELLS_V = "/usr/share/qflow/tech/osu018/osu018_stdcells.v"
HERE = os.path.dirname(os.path.abspath(__file__))
PROG = os.path.splitext(os.path.basename(sys.argv[0]))[0]


def die(msg):
    print(f"{PROG}: error: {msg}", file=sys.stderr)
    sys.exit(1)


def run(cmd, log, check=True, **kw):
    """Run cmd with stdout+stderr into log; die with the log's tail if it fails."""
    with open(log, "w") as f:
        p = subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT, text=True, **kw)
    text = open(log, errors="replace").read()
    if check and p.returncode != 0:
        die(f"{cmd[0]} failed (exit {p.returncode}); see {log}:\n" + "\n".join(text.splitlines()[-15:]))
    return text


def rtl_files(rtl_dir):
    """The Verilog files of build/rtl/<cfg>/<cfg>.f, in order."""
    cfg = os.path.basename(os.path.normpath(rtl_dir))
    flist = os.path.join(rtl_dir, f"{cfg}.f")
    if not os.path.exists(flist):
        die(f"{flist} not found: generate the RTL first (make rtl, or build/bin/rtl_gen --out {rtl_dir})")
    files = []
    for line in open(flist):
        line = line.strip()
        if line and not line.startswith("//") and not line.startswith("#"):
            files.append(os.path.join(rtl_dir, line))
    if not files:
        die(f"no Verilog files listed in {flist}")
    return cfg, files


def manifest(rtl_dir):
    cfg = os.path.basename(os.path.normpath(rtl_dir))
    path = os.path.join(rtl_dir, f"{cfg}_manifest.json")
    if not os.path.exists(path):
        die(f"{path} not found: generate the RTL first")
    return json.load(open(path))


def version(cmd):
    try:
        out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout
        return out.strip().splitlines()[0] if out.strip() else "unknown"
    except OSError:
        return "not found"


def provenance():
    """The repository commit the reports were made at, and whether the
    generator's sources had uncommitted changes (other engineers edit the
    shared tree while flows run)."""
    def git(*a):
        try:
            return subprocess.run(["git", *a], cwd=HERE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                  text=True).stdout.strip()
        except OSError:
            return ""
    return {"commit": git("rev-parse", "--short", "HEAD") or "unknown",
            "rtl_gen_uncommitted": bool(git("status", "--porcelain", "--", "../rtl_gen"))}


def write_json(path, obj):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(obj, f, indent=2, sort_keys=True)
        f.write("\n")
    os.replace(tmp, path)


def write_text(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def need_positive(figures):
    """figures: [(what, value)]; die naming the first missing or non-positive one."""
    for what, val in figures:
        if val is None or not isinstance(val, (int, float)) or val <= 0:
            die(f"figure '{what}' is missing or not positive ({val!r})")
