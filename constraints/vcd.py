"""constraints/vcd.py - switching activity from a VCD, per bit, per clock cycle.

The power test bench (constraints/power_tb.v) changes every input right after
the rising clock edge, so with zero-delay models each signal has one value
per cycle.  Cycle k of the measured window is sampled at
start + (k + 1/2) * period: a change at time t belongs to the first cycle
whose sample point is at or after t, and several changes that fall into one
cycle collapse to the last (the sampled value).  For simulations with cell
delays every change is also counted (glitches included).  x and z read as 0.

read() returns, for each requested variable (full hierarchical name with
'.', as the VCD's scopes give it):
  Var.width, .lsb           declared range
  Var.sampled_toggles[i]    changes of bit i between consecutive cycles
  Var.all_toggles[i]        every change of bit i inside the window
  Var.ones[i]               cycles in which bit i was 1
  Var.bits[i]               (with want_values) the bit vector of bit i:
                            a Python int, bit k = the value in cycle k
"""
import re


class Var:
    def __init__(self, name, width, lsb):
        self.name, self.width, self.lsb = name, width, lsb
        self.sampled_toggles = [0] * width
        self.all_toggles = [0] * width
        self.ones = [0] * width
        self.bits = None


class _Track:
    """Per VCD identifier: the sampled runs and the change counters."""
    __slots__ = ("vars", "width", "cur", "pend_ck", "pend_val", "prev_val", "runs", "all",
                 "sampled", "ones", "want_values")

    def __init__(self, width, want_values):
        self.vars, self.width = [], width
        self.cur = "0" * width  # latest value (MSB first)
        self.pend_ck, self.pend_val = 0, self.cur
        self.prev_val = None  # value of the last finished cycle run
        self.runs = [] if want_values else None  # (first cycle, value)
        self.all = [0] * width
        self.sampled = [0] * width
        self.ones = [0] * width

    def finish_run(self, until):
        """The pending value holds for cycles pend_ck .. until-1."""
        if until <= self.pend_ck:
            return
        v = self.pend_val
        if self.prev_val is not None and v != self.prev_val:
            p = self.prev_val
            for i in range(self.width):
                if v[i] != p[i]:
                    self.sampled[i] += 1
        n = until - self.pend_ck
        if "1" in v:
            for i in range(self.width):
                if v[i] == "1":
                    self.ones[i] += n
        if self.runs is not None:
            self.runs.append((self.pend_ck, v))
        self.prev_val = v
        self.pend_ck = until


def _norm(val, width):
    val = val.replace("x", "0").replace("z", "0").replace("X", "0").replace("Z", "0")
    if len(val) < width:  # VCD drops leading zeros
        val = val.rjust(width, "0")
    return val[-width:]


def read(path, names, start_ps, period_ps, ncycles, want_values=False):
    """Activity of the variables `names` (list of full names) in the window
    of ncycles cycles from start_ps.  Returns {name: Var}; names missing from
    the VCD are left out (the caller checks)."""
    wanted = set(names)
    scale = None
    tracks, out = {}, {}
    scope = []
    f = open(path, "r", errors="replace")
    # ---- header
    for line in f:
        s = line.strip()
        if s.startswith("$timescale"):
            ts = s
            while "$end" not in ts:
                ts += " " + next(f).strip()
            m = re.search(r"(\d+)\s*(s|ms|us|ns|ps|fs)", ts)
            scale = int(m.group(1)) * {"s": 10**12, "ms": 10**9, "us": 10**6, "ns": 10**3,
                                       "ps": 1, "fs": 1e-3}[m.group(2)]
        elif s.startswith("$scope"):
            scope.append(s.split()[2])
        elif s.startswith("$upscope"):
            scope.pop()
        elif s.startswith("$var"):
            p = s.split()
            width, ident, ref = int(p[2]), p[3], p[4]
            lsb = 0
            if len(p) > 6 and p[5].startswith("["):
                r = re.match(r"\[(\d+)(?::(\d+))?\]", p[5])
                lsb = int(r.group(2)) if r.group(2) is not None else int(r.group(1))
            full = ".".join(scope + [ref])
            if full in wanted:
                t = tracks.get(ident)
                if t is None:
                    t = tracks[ident] = _Track(width, want_values)
                v = Var(full, width, lsb)
                t.vars.append(v)
                out[full] = v
        elif s.startswith("$enddefinitions"):
            break
    if scale is None:
        raise ValueError(f"{path}: no $timescale")
    # ---- value changes
    t_ps = 0
    end_ps = start_ps + ncycles * period_ps
    ck = 0
    active = False
    for line in f:
        c = line[:1]
        if c == "#":
            t_ps = int(line[1:]) * scale
            if t_ps >= end_ps:
                break
            active = t_ps >= start_ps
            # the first cycle whose sample point start + (k + 1/2) P is >= t
            ck = max(0, -(-(2 * (t_ps - start_ps) - period_ps) // (2 * period_ps)))
            continue
        if c in "01xzXZ":
            val, ident = c, line[1:].strip()
        elif c in "bB":
            val, ident = line[1:].split()
        else:
            continue  # $dumpvars, $end, $dumpoff, reals, comments
        t = tracks.get(ident)
        if t is None:
            continue
        v = _norm(val, t.width)
        if active and v != t.cur:
            cur = t.cur
            for i in range(t.width):
                if v[i] != cur[i]:
                    t.all[i] += 1
        t.cur = v
        if ck >= ncycles:
            continue
        if ck > t.pend_ck:
            t.finish_run(ck)
        t.pend_val = v
    f.close()
    for t in tracks.values():
        t.finish_run(ncycles)
        bits = None
        if want_values:
            bits = []
            for i in range(t.width):
                chunks = []
                for k, (c0, v) in enumerate(t.runs):
                    c1 = t.runs[k + 1][0] if k + 1 < len(t.runs) else ncycles
                    chunks.append(v[i] * (c1 - c0))
                s = "".join(chunks)
                bits.append(int(s[::-1], 2) if s else 0)
        for var in t.vars:
            # string position i is bit (width - 1 - i) above lsb
            var.sampled_toggles = t.sampled[::-1]
            var.all_toggles = t.all[::-1]
            var.ones = t.ones[::-1]
            if bits is not None:
                var.bits = bits[::-1]
    return out
