export const leb = (n: number): number[] => {
  const out: number[] = []
  do {
    let b = n & 0x7f
    n >>>= 7
    if (n !== 0) b |= 0x80
    out.push(b)
  } while (n !== 0)
  return out
}
export const section = (id: number, body: number[]): number[] => [id, ...leb(body.length), ...body]
const str = (s: string): number[] => [s.length, ...Buffer.from(s)]

export interface RawParts {
  /** run()'s body: its instructions, before the final `i32.const 0; end` */
  run: Uint8Array | number[]
  /** run()'s local declarations: [count, type] groups */
  locals?: Array<[number, number]>
  /** more functions of type () -> i32 whose bodies are `instructions` (each ends in i32.const 0; end) */
  more?: Array<Uint8Array | number[]>
  /** sections inserted, by id, at their place in the order (table 4, element 9, data 11, custom 0 at the end) */
  table?: number[]
  element?: number[]
  data?: number[]
  custom?: number[]
}

/**
 * A module following the ABI, written byte by byte (wabt's parser itself
 * overflows its stack on deep text, and builds megabytes slowly).
 */
export function rawModule (p: RawParts): Uint8Array {
  const more = p.more ?? []
  const types = section(1, [3, 0x60, 1, 0x7f, 1, 0x7f, 0x60, 2, 0x7f, 0x7f, 1, 0x7f, 0x60, 0, 1, 0x7f])
  const imports = section(2, [1, ...str('env'), ...str('memory'), 2, 0, 1])
  const funcs = section(3, [...leb(3 + more.length), 0, 1, 2, ...more.map(() => 2)])
  const exports = section(7, [3, ...str('alloc'), 0, 0, ...str('run'), 0, 1, ...str('output'), 0, 2])
  const simple = [0, 0x41, 0, 0x0b] // no locals; i32.const 0; end
  const locals = p.locals ?? []
  const body = (head: number[], instr: Uint8Array | number[]): Uint8Array => {
    const tail = [0x41, 0, 0x0b]
    const b = new Uint8Array(head.length + instr.length + tail.length)
    b.set(head)
    b.set(instr, head.length)
    b.set(tail, head.length + instr.length)
    return b
  }
  const bodies = [Uint8Array.from(simple), body([...leb(locals.length), ...locals.flatMap(([n, t]) => [...leb(n), t])], p.run),
    Uint8Array.from(simple), ...more.map(m => body([0], m))]
  const codeLength = bodies.reduce((n, b) => n + leb(b.length).length + b.length, leb(bodies.length).length)
  const parts: Array<Uint8Array | number[]> = [[0, 0x61, 0x73, 0x6d, 1, 0, 0, 0], types, imports, funcs, p.table ?? [], exports, p.element ?? [],
    [10, ...leb(codeLength), ...leb(bodies.length)]]
  for (const b of bodies) parts.push(leb(b.length), b)
  parts.push(p.data ?? [], p.custom ?? [])
  const out = new Uint8Array(parts.reduce((n, x) => n + x.length, 0))
  let at = 0
  for (const x of parts) { out.set(x, at); at += x.length }
  return out
}

/** A module following the ABI whose run() is `depth` nested blocks. */
export function nestedModule (depth: number): Uint8Array {
  return rawModule({ run: [...Array<number[]>(depth).fill([0x02, 0x40]).flat(), ...Array<number>(depth).fill(0x0b)] })
}
