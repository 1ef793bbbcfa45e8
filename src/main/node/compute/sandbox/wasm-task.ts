/**
 * Runs a user module's task under the ABI (abi.ts) in this thread, metered
 * (meter.ts), with the imported memory capped at the task's memory limit.
 * What the module comes to is a TaskResult: its output, or 'budget',
 * 'memory', 'trap' or 'invalid'. The wall clock is runner.ts's business.
 */
import { createHash } from 'node:crypto'
import { MAX_TASK_BUDGET, MAX_TASK_OUTPUT_BYTES } from '../../../../shared/api/compute.js'
import { WgtError } from '../../../../shared/errors.js'
import type { TaskResult } from '../types.js'
import {
  BUDGET_GLOBAL, MAX_PAGES_GLOBAL, OUT_OF_BUDGET_GLOBAL, OUT_OF_MEMORY_GLOBAL, meterModule, type MeteredModule
} from './meter.js'

const PAGE = 65536

interface WasmGlobal { value: number | bigint }
interface WasmMemory { readonly buffer: ArrayBuffer }
interface WasmApi {
  Module: new (bytes: Uint8Array) => object
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> }
  Memory: new (desc: { initial: number, maximum: number }) => WasmMemory
  RuntimeError: new () => Error
  LinkError: new () => Error
}
const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly

interface Prepared { metered: MeteredModule, compiled: object }

/**
 * Metered and compiled modules of this thread, by the SHA-256 of the module
 * as submitted: the jobs of one module send it task after task. A few only:
 * a compiled 8 MiB module is large.
 */
const cache = new Map<string, Prepared>()
const CACHE_ENTRIES = 4

async function prepare (module: Uint8Array): Promise<Prepared> {
  const key = createHash('sha256').update(module).digest('hex')
  const hit = cache.get(key)
  if (hit !== undefined) {
    cache.delete(key)
    cache.set(key, hit)
    return hit
  }
  const metered = await meterModule(module)
  const prepared = { metered, compiled: new wasmApi.Module(metered.binary) }
  cache.set(key, prepared)
  if (cache.size > CACHE_ENTRIES) cache.delete(cache.keys().next().value as string)
  return prepared
}

type Fn = (...args: number[]) => number

/**
 * `onStart` is called when the module's own code is about to run (after
 * metering and compiling, which are this node's work, not the task's).
 */
export async function runWasmTask (module: Uint8Array, input: Uint8Array, budget: bigint, memoryBytes: number,
  onStart: () => void = () => {}): Promise<TaskResult> {
  if (typeof budget !== 'bigint' || budget < 0n || budget > BigInt(MAX_TASK_BUDGET)) {
    return { ok: false, verdict: 'invalid', message: `budget ${String(budget)}: expected 0..${MAX_TASK_BUDGET}` }
  }
  let prepared: Prepared
  try {
    prepared = await prepare(module)
  } catch (err) {
    if (err instanceof WgtError && err.code === 'INVALID_INPUT') return { ok: false, verdict: 'invalid', message: err.message }
    throw err
  }
  const { metered, compiled } = prepared
  const capPages = Math.floor(memoryBytes / PAGE)
  // the module may declare its own maximum below the cap; the smaller one holds
  const maxPages = metered.memoryMax === null ? capPages : Math.min(capPages, metered.memoryMax)
  if (metered.memoryMin > maxPages) {
    return { ok: false, verdict: 'memory', message: `the module starts with ${metered.memoryMin} pages of memory, over its cap of ${maxPages} (${memoryBytes} bytes)` }
  }
  const memory = new wasmApi.Memory({ initial: metered.memoryMin, maximum: maxPages })
  let ex: Record<string, unknown> | undefined
  onStart()
  try {
    ex = new wasmApi.Instance(compiled, { env: { memory } }).exports
    const global = (name: string): WasmGlobal => ex?.[name] as WasmGlobal
    global(BUDGET_GLOBAL).value = budget
    global(MAX_PAGES_GLOBAL).value = maxPages
    const alloc = ex.alloc as Fn
    const run = ex.run as Fn
    const output = ex.output as Fn

    const ptr = alloc(input.length) >>> 0
    if (ptr + input.length > memory.buffer.byteLength) {
      return { ok: false, verdict: 'invalid', message: `alloc(${input.length}) returned ${ptr}, outside the module's ${memory.buffer.byteLength}-byte memory` }
    }
    new Uint8Array(memory.buffer).set(input, ptr)
    const length = run(ptr, input.length)
    if (length < 0) return { ok: false, verdict: 'invalid', message: `the module rejected its input (run returned ${length})` }
    if (length > MAX_TASK_OUTPUT_BYTES) {
      return { ok: false, verdict: 'invalid', message: `the output is ${length} bytes, over the ${MAX_TASK_OUTPUT_BYTES}-byte limit of a task's output` }
    }
    const at = output() >>> 0
    // memory may have grown during run: read the buffer afresh
    const buffer = memory.buffer
    if (at + length > buffer.byteLength) {
      return { ok: false, verdict: 'invalid', message: `output() returned ${at} for ${length} bytes, outside the module's ${buffer.byteLength}-byte memory` }
    }
    return { ok: true, output: new Uint8Array(buffer, at, length).slice() }
  } catch (err) {
    const flag = (name: string): boolean => ex !== undefined && (ex[name] as WasmGlobal).value !== 0
    if (flag(OUT_OF_BUDGET_GLOBAL)) return { ok: false, verdict: 'budget', message: `the module ran out of its budget of ${budget} instructions` }
    if (flag(OUT_OF_MEMORY_GLOBAL)) return { ok: false, verdict: 'memory', message: `the module asked for memory past its cap of ${maxPages} pages (${maxPages * PAGE} bytes)` }
    if (err instanceof wasmApi.RuntimeError || err instanceof wasmApi.LinkError || isStackOverflow(err)) {
      return { ok: false, verdict: 'trap', message: `the module trapped: ${(err as Error).message}` }
    }
    throw err
  }
}

/**
 * V8 reports WASM stack exhaustion as a RangeError. Where it happens depends
 * on the engine's frame sizes, so two workers could disagree on a recursion
 * right at the edge; a runaway recursion traps on all of them.
 */
function isStackOverflow (err: unknown): boolean {
  return err instanceof RangeError && /call stack/i.test(err.message)
}
