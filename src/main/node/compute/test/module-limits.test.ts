import { afterAll, describe, expect, it } from 'vitest'
import { WgtError } from '../../../../shared/errors.js'
import { checkModuleAbi } from '../sandbox/abi.js'
import { meterModule } from '../sandbox/meter.js'
import {
  MAX_CODE_BYTES, MAX_EXPORTS, MAX_FUNCTION_BODY_BYTES, MAX_LOCALS_PER_FUNCTION, MAX_LOOPS, MAX_TABLE_ENTRIES, checkModuleLimits, stripCustomSections
} from '../sandbox/module-limits.js'
import { createTaskRunner } from '../sandbox/runner.js'
import { runWasmTask } from '../sandbox/wasm-task.js'
import { leb, nestedModule, rawModule, section } from './nested.js'
import { abiModule } from './wat.js'

const MiB = 2 ** 20
const LIMITS = { timeoutMs: 120_000, memoryBytes: 4 * MiB }
const x = new Uint8Array([120])

/** `pattern` repeated to `bytes` bytes (whole patterns) */
function repeat (pattern: number[], bytes: number): Uint8Array {
  const n = Math.floor(bytes / pattern.length)
  const out = new Uint8Array(n * pattern.length)
  for (let i = 0; i < n; i++) out.set(pattern, i * pattern.length)
  return out
}
const NOP = [0x01]
const EMPTY_LOOP = [0x03, 0x40, 0x0b]

function refused (bytes: Uint8Array, message: RegExp): void {
  let err: unknown = null
  try { checkModuleAbi(bytes) } catch (e) { err = e }
  expect(err).toBeInstanceOf(WgtError)
  expect((err as WgtError).code).toBe('INVALID_INPUT')
  expect((err as WgtError).message).toMatch(message)
}

// review M2 (/tmp/review-compute/big.mjs): these cost binaryen 6–17 s and 640–865 MiB, or failed after metering
describe('bounds on metering (review M2, L6)', () => {
  const pool = createTaskRunner({ concurrency: 1 })
  afterAll(async () => { await pool.stop() })

  it('the reviewer\'s modules are refused by the cheap pass, before binaryen; through the pool the verdict is invalid', async () => {
    const nops = rawModule({ run: repeat(NOP, 7_600_000) })
    refused(nops, /7600\d+ bytes of code, over the limit of 1048576/)
    refused(nestedModule(100_000), /nests blocks, loops and ifs over 512 deep/)
    refused(rawModule({ run: repeat(EMPTY_LOOP, 600_000) }), /function 1 is 600\d+ bytes, over the limit of 524288 for one function/)
    const outcome = await pool.run({ kernel: 'wasm', module: nops, input: x, budget: 1_000_000n }, LIMITS)
    expect(outcome.result).toMatchObject({ ok: false, verdict: 'invalid', message: expect.stringMatching(/bytes of code, over the limit/) })
  })

  it('the largest body with the most loops and memory.grows is metered, compiles under V8\'s function limit, and runs', async () => {
    const loops = repeat(EMPTY_LOOP, 3 * MAX_LOOPS)
    const grows = repeat([0x41, 0x00, 0x40, 0x00, 0x1a], MAX_FUNCTION_BODY_BYTES - loops.length - 16) // drop (memory.grow (i32.const 0))
    const run = new Uint8Array(loops.length + grows.length)
    run.set(loops)
    run.set(grows, loops.length)
    const metered = await meterModule(rawModule({ run }))
    // each loop is charged, each grow checked: far larger than the body, still one V8 function
    expect(metered.binary.length).toBeGreaterThan(3 * run.length)
    expect(metered.binary.length).toBeLessThan(7_654_321)
    expect(await runWasmTask(rawModule({ run }), x, 10_000_000n, LIMITS.memoryBytes)).toMatchObject({ ok: true })
    refused(rawModule({ run: repeat(EMPTY_LOOP, 3 * MAX_LOOPS + 3) }), /65537 loops, over the limit of 65536/)
  })

  it('the largest code section (two bodies of nops) is metered, and its thread retires after (binaryen\'s memory never shrinks)', async () => {
    const body = repeat(NOP, MAX_FUNCTION_BODY_BYTES - 16)
    const m = rawModule({ run: body, more: [body.subarray(0, MAX_CODE_BYTES - MAX_FUNCTION_BODY_BYTES - 64)] })
    const small = await pool.run({ kernel: 'wasm', module: rawModule({ run: [] }), input: x, budget: 1000n }, LIMITS)
    expect(small.result.ok && pool.threads()).toBe(1)
    const outcome = await pool.run({ kernel: 'wasm', module: m, input: x, budget: 10_000_000n }, LIMITS)
    expect(outcome.result.ok).toBe(true)
    // its binaryen grew by ~100 MiB, which it would keep: the thread retired after the task
    expect(pool.threads()).toBe(0)
  })

  it('tables: a 10M-entry funcref table and too many element entries are refused; one at the limit is fine (L6)', async () => {
    const table = (min: number, max?: number): number[] => section(4, [1, 0x70, max === undefined ? 0 : 1, ...leb(min), ...(max === undefined ? [] : leb(max))])
    refused(rawModule({ run: [], table: table(10_000_000) }), /10000000 table entries \(initial size\), over the limit of 65536/)
    refused(rawModule({ run: [], table: table(1, 10_000_000) }), /table entries \(maximum size\)/)
    const entries = MAX_TABLE_ENTRIES + 1
    const element = section(9, [1, 0, 0x41, 0, 0x0b, ...leb(entries), ...new Array<number>(entries).fill(0)])
    refused(rawModule({ run: [], table: table(MAX_TABLE_ENTRIES), element }), /65537 element entries, over the limit of 65536/)
    await expect(meterModule(rawModule({ run: [], table: table(MAX_TABLE_ENTRIES) }))).resolves.toMatchObject({ memoryMin: 1 })
  })

  it('exports over the limit are refused (binaryen keeps a name and an entry for each)', () => {
    const m = rawModule({ run: [] })
    // a second export section would be invalid: count the limit through the reader on a module whose export count is patched
    const at = m.indexOf(7, 8 + 20)
    expect(m[at + 2]).toBe(3)
    const body = [...leb(MAX_EXPORTS + 1), ...Array.from({ length: MAX_EXPORTS + 1 }, (_, i) => [...leb(String(i).length), ...Buffer.from(String(i)), 0, 0]).flat()]
    const patched = new Uint8Array([...m.subarray(0, at), ...section(7, body), ...m.subarray(at + 2 + m[at + 1])])
    refused(patched, /10001 exports, over the limit of 10000/)
  })

  it('locals over the limit of a function are refused', () => {
    // V8's own limit is the same 50000: whichever reads it first refuses
    refused(rawModule({ run: [], locals: [[MAX_LOCALS_PER_FUNCTION, 0x7f], [1, 0x7e]] }), /function 1 has over 50000 locals|not a valid WebAssembly module/)
    expect(() => { checkModuleLimits(rawModule({ run: [], locals: [[MAX_LOCALS_PER_FUNCTION, 0x7f]] })) }).not.toThrow()
  })

  it('instructions of features outside the ABI are named by the cheap pass', async () => {
    refused(await abiModule('(drop (table.size 0)) (i32.const 0)', '(table 1 funcref)'), /table instruction 0xfc 16/)
    refused(await abiModule('(drop (ref.null func)) (i32.const 0)'), /opcode 0xd0/)
  })

  it('custom sections are stripped before binaryen: a module with 1 MiB of them meters as without', async () => {
    const plain = rawModule({ run: [] })
    const custom = section(0, [4, ...Buffer.from('junk'), ...new Array<number>(MiB).fill(7)])
    const withCustom = rawModule({ run: [], custom })
    expect(stripCustomSections(withCustom)).toEqual(plain)
    expect((await meterModule(withCustom)).binary).toEqual((await meterModule(plain)).binary)
  })
})

