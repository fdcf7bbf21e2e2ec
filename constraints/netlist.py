"""constraints/netlist.py - a flat gate netlist mapped to a Liberty library.

Reads Yosys `write_json` output of a flattened, mapped design and offers
what the power flow does with it:
  * evaluate(): the combinational cells, in topological order, on bit
    vectors (Python ints, bit c = clock cycle c) given the primary inputs and
    the flip-flop outputs of every cycle: zero-delay gate-level values;
  * probabilistic(): the same walk with (duty, toggle rate) pairs instead of
    values: each cell's output toggle probability enumerated exactly over its
    inputs' (previous, current) states, inputs assumed independent;
  * write_verilog(): a plain structural netlist with short names (nets
    n<bit>, cells c<k>) that OpenSTA and Icarus read without escaping, with
    the original bus ports (for simulation) or with one flip-flop inserted
    behind every input port (for power: see constraints/power.py).
"""
import json
import re
from collections import defaultdict

import liberty

CONST = {"0": 0, "1": 1, "x": 0, "z": 0}  # x/z bits (undriven) are taken as 0


def bit_value(b, values, ones):
    """A net's bit vector: values[b] for a net, all ones or zeros for a
    constant (a name of CONST)."""
    return (ones if CONST[b] else 0) if isinstance(b, str) else values[b]


