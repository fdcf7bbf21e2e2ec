"""tests/oracle/krefcli.py - the oracle scripts' access to kernels_ref: the
`kref` CLI (path overridable with $KREF) and the PASS/FAIL/SKIP protocol of
tests/run.py.  Call init(name) first."""
import math
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KREF = os.environ.get("KREF", os.path.join(ROOT, "build", "bin", "kref"))
NAME = "oracle"


def init(name):
    global NAME
    NAME = name


def require_venv():
    """Skip when `make deps` could not install the Python oracles (it leaves
    build/venv/UNAVAILABLE with the reason)."""
    unavailable = os.path.join(ROOT, "build", "venv", "UNAVAILABLE")
    if os.path.exists(unavailable):
        with open(unavailable) as f:
            skip(f.read().strip() or "build/venv/UNAVAILABLE exists")


def skip(reason):
    print(f"SKIP {NAME}: {reason}")
    sys.exit(77)


def fail(msg):
    print(f"FAIL {NAME}: {msg}")
    sys.exit(1)


def kref(*args, stdin=None):
    if not os.path.exists(KREF):
        fail(f"{KREF} not built (make kref)")
    p = subprocess.run([KREF, *args], input=stdin, capture_output=True, text=True)
    if p.returncode != 0:
        fail(f"kref {' '.join(args)} exited {p.returncode}: {p.stderr.strip()}")
    return p.stdout


def kref_decode(fmt):
    """code -> (neg, exp, sig, value, flags) for every code of fmt."""
    out = {}
    for line in kref("decode", fmt).splitlines():
        c, neg, exp, sig, val, fl = line.split()
        out[int(c, 16)] = (int(neg), int(exp), int(sig), float.fromhex(val), int(fl))
    return out


def as_text(x):
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return x.hex()


def kref_quantize(fmt, xs):
    out = kref("quantize", fmt, stdin="\n".join(as_text(x) for x in xs) + "\n").split()
    if len(out) != len(xs):
        fail(f"kref quantize {fmt}: {len(xs)} inputs, {len(out)} outputs")
    return [int(c, 16) for c in out]
