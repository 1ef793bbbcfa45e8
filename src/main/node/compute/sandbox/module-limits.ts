/**
 * Bounds on what metering a user module may cost (review M2, L6), checked by
 * one cheap pass over the binary before binaryen reads anything.
 *
 * binaryen's IR takes ~100 bytes per instruction in its own WebAssembly
 * memory (not bounded by the task thread's heap limit), and its reader and
 * passes recurse on nesting: 7.6 MB of nops cost +640 MiB, 7.6 MB of nested
 * blocks a stack overflow after 16 s. So the number of instructions is
 * bounded by the code section's size, nesting by a depth, and the things
 * binaryen allocates per item (functions, locals, globals, segments, table
 * entries, loops, exports) by counts; data bytes are bounded by the module's
 * own 8 MiB. Each function body is bounded so that,
 * instrumented, it stays under V8's 7,654,321-byte limit on a function:
 * ≤ MAX_LOOPS charges of ~30 bytes (2 MB) plus ≤ 2.5× the body for the
 * calls wrapping memory.grow and bulk-memory sizes (1.3 MB).
 *
 * The pass reads only section headers, counts, table limits, element
 * segments and code bodies (locals and instructions, skipping immediates),
 * every read checked against the bounds. It runs before
 * WebAssembly.validate, which is linear but slow on hostile shapes (2.4 s
 * for 7.6 MB of nested blocks), so an oversized module is refused in
 * milliseconds; what it cannot read is left to validate to name. Anything outside the ABI's features that it meets
 * (reference types, exceptions, tail calls, relaxed SIMD, atomics,
 * tables beyond one of ≤ MAX_TABLE_ENTRIES) is refused here with a clear
 * message. Custom sections are skipped, and stripped before binaryen
 * (stripCustomSections): names are not needed to meter, and a large name
 * section would cost binaryen memory.
 *
 * Changing any limit changes verdicts: bump METER_VERSION (meter.ts).
 */
import { WgtError } from '../../../../shared/errors.js'

/** all code bodies together: bounds binaryen's IR (~1M instructions at most) */
export const MAX_CODE_BYTES = 1024 * 1024
/**
 * loops in all functions: each gets a charge (~12 IR nodes, ~30 bytes), so
 * a module of nothing but empty loops would cost binaryen ~10× its size
 * (measured: 2 MiB of them, +437 MiB and 8 s)
 */
export const MAX_LOOPS = 65_536
/** one function body: ×11 instrumented stays under V8's 7,654,321-byte function limit */
export const MAX_FUNCTION_BODY_BYTES = 512 * 1024
/** blocks, loops and ifs inside each other: binaryen's reader and passes recurse on it */
export const MAX_NESTING = 512
export const MAX_FUNCTIONS = 50_000
export const MAX_LOCALS_PER_FUNCTION = 50_000
export const MAX_LOCALS_TOTAL = 1_000_000
export const MAX_GLOBALS = 10_000
export const MAX_TYPES = 10_000
export const MAX_EXPORTS = 10_000
export const MAX_DATA_SEGMENTS = 10_000
export const MAX_ELEMENT_SEGMENTS = 10_000
/** a table's initial and maximum size, and all element segments' entries together (L6: a 10M-entry table cost 80 MiB unmetered) */
export const MAX_TABLE_ENTRIES = 65_536

function invalid (message: string): WgtError {
  return new WgtError('INVALID_INPUT', `WASM module: ${message}`)
}

class Reader {
  constructor (readonly bytes: Uint8Array, public at: number, readonly end: number) {}

  byte (): number {
    if (this.at >= this.end) throw invalid('is malformed (a section or body ends early)')
    return this.bytes[this.at++]
  }

  /** unsigned LEB128 up to 32 bits */
  u32 (): number {
    let result = 0
    for (let shift = 0; shift < 35; shift += 7) {
      const b = this.byte()
      result += (b & 0x7f) * 2 ** shift
      if ((b & 0x80) === 0) {
        if (result > 0xffffffff) throw invalid('is malformed (a number past 32 bits)')
        return result
      }
    }
    throw invalid('is malformed (a number past 32 bits)')
  }

  /** a signed LEB128 of at most `bits` bits, skipped */
  skipSigned (bits: number): void {
    for (let i = 0; i < Math.ceil(bits / 7); i++) if ((this.byte() & 0x80) === 0) return
    throw invalid('is malformed (a constant past its size)')
  }

  skip (n: number): void {
    if (n > this.end - this.at) throw invalid('is malformed (a section or body ends early)')
    this.at += n
  }
}

