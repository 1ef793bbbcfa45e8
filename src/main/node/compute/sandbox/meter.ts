/**
 * The deterministic instruction budget, injected into a user module with
 * binaryen before it runs, so "out of budget" is the same verdict on every
 * worker (the wall-clock kill in runner.ts stays as the backstop).
 *
 * The module is read as submitted (no optimisation pass: the costs must not
 * depend on what an optimiser did) and gets:
 *
 *   global __wgt_budget (mut i64, exported)   the host sets it before alloc
 *   global __wgt_out_of_budget (mut i32)      set to 1 just before the trap
 *   global __wgt_out_of_memory (mut i32)      likewise for the memory cap
 *   global __wgt_max_pages (mut i32)          the cap in pages, set by the host
 *
 *   at each function entry and at the start of each loop body:
 *     budget -= the static number of expressions of that body (binaryen IR
 *     nodes, not counting nested loop bodies, which charge for themselves;
 *     a branch not taken is charged anyway: the cost is static, so equal
 *     everywhere); if budget < 0: out_of_budget = 1; unreachable
 *   memory.grow(delta): if size + delta > max_pages: out_of_memory = 1;
 *     unreachable — a grow past the cap traps rather than returning -1, so
 *     the verdict is 'memory' whatever the module would do with the -1
 *   memory.fill / copy / init of n bytes: also charge 1 per 8 bytes, so a
 *     loop of huge copies cannot run long on a small charge
 *
 * The host tells budget, memory and other traps apart by the flag globals.
 * Every loop iteration and every call charges at least 1, so any endless
 * execution ends at the budget. The costs are binaryen's IR for the module,
 * so all workers must use the same binaryen (package.json pins the major).
 *
 * Features allowed (deterministic ones): MVP, mutable globals, sign
 * extension, non-trapping float-to-int, SIMD (not relaxed SIMD, whose
 * results differ between CPUs), bulk memory. Not threads, exceptions,
 * reference types, GC, multi-memory, memory64, multi-value, tail calls.
 */
import type binaryenT from 'binaryen'
import { WgtError } from '../../../../shared/errors.js'
import { RESERVED_PREFIX, checkModuleAbi } from './abi.js'

type Binaryen = typeof binaryenT
type BModule = binaryenT.Module
type Ref = number

export const BUDGET_GLOBAL = '__wgt_budget'
export const OUT_OF_BUDGET_GLOBAL = '__wgt_out_of_budget'
export const OUT_OF_MEMORY_GLOBAL = '__wgt_out_of_memory'
export const MAX_PAGES_GLOBAL = '__wgt_max_pages'
const GROW_CHECK = '__wgt_grow_check'
const BULK_CHARGE = '__wgt_bulk_charge'

export interface MeteredModule {
  /** the instrumented module */
  binary: Uint8Array
  /** the imported memory's declared minimum and maximum, pages */
  memoryMin: number
  memoryMax: number | null
}

let loaded: Promise<Binaryen> | undefined
let quiet = false
let poisoned = false

/**
 * True once binaryen failed in a way we did not foresee (an Emscripten
 * abort leaves its instance unusable): the task thread then exits after
 * answering, and the pool starts a fresh one.
 */
export function meterPoisoned (): boolean {
  return poisoned
}

/**
 * binaryen is ~15 MB of JavaScript and WASM (~1.5 s and ~80 MiB to load
 * here), so it is loaded on the first user module, in the task thread.
 * Its validator prints to the console; while we validate a stranger's
 * module that text is dropped (the INVALID_INPUT message says what is wrong).
 */
async function binaryen (): Promise<Binaryen> {
  loaded ??= (async () => {
    // binaryen binds console.log/error when it loads, so the filter goes in first
    for (const level of ['log', 'error'] as const) {
      const original = console[level]
      console[level] = (...args: unknown[]) => { if (!quiet) original(...args) }
    }
    return (await import('binaryen')).default
  })()
  return await loaded
}

function invalid (message: string): WgtError {
  return new WgtError('INVALID_INPUT', `WASM module: ${message}`)
}

