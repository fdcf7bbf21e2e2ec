#!/usr/bin/env python3
"""tests/oracle/oracle_posit.py - kernels_ref's posit codec against SoftPosit.

The PyPI package `softposit` (Cerlane Leong's SoftPosit, the reference
implementation of the posit working group) provides posit8 (es = 0) and
posit16 (es = 1).  We compare, through the `kref` CLI:
  * decode: every posit8_0 and posit16_1 code (value and NaR flag, and the
    triple (neg, exp, sig) must give the same value);
  * quantize to posit8_0: every code's value, both kinds of midpoints between
    adjacent posits (arithmetic, and the bit-string tie point = the (n+1)-bit
    code 2c+1) and their neighbouring doubles, random doubles, extremes;
  * quantize to posit16_1: 100,000 random codes' values, 100,000 log-uniform
    random doubles reaching past maxpos and below minpos, both kinds of ties
    of every adjacent pair with neighbours, extremes;
  * posit4_1, which SoftPosit lacks: decode through nesting (code c equals
    posit16 code c << 12), and quantize every posit16 value, expecting the
    round-to-nearest-even of its 16-bit code by 12 bits in integer arithmetic.

Run from the repository root as `{py} tests/oracle/oracle_posit.py`.  Prints
PASS / FAIL <first mismatch> / SKIP <reason> (exit 0 / 1 / 77).  $TEST_SEED
fixes the random inputs; $KREF overrides the path of the CLI.
"""
import math
import os
import random
import sys
import time
from fractions import Fraction

NAME = "oracle_posit"


from krefcli import as_text, fail, init, kref, kref_decode, kref_quantize, require_venv, skip  # noqa: E402

init(NAME)
require_venv()
try:
    import softposit as sp
except ImportError as e:
    skip(f"cannot import softposit ({e}); run `make deps`")

# ------------------------------------------------------------------ kref


# ------------------------------------------------------------------ softposit

FLAG_NAR = 4


class Sp:
    """SoftPosit's view of one width: bits, es, code -> value, value -> code."""

    def __init__(self, n, es, mk, to_double, from_double):
        self.n, self.es = n, es
        self._mk, self._to, self._from = mk, to_double, from_double

    def value(self, code):
        """Exact value of a code; None for NaR."""
        p = self._mk()
        p.v = code
        if p.isNaR():
            return None
        return self._to(p)

    def quantize(self, x):
        return self._from(x).v


P8 = Sp(8, 0, sp.posit8_t, sp.convertP8ToDouble, sp.convertDoubleToP8)
P16 = Sp(16, 1, sp.posit16_t, sp.convertP16ToDouble, sp.convertDoubleToP16)

# ------------------------------------------------------------------ definition
# Only used to find the bit-string tie points, which SoftPosit cannot give
# (they are (n+1)-bit posits): the value of "code c, then a 1 bit".


def posit_value(n, es, code):
    """Exact value (Fraction) of a non-NaR n-bit posit code, per Gustafson &
    Yonemoto 2017: two's complement, regime, es bits, fraction."""
    if code == 0:
        return Fraction(0)
    neg = code >> (n - 1)
    if neg:
        code = (1 << n) - code
    bits = format(code, f"0{n}b")[1:]
    run = len(bits) - len(bits.lstrip(bits[0]))
    k = run - 1 if bits[0] == "1" else -run
    rest = bits[run + 1:]
    e = int((rest[:es] + "0" * es)[:es] or "0", 2)
    frac = rest[es:]
    f = Fraction(int(frac, 2), 1 << len(frac)) if frac else Fraction(0)
    v = (1 + f) * Fraction(2) ** (k * (1 << es) + e)
    return -v if neg else v


def string_midpoint(n, es, c):
    return float(posit_value(n + 1, es, 2 * c + 1))


# ------------------------------------------------------------------ checks


def check_decode(fmt, ref):
    got = kref_decode(fmt)
    if len(got) != 1 << ref.n:
        fail(f"decode {fmt}: {len(got)} codes, expected {1 << ref.n}")
    for c in range(1 << ref.n):
        neg, exp, sig, val, fl = got[c]
        want = ref.value(c)
        if want is None:  # NaR: decodes to zero with FLAG_NAR
            if (neg, exp, sig, fl) != (0, 0, 0, FLAG_NAR):
                fail(f"decode {fmt} 0x{c:x} (NaR): got {got[c]}, expected (0, 0, 0, ., {FLAG_NAR})")
            continue
        triple = math.ldexp(sig, exp) * (-1 if neg else 1)
        if val != want or triple != want or fl != 0:
            fail(f"decode {fmt} 0x{c:x}: got value {val!r} (triple {neg} {exp} {sig}, flags {fl}),"
                 f" expected {want!r} (softposit)")
    return len(got)


