const leb = (n: number): number[] => {
  const out: number[] = []
  do {
    let b = n & 0x7f
    n >>>= 7
    if (n !== 0) b |= 0x80
    out.push(b)
  } while (n !== 0)
  return out
}
const section = (id: number, body: number[]): number[] => [id, ...leb(body.length), ...body]
const str = (s: string): number[] => [s.length, ...Buffer.from(s)]

/**
 * A module following the ABI whose run() is `depth` nested blocks, written
 * byte by byte (wabt's parser itself overflows its stack on such text).
 */
export function nestedModule (depth: number): Uint8Array {
  const types = section(1, [3, 0x60, 1, 0x7f, 1, 0x7f, 0x60, 2, 0x7f, 0x7f, 1, 0x7f, 0x60, 0, 1, 0x7f])
  const imports = section(2, [1, ...str('env'), ...str('memory'), 2, 0, 1])
  const funcs = section(3, [3, 0, 1, 2])
  const exports = section(7, [3, ...str('alloc'), 0, 0, ...str('run'), 0, 1, ...str('output'), 0, 2])
  const simple = [0, 0x41, 0, 0x0b] // no locals; i32.const 0; end
  const deep = [0, ...Array<number[]>(depth).fill([0x02, 0x40]).flat(), ...Array<number>(depth).fill(0x0b), 0x41, 0, 0x0b]
  const code = section(10, [3, ...leb(simple.length), ...simple, ...leb(deep.length), ...deep, ...leb(simple.length), ...simple])
  return new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, ...types, ...imports, ...funcs, ...exports, ...code])
}
