import { afterAll, describe, expect, it } from 'vitest'
import { WgtError } from '../../../../shared/errors.js'
import { checkModuleAbi } from '../sandbox/abi.js'
import { meterModule } from '../sandbox/meter.js'
import { createTaskRunner } from '../sandbox/runner.js'
import { runWasmTask } from '../sandbox/wasm-task.js'
import type { TaskSpec } from '../types.js'
import { abiModule, wat } from './wat.js'

const MiB = 2 ** 20
const LIMITS = { timeoutMs: 60_000, memoryBytes: 16 * MiB }
const BUDGET = 10_000_000n
const text = (s: string): Uint8Array => new TextEncoder().encode(s)

// an endless loop
const ENDLESS = '(loop $l (br $l)) (i32.const 0)'
// grows memory a page at a time until the grow fails, then returns how many pages it got
const HUNGRY = `(block $done (loop $l
    (br_if $done (i32.eq (memory.grow (i32.const 1)) (i32.const -1)))
    (local.set $n (i32.add (local.get $n) (i32.const 1))) (br $l)))
  (i32.store (i32.const 0) (local.get $n)) (i32.const 4)`
// copies the input to the output, upper-casing a..z
const UPPER = `(block $done (loop $l
    (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
    (local.set $n (i32.load8_u (i32.add (local.get $ptr) (local.get $i))))
    (if (i32.and (i32.ge_u (local.get $n) (i32.const 97)) (i32.le_u (local.get $n) (i32.const 122)))
      (then (local.set $n (i32.sub (local.get $n) (i32.const 32)))))
    (i32.store8 (local.get $i) (local.get $n))
    (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $l)))
  (local.get $len)`

async function invalid (bytes: Uint8Array | Promise<Uint8Array>, message: RegExp): Promise<void> {
  const b = await bytes
  const err = await meterModule(b).then(() => null, (e: unknown) => e)
  expect(err).toBeInstanceOf(WgtError)
  expect((err as WgtError).code).toBe('INVALID_INPUT')
  expect((err as WgtError).message).toMatch(message)
}

describe('user-module ABI checks', () => {
  it('refuses garbage, other imports, missing or mistyped exports, a start function, features outside the ABI', async () => {
    await invalid(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 99]), /not a valid WebAssembly module/)
    await invalid(text('hello'), /not a valid WebAssembly module/)
    await invalid(abiModule(ENDLESS, '', '(import "env" "abort" (func))'), /imports env\.abort \(function\); the ABI allows only env\.memory/)
    await invalid(abiModule(ENDLESS, '', '(import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))'), /wasi_snapshot_preview1\.fd_write/)
    await invalid(wat('(module (memory (export "m") 1) (func (export "alloc") (param i32) (result i32) (i32.const 0)) (func (export "run") (param i32 i32) (result i32) (i32.const 0)) (func (export "output") (result i32) (i32.const 0)))'), /does not import env\.memory/)
    await invalid(wat('(module (import "env" "memory" (memory 1)) (func (export "run") (param i32 i32) (result i32) (i32.const 0)) (func (export "output") (result i32) (i32.const 0)))'), /does not export alloc/)
    await invalid(wat('(module (import "env" "memory" (memory 1)) (global (export "alloc") i32 (i32.const 0)) (func (export "run") (param i32 i32) (result i32) (i32.const 0)) (func (export "output") (result i32) (i32.const 0)))'), /exports alloc as a global/)
    await invalid(wat('(module (import "env" "memory" (memory 1)) (func (export "alloc") (param i32) (result i32) (i32.const 0)) (func (export "run") (param i32) (result i32) (i32.const 0)) (func (export "output") (result i32) (i32.const 0)))'), /run has the wrong signature; the ABI needs run\(i32, i32\) -> i32/)
    await invalid(abiModule(ENDLESS, '(func $s) (start $s)'), /has a start function/)
    await invalid(abiModule(ENDLESS, '(func (export "__wgt_budget"))'), /reserved/)
    await invalid(abiModule('(drop (i32.atomic.load (i32.const 0))) (i32.const 0)'), /features outside the ABI/)
    await invalid(abiModule('(return_call $f (local.get $ptr) (local.get $len))', '(func $f (param i32 i32) (result i32) (i32.const 0))'), /features outside the ABI|tail calls/)
    expect(() => { checkModuleAbi(new Uint8Array(9 * MiB)) }).toThrow(/over the 8388608-byte limit/)
  })

  it('accepts a module that follows the ABI, with SIMD and bulk memory', async () => {
    const m = await meterModule(await abiModule('(memory.fill (i32.const 0) (i32.const 1) (i32.const 8)) (v128.store (i32.const 16) (i32x4.splat (i32.const 7))) (i32.const 8)'))
    expect(m.memoryMin).toBe(2)
    expect(m.memoryMax).toBeNull()
  })
})