// review L3: what a worker checks, the requester can check at submit time, in the pool
describe('checkModule (submit-time check through the pool)', () => {
  const pool = createTaskRunner({ concurrency: 2 })
  afterAll(async () => { await pool.stop() })

  it('resolves with the declared memory for a module a worker would run; rejects what a worker would refuse', async () => {
    await expect(pool.checkModule(rawModule({ run: [] }))).resolves.toEqual({ memoryMin: 1, memoryMax: null })
    await expect(pool.checkModule(await abiModule('(i32.const 0)', '(func $s) (start $s)'))).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/has a start function/) })
    await expect(pool.checkModule(await abiModule('(i32.const 0)', '(func $f (export "output2") (result i32) (i32.const 0))'))).resolves.toMatchObject({ memoryMin: 2 })
    await expect(pool.checkModule(rawModule({ run: repeat(NOP, 1_100_000) }))).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/bytes of code, over the limit/) })
    await expect(pool.checkModule(new TextEncoder().encode('garbage'))).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/not a valid WebAssembly module/) })
  })

  it('a thread stopped while it holds the metering lock does not block the others', async () => {
    // a thread is stopped (its task cancelled) while it loads binaryen and meters the largest code allowed, under the lock
    const fresh = createTaskRunner({ concurrency: 2 })
    const body = repeat(NOP, MAX_FUNCTION_BODY_BYTES - 16)
    const largest = rawModule({ run: body, more: [body.subarray(0, MAX_CODE_BYTES - MAX_FUNCTION_BODY_BYTES - 64)] })
    const ac = new AbortController()
    const cold = fresh.run({ kernel: 'wasm', module: largest, input: x, budget: 1000n }, LIMITS, ac.signal)
    cold.catch(() => {})
    while (fresh.meteringThread() === 0) await new Promise(resolve => setTimeout(resolve, 2))
    ac.abort()
    await expect(cold).rejects.toMatchObject({ code: 'CANCELLED' })
    try {
      await expect(fresh.checkModule(rawModule({ run: [] }))).resolves.toMatchObject({ memoryMin: 1 })
      expect((await fresh.run({ kernel: 'wasm', module: rawModule({ run: [] }), input: x, budget: 1000n }, LIMITS)).result.ok).toBe(true)
    } finally {
      await fresh.stop()
    }
  })
})