class Netlist:
    def __init__(self, path, top, cells_lib):
        mod = json.load(open(path))["modules"].get(top)
        if mod is None:
            raise ValueError(f"{path}: no module {top}")
        self.top = top
        self.lib = cells_lib
        # ports: name -> (direction, [bit]); split ports "w_data[3]" are regrouped
        self.ports = {}
        for name, p in mod["ports"].items():
            self.ports[name] = (p["direction"], p["bits"])
        self.cells = []  # (name, type, {pin: bit})
        for name, c in mod["cells"].items():
            if c["type"] not in cells_lib:
                raise ValueError(f"cell {name}: type {c['type']} is not in the library")
            conns = {}
            for pin, bits in c["connections"].items():
                if len(bits) != 1:
                    raise ValueError(f"cell {name} pin {pin}: {len(bits)} bits (expected 1)")
                conns[pin] = bits[0]
            self.cells.append((name, c["type"], conns))
        # public names of each bit: [(name, index)], index counted from the
        # wire's declared low bit (the JSON "offset")
        self.names = defaultdict(list)
        for name, n in mod["netnames"].items():
            if n.get("hide_name"):
                continue
            off = n.get("offset", 0)
            upto = n.get("upto", 0)
            w = len(n["bits"])
            base, bidx = split_index(name)
            for i, b in enumerate(n["bits"]):
                if not isinstance(b, int):
                    continue
                if w == 1 and bidx is not None:  # a bit of a split port: "out_acc[3]"
                    self.names[b].append((base, bidx))
                else:
                    self.names[b].append((name, (off + w - 1 - i) if upto else off + i))
        self._compile()

    # ------------------------------------------------------------ structure
    def _compile(self):
        self.seq, self.comb = [], []  # seq: (cell, D bit, Q bit)
        self.funcs = {}
        for name, typ, conns in self.cells:
            c = self.lib[typ]
            if c.latch or (c.ff and len(c.ff) > 3):
                raise ValueError(f"cell {name} ({typ}): latches and asynchronous "
                                 f"set/reset flip-flops are not supported by the power flow")
            if c.ff:
                if c.ff[2] != "CLK" or c.ff[1] != "D":
                    raise ValueError(f"cell {name} ({typ}): only rising-edge D flip-flops are supported")
                q = [p for p in c.outputs() if p.function == c.ff[0]]
                self.seq.append((name, conns["D"], conns[q[0].name]))
            else:
                for p in c.outputs():
                    if p.three_state:
                        raise ValueError(f"cell {name} ({typ}): tri-state outputs are not supported")
                    if typ not in self.funcs:
                        self.funcs[typ] = {o.name: liberty.parse_function(o.function)
                                           for o in c.outputs()}
                self.comb.append((name, typ, conns))
        # topological order of the combinational cells
        driver = {}
        for k, (name, typ, conns) in enumerate(self.comb):
            for o in self.lib[typ].outputs():
                driver[conns[o.name]] = k
        def deps(k):
            _, typ, conns = self.comb[k]
            for i in self.lib[typ].inputs():
                d = driver.get(conns.get(i.name))
                if d is not None:
                    yield d

        order, state = [], [0] * len(self.comb)  # 0 new, 1 on the path, 2 done
        for k0 in range(len(self.comb)):
            if state[k0]:
                continue
            state[k0] = 1
            stack = [(k0, deps(k0))]
            while stack:
                k, it = stack[-1]
                for d in it:
                    if state[d] == 0:
                        state[d] = 1
                        stack.append((d, deps(d)))
                        break
                    if state[d] == 1:
                        raise ValueError(f"combinational loop through cell {self.comb[d][0]}")
                else:
                    stack.pop()
                    state[k] = 2
                    order.append(k)
        self.order = order

    def comb_outputs(self):
        """The bits driven by combinational cells."""
        return {conns[o.name] for _, typ, conns in self.comb for o in self.lib[typ].outputs()}

    def input_bits(self):
        """[(port, index, bit)] of the input ports (clock included)."""
        out = []
        for name, (d, bits) in self.ports.items():
            if d == "input":
                base, idx = split_index(name)
                for i, b in enumerate(bits):
                    out.append((base, idx if idx is not None else i, b))
        return out

    def bus_ports(self):
        """Ports regrouped: {base: (direction, {index: bit}, is_bus)}."""
        buses = {}
        for name, (d, bits) in self.ports.items():
            base, idx = split_index(name)
            ent = buses.setdefault(base, (d, {}, idx is not None or len(bits) > 1))
            for i, b in enumerate(bits):
                ent[1][idx if idx is not None else i] = b
        return buses

    def nets(self):
        """Every bit that a cell or a port touches."""
        s = set()
        for _, _, conns in self.cells:
            s.update(b for b in conns.values() if isinstance(b, int))
        for _, bits in self.ports.values():
            s.update(b for b in bits if isinstance(b, int))
        return s

    def loads(self):
        """{bit: [(cell name, cell type, pin)]} of every cell input pin."""
        out = defaultdict(list)
        for name, typ, conns in self.cells:
            c = self.lib[typ]
            for p in c.inputs():
                b = conns.get(p.name)
                if isinstance(b, int):
                    out[b].append((name, typ, p.name))
        return out

    # ------------------------------------------------------------ evaluation
    def evaluate(self, values, ncycles):
        """Fill values[bit] for every combinational output, given values of
        the inputs and flip-flop outputs (bit vectors of ncycles bits)."""
        ones = (1 << ncycles) - 1
        for k in self.order:
            name, typ, conns = self.comb[k]
            env = {}
            for p in self.lib[typ].inputs():
                b = conns[p.name]
                env[p.name] = bit_value(b, values, ones)
            for o, tree in self.funcs[typ].items():
                values[conns[o]] = liberty.evaluate(tree, env, ones)
        return values

    def probabilistic(self, act):
        """Fill act[bit] = (duty, toggles per cycle) for every combinational
        output from the inputs' and flip-flops' act entries (lag-one model:
        each input independently; P(0->1) = P(1->0) = t/2)."""
        tables = {}
        for k in self.order:
            name, typ, conns = self.comb[k]
            ins = [p.name for p in self.lib[typ].inputs()]
            if typ not in tables:
                tables[typ] = {o: _truth(tree, ins) for o, tree in self.funcs[typ].items()}
            states = []  # per input: probabilities of (prev, cur) = 00, 01, 10, 11
            for p in ins:
                b = conns[p]
                d, t = ((1.0 if CONST[b] else 0.0), 0.0) if isinstance(b, str) else act[b]
                t = min(t, 2 * min(d, 1 - d))  # keep the four probabilities >= 0
                states.append((1 - d - t / 2, t / 2, t / 2, d - t / 2))
            n = len(ins)
            for o, truth in tables[typ].items():
                p_one, p_tog = 0.0, 0.0
                for prev in range(1 << n):
                    for cur in range(1 << n):
                        pr = 1.0
                        for i in range(n):
                            pr *= states[i][((prev >> i) & 1) * 2 + ((cur >> i) & 1)]
                            if pr == 0.0:
                                break
                        if pr == 0.0:
                            continue
                        if truth[cur]:
                            p_one += pr
                        if truth[prev] != truth[cur]:
                            p_tog += pr
                act[conns[o]] = (p_one, p_tog)
        return act

    # ------------------------------------------------------------ output
    def write_verilog(self, path, module, input_flops=False, flop_cell="DFFPOSX1", clock="clk"):
        """Structural Verilog with nets n<bit> and cells c<k>.  With
        input_flops, every input bit except the clock enters through a
        flip-flop pin_<k> (its D is the new port) and the ports are scalar
        (p_<name>_<index>); without, the original bus ports are kept.
        Returns ({cell name in the JSON: short name}, [(flop, port, bit)])."""
        buses = self.bus_ports()
        lines, decl, assigns = [], [], []
        port_list = []

        def net(b):
            return f"1'b{CONST[b]}" if isinstance(b, str) else f"n{b}"

        wires = set(self.nets())
        flops = []
        for base, (d, bits, is_bus) in sorted(buses.items()):
            width = max(bits) + 1
            if set(bits) != set(range(width)):
                raise ValueError(f"port {base}: bits {sorted(bits)} are not 0..{width - 1}")
            if input_flops and d == "input" and base != clock:
                for i in range(width):
                    pname = f"p_{base}_{i}"
                    port_list.append(pname)
                    decl.append(f"  input {pname};")
                    if isinstance(bits[i], int):
                        flops.append((pname, bits[i]))
                continue
            port_list.append(base)
            decl.append(f"  {d} [{width - 1}:0] {base};" if is_bus else f"  {d} {base};")
            for i in range(width):
                b = bits[i]
                ref = f"{base}[{i}]" if is_bus else base
                if d == "input":
                    if isinstance(b, int):
                        assigns.append(f"  assign n{b} = {ref};")
                else:
                    assigns.append(f"  assign {ref} = {net(b)};")
        names = {}
        body = []
        for k, (name, typ, conns) in enumerate(self.cells):
            short = f"c{k}"
            names[name] = short
            pins = ", ".join(f".{p}({net(b)})" for p, b in sorted(conns.items()))
            body.append(f"  {typ} {short} ({pins});")
        flop_list = []
        for k, (pname, b) in enumerate(flops):
            body.append(f"  {flop_cell} pin_{k} (.CLK(n{buses[clock][1][0]}), .D({pname}), .Q(n{b}));")
            flop_list.append((f"pin_{k}", pname, b))
        with open(path, "w") as f:
            f.write(f"// {module}: written by constraints/netlist.py from {self.top}\n")
            f.write(f"module {module} ({', '.join(port_list)});\n")
            f.write("\n".join(decl) + "\n")
            for b in sorted(wires):
                f.write(f"  wire n{b};\n")
            f.write("\n".join(assigns) + "\n")
            f.write("\n".join(body) + "\n")
            f.write("endmodule\n")
        return names, flop_list


def _truth(tree, ins):
    """Truth table of a function tree over the inputs (bit i = ins[i])."""
    out = []
    for v in range(1 << len(ins)):
        env = {p: (v >> i) & 1 for i, p in enumerate(ins)}
        out.append(liberty.evaluate(tree, env, 1))
    return out


def split_index(name):
    m = re.fullmatch(r"(.*)\[(\d+)\]", name)
    return (m.group(1), int(m.group(2))) if m else (name, None)
