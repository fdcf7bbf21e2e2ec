#!/usr/bin/env python3
"""sim/wave/gtkw_gen.py - the GTKWave view of a co-processor trace (issue 5).

  gtkw_gen.py gen DUMP -o VIEW.gtkw [--params H] [--max-cycles N] [--pre N] [--post N]
      Write a GTKWave save file for DUMP (an FST from tb_coproc +trace, or
      a VCD): the groups of VIEW below, with the signal names, widths and
      state encodings read from the dump itself, so the view holds for every
      configuration (and for the next change of the generated RTL).  Also
      writes translate filters that show values by name: VIEW_st.txt, the
      input state machine's states (from the S_* parameters in the dump),
      and with --params (the configuration's <cfg>_params.h) VIEW_fmt.txt,
      the format ids (NPE_FMT_*), and VIEW_cause.txt, the error causes
      (NPE_CAUSE_*).  The
      window is the first job: from a few cycles before it is accepted to a
      few after ap_done, at most --max-cycles cycles; the primary marker is
      at the accept edge, named markers A (accept), B (first result beat),
      C (done).  The window is also written as a "[*] wave_window T0 T1"
      comment, which sim/wave/view.tcl applies (GTKWave's own zoom value
      depends on the window's width when the file is loaded).
  gtkw_gen.py check DUMP VIEW.gtkw
      Fail (naming them) if VIEW references a signal that is not in DUMP, if
      a group is empty, or if a signal the view promises (REQUIRED) is
      missing.  Used by sim/wave/wave_test.sh.
  gtkw_gen.py list DUMP
      Print every signal of the dump (path, width, kind): what the
      patterns of VIEW are written against.

DUMP may be .fst (read through fst2vcd, from the gtkwave package; only the
header and the first job are read, fst2vcd is stopped after that) or .vcd.
"""
import argparse
import fnmatch
import math
import os
import re
import subprocess
import sys

# ---------------------------------------------------------------- the view
# (group, scope, [(leaf-name pattern, format)]).  Scopes: "coproc" (the
# co-processor's top module), "engine" (its engine), "lane" (lane 0 of the
# engine).  Patterns are fnmatch patterns on the signal's name without its
# range; a pattern that matches nothing in a configuration is left out (MX
# registers do not exist in `int`, say).  Signals appear in the order of
# the patterns, then in the dump's (declaration) order.  Formats: hex, dec,
# sdec (signed decimal), bin, state / fmt / cause (decimal shown by name
# through a translate filter, plain decimal when it has no table); auto =
# bin for one bit, hex otherwise.  Lane signals get a "lane0 " alias, so
# that they are not confused with the engine's ports of the same name.
# Accumulators are signed decimal up to 64 bits, hex when wider.
VIEW = [
    (None, "coproc", [("aclk", "bin"), ("aresetn", "bin")]),
    ("AXI4-Lite", "coproc", [("s_axil_*", "auto")]),
    ("s_axis in", "coproc", [("s_axis_tvalid", "bin"), ("s_axis_tready", "bin"),
                             ("s_axis_tdata", "hex"), ("s_axis_tkeep", "hex"),
                             ("s_axis_tlast", "bin")]),
    ("m_axis out", "coproc", [("m_axis_tvalid", "bin"), ("m_axis_tready", "bin"),
                              ("m_axis_tdata", "hex"), ("m_axis_tkeep", "hex"),
                              ("m_axis_tlast", "bin")]),
    ("control", "coproc", [
        ("st", "state"), ("start_req", "bin"), ("ap_ready", "bin"), ("ap_done", "bin"),
        ("job_accept", "bin"), ("job_done", "bin"), ("idle", "bin"),
        ("j_rows", "dec"), ("j_cols", "dec"), ("j_wf", "fmt"), ("j_af", "fmt"),
        ("j_*", "dec"), ("r_left", "dec"), ("credits_used", "dec"), ("rb_n", "dec"),
        ("err_event", "bin"), ("err_cause", "cause"), ("st_err", "bin"), ("st_cause", "cause"),
        ("st_flags", "bin"), ("irq", "bin")]),
    ("engine / lane 0", "engine", [
        ("in_valid", "bin"), ("in_first", "bin"), ("in_last", "bin"), ("in_blk_last", "bin"),
        ("wfmt", "fmt"), ("afmt", "fmt"), ("w_data", "hex"), ("a_data", "hex"),
        ("w_scale", "hex"), ("a_scale", "hex"), ("out_valid", "bin"), ("lane_valid", "bin")]),
    ("engine / lane 0", "lane", [
        ("out_acc", "sdec"), ("out_flags", "bin"),
        ("i_valid", "bin"), ("d_valid", "bin"), ("p_valid", "bin"), ("t_valid", "bin"),
        ("b_valid", "bin"), ("u0_sum", "sdec"), ("p_sum", "sdec"),
        ("acc_reg", "sdec"), ("flags_reg", "bin"), ("out_valid_reg", "bin")]),
]
# What the view promises for every configuration (the brief of issue 5):
# check fails when one of these is not in the dump.
REQUIRED = {
    "coproc": ["aclk", "s_axil_awvalid", "s_axil_wdata", "s_axil_rdata", "s_axis_tdata",
               "s_axis_tvalid", "m_axis_tdata", "m_axis_tlast", "st", "j_rows", "j_cols",
               "credits_used", "rb_n", "start_req", "ap_done", "err_event"],
    "engine": ["in_valid", "in_first", "in_last", "w_data", "a_data", "out_valid"],
    "lane": ["out_acc", "acc_reg"],
}
ALIAS = {"lane": "lane0 "}  # not "lane0.": GTKWave shows names from the last dot
# GTKWave trace flags (gtkwave's analyzer.h TR_*): right-justified values.
# TR_FTRANSLATED (0x2000) = through a translate filter file.
FLAGS = {"hex": 0x22, "dec": 0x24, "sdec": 0x424, "bin": 0x28}
FILTERS = ("state", "fmt", "cause")  # their slots ^1, ^2, ^3 in the save file
GRP_BEGIN, GRP_END = 0x800200, 0x1000200  # TR_GRP_BEGIN|TR_BLANK, TR_GRP_END|TR_BLANK
WIN_W, WIN_H = 1600, 2150  # [size]: room for every group of `all` without scrolling


