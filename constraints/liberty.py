"""constraints/liberty.py - the few facts of a Liberty file the power flow needs.

Reads a .lib (the OSU 180 nm library of Debian's qflow-tech-osu018) into
Cell records: area, leakage, every pin's direction, capacitance and logic
function, and the ff group of sequential cells.  Liberty functions become
Python callables over big integers used as bit vectors (bit c = the value in
clock cycle c), so one call evaluates a cell for every cycle at once.

Function syntax (Liberty reference manual, "function" attribute): ! or a
postfix ' is NOT, & * or a space is AND, | or + is OR, ^ is XOR, 0/1 are
constants.  Precedence here: NOT > XOR > AND > OR; the OSU library
parenthesizes every expression, so no ambiguity is relied upon.
"""
import re

_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[A-Za-z0-9_.\-+\[\]]+|[{}():;,]')


class Pin:
    def __init__(self, name):
        self.name = name
        self.direction = None  # "input", "output", "internal"
        self.capacitance = 0.0  # pF (the library's capacitive_load_unit)
        self.function = None  # Liberty expression string, outputs only
        self.three_state = None


class Cell:
    def __init__(self, name):
        self.name = name
        self.area = 0.0
        self.leakage = 0.0
        self.pins = {}
        self.ff = None  # (state_var, next_state expr, clocked_on expr) or None
        self.latch = False

    def inputs(self):
        return [p for p in self.pins.values() if p.direction == "input"]

    def outputs(self):
        return [p for p in self.pins.values() if p.direction == "output"]


def _tokens(text):
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = text.replace("\\\n", " ")
    return _TOKEN.findall(text)


def _parse_group(toks, i):
    """Parse the body after '{' up to the matching '}'.  Returns (items, i):
    items are (name, args, value_or_children) with children a list for
    groups and a string for simple attributes."""
    items = []
    while i < len(toks):
        t = toks[i]
        if t == "}":
            return items, i + 1
        name = t
        i += 1
        if toks[i] == ":":
            val = toks[i + 1]
            i += 2
            if i < len(toks) and toks[i] == ";":
                i += 1
            items.append((name, None, val.strip('"')))
        elif toks[i] == "(":
            j = toks.index(")", i)
            args = [a.strip('"') for a in toks[i + 1:j] if a != ","]
            i = j + 1
            if i < len(toks) and toks[i] == "{":
                children, i = _parse_group(toks, i + 1)
                items.append((name, args, children))
            else:
                if i < len(toks) and toks[i] == ";":
                    i += 1
                items.append((name, args, None))
        else:
            i += 1  # stray token (e.g. a bare ';')
    return items, i


def read(path):
    """{cell name: Cell} of the library at path; plus the nominal voltage."""
    toks = _tokens(open(path).read())
    if toks[0] != "library":
        raise ValueError(f"{path}: not a Liberty library")
    k = toks.index("{")
    items, _ = _parse_group(toks, k + 1)
    cells, voltage = {}, None
    for name, args, val in items:
        if name == "nom_voltage":
            voltage = float(val)
        if name != "cell" or not isinstance(val, list):
            continue
        c = Cell(args[0])
        for n2, a2, v2 in val:
            if n2 == "area":
                c.area = float(v2)
            elif n2 == "cell_leakage_power":
                c.leakage = float(v2)
            elif n2 == "ff" and isinstance(v2, list):
                attrs = {n3: v3 for n3, _, v3 in v2 if not isinstance(v3, list)}
                c.ff = (a2[0], attrs.get("next_state"), attrs.get("clocked_on"))
                if "clear" in attrs or "preset" in attrs:
                    c.ff = c.ff + ("async",)
            elif n2 == "latch":
                c.latch = True
            elif n2 == "pin" and isinstance(v2, list):
                p = Pin(a2[0])
                for n3, _, v3 in v2:
                    if n3 == "direction":
                        p.direction = v3
                    elif n3 == "capacitance":
                        p.capacitance = float(v3)
                    elif n3 == "function":
                        p.function = v3
                    elif n3 == "three_state":
                        p.three_state = v3
                c.pins[p.name] = p
        cells[c.name] = c
    return cells, voltage


# ---------------------------------------------------------------- functions

def _expr_tokens(s):
    """Tokens with juxtaposition made explicit: a space between an operand's
    end and an operand's start is an AND."""
    raw = re.findall(r"[A-Za-z_][A-Za-z0-9_]*|[01]|[!'&*|+^()]|\s+", s)
    out = []
    for k, t in enumerate(raw):
        if t.isspace():
            prev = out[-1] if out else None
            nxt = raw[k + 1] if k + 1 < len(raw) else None
            if (prev is not None and nxt is not None
                    and (prev in (")", "'") or re.match(r"[A-Za-z_01]", prev))
                    and (nxt in ("(", "!") or re.match(r"[A-Za-z_01]", nxt))):
                out.append("&")
            continue
        out.append(t)
    return out


class _P:
    """Recursive-descent parser of a Liberty function into a tree:
    ("var", name) | ("const", 0/1) | ("not", x) | (op, a, b), op in and/or/xor."""

    def __init__(self, s):
        self.t = _expr_tokens(s)
        self.i = 0

    def peek(self):
        return self.t[self.i] if self.i < len(self.t) else None

    def parse(self):
        e = self.or_()
        if self.peek() is not None:
            raise ValueError(f"unexpected {self.peek()!r}")
        return e

    def or_(self):
        e = self.and_()
        while self.peek() in ("|", "+"):
            self.i += 1
            e = ("or", e, self.and_())
        return e

    def and_(self):
        e = self.xor_()
        while self.peek() in ("&", "*"):
            self.i += 1
            e = ("and", e, self.xor_())
        return e

    def xor_(self):
        e = self.unary()
        while self.peek() == "^":
            self.i += 1
            e = ("xor", e, self.unary())
        return e

    def unary(self):
        t = self.peek()
        self.i += 1
        if t == "!":
            e = ("not", self.unary())
        elif t == "(":
            e = self.or_()
            if self.peek() != ")":
                raise ValueError("missing )")
            self.i += 1
        elif t in ("0", "1"):
            e = ("const", int(t))
        elif t and re.match(r"[A-Za-z_]", t):
            e = ("var", t)
        else:
            raise ValueError(f"unexpected {t!r}")
        while self.peek() == "'":
            self.i += 1
            e = ("not", e)
        return e


def parse_function(s):
    return _P(s).parse()


def evaluate(tree, env, ones):
    """Value of the tree with env[var] = int bit vectors; ones = all-ones mask."""
    op = tree[0]
    if op == "var":
        return env[tree[1]]
    if op == "const":
        return ones if tree[1] else 0
    if op == "not":
        return evaluate(tree[1], env, ones) ^ ones
    a, b = evaluate(tree[1], env, ones), evaluate(tree[2], env, ones)
    return a & b if op == "and" else a | b if op == "or" else a ^ b