def check_quantize(fmt, ref, xs, what):
    got = kref_quantize(fmt, xs)
    for x, g in zip(xs, got):
        w = ref.quantize(x)
        if g != w:
            fail(f"quantize {fmt} {what}: x={x!r} ({as_text(x)}): got 0x{g:x}, expected 0x{w:x} (softposit)")
    return len(xs)


def around(x):
    """x and its neighbouring doubles, both signs."""
    out = []
    for y in (math.nextafter(x, 0), x, math.nextafter(x, math.inf)):
        out += [y, -y]
    return out


def midpoints(ref):
    """Both kinds of tie points between adjacent positive posits, with neighbours."""
    maxpos = (1 << (ref.n - 1)) - 1
    xs = []
    for c in range(1, maxpos):
        a, b = ref.value(c), ref.value(c + 1)
        xs += around((a + b) / 2)  # exact: few significant bits
        xs += around(string_midpoint(ref.n, ref.es, c))
    return xs


def extremes(ref):
    maxpos, minpos = ref.value((1 << (ref.n - 1)) - 1), ref.value(1)
    xs = [0.0, -0.0, math.nan, math.inf, -math.inf, sys.float_info.max, 5e-324, 1e300, 1e-300,
          maxpos * 2, minpos / 2, maxpos * 1.5, minpos * 0.75]
    return [y for x in xs for y in around(x)]


def log_uniform(rng, lo, hi, count):
    return [rng.choice((-1, 1)) * 2.0 ** rng.uniform(lo, hi) for _ in range(count)]


def all_values(ref):
    return [ref.value(c) for c in range(1 << ref.n) if ref.value(c) is not None]


def rne_code(C, m, n):
    """Round the m-bit posit code C to n bits: nearest, ties to even, on the
    integer (= on the bit string), saturating to minpos/maxpos."""
    if C == 0:
        return 0
    neg = C >> (m - 1)
    a = (1 << m) - C if neg else C
    drop = m - n
    q, rem, half = a >> drop, a & ((1 << drop) - 1), 1 << (drop - 1)
    if rem > half or (rem == half and q & 1):
        q += 1
    q = min(max(q, 1), (1 << (n - 1)) - 1)
    return ((1 << n) - q) % (1 << n) if neg else q


def check_posit4():
    got = kref_decode("posit4_1")
    for c in range(16):
        neg, exp, sig, val, fl = got[c]
        want = P16.value(c << 12)
        if want is None:
            ok = (neg, exp, sig, fl) == (0, 0, 0, FLAG_NAR)
        else:
            ok = val == want and math.ldexp(sig, exp) * (-1 if neg else 1) == want and fl == 0
        if not ok:
            fail(f"decode posit4_1 0x{c:x}: got {got[c]}, expected posit16 0x{c << 12:x} = {want!r}")
    codes = [C for C in range(1 << 16) if C != 0x8000]
    xs = [P16.value(C) for C in codes]
    q = kref_quantize("posit4_1", xs)
    for C, x, g in zip(codes, xs, q):
        w = rne_code(C, 16, 4)
        if g != w:
            fail(f"quantize posit4_1 x={x!r} (posit16 0x{C:04x}): got 0x{g:x}, expected 0x{w:x}"
                 " (RNE of the 16-bit code)")
    return 16 + len(codes)


def main():
    seed = int(os.environ.get("TEST_SEED", str(int(time.time()))), 0)
    print(f"seed {seed} (replay with TEST_SEED={seed})")
    rng = random.Random(seed)
    n = check_decode("posit8_0", P8) + check_decode("posit16_1", P16)
    print(f"decode: {n} codes agree")

    q = check_quantize("posit8_0", P8, all_values(P8), "code values")
    q += check_quantize("posit8_0", P8, midpoints(P8), "midpoints")
    q += check_quantize("posit8_0", P8, log_uniform(rng, -12, 12, 100000), "random")
    q += check_quantize("posit8_0", P8, extremes(P8), "extremes")
    codes16 = [rng.randrange(1 << 16) for _ in range(100000)]
    vals16 = [P16.value(c) for c in codes16]
    q += check_quantize("posit16_1", P16, [math.nan if v is None else v for v in vals16],
                        "random code values")
    q += check_quantize("posit16_1", P16, log_uniform(rng, -40, 40, 100000), "random")
    q += check_quantize("posit16_1", P16, midpoints(P16), "midpoints")
    q += check_quantize("posit16_1", P16, extremes(P16), "extremes")
    print(f"quantize: {q} values agree")

    p4 = check_posit4()
    print(f"posit4_1: {p4} decodes/quantizations agree (nesting, integer RNE)")
    print(f"PASS {NAME}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