// The expression kinds a module may use, with the fields holding their children.
function childFields (b: Binaryen): Map<number, string[]> {
  return new Map<number, string[]>([
    [b.NopId, []], [b.BlockId, ['children']], [b.IfId, ['condition', 'ifTrue', 'ifFalse']], [b.LoopId, ['body']],
    [b.BreakId, ['condition', 'value']], [b.SwitchId, ['condition', 'value']], [b.CallId, ['operands']],
    [b.CallIndirectId, ['target', 'operands']], [b.LocalGetId, []], [b.LocalSetId, ['value']], [b.GlobalGetId, []],
    [b.GlobalSetId, ['value']], [b.LoadId, ['ptr']], [b.StoreId, ['ptr', 'value']], [b.ConstId, []],
    [b.UnaryId, ['value']], [b.BinaryId, ['left', 'right']], [b.SelectId, ['ifTrue', 'ifFalse', 'condition']],
    [b.DropId, ['value']], [b.ReturnId, ['value']], [b.MemorySizeId, []], [b.MemoryGrowId, ['delta']],
    [b.UnreachableId, []], [b.SIMDExtractId, ['vec']], [b.SIMDReplaceId, ['vec', 'value']],
    [b.SIMDShuffleId, ['left', 'right']], [b.SIMDTernaryId, ['a', 'b', 'c']], [b.SIMDShiftId, ['vec', 'shift']],
    [b.SIMDLoadId, ['ptr']], [b.SIMDLoadStoreLaneId, ['ptr', 'vec']], [b.MemoryInitId, ['dest', 'offset', 'size']],
    [b.DataDropId, []], [b.MemoryCopyId, ['dest', 'source', 'size']], [b.MemoryFillId, ['dest', 'value', 'size']]
  ])
}

function allowedFeatures (b: Binaryen): number {
  const f = b.Features
  return f.MVP | f.MutableGlobals | f.SignExt | f.NontrappingFPToInt | f.SIMD128 | f.BulkMemory | f.BulkMemoryOpt
}

interface Wrappers {
  Loop: { getBody: (e: Ref) => Ref, setBody: (e: Ref, body: Ref) => void }
  MemoryGrow: { getDelta: (e: Ref) => Ref, setDelta: (e: Ref, d: Ref) => void }
  MemoryFill: { getSize: (e: Ref) => Ref, setSize: (e: Ref, s: Ref) => void }
  MemoryCopy: { getSize: (e: Ref) => Ref, setSize: (e: Ref, s: Ref) => void }
  MemoryInit: { getSize: (e: Ref) => Ref, setSize: (e: Ref, s: Ref) => void }
  Function: { getBody: (f: Ref) => Ref, setBody: (f: Ref, body: Ref) => void }
}

/**
 * Checks a user module against the ABI (abi.ts, then signatures, features
 * and start function here) and returns it metered. INVALID_INPUT says what
 * is wrong.
 */
export async function meterModule (bytes: Uint8Array): Promise<MeteredModule> {
  checkModuleAbi(bytes)
  const b = await binaryen()
  let m: BModule
  try {
    quiet = true
    m = b.readBinary(bytes)
  } catch (err) {
    poisoned = true
    throw invalid(`binaryen cannot read it (${(err as Error).message})`)
  } finally {
    quiet = false
  }
  try {
    return instrument(b, m)
  } catch (err) {
    if (!(err instanceof WgtError)) poisoned = true
    throw err
  } finally {
    quiet = false
    m.dispose()
  }
}

