/*
 * rtl_gen/emit_regs.c - the co-processor's AXI4-Lite slave and register
 * file (part of <prefix>coproc, emitted by emit_coproc.c): the address map
 * is rtl_gen/regs.def, the behaviour docs/protocol.md section 4.
 *
 * AXI4-Lite: AW and W are accepted independently (one holding register
 * each, READY = holding register empty), so any order and skew works; the
 * write happens once both are held and no B response is pending, and
 * BVALID rises the next cycle.  Reads: ARREADY = no R response pending;
 * RDATA is registered at the AR handshake (read side effects happen
 * there).  Every address answers OKAY; unmapped ones read 0 and ignore
 * writes.  The bus logic resets with aresetn only, so a SOFT_RESET write
 * still gets its B response.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtl_gen.h"

typedef struct {
    const char *name;
    int offset;
    const char *doc;
} reg_row;

static const reg_row regs[] = {
#define REG(name, offset, access, doc) {#name, offset, doc},
#include "regs.def"
#undef REG
};
#define NREGS ((int)(sizeof regs / sizeof regs[0]))

int coproc_nregs(void) { return NREGS; }
const char *coproc_reg_name(int i) { return regs[i].name; }
int coproc_reg_offset(int i) { return regs[i].offset; }

/* The read value of a register: every row of regs.def needs one here; a
 * row without one stops the generator (emit_regs aborts below). */
static const char *read_expr(const arch *a, const char *name) {
    const rtl_cfg *c = a->cfg;
    const coproc_plan *p = &a->cp;
    static const char *const counters[] = {"BUSY", "IN_STALL", "OUT_STALL", "BEATS_IN",
                                           "BEATS_OUT", "MACS"};
    int major = 0, minor = 0, patch = 0;
    sscanf(RTL_GEN_VERSION, "%d.%d.%d", &major, &minor, &patch);
    if (!strcmp(name, "ID"))
        return "32'h4E504531";
    if (!strcmp(name, "VERSION"))
        return S("32'h%08x", (unsigned)(major << 16 | minor));
    if (!strcmp(name, "CAP_WFMT"))
        return S("32'h%08x", (unsigned)c->wfmts);
    if (!strcmp(name, "CAP_AFMT"))
        return S("32'h%08x", (unsigned)c->afmts);
    if (!strcmp(name, "CAP_GEOM"))
        return S("32'h%08x", (unsigned)(c->stream_w << 16 | c->j << 8 | c->lanes));
    if (!strcmp(name, "CAP_ACC"))
        return S("32'h%08x", (unsigned)((c->acc_lsb & 0xFFFF) << 16 | c->acc_w));
    if (!strcmp(name, "CAP_KMAX"))
        return S("32'h%08x", (unsigned)c->k_max);
    if (!strcmp(name, "CAP_MISC"))
        return S("32'h%08x", (unsigned)(p->depth << 24 | c->isolate << 17 | c->ovp_first_high << 16 |
                                         p->latency << 8 | p->rw));
    if (!strcmp(name, "CTRL"))
        return "{24'd0, r_auto, 3'd0, ap_ready, idle, ap_done, start_req}";
    if (!strcmp(name, "GIE"))
        return "{31'd0, r_gie}";
    if (!strcmp(name, "IER"))
        return "{30'd0, r_ier}";
    if (!strcmp(name, "ISR"))
        return "{30'd0, r_isr}";
    if (!strcmp(name, "ROWS"))
        return "{8'd0, r_rows}";
    if (!strcmp(name, "COLS"))
        return "r_cols";
    if (!strcmp(name, "FMT"))
        return "{20'd0, r_fmt_a, 4'd0, r_fmt_w}";
    if (!strcmp(name, "SCALE_MODE"))
        return "{31'd0, r_scale_inline}";
    if (!strcmp(name, "RESULT_WORDS"))
        return S("32'd%d", p->rw);
    if (!strcmp(name, "STATUS"))
        return "{16'd0, st_cause, 3'd0, st_err, st_flags}";
    if (!strcmp(name, "JOBS_DONE"))
        return "jobs_done";
    if (!strcmp(name, "PERF_CTRL"))
        return "32'd0";
    for (size_t i = 0; i < sizeof counters / sizeof counters[0]; i++) {
        size_t n = strlen(counters[i]);
        if (!strncmp(name, counters[i], n) && !strcmp(name + n, "_LO"))
            return S("pc_%s[31:0]", counters[i]);
        if (!strncmp(name, counters[i], n) && !strcmp(name + n, "_HI"))
            return S("pc_%s_hi", counters[i]);
    }
    return NULL;
}