def fail(msg):
    sys.exit(f"gtkw_gen: {msg}")


# ---------------------------------------------------------------- reading a dump
class Var:
    def __init__(self, scope, name, rng, width, kind, code):
        self.scope, self.name, self.rng = scope, name, rng
        self.width, self.kind, self.code = width, kind, code

    @property
    def path(self):
        """The name GTKWave knows it by: scope.name[msb:lsb]."""
        return f"{self.scope}.{self.name}{self.rng}"


class Dump:
    """A VCD stream (a file, or fst2vcd's output): the header, then value
    changes on demand."""

    def __init__(self, path):
        if not os.path.isfile(path):
            fail(f"{path}: no such dump (run the test with +trace=FILE first)")
        self.path = path
        if path.endswith(".fst"):
            try:
                # stderr is not read (a full pipe would stall fst2vcd)
                self.proc = subprocess.Popen(["fst2vcd", "-f", path], stdout=subprocess.PIPE,
                                             stderr=subprocess.DEVNULL, text=True)
            except FileNotFoundError:
                fail("fst2vcd not found: it comes with GTKWave (make deps installs gtkwave)")
            self.f = self.proc.stdout
        else:
            self.proc, self.f = None, open(path)
        self.vars, self.scopes = [], set()
        self._header()

    def close(self):
        if self.proc:
            self.proc.kill()
            self.proc.wait()
        else:
            self.f.close()

    def _header(self):
        stack = []
        for line in self.f:
            tok = line.split()
            if not tok:
                continue
            if tok[0] == "$scope":
                stack.append(tok[2])
                self.scopes.add(".".join(stack))
            elif tok[0] == "$upscope":
                stack.pop()
            elif tok[0] == "$var":
                # $var <kind> <width> <code> <name> [<range>] $end
                rng = tok[5] if len(tok) > 6 and tok[5].startswith("[") else ""
                self.vars.append(Var(".".join(stack), tok[4], rng, int(tok[2]), tok[1], tok[3]))
            elif tok[0] == "$enddefinitions":
                return
        fail(f"{self.path}: no $enddefinitions: not a VCD/FST, or truncated (a test that "
             "crashed before closing its trace leaves an unreadable FST)")

    def changes(self):
        """Yield (time, code, value string) for every value change."""
        t = 0
        for line in self.f:
            c = line[:1]
            if c == "#":
                t = int(line[1:])
            elif c in "01xzXZ":
                yield t, line[1:].strip(), c
            elif c in "bBrR":
                v, code = line[1:].split()
                yield t, code, v


