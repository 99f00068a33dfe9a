// Classic BPF programs for the packet sockets, assembled here (not in C) so they can be unit-tested without root.
// The kernel runs them on every frame before it is queued, so a busy network costs the daemon nothing for frames
// it does not want. Layout of a program: struct sock_filter { u16 code; u8 jt; u8 jf; u32 k } in host byte order.
import { endianness } from 'node:os';

export interface BpfInsn {
  readonly code: number;
  readonly jt: number;
  readonly jf: number;
  readonly k: number;
}

// Opcode parts from <linux/bpf_common.h>.
export const BPF = {
  LD: 0x00,
  LDX: 0x01,
  ALU: 0x04,
  JMP: 0x05,
  RET: 0x06,
  W: 0x00,
  H: 0x08,
  B: 0x10,
  ABS: 0x20,
  IND: 0x40,
  MSH: 0xa0,
  AND: 0x50,
  JEQ: 0x10,
  JGE: 0x30,
  JSET: 0x40,
  K: 0x00,
} as const;

/** Ancillary load of skb->pkt_type (SKF_AD_OFF + SKF_AD_PKTTYPE). */
export const SKF_AD_PKTTYPE = 0xfffff004;
/** PACKET_OTHERHOST: frames to PACKET_HOST (0), BROADCAST (1) and MULTICAST (2) pass; OTHERHOST (3, seen in
 * promiscuous mode) and OUTGOING (4, this host's own transmissions) are dropped. */
export const PACKET_OTHERHOST = 3;
/** Accept: snap length larger than any frame, so the whole frame is kept. */
export const ACCEPT_LEN = 0x40000;

const ETH_HLEN = 14;

type Target = number | 'accept' | 'drop';
type Line = { code: number; k: number; jt?: Target; jf?: Target };

/** Resolves 'accept'/'drop' jump targets to the two closing return instructions. */
function assemble(lines: readonly Line[]): BpfInsn[] {
  const accept = lines.length;
  const drop = lines.length + 1;
  const offset = (pc: number, t: Target | undefined): number => {
    if (t === undefined || typeof t === 'number') return t ?? 0;
    return (t === 'accept' ? accept : drop) - (pc + 1);
  };
  const prog = lines.map((l, pc) => ({ code: l.code, k: l.k >>> 0, jt: offset(pc, l.jt), jf: offset(pc, l.jf) }));
  prog.push({ code: BPF.RET | BPF.K, k: ACCEPT_LEN, jt: 0, jf: 0 });
  prog.push({ code: BPF.RET | BPF.K, k: 0, jt: 0, jf: 0 });
  return prog;
}

const ldPkttype: Line = { code: BPF.LD | BPF.W | BPF.ABS, k: SKF_AD_PKTTYPE };
const dropOtherhostAndOutgoing: Line = { code: BPF.JMP | BPF.JGE | BPF.K, k: PACKET_OTHERHOST, jt: 'drop' };
const ldh = (k: number): Line => ({ code: BPF.LD | BPF.H | BPF.ABS, k });
const ldb = (k: number): Line => ({ code: BPF.LD | BPF.B | BPF.ABS, k });
const requireEq = (k: number): Line => ({ code: BPF.JMP | BPF.JEQ | BPF.K, k, jf: 'drop' });

/** IPv4/UDP frames to `port`, unfragmented (MF clear, offset 0), addressed to this host or broadcast. */
export function udpPortFilter(port: number): BpfInsn[] {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RangeError(`UDP port out of range: ${port}`);
  return assemble([
    ldPkttype,
    dropOtherhostAndOutgoing,
    ldh(12),
    requireEq(0x0800), // EtherType IPv4
    ldb(ETH_HLEN),
    { code: BPF.ALU | BPF.AND | BPF.K, k: 0xf0 },
    requireEq(0x40), // IP version 4
    ldb(ETH_HLEN + 9),
    requireEq(17), // UDP
    ldh(ETH_HLEN + 6),
    { code: BPF.JMP | BPF.JSET | BPF.K, k: 0x3fff, jt: 'drop' }, // MF or a fragment offset: a fragment
    { code: BPF.LDX | BPF.B | BPF.MSH, k: ETH_HLEN }, // X = IP header length
    { code: BPF.LD | BPF.H | BPF.IND, k: ETH_HLEN + 2 }, // UDP destination port
    requireEq(port),
  ]);
}

/** ARP for IPv4 over Ethernet (htype 1, ptype 0x0800, hlen 6, plen 4), to this host or broadcast. */
export function arpFilter(): BpfInsn[] {
  return assemble([
    ldPkttype,
    dropOtherhostAndOutgoing,
    ldh(12),
    requireEq(0x0806),
    ldh(ETH_HLEN),
    requireEq(1),
    ldh(ETH_HLEN + 2),
    requireEq(0x0800),
    ldh(ETH_HLEN + 4),
    requireEq(0x0604),
  ]);
}

/** A program that accepts nothing: for opening a socket only to learn whether we may. */
export function dropAllFilter(): BpfInsn[] {
  return [{ code: BPF.RET | BPF.K, k: 0, jt: 0, jf: 0 }];
}

/** struct sock_filter[] bytes as the kernel reads them (host byte order). */
export function encodeBpf(prog: readonly BpfInsn[], order: 'LE' | 'BE' = endianness()): Buffer {
  if (prog.length === 0 || prog.length > 4096) throw new RangeError(`BPF program length ${prog.length}`);
  const out = Buffer.alloc(prog.length * 8);
  prog.forEach((insn, i) => {
    if (insn.jt > 255 || insn.jf > 255 || insn.jt < 0 || insn.jf < 0) throw new RangeError(`jump too far at ${i}`);
    const at = i * 8;
    if (order === 'LE') {
      out.writeUInt16LE(insn.code, at);
      out.writeUInt32LE(insn.k >>> 0, at + 4);
    } else {
      out.writeUInt16BE(insn.code, at);
      out.writeUInt32BE(insn.k >>> 0, at + 4);
    }
    out[at + 2] = insn.jt;
    out[at + 3] = insn.jf;
  });
  return out;
}
