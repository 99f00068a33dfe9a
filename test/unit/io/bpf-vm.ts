// A classic-BPF interpreter for the instructions src/io/bpf.ts emits, so the filters can be checked against
// sample frames without a kernel. Semantics follow the kernel's: a load past the end of the frame returns 0 (drop).
import { BPF, type BpfInsn, SKF_AD_PKTTYPE } from '../../../src/io/bpf.js';

export const PACKET_HOST = 0;
export const PACKET_BROADCAST = 1;
export const PACKET_OTHERHOST = 3;
export const PACKET_OUTGOING = 4;

export function runBpf(prog: readonly BpfInsn[], frame: Uint8Array, pkttype = PACKET_HOST): number {
  let a = 0;
  let x = 0;
  const load = (at: number, size: number): number | undefined => {
    if (at < 0 || at + size > frame.length) return undefined;
    let v = 0;
    for (let i = 0; i < size; i++) v = v * 256 + (frame[at + i] as number);
    return v;
  };
  for (let pc = 0, steps = 0; pc < prog.length && steps < 10_000; pc++, steps++) {
    const { code, jt, jf, k } = prog[pc] as BpfInsn;
    const size = (code & 0x18) === BPF.B ? 1 : (code & 0x18) === BPF.H ? 2 : 4;
    switch (code & 0x07) {
      case BPF.LD: {
        if (code === (BPF.LD | BPF.W | BPF.ABS) && k === SKF_AD_PKTTYPE) {
          a = pkttype;
          break;
        }
        const v = load((code & 0xe0) === BPF.IND ? x + k : k, size);
        if (v === undefined) return 0;
        a = v;
        break;
      }
      case BPF.LDX: {
        if ((code & 0xe0) !== BPF.MSH) throw new Error(`unsupported ldx 0x${code.toString(16)}`);
        const v = load(k, 1);
        if (v === undefined) return 0;
        x = (v & 0x0f) * 4;
        break;
      }
      case BPF.ALU:
        if ((code & 0xf0) !== BPF.AND) throw new Error(`unsupported alu 0x${code.toString(16)}`);
        a = (a & k) >>> 0;
        break;
      case BPF.JMP: {
        const op = code & 0xf0;
        const taken = op === BPF.JEQ ? a === k : op === BPF.JGE ? a >= k : op === BPF.JSET ? (a & k) !== 0 : undefined;
        if (taken === undefined) throw new Error(`unsupported jmp 0x${code.toString(16)}`);
        pc += taken ? jt : jf;
        break;
      }
      case BPF.RET:
        return k;
      default:
        throw new Error(`unsupported insn 0x${code.toString(16)}`);
    }
  }
  throw new Error('BPF program fell off its end');
}