function instrument (b: Binaryen, m: BModule): MeteredModule {
  const features = allowedFeatures(b)
  m.setFeatures(features)
  quiet = true
  const valid = m.validate() !== 0
  quiet = false
  if (!valid) throw invalid('uses WebAssembly features outside the ABI (allowed: MVP, mutable globals, sign extension, non-trapping float-to-int, SIMD without relaxed SIMD, bulk memory)')
  if (m.getStart() !== 0) throw invalid('has a start function; the ABI runs code only through alloc, run and output')
  const mem = m.getMemoryInfo()
  if (mem.shared || mem.is64) throw invalid('its memory must be a plain 32-bit, unshared memory')
  checkSignatures(b, m)
  for (const name of [BUDGET_GLOBAL, OUT_OF_BUDGET_GLOBAL, OUT_OF_MEMORY_GLOBAL, MAX_PAGES_GLOBAL]) {
    if (m.getGlobal(name) !== 0) throw invalid(`uses the reserved name ${name}`)
  }
  for (const name of [GROW_CHECK, BULK_CHARGE]) if (m.getFunction(name) !== 0) throw invalid(`uses the reserved name ${name}`)

  const w = b as unknown as Wrappers
  const fields = childFields(b)
  const functions: Ref[] = []
  for (let i = 0; i < m.getNumFunctions(); i++) functions.push(m.getFunctionByIndex(i))
  for (const fn of functions) {
    if (b.getFunctionInfo(fn).module !== '') continue
    const regions = walk(b, fields, w.Function.getBody(fn))
    const body = w.Function.getBody(fn)
    w.Function.setBody(fn, m.block(null, [charge(b, m, regions.entry), body], b.getExpressionType(body)))
    for (const [loop, cost] of regions.loops) {
      const inner = w.Loop.getBody(loop)
      w.Loop.setBody(loop, m.block(null, [charge(b, m, cost), inner], b.getExpressionType(inner)))
    }
    for (const grow of regions.grows) {
      w.MemoryGrow.setDelta(grow, m.call(GROW_CHECK, [w.MemoryGrow.getDelta(grow)], b.i32))
    }
    for (const [e, kind] of regions.bulk) {
      const wrapper = w[kind]
      wrapper.setSize(e, m.call(BULK_CHARGE, [wrapper.getSize(e)], b.i32))
    }
  }
  addRuntime(b, m)
  if (m.validate() === 0) throw new WgtError('INTERNAL', 'the metered module does not validate')
  return { binary: m.emitBinary(), memoryMin: mem.initial, memoryMax: mem.max ?? null }
}

function checkSignatures (b: Binaryen, m: BModule): void {
  const want: Record<string, [number, number]> = {
    alloc: [b.i32, b.i32],
    run: [b.createType([b.i32, b.i32]), b.i32],
    output: [b.none, b.i32]
  }
  const text: Record<string, string> = { alloc: 'alloc(i32) -> i32', run: 'run(i32, i32) -> i32', output: 'output() -> i32' }
  for (let i = 0; i < m.getNumExports(); i++) {
    const e = b.getExportInfo(m.getExportByIndex(i))
    const sig = want[e.name]
    if (sig === undefined || e.kind !== b.ExternalFunction) continue
    const f = b.getFunctionInfo(m.getFunction(e.value))
    if (f.params !== sig[0] || f.results !== sig[1]) throw invalid(`${e.name} has the wrong signature; the ABI needs ${text[e.name]}`)
  }
}

interface Regions {
  entry: number
  loops: Array<[Ref, number]>
  grows: Ref[]
  bulk: Array<[Ref, 'MemoryFill' | 'MemoryCopy' | 'MemoryInit']>
}