/* Byte-enable write of bits [hi:lo] of a 32-bit register image into reg
 * `dst` (whose bit 0 is image bit lo). */
static void wr_bytes(emitter *e, const char *dst, int lo, int hi) {
    for (int b = lo / 8; b <= hi / 8; b++) {
        int l = imax(lo, 8 * b), h = imin(hi, 8 * b + 7);
        const char *d = (h == l && hi == lo) ? dst : S("%s[%d:%d]", dst, h - lo, l - lo);
        em_printf(e, "if (w_strb[%d]) %s <= w_data[%d:%d];\n", b, d, h, l);
    }
}

void emit_regs(emitter *e, const arch *a) {
    static const char *const counters[] = {"BUSY", "IN_STALL", "OUT_STALL", "BEATS_IN",
                                           "BEATS_OUT", "MACS"};
    const int ncnt = (int)(sizeof counters / sizeof counters[0]);
    for (int i = 0; i < NREGS; i++)
        if (!read_expr(a, regs[i].name)) {
            fprintf(stderr, "rtl_gen: internal: register %s of regs.def has no read value in "
                            "emit_regs.c\n", regs[i].name);
            abort();
        }

    v_section(e, "AXI4-Lite slave (aresetn only: a SOFT_RESET write still gets its response)");
    em_printf(e,
              "reg         aw_held, w_held, bvalid_reg, rvalid_reg;\n"
              "reg  [9:0]  aw_word;   // held write address (word)\n"
              "reg  [31:0] w_data;\n"
              "reg  [3:0]  w_strb;\n"
              "reg  [31:0] rdata_reg;\n"
              "wire        wr_fire = aw_held & w_held & ~bvalid_reg;  // the register write happens\n"
              "wire        rd_fire = s_axil_arvalid & ~rvalid_reg;      // AR handshake\n"
              "wire [9:0]  rd_word = s_axil_araddr[11:2];\n"
              "reg  [31:0] rd_value;\n"
              "assign s_axil_awready = ~aw_held;\n"
              "assign s_axil_wready  = ~w_held;\n"
              "assign s_axil_bvalid  = bvalid_reg;\n"
              "assign s_axil_bresp   = 2'b00;  // OKAY, every address\n"
              "assign s_axil_arready = ~rvalid_reg;\n"
              "assign s_axil_rvalid  = rvalid_reg;\n"
              "assign s_axil_rdata   = rdata_reg;\n"
              "assign s_axil_rresp   = 2'b00;\n\n"
              "always @(posedge aclk) begin\n");
    em_indent(e);
    em_printf(e,
              "if (!aresetn) begin\n"
              "    aw_held <= 1'b0;\n    w_held <= 1'b0;\n    bvalid_reg <= 1'b0;\n"
              "    rvalid_reg <= 1'b0;\n    rdata_reg <= 32'd0;\n"
              "end else begin\n");
    em_indent(e);
    em_printf(e,
              "if (s_axil_awvalid && !aw_held) aw_held <= 1'b1;\n"
              "if (s_axil_wvalid && !w_held) w_held <= 1'b1;\n"
              "if (wr_fire) begin\n"
              "    aw_held <= 1'b0;\n    w_held <= 1'b0;\n    bvalid_reg <= 1'b1;\n"
              "end else if (bvalid_reg && s_axil_bready) begin\n"
              "    bvalid_reg <= 1'b0;\n"
              "end\n"
              "if (rd_fire) rvalid_reg <= 1'b1;\n"
              "else if (rvalid_reg && s_axil_rready) rvalid_reg <= 1'b0;\n"
              "if (rd_fire) rdata_reg <= rd_value;\n");
    em_dedent(e);
    em_printf(e, "end\n"
                 "if (s_axil_awvalid && !aw_held) aw_word <= s_axil_awaddr[11:2];\n"
                 "if (s_axil_wvalid && !w_held) begin\n"
                 "    w_data <= s_axil_wdata;\n    w_strb <= s_axil_wstrb;\n"
                 "end\n");
    em_dedent(e);
    em_printf(e, "end\n\n");

    /* read mux */
    em_printf(e, "always @* begin\n");
    em_indent(e);
    em_printf(e, "case (rd_word)\n");
    em_indent(e);
    for (int i = 0; i < NREGS; i++)
        em_printf(e, "10'd%-4d: rd_value = %s;  // 0x%03X %s\n", regs[i].offset / 4,
                  read_expr(a, regs[i].name), regs[i].offset, regs[i].name);
    em_printf(e, "default:  rd_value = 32'd0;  // unmapped: reads 0, OKAY\n");
    em_dedent(e);
    em_printf(e, "endcase\n");
    em_dedent(e);
    em_printf(e, "end\n\n");

    /* address decode of the writes and of read side effects */
    em_printf(e, "wire wr_at_ctrl = wr_fire && aw_word == 10'd%d;\n", 0x020 / 4);
    em_printf(e, "wire rd_at_ctrl = rd_fire && rd_word == 10'd%d;\n", 0x020 / 4);
    em_printf(e, "wire wr_at_isr = wr_fire && aw_word == 10'd%d;\n", 0x02C / 4);
    em_printf(e, "wire wr_at_status = wr_fire && aw_word == 10'd%d;\n", 0x044 / 4);
    em_printf(e, "wire wr_at_perf = wr_fire && aw_word == 10'd%d;\n", 0x04C / 4);
    em_printf(e, "assign start_write = wr_at_ctrl && w_strb[0] && w_data[0];\n");
    em_printf(e, "wire perf_clear = srst || (wr_at_perf && w_strb[0] && w_data[0]);\n\n");

    v_section(e, "Job registers and configuration (aresetn only: kept across SOFT_RESET)");
    em_printf(e, "always @(posedge aclk) begin\n");
    em_indent(e);
    em_printf(e, "if (!aresetn) begin\n");
    em_indent(e);
    em_printf(e, "r_gie <= 1'b0;\nr_ier <= 2'd0;\nr_rows <= 24'd0;\nr_cols <= 32'd0;\n"
                 "r_fmt_w <= 4'd0;\nr_fmt_a <= 4'd0;\nr_scale_inline <= 1'b1;\nr_auto <= 1'b0;\n"
                 "soft_rst_req <= 1'b0;\n");
    em_dedent(e);
    em_printf(e, "end else begin\n");
    em_indent(e);
    em_printf(e, "soft_rst_req <= wr_at_ctrl && w_strb[0] && w_data[4];\n");
    em_printf(e, "if (wr_fire) begin\n");
    em_indent(e);
    em_printf(e, "case (aw_word)\n");
    em_indent(e);
    em_printf(e, "10'd%d: if (w_strb[0]) r_auto <= w_data[7];\n", 0x020 / 4);
    em_printf(e, "10'd%d: if (w_strb[0]) r_gie <= w_data[0];\n", 0x024 / 4);
    em_printf(e, "10'd%d: if (w_strb[0]) r_ier <= w_data[1:0];\n", 0x028 / 4);
    em_printf(e, "10'd%d: begin\n", 0x030 / 4);
    em_indent(e);
    wr_bytes(e, "r_rows", 0, 23);
    em_dedent(e);
    em_printf(e, "end\n10'd%d: begin\n", 0x034 / 4);
    em_indent(e);
    wr_bytes(e, "r_cols", 0, 31);
    em_dedent(e);
    em_printf(e, "end\n10'd%d: begin\n", 0x038 / 4);
    em_indent(e);
    em_printf(e, "if (w_strb[0]) r_fmt_w <= w_data[3:0];\nif (w_strb[1]) r_fmt_a <= w_data[11:8];\n");
    em_dedent(e);
    em_printf(e, "end\n10'd%d: if (w_strb[0]) r_scale_inline <= w_data[0];\n", 0x03C / 4);
    em_printf(e, "default: ;\n");
    em_dedent(e);
    em_printf(e, "endcase\n");
    em_dedent(e);
    em_printf(e, "end\n");
    em_dedent(e);
    em_printf(e, "end\n");
    em_dedent(e);
    em_printf(e, "end\n\n");

    v_section(e, "Control and status (reset by SOFT_RESET too)");
    em_printf(e,
              "always @(posedge aclk) begin\n"
              "    if (srst) begin\n"
              "        start_req <= 1'b0;\n        ap_done <= 1'b0;\n        ap_ready <= 1'b0;\n"
              "        r_isr <= 2'd0;\n        st_flags <= 4'd0;\n        st_err <= 1'b0;\n"
              "        st_cause <= 8'd0;\n        jobs_done <= 32'd0;\n        irq_reg <= 1'b0;\n"
              "    end else begin\n"
              "        // AP_START: set by software, cleared when the job is accepted (kept\n"
              "        // with AUTO_RESTART: the same job registers run again).\n"
              "        if (start_write) start_req <= 1'b1;\n"
              "        else if (job_accept && !r_auto) start_req <= 1'b0;\n"
              "        // AP_DONE and AP_READY: set by the event, cleared by reading CTRL.\n"
              "        if (job_done) ap_done <= 1'b1;\n"
              "        else if (rd_at_ctrl) ap_done <= 1'b0;\n"
              "        if (job_accept) ap_ready <= 1'b1;\n"
              "        else if (rd_at_ctrl) ap_ready <= 1'b0;\n"
              "        // ISR: events set, a written 1 clears (an event wins).\n"
              "        r_isr <= (r_isr & ~(wr_at_isr && w_strb[0] ? w_data[1:0] : 2'd0))\n"
              "               | {job_done & job_done_err, job_done};\n"
              "        // STATUS: sticky flags; the first error's cause stays until ERROR is cleared.\n"
              "        st_flags <= (st_flags & ~(wr_at_status && w_strb[0] ? w_data[3:0] : 4'd0))\n"
              "                  | res_flags;\n"
              "        if (wr_at_status && w_strb[0] && w_data[4]) begin\n"
              "            st_err <= 1'b0;\n            st_cause <= 8'd0;\n"
              "        end\n"
              "        if (err_event && (!st_err || (wr_at_status && w_strb[0] && w_data[4]))) begin\n"
              "            st_err <= 1'b1;\n            st_cause <= err_cause;\n"
              "        end\n"
              "        if (job_done) jobs_done <= jobs_done + 32'd1;\n"
              "        irq_reg <= r_gie & |(r_ier & r_isr);\n"
              "    end\n"
              "end\n"
              "assign irq = irq_reg;\n\n");

    v_section(e, "Performance counters (64 bits; reading _LO latches _HI)");
    for (int i = 0; i < ncnt; i++) {
        const char *n = counters[i];
        int lo = -1;
        for (int r = 0; r < NREGS; r++)
            if (!strcmp(regs[r].name, S("%s_LO", n)))
                lo = regs[r].offset;
        em_printf(e,
                  "always @(posedge aclk) begin\n"
                  "    if (perf_clear) pc_%s <= 64'd0;\n"
                  "    else pc_%s <= pc_%s + %s;\n"
                  "    if (rd_fire && rd_word == 10'd%d) pc_%s_hi <= pc_%s[63:32];\n"
                  "end\n",
                  n, n, n, S("pc_%s_inc", n), lo / 4, n, n);
    }
    const char *unused[] = {"s_axil_awaddr[1:0]", "s_axil_araddr[1:0]", "s_axil_awprot",
                            "s_axil_arprot"};
    v_unused(e, "axil", unused, 4);
    em_printf(e, "\n");
}

/* Declarations of the register file's state, read by the core. */
void emit_regs_decls(emitter *e) {
    static const char *const counters[] = {"BUSY", "IN_STALL", "OUT_STALL", "BEATS_IN",
                                           "BEATS_OUT", "MACS"};
    em_printf(e,
              "// register file state (written in the AXI4-Lite section below)\n"
              "reg         r_gie, r_auto, r_scale_inline, soft_rst_req;\n"
              "reg  [1:0]  r_ier, r_isr;\n"
              "reg  [23:0] r_rows;\n"
              "reg  [31:0] r_cols;\n"
              "reg  [3:0]  r_fmt_w, r_fmt_a;\n"
              "reg         start_req, ap_done, ap_ready, st_err, irq_reg;\n"
              "reg  [3:0]  st_flags;\n"
              "reg  [7:0]  st_cause;\n"
              "reg  [31:0] jobs_done;\n"
              "wire        start_write;\n");
    for (size_t i = 0; i < sizeof counters / sizeof counters[0]; i++)
        em_printf(e, "reg  [63:0] pc_%s;\nreg  [31:0] pc_%s_hi;\n", counters[i], counters[i]);
    em_printf(e, "\n");
}
