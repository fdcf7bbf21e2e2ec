/*
 * rtl_gen/emit_coproc.c - <prefix>coproc: the AXI matrix co-processor
 * around the engine.  The interface, stream layout, errors and cycle model
 * are docs/protocol.md; the structure is docs/architecture.md section 8.
 *
 *   s_axis --> input FSM --+--> activation banks (2) ---+
 *                          +--> scale buffers (MX) -----+--> stage reg --> engine
 *                          +--> weight beat ------------+        |
 *                                                                v (out_valid, tag pipe)
 *   m_axis <-- output register <-- row-group packer <-- result buffer (RESULT_DEPTH groups)
 *
 * The engine has no stall input, so the core never stalls it: a row
 * group's last weight beat is accepted only while a result slot is free
 * (a credit), and every group that enters the engine has a place to land.
 * Rows the core cannot compute (protocol errors) are pushed into the
 * result buffer as "not computed" entries once the engine pipeline is
 * empty, so results always leave in row order.
 */
#include <stdio.h>
#include <stdlib.h>

#include "rtl_gen.h"

void emit_regs(emitter *e, const arch *a);  /* emit_regs.c */
void emit_regs_decls(emitter *e);           /* emit_regs.c */

static int div_up(int a, int b) { return (a + b - 1) / b; }
static int w1(int v) { return imax(1, bits_for(v)); } /* width of 0..v, at least 1 */

/* Verilog function mapping a 4-bit format id to a constant per enabled
 * format (others: dflt). */
static void fmt_function(emitter *e, const char *name, int width, fmt_mask fmts,
                         long long (*val)(fmt_id), long long dflt) {
    em_printf(e, "function [%d:0] %s;\n    input [3:0] f;\n    begin\n        case (f)\n",
              width - 1, name);
    for (int f = 0; f < FMT_COUNT; f++)
        if (fmts & FMT_BIT(f))
            em_printf(e, "        4'd%d: %s = %s;  // %s\n", f, name, v_const(width, val((fmt_id)f)),
                      fmt_get((fmt_id)f)->name);
    em_printf(e, "        default: %s = %s;\n        endcase\n    end\nendfunction\n", name,
              v_const(width, dflt));
}
static long long ecls_of(fmt_id f) { return fmt_get(f)->bits == 4 ? 0 : fmt_get(f)->bits == 8 ? 1 : 2; }
static long long ovp_of(fmt_id f) { return fmt_get(f)->family == FAM_OVP; }
static long long mx_of(fmt_id f) { return fmt_get(f)->block > 0; }
static const arch *g_arch; /* for pairs_of (fmt_function's callback takes only the format) */
static long long pairs_of(fmt_id f) { return (long long)g_arch->pair_ok[f]; }

static void ports(const arch *a, v_port *pt, int *n) {
    const rtl_cfg *c = a->cfg;
    const char *w = S("%d", c->stream_w), *k = S("%d", c->stream_w / 8);
    v_port list[] = {
        {"input", "", "aclk", "clock"},
        {"input", "", "aresetn", "synchronous reset, active low"},
        {"input", "12", "s_axil_awaddr", "AXI4-Lite write address (byte)"},
        {"input", "3", "s_axil_awprot", "(not used)"},
        {"input", "", "s_axil_awvalid", ""},
        {"output", "", "s_axil_awready", ""},
        {"input", "32", "s_axil_wdata", "AXI4-Lite write data"},
        {"input", "4", "s_axil_wstrb", "byte enables (honoured)"},
        {"input", "", "s_axil_wvalid", ""},
        {"output", "", "s_axil_wready", ""},
        {"output", "2", "s_axil_bresp", "always OKAY"},
        {"output", "", "s_axil_bvalid", ""},
        {"input", "", "s_axil_bready", ""},
        {"input", "12", "s_axil_araddr", "AXI4-Lite read address (byte)"},
        {"input", "3", "s_axil_arprot", "(not used)"},
        {"input", "", "s_axil_arvalid", ""},
        {"output", "", "s_axil_arready", ""},
        {"output", "32", "s_axil_rdata", "AXI4-Lite read data"},
        {"output", "2", "s_axil_rresp", "always OKAY"},
        {"output", "", "s_axil_rvalid", ""},
        {"input", "", "s_axil_rready", ""},
        {"input", w, "s_axis_tdata", "job stream: activations, scales, weights"},
        {"input", k, "s_axis_tkeep", "(not checked: XDMA H2C sends whole beats)"},
        {"input", "", "s_axis_tlast", "last beat of a job"},
        {"input", "", "s_axis_tvalid", ""},
        {"output", "", "s_axis_tready", ""},
        {"output", w, "m_axis_tdata", "result stream: row groups of RW-word rows"},
        {"output", k, "m_axis_tkeep", "all ones but on the job's last beat"},
        {"output", "", "m_axis_tlast", "last beat of a job's results"},
        {"output", "", "m_axis_tvalid", ""},
        {"input", "", "m_axis_tready", ""},
        {"output", "", "irq", "interrupt: GIE & |(IER & ISR), registered (\"interrupt\" is a C++ word)"},
    };
    *n = (int)(sizeof list / sizeof list[0]);
    for (int i = 0; i < *n; i++)
        pt[i] = list[i];
}

