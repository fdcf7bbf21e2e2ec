#!/usr/bin/env python3
"""tests/oracle/oracle_fp4.py - kernels_ref's FP4 E2M1 codec against ml_dtypes.

ml_dtypes.float4_e2m1fn (the JAX/OpenXLA numpy extension types) implements
the OCP MX v1.0 sec. 5.3.3 FP4 E2M1 element type.  Through the `kref` CLI we
compare:
  * decode: every code of fp4 and mxfp4 (value, the (neg, exp, sig) triple's
    value, no flags);
  * quantize (fp4 and mxfp4): every code value, every midpoint between
    adjacent values and its neighbouring doubles and floats, extremes
    (+-0, denormals, DBL_MAX, +-Inf, NaN), saturation (|x| > 6), tiny values,
    and 100,000 random values (uniform, on the 1/8 grid = every tie, and
    log-uniform from 2^-40 to 2^12).

Documented differences (compared by VALUE, so they agree):
  * negative zero: ml_dtypes keeps the sign (-0.1 -> -0, code 0x8); kernels_ref
    never produces -0 (DESIGN.md sec. 3: zero is {0,0,0}, the quantizer gives
    0x0).  We additionally require that kref never outputs 0x8.
  * NaN: ml_dtypes gives -0 (0x8), kernels_ref gives 0 (0x0): both zero.
Conversion detail: ml_dtypes' scalar constructor float4_e2m1fn(python float)
rounds the double directly, but the numpy array cast float64 -> float4_e2m1fn
(ml_dtypes 0.6.0) rounds through float32 first (double rounding: 0.25 + 2^-40
gives 0 instead of 0.5).  So the reference here is the scalar constructor.

Run from the repository root as `{py} tests/oracle/oracle_fp4.py`.  Prints
PASS / FAIL <first mismatch> / SKIP <reason> (exit 0 / 1 / 77).  $TEST_SEED
fixes the random inputs; $KREF overrides the path of the CLI.
"""
import math
import os
import random
import sys
import time

NAME = "oracle_fp4"


from krefcli import as_text, fail, init, kref, kref_decode, kref_quantize, require_venv, skip  # noqa: E402

init(NAME)
require_venv()
try:
    import numpy as np
    import ml_dtypes
    F4 = ml_dtypes.float4_e2m1fn
except (ImportError, AttributeError) as e:
    skip(f"cannot import ml_dtypes.float4_e2m1fn ({e}); run `make deps`")

# ------------------------------------------------------------------ kref


# ------------------------------------------------------------------ ml_dtypes

# code -> value, by reinterpreting the code's byte as float4_e2m1fn
ML_VALUE = [float(v) for v in np.arange(16, dtype=np.uint8).view(F4)]


def ml_quantize(x):
    """ml_dtypes' rounding of the double x (scalar constructor: direct)."""
    return float(F4(x))


# ------------------------------------------------------------------ checks


def check_decode(fmt):
    got = kref_decode(fmt)
    if sorted(got) != list(range(16)):
        fail(f"decode {fmt}: codes {sorted(got)}, expected 0..15")
    for c in range(16):
        neg, exp, sig, val, fl = got[c]
        want = ML_VALUE[c]
        triple = math.ldexp(sig, exp) * (-1 if neg else 1)
        if val != want or triple != want or fl != 0:
            fail(f"decode {fmt} 0x{c:x}: got value {val!r} (triple {neg} {exp} {sig}, flags {fl}),"
                 f" expected {want!r} (ml_dtypes)")
        if want == 0 and (neg, exp, sig) != (0, 0, 0):
            fail(f"decode {fmt} 0x{c:x}: zero must be {{0,0,0}}, got {neg} {exp} {sig}")
    return 16


def check_quantize(fmt, xs, what):
    got = kref_quantize(fmt, xs)
    for x, g in zip(xs, got):
        if not 0 <= g < 16:
            fail(f"quantize {fmt} {what}: x={x!r}: code 0x{g:x} out of range")
        if g == 0x8:
            fail(f"quantize {fmt} {what}: x={x!r} ({as_text(x)}): produced -0 (0x8)")
        w = ml_quantize(x)
        if ML_VALUE[g] != w:  # values: ml_dtypes' -0 equals our +0
            fail(f"quantize {fmt} {what}: x={x!r} ({as_text(x)}): got 0x{g:x} = {ML_VALUE[g]!r},"
                 f" expected {w!r} (ml_dtypes)")
    return len(xs)


def f32_neighbours(x):
    if not abs(x) <= float(np.finfo(np.float32).max):
        return []
    a = np.float32(x)
    return [float(np.nextafter(a, np.float32(-np.inf))), float(np.nextafter(a, np.float32(np.inf)))]


def around(x):
    """x and its neighbouring doubles and floats, both signs."""
    ys = [math.nextafter(x, -math.inf), x, math.nextafter(x, math.inf)] + f32_neighbours(x)
    return [s * y for y in ys for s in (1, -1)]


def midpoints():
    pos = sorted({v for v in ML_VALUE if v >= 0})
    xs = []
    for a, b in zip(pos, pos[1:]):
        xs += around((a + b) / 2)  # exact: the values have 2 significant bits
    return xs


def extremes():
    xs = [0.0, -0.0, math.nan, -math.nan, math.inf, -math.inf, sys.float_info.max, 5e-324,
          sys.float_info.min, 1e-300, 1e-40, 1e-10, 6.0, 6.5, 7.0, 8.0, 1e10, 1e300, 0.1, 0.2]
    return [y for x in xs for y in ([x, -x] if math.isnan(x) else around(x))]


def random_values(rng, n):
    xs = []
    for i in range(n):
        k = i % 3
        if k == 0:
            xs.append(rng.uniform(-8.0, 8.0))
        elif k == 1:
            xs.append(rng.randrange(-64, 65) / 8)  # the 1/8 grid holds every tie
        else:
            xs.append(rng.choice((-1, 1)) * 2.0 ** rng.uniform(-40, 12))
    return xs


def main():
    seed = int(os.environ.get("TEST_SEED", str(int(time.time()))), 0)
    print(f"seed {seed} (replay with TEST_SEED={seed})")
    rng = random.Random(seed)
    if ML_VALUE[7] != 6.0 or ML_VALUE[1] != 0.5 or len(set(ML_VALUE)) != 15:
        fail(f"ml_dtypes float4_e2m1fn values look wrong: {ML_VALUE}")
    n = check_decode("fp4") + check_decode("mxfp4")
    print(f"decode: {n} codes agree")
    q = 0
    rand = random_values(rng, 100000)
    for fmt in ("fp4", "mxfp4"):
        q += check_quantize(fmt, ML_VALUE, "code values")
        q += check_quantize(fmt, midpoints(), "midpoints")
        q += check_quantize(fmt, extremes(), "extremes")
        q += check_quantize(fmt, rand, "random")
    print(f"quantize: {q} values agree (compared by value: ml_dtypes' -0 is our +0)")
    print(f"PASS {NAME}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
