/*
 * host/dev_xdma.h - the `xdma` transport of npe_dev.h: a co-processor behind
 * a Xilinx XDMA in AXI4-Stream mode, through the XDMA Linux driver's device
 * files (Xilinx dma_ip_drivers, XDMA/linux-kernel):
 *
 *   <prefix>_user    the AXI4-Lite window: pread/pwrite of 4 bytes at the
 *                    register's byte offset (4-aligned, as cdev_ctrl.c wants)
 *   <prefix>_h2c_0   one write() = one AXI4-Stream packet to s_axis, TLAST on
 *                    its last beat; returns when the engine took the data
 *   <prefix>_c2h_0   one read() returns when the requested bytes arrived or
 *                    the packet ended (TLAST): the byte count it returns
 *
 * In stream mode the device produces results only while it consumes input
 * (its result buffer holds a few row groups), so the H2C write runs on its
 * own thread while this one reads C2H.  Buffers are page-aligned and whole
 * beats (the driver's alignment rules for stream engines, cdev_sgdma.c).
 * The same code serves a real board (--xdma /dev/xdma0) and the FUSE
 * emulator (host/xdma_emu.c, backend `emu`).
 */
#ifndef HOST_DEV_XDMA_H
#define HOST_DEV_XDMA_H

#include <stddef.h>

#include "npe_dev.h"

#define XDMA_PREFIX_DEFAULT "/dev/xdma0"

extern const npe_transport dev_xdma_transport;

/* Opens <prefix>_user, <prefix>_h2c_0 and <prefix>_c2h_0.  NULL with a
 * message naming the file and what to check on failure. */
void *dev_xdma_open(const char *prefix, char *err, size_t errlen);

#endif