void emit_coproc(emitter *e, const arch *a) {
    const rtl_cfg *c = a->cfg;
    const coproc_plan *p = &a->cp;
    g_arch = a;
    const int W = c->stream_w, L = c->lanes, J = c->j, SW = 16 * J, B8 = W / 8;
    const int EW = p->ew, BW = p->bw, AAW = p->act_aw, Q = p->depth;
    const int NRW = w1(L), QW = w1(Q), PW = w1(Q - 1), GB = p->group_beats, OBW = w1(GB - 1);
    const int SLW = w1(L - 1), WCW = w1(2 * J - 1), ABW = w1(B8 - 1);
    const int WSAW = w1(p->wsc_entries - 1), ASAW = w1(p->asc_entries - 1);
    const int RW = p->rw, W32 = p->w32, AW = c->acc_w, XW = 32 * (RW - 1);
    const int MXW = p->mx_w, MXA = p->mx_a;
    const int RB = 25; /* row base: 24-bit rows + a carry */
    const int GSW = w1(2 * J); /* groups per weight-scale set: up to 2J (protocol.md section 2) */
    const int LG = bits_for(2 * J) - 1; /* log2(2J): MX formats force J*P | 32, so J is a power of 2 */
    const int SBW = EW - 5;             /* width of nblk and of a set's beat count */
    if (MXW && (2 * J) != (1 << LG)) {
        fprintf(stderr, "rtl_gen: internal: MX weights with J = %d (not a power of 2)\n", J);
        abort();
    }

    const char *detail = S(
        "AXI4-Lite registers (rtl_gen/regs.def), AXI4-Stream job input and result output around\n"
        "%s (%d lanes x %d units, STREAM_W %d).  docs/protocol.md is the interface; the cycle model\n"
        "(COPROC_LATENCY %d, RESULT_DEPTH %d) is its section 5.",
        a->mod_engine, L, J, W, p->latency, Q);
    v_file_begin(e, S("%s.v", a->mod_coproc), "the AXI matrix co-processor", detail);
    v_port pt[40];
    int np;
    ports(a, pt, &np);
    v_module_begin(e, a->mod_coproc, NULL, 0, pt, np);

    /* ---------------------------------------------------------- declarations */
    v_section(e, "Reset: aresetn, or a one-cycle SOFT_RESET pulse (CTRL[4])");
    emit_regs_decls(e);
    em_printf(e, "wire srst = !aresetn || soft_rst_req;\n\n");
    em_printf(e,
              "// events from the core to the register file\n"
              "wire        job_accept;    // the programmed job is latched (AP_READY)\n"
              "wire        job_done;      // a job's last result beat was sent (AP_DONE)\n"
              "wire        job_done_err;  // ... and that job had an error\n"
              "wire        err_event;     // an error was detected this cycle\n"
              "wire [7:0]  err_cause;     // its cause (docs/protocol.md section 4)\n"
              "wire [3:0]  res_flags;     // flags of the real rows landing this cycle\n"
              "wire        idle;          // AP_IDLE: no job in flight\n");
    em_printf(e, "wire [63:0] pc_BUSY_inc, pc_IN_STALL_inc, pc_OUT_STALL_inc, pc_BEATS_IN_inc,\n"
                 "            pc_BEATS_OUT_inc, pc_MACS_inc;\n\n");

    emit_regs(e, a);

    /* ---------------------------------------------------------- formats */
    v_section(e, "Format properties (kernels_ref/formats.def) and job checks");
    fmt_mask en = c->wfmts | c->afmts;
    fmt_function(e, "f_ecls", 2, en, ecls_of, 0);
    fmt_function(e, "f_ovp", 1, en, ovp_of, 0);
    fmt_function(e, "f_mx", 1, en, mx_of, 0);
    fmt_function(e, "f_pairs", 16, c->wfmts, pairs_of, 0);
    em_printf(e,
              "wire [15:0] p_pairs = f_pairs(r_fmt_w);  // activation formats paired with the weights\n"
              "wire        p_fmt_ok = p_pairs[r_fmt_a];\n"
              "wire        p_shape_ok = r_rows != 24'd0 && r_cols != 32'd0 && r_cols <= 32'd%d;\n"
              "wire [1:0]  p_ecls = f_ecls(r_fmt_w) > f_ecls(r_fmt_a) ? f_ecls(r_fmt_w) : f_ecls(r_fmt_a);\n"
              "// S: elements per step (J units of 16/E elements)\n"
              "wire [%d:0] p_s = p_ecls == 2'd0 ? %s : p_ecls == 2'd1 ? %s : %s;\n"
              "// padded row length: an OVP row of odd K carries its pad code (K+1)\n"
              "wire [%d:0] p_keff = r_cols[%d:0] + {%d'd0, (f_ovp(r_fmt_w) | f_ovp(r_fmt_a)) & r_cols[0]};\n"
              "wire [%d:0] p_nblk = r_cols[%d:0] + %s;  // ceil(K/32) << 5\n\n",
              c->k_max, EW - 1, v_const(EW, 4 * J), v_const(EW, 2 * J), v_const(EW, J), EW - 1,
              EW - 1, EW - 1, EW - 1, EW - 1, v_const(EW, 31));

    /* ---------------------------------------------------------- input FSM state */
    v_section(e, "Input side: the job's beats (docs/protocol.md section 2)");
    em_printf(e,
              "localparam [2:0] S_IDLE = 3'd0,  // no job\n"
              "                 S_ACT = 3'd1,   // activation beats\n"
              "                 S_ASC = 3'd2,   // activation block scales (MX)\n"
              "                 S_WSC = 3'd3,   // a row group's weight block scales (MX)\n"
              "                 S_W = 3'd4,     // a row group's weight steps\n"
              "                 S_DRAIN = 3'd5, // discard beats up to TLAST\n"
              "                 S_NC = 3'd6;    // push not-computed row groups\n"
              "reg  [2:0]  st;\n"
              "reg         nc_after;     // S_DRAIN is followed by S_NC (a refused job)\n"
              "reg  [23:0] j_rows;       // rows (at least 1: a refused job of 0 rows returns one)\n"
              "reg  [%d:0] j_cols, j_keff, j_s;\n"
              "reg  [3:0]  j_wf, j_af;\n"
              "reg         j_wsi, j_asi;  // weight / activation block scales come inline\n"
              "reg         j_bank;        // activation bank of the job\n"
              "reg  [%d:0] r0;            // first row of the current group\n"
              "reg  [%d:0] ce;            // element count: activation load / weight steps\n"
              "reg  [%d:0] act_wi;        // activation bank write index\n"
              "reg  [%d:0] act_ri;        // activation read: bank entry ...\n"
              "reg  [%d:0] act_rs;        // ... and step word in it\n",
              EW - 1, RB - 1, EW - 1, AAW - 1, AAW - 1, SLW - 1);
    if (MXA)
        em_printf(e, "reg  [%d:0] j_nblk;        // MX blocks per row\n", BW - 1);
    if (MXW)
        em_printf(e, "reg  [%d:0] j_sb;          // beats of a weight-scale set: lcm(nblk, 2J) / 2J\n",
                  SBW - 1);
    if (MXA)
        em_printf(e, "reg  [%d:0] sc_b;          // activation scale bytes received\n", BW - 1);
    if (MXA)
        em_printf(e,
                  "reg  [%d:0] asc_wi, asc_ri; // activation-scale bank entry: write / read\n"
                  "reg  [%d:0] asc_rb;         // byte of the entry being read\n",
                  ASAW - 1, ABW - 1);
    if (MXW)
        em_printf(e,
                  "reg  [%d:0] wsc_wi, wsc_ri; // weight-scale buffer entry: write / read\n"
                  "reg  [%d:0] wsc_rc;         // L-byte chunk of the entry being read\n"
                  "reg  [%d:0] j_gs, g_set;    // row groups per weight-scale set, this group's place in it\n",
                  WSAW - 1, WCW - 1, GSW - 1);
    em_printf(e, "reg  [%d:0] credits_used;  // result slots taken (<= %d)\n", QW - 1, Q);

    em_printf(e,
              "wire [%d:0] r_left = {1'b0, j_rows} - r0;\n"
              "wire        g_last = r_left <= %s;  // the current group is the job's last\n"
              "wire [%d:0] g_nr = g_last ? r_left[%d:0] : %s;  // its real rows\n"
              "wire [%d:0] ce_step = ce + j_s;\n"
              "wire        w_lstep = ce_step >= j_keff;  // the weight beat is its row's last step\n"
              "wire        w_blk = w_lstep || ce_step[4:0] == 5'd0;  // it closes an MX block\n"
              "wire        credit_ok = credits_used != %s;\n",
              RB - 1, v_const(RB, L), NRW - 1, NRW - 1, v_const(NRW, L), EW - 1, v_const(QW, Q));
    em_printf(e,
              "wire        eng_busy;  // a row group's result is on its way through the engine\n"
              "assign s_axis_tready = st == S_ACT || st == S_ASC || st == S_WSC || st == S_DRAIN\n"
              "                    || (st == S_W && (!w_lstep || credit_ok));\n"
              "wire        s_fire = s_axis_tvalid && s_axis_tready;\n"
              "wire        job_end_beat = st == S_W && w_lstep && g_last;  // the job's last beat\n"
              "wire        early_tlast = s_fire && s_axis_tlast && !job_end_beat\n"
              "                       && st != S_DRAIN;\n"
              "wire        w_issue = s_fire && st == S_W && !early_tlast;  // a step enters the engine\n"
              "wire        nc_push = st == S_NC && credit_ok && !eng_busy;\n"
              "wire        in_free = st == S_IDLE || (w_issue && job_end_beat && s_axis_tlast);\n"
              "assign job_accept = start_req && in_free;\n"
              );
    em_printf(e, "reg  [%d:0] j_ls;  // L*S: elements per activation beat\n", EW - 1);
    em_printf(e, "wire [%d:0] p_ls = p_ecls == 2'd0 ? %s : p_ecls == 2'd1 ? %s : %s;\n",
              EW - 1, v_const(EW, 4 * J * L), v_const(EW, 2 * J * L), v_const(EW, J * L));
    em_printf(e, "wire        act_last = ce + j_ls >= j_keff;  // the last activation beat\n");
    if (MXW) {
        /* GS = 2J / gcd(nblk, 2J) groups per set, a set = nblk / gcd beats;
         * gcd = 2^min(ctz(nblk), log2 2J), from nblk's low log2(2J) bits */
        em_printf(e, "reg  [%d:0] p_gs;  // row groups per weight-scale set of the programmed job\n"
                     "reg  [%d:0] p_gsh; // log2 gcd(nblk, 2J)\n"
                     "always @* begin\n    case (p_nblk[%d:5])\n",
                  GSW - 1, w1(LG) - 1, 4 + LG);
        for (int v = 0; v < (1 << LG); v++) {
            int sh = 0;
            while (sh < LG && !((v >> sh) & 1))
                sh++;
            em_printf(e, "    %s: begin p_gs = %s; p_gsh = %s; end\n", v_const(LG, v),
                      v_const(GSW, (2 * J) >> sh), v_const(w1(LG), sh));
        }
        em_printf(e, "    default: begin p_gs = %s; p_gsh = %s; end\n    endcase\nend\n",
                  v_const(GSW, 1), v_const(w1(LG), 0));
        em_printf(e, "wire [%d:0] p_sb = p_nblk[%d:5] >> p_gsh;  // beats of a set\n", SBW - 1, EW - 1);
    }
    if (MXA)
        em_printf(e, "wire [%d:0] sc_next = sc_b + %s;  // W/8 scale bytes per beat\n", BW - 1,
                  v_const(BW, B8));
    if (MXA)
        em_printf(e, "wire        asc_last = sc_next >= j_nblk;\n");
    if (MXW)
        em_printf(e, "wire        wsc_last = %s == %s;  // the set's last scale beat\n",
                  v_zext("wsc_wi", WSAW, imax(WSAW, SBW) + 1), S("%s - %s", v_zext("j_sb", SBW, imax(WSAW, SBW) + 1), v_const(imax(WSAW, SBW) + 1, 1)));
    /* where the FSM goes after the activations, and after a row group */
    const char *after_act = MXA ? (MXW ? "j_asi ? S_ASC : j_wsi ? S_WSC : S_W" : "j_asi ? S_ASC : S_W")
                                : (MXW ? "j_wsi ? S_WSC : S_W" : "S_W");
    const char *after_grp = MXW ? "j_wsi ? S_WSC : S_W" : "S_W";
    em_printf(e,
              "wire        refuse = job_accept && !(p_fmt_ok && p_shape_ok);\n"
              "wire        missing_tlast = w_issue && job_end_beat && !s_axis_tlast;\n"
              "wire        alloc = (w_issue && w_lstep) || nc_push;  // a result slot is taken\n"
              "wire        rb_pop;  // ... and one is given back (a group's last beat was loaded)\n\n");

    em_printf(e, "always @(posedge aclk) begin\n");
    em_indent(e);
    em_printf(e, "if (srst) begin\n"
                 "    st <= S_IDLE;\n    nc_after <= 1'b0;\n    j_bank <= 1'b0;\n"
                 "    credits_used <= %s;\n"
                 "end else begin\n", v_const(QW, 0));
    em_indent(e);
    em_printf(e, "credits_used <= credits_used + {%s, alloc} - {%s, rb_pop};\n",
              QW > 1 ? S("%d'd0", QW - 1) : "", QW > 1 ? S("%d'd0", QW - 1) : "");
    em_printf(e, "case (st)\n");
    em_indent(e);
    /* S_ACT */
    em_printf(e, "S_ACT: if (s_fire) begin\n");
    em_indent(e);
    em_printf(e, "act_wi <= act_wi + %s;\nce <= act_last ? %s : ce + j_ls;\n", v_const(AAW, 1),
              v_const(EW, 0));
    em_printf(e, "if (early_tlast) st <= S_NC;\nelse if (act_last) st <= %s;\n", after_act);
    em_dedent(e);
    em_printf(e, "end\n");
    if (MXA) {
        em_printf(e, "S_ASC: if (s_fire) begin\n");
        em_indent(e);
        em_printf(e, "asc_wi <= asc_wi + %s;\nsc_b <= asc_last ? %s : sc_next;\n",
                  v_const(ASAW, 1), v_const(BW, 0));
        em_printf(e, "if (early_tlast) st <= S_NC;\nelse if (asc_last) st <= %s;\n",
                  MXW ? "j_wsi ? S_WSC : S_W" : "S_W");
        em_dedent(e);
        em_printf(e, "end\n");
    }
    if (MXW) {
        em_printf(e, "S_WSC: if (s_fire) begin\n");
        em_indent(e);
        em_printf(e, "wsc_wi <= wsc_wi + %s;\n", v_const(WSAW, 1));
        em_printf(e, "if (early_tlast) st <= S_NC;\nelse if (wsc_last) st <= S_W;\n");
        em_dedent(e);
        em_printf(e, "end\n");
    }
    /* S_W */
    em_printf(e, "S_W: if (s_fire) begin\n");
    em_indent(e);
    em_printf(e, "if (early_tlast) begin\n    st <= S_NC;\nend else if (w_lstep) begin\n");
    em_indent(e);
    em_printf(e, "ce <= %s;\nact_ri <= %s;\nact_rs <= %s;\nr0 <= r0 + %s;\n", v_const(EW, 0),
              v_const(AAW, 0), v_const(SLW, 0), v_const(RB, L));
    if (MXA)
        em_printf(e, "asc_ri <= %s;\nasc_rb <= %s;\n", v_const(ASAW, 0), v_const(ABW, 0));
    if (MXW) { /* the last step closes the group's last block; the next group
                * of a set reads on, a new set starts from entry 0 */
        em_printf(e, "if (wsc_rc == %s) begin\n    wsc_rc <= %s;\n    wsc_ri <= wsc_ri + %s;\n"
                     "end else begin\n    wsc_rc <= wsc_rc + %s;\nend\n",
                  v_const(WCW, 2 * J - 1), v_const(WCW, 0), v_const(WSAW, 1), v_const(WCW, 1));
        em_printf(e, "if (g_last) st <= s_axis_tlast ? S_IDLE : S_DRAIN;  // MISSING_TLAST: drain\n"
                     "else if (j_wsi && g_set + %s == j_gs) begin  // the next group starts a scale set\n"
                     "    st <= S_WSC;\n    g_set <= %s;\n    wsc_ri <= %s;\n    wsc_rc <= %s;\n"
                     "    wsc_wi <= %s;\nend else begin  // its scales are in the buffer already\n"
                     "    st <= S_W;\n    g_set <= g_set + %s;\nend\n",
                  v_const(GSW, 1), v_const(GSW, 0), v_const(WSAW, 0), v_const(WCW, 0),
                  v_const(WSAW, 0), v_const(GSW, 1));
    } else {
        em_printf(e, "if (g_last) st <= s_axis_tlast ? S_IDLE : S_DRAIN;  // MISSING_TLAST: drain\n"
                     "else st <= %s;\n", after_grp);
    }
    em_dedent(e);
    em_printf(e, "end else begin\n");
    em_indent(e);
    em_printf(e, "ce <= ce_step;\n");
    if (L > 1)
        em_printf(e, "if (act_rs == %s) begin\n    act_rs <= %s;\n    act_ri <= act_ri + %s;\n"
                     "end else begin\n    act_rs <= act_rs + %s;\nend\n",
                  v_const(SLW, L - 1), v_const(SLW, 0), v_const(AAW, 1), v_const(SLW, 1));
    else
        em_printf(e, "act_ri <= act_ri + %s;\n", v_const(AAW, 1));
    if (MXA)
        em_printf(e, "if (w_blk) begin\n    if (asc_rb == %s) begin\n        asc_rb <= %s;\n"
                     "        asc_ri <= asc_ri + %s;\n    end else begin\n"
                     "        asc_rb <= asc_rb + %s;\n    end\nend\n",
                  v_const(ABW, B8 - 1), v_const(ABW, 0), v_const(ASAW, 1), v_const(ABW, 1));
    if (MXW)
        em_printf(e, "if (w_blk) begin\n    if (wsc_rc == %s) begin\n        wsc_rc <= %s;\n"
                     "        wsc_ri <= wsc_ri + %s;\n    end else begin\n"
                     "        wsc_rc <= wsc_rc + %s;\n    end\nend\n",
                  v_const(WCW, 2 * J - 1), v_const(WCW, 0), v_const(WSAW, 1), v_const(WCW, 1));
    em_dedent(e);
    em_printf(e, "end\n");
    em_dedent(e);
    em_printf(e, "end\n");
    /* S_DRAIN, S_NC */
    em_printf(e, "S_DRAIN: if (s_fire && s_axis_tlast) st <= nc_after ? S_NC : S_IDLE;\n");
    em_printf(e, "S_NC: if (nc_push) begin\n    r0 <= r0 + %s;\n    if (g_last) st <= S_IDLE;\nend\n",
              v_const(RB, L));
    em_printf(e, "default: ;\n");
    em_dedent(e);
    em_printf(e, "endcase\n");
    /* job acceptance wins over the end of the previous job */
    em_printf(e, "if (job_accept) begin\n");
    em_indent(e);
    em_printf(e,
              "j_rows <= r_rows == 24'd0 ? 24'd1 : r_rows;\n"
              "j_cols <= r_cols[%d:0];\nj_keff <= p_keff;\nj_s <= p_s;\nj_ls <= p_ls;\n"
              "j_wf <= r_fmt_w;\nj_af <= r_fmt_a;\n"
              "r0 <= %s;\nce <= %s;\nact_wi <= %s;\nact_ri <= %s;\nact_rs <= %s;\n",
              EW - 1, v_const(RB, 0), v_const(EW, 0), v_const(AAW, 0), v_const(AAW, 0),
              v_const(SLW, 0));
    if (MXA)
        em_printf(e, "j_nblk <= %s;\nsc_b <= %s;\n", v_zext(S("p_nblk[%d:5]", EW - 1), EW - 5, BW),
                  v_const(BW, 0));
    if (MXW)
        em_printf(e, "j_gs <= p_gs;\ng_set <= %s;\nj_sb <= p_sb;\n", v_const(GSW, 0));

    if (MXA)
        em_printf(e, "j_asi <= f_mx(r_fmt_a) & r_scale_inline;\nasc_wi <= %s;\nasc_ri <= %s;\n"
                     "asc_rb <= %s;\n", v_const(ASAW, 0), v_const(ASAW, 0), v_const(ABW, 0));
    else
        em_printf(e, "j_asi <= 1'b0;\n");
    if (MXW)
        em_printf(e, "j_wsi <= f_mx(r_fmt_w) & r_scale_inline;\nwsc_wi <= %s;\nwsc_ri <= %s;\n"
                     "wsc_rc <= %s;\n", v_const(WSAW, 0), v_const(WSAW, 0), v_const(WCW, 0));
    else
        em_printf(e, "j_wsi <= 1'b0;\n");
    em_printf(e, "if (refuse) begin\n    st <= S_DRAIN;  // consume the job's input, then its rows\n"
                 "    nc_after <= 1'b1;\nend else begin\n    st <= S_ACT;\n    nc_after <= 1'b0;\n"
                 "    j_bank <= ~j_bank;  // the other activation bank\nend\n");
    em_dedent(e);
    em_printf(e, "end\n");
    em_dedent(e);
    em_printf(e, "end\n");
    em_dedent(e);
    em_printf(e, "end\n\n");
    if (!MXW && !MXA)
        em_printf(e, "wire unused_p_nblk = ^p_nblk;  // no MX format in this configuration\n");
    else
        em_printf(e, "wire unused_p_nblk = ^p_nblk[4:0];  // ceil(K/32): bits below 32 dropped\n");
    em_printf(e, "wire unused_j = ^{j_wsi, j_asi};  // (read only where MX formats exist)\n\n");

    /* ---------------------------------------------------------- buffers */
    v_section(e, "Activation banks and block-scale buffers (registered reads: BRAM-style)");
    em_printf(e, "reg  [%d:0] act_mem [0:%d];  // bank j_bank at entries {j_bank, index}\n", W - 1,
              2 * (1 << AAW) - 1);
    em_printf(e, "reg  [%d:0] act_q;\n", W - 1);
    em_printf(e, "always @(posedge aclk) begin\n"
                 "    if (s_fire && st == S_ACT) act_mem[{j_bank, act_wi}] <= s_axis_tdata;\n"
                 "    if (w_issue) act_q <= act_mem[{j_bank, act_ri}];\n"
                 "end\n");
    if (MXA) {
        em_printf(e, "reg  [%d:0] asc_mem [0:%d];\nreg  [%d:0] asc_q;\n", W - 1,
                  2 * (1 << ASAW) - 1, W - 1);
        em_printf(e, "always @(posedge aclk) begin\n"
                     "    if (s_fire && st == S_ASC) asc_mem[{j_bank, asc_wi}] <= s_axis_tdata;\n"
                     "    if (w_issue) asc_q <= asc_mem[{j_bank, asc_ri}];\n"
                     "end\n");
    }
    if (MXW) {
        em_printf(e, "reg  [%d:0] wsc_mem [0:%d];\nreg  [%d:0] wsc_q;\n", W - 1,
                  (1 << WSAW) - 1, W - 1);
        em_printf(e, "always @(posedge aclk) begin\n"
                     "    if (s_fire && st == S_WSC) wsc_mem[wsc_wi] <= s_axis_tdata;\n"
                     "    if (w_issue) wsc_q <= wsc_mem[wsc_ri];\n"
                     "end\n");
    }
    em_printf(e, "\n");

    /* ---------------------------------------------------------- stage register */
    v_section(e, "Stage register: one step into the engine per accepted weight beat");
    const int TW = NRW + 2; /* tag: real rows, last group of the job, MISSING_TLAST */
    em_printf(e,
              "reg         e_valid, e_first, e_last, e_blk;\n"
              "reg  [%d:0] e_w;\nreg  [3:0]  e_wf, e_af;\nreg  [%d:0] e_rs;\n"
              "reg  [%d:0] e_tag;  // {MISSING_TLAST, last group, real rows}\n",
              W - 1, SLW - 1, TW - 1);
    if (MXA)
        em_printf(e, "reg         e_asi;\nreg  [%d:0] e_ab;\n", ABW - 1);
    if (MXW)
        em_printf(e, "reg         e_wsi;\nreg  [%d:0] e_wc;\n", WCW - 1);
    em_printf(e, "always @(posedge aclk) begin\n");
    em_indent(e);
    em_printf(e, "e_valid <= !srst && w_issue;\nif (w_issue) begin\n");
    em_indent(e);
    em_printf(e, "e_first <= ce == %s;\ne_last <= w_lstep;\ne_blk <= w_blk;\ne_w <= s_axis_tdata;\n"
                 "e_wf <= j_wf;\ne_af <= j_af;\ne_rs <= act_rs;\n"
                 "e_tag <= {missing_tlast, g_last, g_nr};\n", v_const(EW, 0));
    if (MXA)
        em_printf(e, "e_asi <= j_asi;\ne_ab <= asc_rb;\n");
    if (MXW)
        em_printf(e, "e_wsi <= j_wsi;\ne_wc <= wsc_rc;\n");
    em_dedent(e);
    em_printf(e, "end\n");
    em_dedent(e);
    em_printf(e, "end\n");
    /* step word e_rs of the activation entry */
    em_printf(e, "reg  [%d:0] e_a;\nalways @* begin\n    case (e_rs)\n", SW - 1);
    for (int l = 0; l < L; l++)
        em_printf(e, "    %s: e_a = act_q[%d:%d];\n", v_const(SLW, l), SW * (l + 1) - 1, SW * l);
    em_printf(e, "    default: e_a = %s;\n    endcase\nend\n", v_const(SW, 0));
    if (L * SW < W)
        em_printf(e, "wire unused_act_q = ^act_q[%d:%d];\n", W - 1, L * SW);
    if (MXW) {
        em_printf(e, "reg  [%d:0] e_wsc;  // chunk e_wc: the L lanes' scales of the block\n"
                     "always @* begin\n    case (e_wc)\n", 8 * L - 1);
        for (int k = 0; k < 2 * J; k++)
            em_printf(e, "    %s: e_wsc = wsc_q[%d:%d];\n", v_const(WCW, k), 8 * L * (k + 1) - 1,
                      8 * L * k);
        em_printf(e, "    default: e_wsc = %s;\n    endcase\nend\n", v_const(8 * L, 0));
        em_printf(e, "wire [%d:0] e_wscale = e_wsi ? e_wsc : {%d{8'd127}};  // 2^0 without inline scales\n",
                  8 * L - 1, L);
    } else {
        em_printf(e, "wire [%d:0] e_wscale = {%d{8'd127}};  // no MX weights: not read\n", 8 * L - 1, L);
    }
    if (MXA) {
        em_printf(e, "reg  [7:0]  e_asc;\nalways @* begin\n    case (e_ab)\n");
        for (int k = 0; k < B8; k++)
            em_printf(e, "    %s: e_asc = asc_q[%d:%d];\n", v_const(ABW, k), 8 * k + 7, 8 * k);
        em_printf(e, "    default: e_asc = 8'd0;\n    endcase\nend\n");
        em_printf(e, "wire [7:0]  e_ascale = e_asi ? e_asc : 8'd127;\n");
    } else {
        em_printf(e, "wire [7:0]  e_ascale = 8'd127;  // no MX activations: not read\n");
    }
    em_printf(e, "\n");

    /* ---------------------------------------------------------- engine */
    v_section(e, "The engine and the tag pipeline that travels beside it");
    em_printf(e, "wire             eng_valid;\nwire [%d:0] eng_acc;\nwire [%d:0]  eng_flags;\n",
              L * AW - 1, 4 * L - 1);
    em_printf(e, "%s #(\n    .LANES(%d),\n    .J(%d),\n    .ACC_W(%d)\n) u_engine (\n", a->mod_engine, L,
              J, AW);
    em_printf(e, "    .clk(aclk),\n    .rst(srst),\n    .wfmt(e_wf),\n    .afmt(e_af),\n"
                 "    .in_valid(e_valid),\n    .in_first(e_first),\n    .in_last(e_last),\n"
                 "    .in_blk_last(e_blk),\n    .w_data(e_w),\n    .a_data(e_a),\n"
                 "    .w_scale(e_wscale),\n    .a_scale(e_ascale),\n    .out_valid(eng_valid),\n"
                 "    .out_acc(eng_acc),\n    .out_flags(eng_flags)\n);\n");
    const int LAT = a->latency;
    em_printf(e, "// a row's tag enters with its last step; the engine's out_valid comes %d cycles later\n",
              LAT);
    em_printf(e, "reg  [%d:0] tg_v;\nreg  [%d:0] tg_d;\n", LAT - 1, LAT * TW - 1);
    em_printf(e, "always @(posedge aclk) begin\n");
    if (LAT > 1)
        em_printf(e, "    tg_v <= srst ? %s : {tg_v[%d:0], e_valid & e_last};\n"
                     "    tg_d <= {tg_d[%d:0], e_tag};\n",
                  v_const(LAT, 0), LAT - 2, (LAT - 1) * TW - 1);
    else
        em_printf(e, "    tg_v <= !srst && e_valid && e_last;\n    tg_d <= e_tag;\n");
    em_printf(e, "end\n");
    em_printf(e, "assign eng_busy = (e_valid && e_last) || |tg_v;\n");
    em_printf(e, "wire [%d:0] t_nr = tg_d[%d:%d];\nwire        t_lg = tg_d[%d];\nwire        t_err = tg_d[%d];\n",
              NRW - 1, (LAT - 1) * TW + NRW - 1, (LAT - 1) * TW, (LAT - 1) * TW + NRW,
              (LAT - 1) * TW + NRW + 1);
    em_printf(e, "`ifndef SYNTHESIS\n"
                 "// checked from the first reset on (before it, registers hold random values)\n"
                 "reg chk_armed;\n"
                 "initial chk_armed = 1'b0;\n"
                 "always @(posedge aclk) begin\n"
                 "    if (srst) chk_armed <= 1'b1;\n"
                 "    if (chk_armed && !srst && eng_valid != tg_v[%d]) begin\n"
                 "        $display(\"%%m: internal error: engine out_valid %%b, tag pipeline %%b\", eng_valid, tg_v[%d]);\n"
                 "        $stop;\n"
                 "    end\n"
                 "end\n"
                 "`endif\n\n", LAT - 1, LAT - 1);

    /* ---------------------------------------------------------- result buffer */
    v_section(e, "Result buffer: RESULT_DEPTH row groups, in order");
    em_printf(e, "wire [%d:0] t_rmask = {", L - 1);
    for (int l = L - 1; l >= 0; l--)
        em_printf(e, "t_nr > %s%s", v_const(NRW, l), l ? ", " : "};  // real rows of the group\n");
    em_printf(e, "wire [3:0]  t_flags = ");
    for (int l = 0; l < L; l++)
        em_printf(e, "%s(eng_flags[%d:%d] & {4{t_rmask[%d]}})", l ? "\n                      | " : "",
                  4 * l + 3, 4 * l, l);
    em_printf(e, ";\n");
    em_printf(e, "wire        nan_seen = eng_valid && t_flags[%d];  // FLAG_NAN_SCALE of a real row\n",
              a->flag_bit[3]);
    em_printf(e, "assign res_flags = eng_valid ? t_flags : 4'd0;\n");
    em_printf(e, "wire        rb_wr = eng_valid || nc_push;  // never both: nc_push waits for !eng_busy\n");
    em_printf(e,
              "reg  [%d:0] rb_acc [0:%d];\nreg  [%d:0]  rb_fl [0:%d];\nreg  [%d:0]  rb_nr [0:%d];\n"
              "reg         rb_lg [0:%d];\nreg         rb_nc [0:%d];\nreg         rb_err [0:%d];\n"
              "reg  [%d:0] rb_wp, rb_rp;\nreg  [%d:0] rb_n;\n",
              L * AW - 1, Q - 1, 4 * L - 1, Q - 1, NRW - 1, Q - 1, Q - 1, Q - 1, Q - 1, PW - 1, QW - 1);
    em_printf(e, "always @(posedge aclk) begin\n");
    em_indent(e);
    em_printf(e, "if (rb_wr) begin\n");
    em_indent(e);
    em_printf(e, "rb_acc[rb_wp] <= eng_acc;\nrb_fl[rb_wp] <= nc_push ? %s : eng_flags;\n"
                 "rb_nr[rb_wp] <= nc_push ? g_nr : t_nr;\nrb_lg[rb_wp] <= nc_push ? g_last : t_lg;\n"
                 "rb_nc[rb_wp] <= nc_push;\nrb_err[rb_wp] <= nc_push || t_err || nan_seen;\n",
              v_const(4 * L, 0));
    em_dedent(e);
    em_printf(e, "end\n");
    em_printf(e, "if (srst) begin\n    rb_wp <= %s;\n    rb_rp <= %s;\n    rb_n <= %s;\nend else begin\n",
              v_const(PW, 0), v_const(PW, 0), v_const(QW, 0));
    em_indent(e);
    em_printf(e, "if (rb_wr) rb_wp <= rb_wp == %s ? %s : rb_wp + %s;\n", v_const(PW, Q - 1),
              v_const(PW, 0), v_const(PW, 1));
    em_printf(e, "if (rb_pop) rb_rp <= rb_rp == %s ? %s : rb_rp + %s;\n", v_const(PW, Q - 1),
              v_const(PW, 0), v_const(PW, 1));
    em_printf(e, "rb_n <= rb_n + {%s, rb_wr} - {%s, rb_pop};\n", QW > 1 ? S("%d'd0", QW - 1) : "",
              QW > 1 ? S("%d'd0", QW - 1) : "");
    em_dedent(e);
    em_printf(e, "end\n");
    em_dedent(e);
    em_printf(e, "end\n\n");

    /* ---------------------------------------------------------- packer */
    v_section(e, "Packer: the head group's rows as RW-word records, GROUP_BEATS beats");
    em_printf(e,
              "wire [%d:0] h_acc = rb_acc[rb_rp];\nwire [%d:0]  h_fl = rb_fl[rb_rp];\n"
              "wire [%d:0]  h_nr = rb_nr[rb_rp];\nwire        h_lg = rb_lg[rb_rp];\n"
              "wire        h_nc = rb_nc[rb_rp];\nwire        h_err = rb_err[rb_rp];\n",
              L * AW - 1, 4 * L - 1, NRW - 1);
    em_printf(e, "wire [%d:0] h_rmask = {", L - 1);
    for (int l = L - 1; l >= 0; l--)
        em_printf(e, "h_nr > %s%s", v_const(NRW, l), l ? ", " : "};\n");
    for (int l = 0; l < L; l++) {
        em_printf(e, "wire [%d:0] h_a%d = h_acc[%d:%d];\n", AW - 1, l, AW * (l + 1) - 1, AW * l);
        em_printf(e, "wire [%d:0] h_x%d = {%d{h_rmask[%d] & ~h_nc}} & %s;  // sign-extended to %d bits\n",
                  XW - 1, l, XW, l, v_sext(S("h_a%d", l), AW, XW), XW);
        em_printf(e, "wire [31:0] h_s%d = {23'd0, h_rmask[%d] & h_nc, 4'd0, h_fl[%d:%d] & {4{h_rmask[%d]}}};  // status word\n",
                  l, l, 4 * l + 3, 4 * l, l);
    }
    em_printf(e, "wire [%d:0] h_words = {", GB * W - 1);
    for (int n = GB * W32 - 1; n >= 0; n--) {
        int r = n / RW, k = n % RW;
        const char *wd = r >= L ? "32'd0" : k < RW - 1 ? S("h_x%d[%d:%d]", r, 32 * k + 31, 32 * k) : S("h_s%d", r);
        em_printf(e, "%s%s", wd, n ? ", " : "};\n");
    }
    /* per real-row count: beats, and TKEEP of the last beat */
    em_printf(e, "reg  [%d:0] h_nb1;  // beats of the head group - 1\nreg  [%d:0] h_keep;  // TKEEP of its last beat\n",
              OBW - 1, B8 - 1);
    em_printf(e, "always @* begin\n    case (h_nr)\n");
    for (int nr = 1; nr <= L; nr++) {
        int words = nr * RW, nb = div_up(words, W32), kw = words - (nb - 1) * W32;
        const char *keep = kw * 4 == B8 ? S("{%d{1'b1}}", B8) : S("{%s, %s}", v_const(B8 - 4 * kw, 0), S("{%d{1'b1}}", 4 * kw));
        em_printf(e, "    %s: begin h_nb1 = %s; h_keep = %s; end\n", v_const(NRW, nr),
                  v_const(OBW, nb - 1), keep);
    }
    em_printf(e, "    default: begin h_nb1 = %s; h_keep = {%d{1'b1}}; end\n    endcase\nend\n",
              v_const(OBW, GB - 1), B8);
    em_printf(e, "reg  [%d:0] ob;  // beat of the head group\n", OBW - 1);
    em_printf(e, "reg  [%d:0] h_beat;\nalways @* begin\n    case (ob)\n", W - 1);
    for (int b = 0; b < GB; b++)
        em_printf(e, "    %s: h_beat = h_words[%d:%d];\n", v_const(OBW, b), W * (b + 1) - 1, W * b);
    em_printf(e, "    default: h_beat = %s;\n    endcase\nend\n", v_const(W, 0));
    em_printf(e, "wire        ob_last = ob == h_nb1;\n\n");

    /* ---------------------------------------------------------- output */
    v_section(e, "Output register (m_axis)");
    em_printf(e,
              "reg         m_valid, m_last, m_err, pk_err;\nreg  [%d:0] m_data;\nreg  [%d:0] m_keep;\n"
              "wire        m_fire = m_valid && m_axis_tready;\n"
              "wire        m_load = (!m_valid || m_axis_tready) && rb_n != %s;\n"
              "assign rb_pop = m_load && ob_last;\n"
              "always @(posedge aclk) begin\n", W - 1, B8 - 1, v_const(QW, 0));
    em_indent(e);
    em_printf(e, "if (srst) begin\n"
                 "    m_valid <= 1'b0;\n    m_last <= 1'b0;\n    m_err <= 1'b0;\n    pk_err <= 1'b0;\n"
                 "    m_data <= %s;\n    m_keep <= %s;\n    ob <= %s;\n"
                 "end else begin\n", v_const(W, 0), v_const(B8, 0), v_const(OBW, 0));
    em_indent(e);
    em_printf(e, "if (!m_valid || m_axis_tready) m_valid <= rb_n != %s;\n", v_const(QW, 0));
    em_printf(e, "if (m_load) begin\n");
    em_indent(e);
    em_printf(e, "m_data <= h_beat;\nm_last <= ob_last && h_lg;\n"
                 "m_keep <= ob_last && h_lg ? h_keep : {%d{1'b1}};\n"
                 "m_err <= pk_err || h_err;  // read with m_last: the job had an error\n"
                 "if (ob_last) begin\n    ob <= %s;\n    pk_err <= !h_lg && (pk_err || h_err);\n"
                 "end else begin\n    ob <= ob + %s;\nend\n", B8, v_const(OBW, 0), v_const(OBW, 1));
    em_dedent(e);
    em_printf(e, "end\n");
    em_dedent(e);
    em_printf(e, "end\n");
    em_dedent(e);
    em_printf(e, "end\n");
    em_printf(e, "assign m_axis_tvalid = m_valid;\nassign m_axis_tdata = m_data;\n"
                 "assign m_axis_tkeep = m_keep;\nassign m_axis_tlast = m_last;\n"
                 "assign job_done = m_fire && m_last;\nassign job_done_err = m_err;\n\n");

    /* ---------------------------------------------------------- events, counters */
    v_section(e, "Errors, idle and the performance counter increments");
    em_printf(e,
              "wire        in_err = refuse || early_tlast || missing_tlast;\n"
              "wire [7:0]  in_cause = refuse ? (!p_fmt_ok ? 8'd1 : 8'd2) : early_tlast ? 8'd3 : 8'd4;\n"
              "assign err_event = in_err || nan_seen;\n"
              "assign err_cause = in_err ? in_cause : 8'd5;\n"
              "wire        busy = st != S_IDLE || credits_used != %s || m_valid;\n"
              "assign idle = !busy;\n"
              "wire [%d:0] mac_n = %s * %s;  // real rows x K of a computed row group\n"
              "assign pc_BUSY_inc = {63'd0, busy};\n"
              "assign pc_IN_STALL_inc = {63'd0, busy && s_axis_tready && !s_axis_tvalid};\n"
              "assign pc_OUT_STALL_inc = {63'd0, m_valid && !m_axis_tready};\n"
              "assign pc_BEATS_IN_inc = {63'd0, s_fire};\n"
              "assign pc_BEATS_OUT_inc = {63'd0, m_fire};\n"
              "assign pc_MACS_inc = w_issue && w_lstep ? %s : 64'd0;\n",
              v_const(QW, 0), NRW + EW - 1, v_zext("g_nr", NRW, NRW + EW), v_zext("j_cols", EW, NRW + EW),
              v_zext("mac_n", NRW + EW, 64));
    const char *unused[] = {"s_axis_tkeep"};
    v_unused(e, "axis", unused, 1);
    v_module_end(e);
    v_file_end(e);
}