function atMost (what: string, n: number, max: number): void {
  if (n > max) throw invalid(`has ${n} ${what}, over the limit of ${max}`)
}

const MAGIC_VERSION = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]

/** True for the errors of a module this pass could not even read (the caller then says it is not a valid module). */
export function isMalformed (err: unknown): boolean {
  return err instanceof WgtError && err.message.startsWith('WASM module: is malformed')
}

const SECTION = { custom: 0, type: 1, function: 3, export: 7, table: 4, global: 6, element: 9, code: 10, data: 11, tag: 13 }

/** What the pass saw: the code and data section sizes, bytes. */
export interface ModuleStats { codeBytes: number, dataBytes: number }

/** Throws INVALID_INPUT naming the first limit the module passes. `bytes` is a whole module (≤ MAX_MODULE_BYTES: abi.ts). */
export function checkModuleLimits (bytes: Uint8Array): ModuleStats {
  const stats = { codeBytes: 0, dataBytes: 0 }
  const r = new Reader(bytes, 0, bytes.length)
  for (const b of MAGIC_VERSION) if (r.byte() !== b) throw invalid('is malformed (not the WebAssembly magic number and version 1)')
  let locals = 0
  while (r.at < r.end) {
    const id = r.byte()
    const size = r.u32()
    const s = new Reader(bytes, r.at, r.at + size)
    r.skip(size)
    switch (id) {
      case SECTION.type: atMost('types', s.u32(), MAX_TYPES); break
      case SECTION.function: atMost('functions', s.u32(), MAX_FUNCTIONS); break
      case SECTION.global: atMost('globals', s.u32(), MAX_GLOBALS); break
      case SECTION.export: atMost('exports', s.u32(), MAX_EXPORTS); break
      case SECTION.data:
        atMost('data segments', s.u32(), MAX_DATA_SEGMENTS)
        stats.dataBytes = size
        break
      case SECTION.tag: throw invalid('uses exceptions (a tag section), outside the ABI\'s features')
      case SECTION.table: checkTables(s); break
      case SECTION.element: checkElements(s); break
      case SECTION.code:
        atMost('bytes of code', size, MAX_CODE_BYTES)
        stats.codeBytes = size
        locals = checkCode(s)
        atMost('locals in all functions', locals, MAX_LOCALS_TOTAL)
        break
      default: break
    }
  }
  return stats
}

function checkTables (s: Reader): void {
  const count = s.u32()
  if (count > 1) throw invalid(`has ${count} tables; the ABI's features allow one (for call_indirect)`)
  if (count === 0) return
  if (s.byte() !== 0x70) throw invalid('has a table of other than funcref, outside the ABI\'s features')
  const flags = s.byte()
  if (flags > 1) throw invalid('has a shared or 64-bit table, outside the ABI\'s features')
  const min = s.u32()
  atMost('table entries (initial size)', min, MAX_TABLE_ENTRIES)
  if (flags === 1) atMost('table entries (maximum size)', s.u32(), MAX_TABLE_ENTRIES)
}

function checkElements (s: Reader): void {
  const count = s.u32()
  atMost('element segments', count, MAX_ELEMENT_SEGMENTS)
  let entries = 0
  for (let i = 0; i < count; i++) {
    // the MVP form only: active, table 0, an offset expression, function indices
    if (s.u32() !== 0) throw invalid('has a passive, declarative or expression element segment (reference types), outside the ABI\'s features')
    skipInstructions(s, true)
    const n = s.u32()
    entries += n
    atMost('element entries', entries, MAX_TABLE_ENTRIES)
    for (let k = 0; k < n; k++) s.u32()
  }
}

function checkCode (s: Reader): number {
  const count = s.u32()
  atMost('functions', count, MAX_FUNCTIONS)
  let total = 0
  let loops = 0
  for (let f = 0; f < count; f++) {
    const size = s.u32()
    if (size > MAX_FUNCTION_BODY_BYTES) throw invalid(`function ${f} is ${size} bytes, over the limit of ${MAX_FUNCTION_BODY_BYTES} for one function`)
    const body = new Reader(s.bytes, s.at, s.at + size)
    s.skip(size)
    let locals = 0
    const groups = body.u32()
    for (let g = 0; g < groups; g++) {
      locals += body.u32()
      if (locals > MAX_LOCALS_PER_FUNCTION) throw invalid(`function ${f} has over ${MAX_LOCALS_PER_FUNCTION} locals`)
      const t = body.byte()
      if (t < 0x7b || t > 0x7f) throw invalid(`function ${f} has a local of a reference type, outside the ABI's features`)
    }
    total += locals
    loops += skipInstructions(body, false)
    atMost('loops', loops, MAX_LOOPS)
    if (body.at !== body.end) throw invalid(`function ${f} has bytes after its end`)
  }
  return total
}