def find_scopes(vars):
    """The co-processor's scope, its engine's and lane 0's, found by what
    they contain, not by name: the AXI-Lite ports (the top module, below the
    model's TOP), the engine's input ports, the lane's accumulator."""
    by_scope = {}
    for v in vars:
        by_scope.setdefault(v.scope, set()).add(v.name)

    def having(names, under=""):
        return sorted((s for s, n in by_scope.items()
                       if names <= n and (not under or s.startswith(under + "."))),
                      key=lambda s: (s.count("."), s))

    top = having({"s_axil_awaddr", "s_axis_tdata"})
    if not top:
        fail("no scope with s_axil_awaddr and s_axis_tdata: is this a co-processor trace?")
    coproc = [s for s in top if s.count(".") >= 1] or top  # below TOP if there is one
    sc = {"coproc": coproc[0]}
    eng = having({"in_valid", "in_first", "w_data", "out_valid"}, sc["coproc"])
    if eng:
        sc["engine"] = eng[0]
        lanes = having({"acc_reg"}, sc["engine"]) or having({"out_acc"}, sc["engine"])
        lane0 = [s for s in lanes if "[0]" in s] or lanes
        if lane0:
            sc["lane"] = lane0[0]
    return sc


def select(vars, scopes):
    """[(group, [(Var, format, alias)])] for VIEW, in order, no duplicates."""
    in_scope = {}
    for v in vars:
        in_scope.setdefault(v.scope, []).append(v)
    out, seen = [], set()
    for group, key, pats in VIEW:
        sigs = []
        for pat, fmt in pats:
            for v in in_scope.get(scopes.get(key), []):
                if v.kind == "parameter" or v.path in seen or not fnmatch.fnmatchcase(v.name, pat):
                    continue
                seen.add(v.path)
                f = fmt if fmt != "auto" else ("bin" if v.width == 1 else "hex")
                if f == "sdec" and v.width > 64:
                    f = "hex"  # GTKWave 3.3 prints decimal only up to 64 bits
                sigs.append((v, f, ALIAS.get(key, "") + v.name if key in ALIAS else None))
        if out and out[-1][0] == group:
            out[-1][1].extend(sigs)
        else:
            out.append((group, sigs))
    return out


# ---------------------------------------------------------------- the first job
def first_job(dump, scopes, params, max_cycles, pre, post):
    """Times of the window [t0, t1] and of the markers: the first edge at
    which a job is accepted, its first result beat and its done; and the
    values of the parameters `params` ({code: name}) as {value: name}."""
    cp = scopes["coproc"]
    want = {"aclk", "job_accept", "job_done", "m_axis_tvalid", "m_axis_tready", "aresetn"}
    code = {v.name: v.code for v in dump.vars if v.scope == cp and v.name in want}
    if "aclk" not in code:
        fail(f"{dump.path}: no {cp}.aclk")
    names = {}
    for n, c in code.items():
        names.setdefault(c, []).append(n)
    val = {n: "0" for n in code}
    edges, ev = [], {}
    prev_t = None

    def sample(t):
        # values just before the rising edge at t (the handshake rule)
        edges.append(t)
        k = len(edges) - 1
        # before the first reset edge the registers hold random values (a
        # random job_accept, say): look for the job only after the reset
        if val.get("aresetn") == "0":
            ev["in_rst"] = k
            return
        if "in_rst" not in ev and "aresetn" in val:
            return
        if "rst" not in ev:
            ev["rst"] = k
        if "acc" not in ev and val.get("job_accept") == "1":
            ev["acc"] = k
        if "acc" in ev and "res" not in ev and val.get("m_axis_tvalid") == "1" and \
                val.get("m_axis_tready") == "1":
            ev["res"] = k
        if "acc" in ev and "done" not in ev and k > ev["acc"] and val.get("job_done") == "1":
            ev["done"] = k

    pending, states = {}, {}
    for t, c, v in dump.changes():
        if t == 0 and c in params:
            try:
                states[int(v, 2)] = params[c][2:]  # S_IDLE -> IDLE
            except ValueError:
                pass
        if t != prev_t and pending:
            # apply the changes of time prev_t; a rising clock there is an edge
            if pending.get("aclk") == "1" and val["aclk"] == "0":
                sample(prev_t)
            val.update(pending)
            pending = {}
            if "done" in ev and len(edges) > ev["done"] + post + 1:
                break
            if "acc" in ev and len(edges) > ev["acc"] + max_cycles:
                break
        prev_t = t
        for n in names.get(c, []):
            pending[n] = v
    if len(edges) < 2:
        fail(f"{dump.path}: fewer than two clock edges")
    period = (edges[-1] - edges[0]) / (len(edges) - 1)
    start = ev.get("acc", ev.get("rst", 0))
    k0 = max(0, start - pre)
    k1 = min(ev.get("done", k0 + max_cycles) + post, k0 + max_cycles, len(edges) - 1)
    t0 = max(0, edges[k0] - int(period / 2))
    t1 = edges[k1] + int(period / 2)
    marks = {m: edges[ev[k]] for m, k in (("A", "acc"), ("B", "res"), ("C", "done")) if k in ev}
    what = (f"the first job, {k1 - k0} cycles" + ("" if "done" in ev else " (cut: not done yet)")
            if "acc" in ev else f"{k1 - k0} cycles after the reset (no job was accepted)")
    return t0, t1, marks, what, period, states