/** Counts expressions per region (the body, each loop body) with an explicit stack: nesting depth is the module's choice. */
function walk (b: Binaryen, fields: Map<number, string[]>, body: Ref): Regions {
  const counts = [0]
  const loopRegions: Array<[Ref, number]> = []
  const grows: Ref[] = []
  const bulk: Regions['bulk'] = []
  const stack: Array<[Ref, number]> = [[body, 0]]
  while (stack.length > 0) {
    const [e, region] = stack.pop() as [Ref, number]
    if (e === 0) continue
    const id = b.getExpressionId(e)
    const names = fields.get(id)
    if (names === undefined) throw invalid('uses an instruction outside the ABI\'s features (atomics, exceptions, references, tables beyond call_indirect, tuples)')
    counts[region]++
    // leaves have nothing more to read (and binaryen.js's getExpressionInfo fails on some, e.g. unreachable)
    if (names.length === 0) continue
    const info = b.getExpressionInfo(e) as unknown as Record<string, unknown>
    if ((info.isAtomic === true) || (info.isReturn === true)) throw invalid('uses atomics or tail calls, outside the ABI\'s features')
    let childRegion = region
    if (id === b.LoopId) {
      childRegion = counts.push(0) - 1
      loopRegions.push([e, childRegion])
    } else if (id === b.MemoryGrowId) {
      grows.push(e)
    } else if (id === b.MemoryFillId) {
      bulk.push([e, 'MemoryFill'])
    } else if (id === b.MemoryCopyId) {
      bulk.push([e, 'MemoryCopy'])
    } else if (id === b.MemoryInitId) {
      bulk.push([e, 'MemoryInit'])
    }
    for (const name of names) {
      const v = info[name]
      if (Array.isArray(v)) for (const c of v as Ref[]) stack.push([c, childRegion])
      else if (typeof v === 'number') stack.push([v, childRegion])
    }
  }
  return { entry: counts[0], loops: loopRegions.map(([loop, r]) => [loop, Math.max(1, counts[r])]), grows, bulk }
}

/** budget -= cost; if budget < 0 { out_of_budget = 1; unreachable } */
function charge (b: Binaryen, m: BModule, cost: number): Ref {
  return m.block(null, [
    m.global.set(BUDGET_GLOBAL, m.i64.sub(m.global.get(BUDGET_GLOBAL, b.i64), i64(m, cost))),
    m.if(m.i64.lt_s(m.global.get(BUDGET_GLOBAL, b.i64), i64(m, 0)),
      m.block(null, [m.global.set(OUT_OF_BUDGET_GLOBAL, m.i32.const(1)), m.unreachable()]))
  ], b.none)
}

// binaryen 132's i64.const takes one bigint (its typings still show low/high)
function i64 (m: BModule, v: number): Ref {
  return (m.i64.const as unknown as (v: bigint) => Ref)(BigInt(v))
}

function addRuntime (b: Binaryen, m: BModule): void {
  m.addGlobal(BUDGET_GLOBAL, b.i64, true, i64(m, 0))
  m.addGlobal(OUT_OF_BUDGET_GLOBAL, b.i32, true, m.i32.const(0))
  m.addGlobal(OUT_OF_MEMORY_GLOBAL, b.i32, true, m.i32.const(0))
  m.addGlobal(MAX_PAGES_GLOBAL, b.i32, true, m.i32.const(0))
  for (const name of [BUDGET_GLOBAL, OUT_OF_BUDGET_GLOBAL, OUT_OF_MEMORY_GLOBAL, MAX_PAGES_GLOBAL]) m.addGlobalExport(name, name)
  // (param $delta i32) (result i32): traps with the flag when size + delta passes the cap, else returns delta
  const delta = (): Ref => m.local.get(0, b.i32)
  m.addFunction(GROW_CHECK, b.i32, b.i32, [], m.block(null, [
    m.if(m.i64.gt_u(
      m.i64.add(m.i64.extend_u(m.memory.size()), m.i64.extend_u(delta())),
      m.i64.extend_u(m.global.get(MAX_PAGES_GLOBAL, b.i32))),
    m.block(null, [m.global.set(OUT_OF_MEMORY_GLOBAL, m.i32.const(1)), m.unreachable()])),
    delta()
  ], b.i32))
  // (param $n i32) (result i32): charges n/8 (unsigned), returns n
  const n = (): Ref => m.local.get(0, b.i32)
  m.addFunction(BULK_CHARGE, b.i32, b.i32, [], m.block(null, [
    m.global.set(BUDGET_GLOBAL, m.i64.sub(m.global.get(BUDGET_GLOBAL, b.i64), m.i64.extend_u(m.i32.shr_u(n(), m.i32.const(3))))),
    m.if(m.i64.lt_s(m.global.get(BUDGET_GLOBAL, b.i64), i64(m, 0)),
      m.block(null, [m.global.set(OUT_OF_BUDGET_GLOBAL, m.i32.const(1)), m.unreachable()])),
    n()
  ], b.i32))
}

export { RESERVED_PREFIX }