describe('running user modules (in this thread)', () => {
  it('computes an output', async () => {
    const result = await runWasmTask(await abiModule(UPPER), text('Hello, wasm!'), BUDGET, LIMITS.memoryBytes)
    expect(result.ok).toBe(true)
    if (result.ok) expect(new TextDecoder().decode(result.output)).toBe('HELLO, WASM!')
  })

  it('an endless loop ends with verdict budget', async () => {
    expect(await runWasmTask(await abiModule(ENDLESS), text('x'), 100_000n, LIMITS.memoryBytes)).toMatchObject({ ok: false, verdict: 'budget' })
  })

  it('a memory-hungry module stops with verdict memory at its cap', async () => {
    expect(await runWasmTask(await abiModule(HUNGRY), text('x'), BUDGET, 4 * MiB)).toMatchObject({ ok: false, verdict: 'memory', message: expect.stringMatching(/past its cap of 64 pages/) })
    // a module whose declared minimum is over the cap
    const big = await wat('(module (import "env" "memory" (memory 100)) (func (export "alloc") (param i32) (result i32) (i32.const 0)) (func (export "run") (param i32 i32) (result i32) (i32.const 0)) (func (export "output") (result i32) (i32.const 0)))')
    expect(await runWasmTask(big, text('x'), BUDGET, 4 * MiB)).toMatchObject({ ok: false, verdict: 'memory' })
  })

  it('a trap, a rejected input and a bad output pointer are results', async () => {
    expect(await runWasmTask(await abiModule('(unreachable)'), text('x'), BUDGET, LIMITS.memoryBytes)).toMatchObject({ ok: false, verdict: 'trap' })
    expect(await runWasmTask(await abiModule('(i32.div_u (i32.const 1) (i32.const 0))'), text('x'), BUDGET, LIMITS.memoryBytes)).toMatchObject({ ok: false, verdict: 'trap' })
    expect(await runWasmTask(await abiModule('(i32.const -1)'), text('x'), BUDGET, LIMITS.memoryBytes)).toMatchObject({ ok: false, verdict: 'invalid', message: expect.stringMatching(/rejected its input/) })
    expect(await runWasmTask(await abiModule('(i32.const 200000)'), text('x'), BUDGET, LIMITS.memoryBytes)).toMatchObject({ ok: false, verdict: 'invalid', message: expect.stringMatching(/output\(\) returned 0 for 200000 bytes, outside the module's 131072-byte memory/) })
    expect(await runWasmTask(await abiModule('(call $rec) (i32.const 0)', '(func $rec (call $rec))'), text('x'), 10n ** 12n, LIMITS.memoryBytes)).toMatchObject({ ok: false, verdict: 'trap' })
  })
})

describe('user modules in the TaskRunner', () => {
  const pool = createTaskRunner({ concurrency: 1 })
  afterAll(async () => { await pool.stop() })
  const spec = async (body: string, input = 'x', budget = BUDGET): Promise<TaskSpec> => ({ kernel: 'wasm', module: await abiModule(body), input: text(input), budget })

  it('the same metered task gives the same verdict and the same hash twice', async () => {
    const s = await spec(ENDLESS, 'x', 1_000_000n)
    const a = await pool.run(s, LIMITS)
    const b = await pool.run(s, LIMITS)
    expect(a.result).toMatchObject({ ok: false, verdict: 'budget' })
    expect(b.sha256).toBe(a.sha256)
    const u = await spec(UPPER, 'abc')
    const x = await pool.run(u, LIMITS)
    const y = await pool.run(u, LIMITS)
    expect(x.result.ok).toBe(true)
    expect(y.sha256).toBe(x.sha256)
  })

  it('an endless loop with a huge budget is stopped at the time limit, and the pool is healthy after', async () => {
    await expect(pool.run(await spec(ENDLESS, 'x', 10n ** 12n), { ...LIMITS, timeoutMs: 300 })).rejects.toMatchObject({ code: 'TIMEOUT' })
    const after = await pool.run(await spec(UPPER, 'still here'), LIMITS)
    expect(after.result.ok && new TextDecoder().decode(after.result.output)).toBe('STILL HERE')
  })

  it('memory cap and invalid module through the pool', async () => {
    expect((await pool.run(await spec(HUNGRY), { ...LIMITS, memoryBytes: 2 * MiB })).result).toMatchObject({ verdict: 'memory' })
    const bad = await pool.run({ kernel: 'wasm', module: text('garbage'), input: text('x'), budget: BUDGET }, LIMITS)
    expect(bad.result).toMatchObject({ ok: false, verdict: 'invalid', message: expect.stringMatching(/not a valid WebAssembly module/) })
  })
})