def state_params(dump, scopes):
    """{code: name} of the co-processor's S_* parameters: the encodings of
    the input state machine `st`, whose values the dump holds at time 0."""
    cp = scopes["coproc"]
    return {v.code: v.name for v in dump.vars
            if v.scope == cp and v.kind == "parameter" and v.name.startswith("S_")}


# ---------------------------------------------------------------- writing the view
def cmd_gen(args):
    dump = Dump(args.dump)
    scopes = find_scopes(dump.vars)
    groups = select(dump.vars, scopes)
    t0, t1, marks, what, period, states = first_job(dump, scopes, state_params(dump, scopes),
                                                    args.max_cycles, args.pre, args.post)
    dump.close()
    base = os.path.splitext(args.output)[0]
    tables = {"state": states}
    if args.params:
        tables.update(header_tables(args.params))
    filt = {}
    for i, kind in enumerate(FILTERS):
        if tables.get(kind):
            # GTKWave matches the displayed text: decimal, as the traces below
            filt[kind] = (i + 1, os.path.abspath(f"{base}_{'st' if kind == 'state' else kind}.txt"))
            write_atomic(filt[kind][1], "".join(f"{v} {n}\n" for v, n in sorted(tables[kind].items())))

    span = max(t1 - t0, 1)
    # Measured with GTKWave 3.3.118 at this [size]: the window shows about
    # 6.1 * 2^-zoom time units; view.tcl then sets the exact range.
    zoom = -math.log2(span / 6.1)
    named = [marks.get(chr(ord("A") + i), -1) for i in range(26)]
    out = ["[*]",
           f"[*] generated by sim/wave/gtkw_gen.py from {args.dump}; do not edit",
           f"[*] window: {what} (one cycle = {period:g} time units)",
           f"[*] wave_window {t0} {t1}",
           "[*]",
           f'[dumpfile] "{os.path.abspath(args.dump)}"',
           f'[savefile] "{os.path.abspath(args.output)}"',
           f"[timestart] {t0}",
           f"[size] {WIN_W} {WIN_H}",
           "[pos] -1 -1",
           f"*{zoom:.6f} {marks.get('A', -1)} " + " ".join(str(n) for n in named)]
    out += [f"[markername] {m}{name}" for m, name in
            (("A", "accept"), ("B", "first result"), ("C", "done")) if m in marks]
    out += ["[sst_width] 1", "[signals_width] 330", "[sst_expanded] 0", "[sst_vpaned_height] 100"]
    flags = None
    for group, sigs in groups:
        if not sigs:
            continue
        if group:
            out += [f"@{GRP_BEGIN:x}", f"-{group}"]
            flags = None
        for v, fmt, alias in sigs:
            if fmt in FILTERS:
                if fmt in filt:
                    out.append(f"^{filt[fmt][0]} {filt[fmt][1]}")
                    fl = FLAGS["dec"] | 0x2000
                else:
                    fl = FLAGS["dec"]
            else:
                fl = FLAGS[fmt]
            if fl != flags:
                out.append(f"@{fl:x}")
                flags = fl
            out.append(f"+{{{alias}{v.rng}}} {v.path}" if alias else v.path)
        if group:
            out += [f"@{GRP_END:x}", f"-{group}"]
            flags = None
    write_atomic(args.output, "\n".join(out) + "\n")
    n = sum(len(s) for _, s in groups)
    print(f"gtkw_gen: {args.output}: {n} signals in {sum(1 for g, s in groups if g and s)} groups, "
          f"window {t0}..{t1}: {what}")