/**
 * Reads instructions up to the `end` that closes the body (or a constant
 * expression), tracking nesting; returns the number of loops. Immediates are skipped per opcode; an
 * opcode of a feature outside the ABI is refused.
 */
function skipInstructions (r: Reader, constant: boolean): number {
  let depth = 0
  let loops = 0
  for (;;) {
    const op = r.byte()
    if (op === 0x03) loops++
    if (op === 0x02 || op === 0x03 || op === 0x04) {
      if (++depth > MAX_NESTING) throw invalid(`nests blocks, loops and ifs over ${MAX_NESTING} deep`)
      const t = r.byte()
      // 0x40 (empty), a value type, or a type index (a signed LEB, positive)
      if (t !== 0x40 && (t < 0x7b || t > 0x7f)) { r.at--; r.skipSigned(33) }
    } else if (op === 0x0b) {
      if (depth === 0) return loops
      depth--
    } else if (op === 0x05 || op === 0x00 || op === 0x01 || op === 0x0f || op === 0x1a || op === 0x1b || (op >= 0x45 && op <= 0xc4)) {
      // no immediates
    } else if (op === 0x0c || op === 0x0d || op === 0x10 || (op >= 0x20 && op <= 0x24)) {
      r.u32()
    } else if (op === 0x0e) {
      const n = r.u32()
      for (let i = 0; i <= n; i++) r.u32()
    } else if (op === 0x11) {
      r.u32()
      r.u32()
    } else if (op === 0x1c) {
      const n = r.u32()
      r.skip(n)
    } else if (op >= 0x28 && op <= 0x3e) {
      memarg(r)
    } else if (op === 0x3f || op === 0x40) {
      r.u32()
    } else if (op === 0x41) {
      r.skipSigned(32)
    } else if (op === 0x42) {
      r.skipSigned(64)
    } else if (op === 0x43) {
      r.skip(4)
    } else if (op === 0x44) {
      r.skip(8)
    } else if (op === 0xfc) {
      prefixedFC(r)
    } else if (op === 0xfd) {
      prefixedSimd(r)
    } else {
      throw invalid(`uses opcode 0x${op.toString(16)}, of features outside the ABI (exceptions, tail calls, references, tables, atomics or GC)`)
    }
    if (constant && depth > 0) throw invalid('has a block in a constant expression')
  }
}

function memarg (r: Reader): void {
  const align = r.u32()
  // bit 6 of the alignment: a memory index follows (multi-memory)
  if ((align & 0x40) !== 0) r.u32()
  r.u32()
}

function prefixedFC (r: Reader): void {
  const sub = r.u32()
  if (sub <= 7) return // saturating float-to-int
  if (sub === 8) { r.u32(); r.u32(); return } // memory.init data, memory
  if (sub === 9) { r.u32(); return } // data.drop
  if (sub === 10) { r.u32(); r.u32(); return } // memory.copy
  if (sub === 11) { r.u32(); return } // memory.fill
  throw invalid(`uses table instruction 0xfc ${sub}, outside the ABI's features`)
}

function prefixedSimd (r: Reader): void {
  const sub = r.u32()
  if (sub <= 0x0b || sub === 0x5c || sub === 0x5d) memarg(r) // loads, splat loads, store, load_zero
  else if (sub === 0x0c || sub === 0x0d) r.skip(16) // v128.const, i8x16.shuffle
  else if (sub >= 0x15 && sub <= 0x22) r.skip(1) // extract and replace lane
  else if (sub >= 0x54 && sub <= 0x5b) { memarg(r); r.skip(1) } // load and store lane
  else if (sub >= 0x100) throw invalid('uses relaxed SIMD, whose results differ between CPUs, outside the ABI\'s features')
}

/** The module without its custom sections (names, producers, debug info): nothing binaryen needs to meter it. */
export function stripCustomSections (bytes: Uint8Array): Uint8Array {
  const r = new Reader(bytes, 8, bytes.length)
  const keep: Array<[number, number]> = []
  let total = 8
  while (r.at < r.end) {
    const start = r.at
    const id = r.byte()
    const size = r.u32()
    r.skip(size)
    if (id !== SECTION.custom) { keep.push([start, r.at]); total += r.at - start }
  }
  if (total === bytes.length) return bytes
  const out = new Uint8Array(total)
  out.set(bytes.subarray(0, 8))
  let at = 8
  for (const [a, b] of keep) { out.set(bytes.subarray(a, b), at); at += b - a }
  return out
}