def header_tables(path):
    """{"fmt": {id: name}, "cause": {code: name}} from a configuration's
    C header (rtl_gen's <cfg>_params.h: `#define NPE_FMT_INT4 0 /* int4 (wa) */`,
    `#define NPE_CAUSE_SHAPE 2`)."""
    fmt, cause = {}, {}
    try:
        with open(path) as f:
            text = f.read()
    except OSError as e:
        fail(f"--params {path}: {e.strerror} (run make rtl)")
    for m in re.finditer(r"^#define NPE_FMT_(\w+) (\d+)\s*/\* (\S+)", text, re.M):
        if not m.group(1).endswith(("_BITS", "_BLOCK", "_SHIFT")):
            fmt[int(m.group(2))] = m.group(3)
    for m in re.finditer(r"^#define NPE_CAUSE_(\w+) (\d+)", text, re.M):
        cause[int(m.group(2))] = m.group(1)
    if cause:
        cause.setdefault(0, "none")  # docs/protocol.md section 4: causes start at 1
    if not fmt:
        fail(f"--params {path}: no NPE_FMT_<name> <id> /* name */ lines (not rtl_gen's header?)")
    return {"fmt": fmt, "cause": cause}


def write_atomic(path, text):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


# ---------------------------------------------------------------- checking a view
def gtkw_signals(path):
    """(signal paths, group names, [(group, n signals)]) of a save file."""
    sigs, groups, stack = [], [], []
    with open(path) as f:
        lines = f.read().splitlines()
    prev_flags = 0
    for line in lines:
        if not line or line.startswith(("[", "*", "^")):
            continue
        if line.startswith("@"):
            prev_flags = int(line[1:], 16)
            continue
        if line.startswith("-"):
            if prev_flags & 0x800000:
                stack.append([line[1:], 0])
            elif prev_flags & 0x1000000 and stack:
                groups.append(tuple(stack.pop()))
            continue
        sig = line.split("} ", 1)[1] if line.startswith("+{") else line
        sigs.append(sig.strip())
        if stack:
            stack[-1][1] += 1
    return sigs, groups


def cmd_check(args):
    dump = Dump(args.dump)
    dump.close()
    have = {v.path for v in dump.vars}
    sigs, groups = gtkw_signals(args.gtkw)
    errs = [f"{args.gtkw} references {s}, which is not in {args.dump}" for s in sigs if s not in have]
    errs += [f"{args.gtkw}: group '{g}' is empty" for g, n in groups if n == 0]
    want = {g for g, _, _ in VIEW if g}
    errs += [f"{args.gtkw}: no group '{g}'" for g in sorted(want - {g for g, _ in groups})]
    scopes = find_scopes(dump.vars)
    names = {}
    for v in dump.vars:
        names.setdefault(v.scope, {})[v.name] = v
    for key, req in REQUIRED.items():
        if key not in scopes:
            errs.append(f"{args.dump}: no {key} scope found")
            continue
        for n in req:
            v = names[scopes[key]].get(n)
            if v is None:
                errs.append(f"{args.dump}: {scopes[key]}.{n} (promised by the view) is missing")
            elif v.path not in sigs:
                errs.append(f"{args.gtkw}: {v.path} is in the dump but not in the view")
    for e in errs:
        print(e)
    if errs:
        sys.exit(f"gtkw_gen check: {len(errs)} problem(s)")
    # GTKWave counts a group's opening and closing labels as traces too
    print(f"gtkw_gen check: {len(sigs)} signals in {len(groups)} groups "
          f"({len(sigs) + 2 * len(groups)} GTKWave traces), all in the dump")


def cmd_list(args):
    dump = Dump(args.dump)
    dump.close()
    for v in dump.vars:
        print(f"{v.path} {v.width} {v.kind}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("gen", help="write the view of a dump")
    g.add_argument("dump")
    g.add_argument("-o", "--output", required=True)
    g.add_argument("--params", help="the configuration's <cfg>_params.h: format and cause names")
    g.add_argument("--max-cycles", type=int, default=64, help="window length limit (64)")
    g.add_argument("--pre", type=int, default=4, help="cycles before the accept edge (4)")
    g.add_argument("--post", type=int, default=4, help="cycles after done (4)")
    c = sub.add_parser("check", help="check a view against a dump")
    c.add_argument("dump")
    c.add_argument("gtkw")
    ls = sub.add_parser("list", help="list the dump's signals")
    ls.add_argument("dump")
    args = ap.parse_args()
    {"gen": cmd_gen, "check": cmd_check, "list": cmd_list}[args.cmd](args)


if __name__ == "__main__":
    main()
