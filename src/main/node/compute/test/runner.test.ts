import { afterEach, describe, expect, it } from 'vitest'
import { createTaskRunner, type PooledTaskRunner } from '../sandbox/runner.js'
import { resultSha256 } from '../sandbox/result-hash.js'
import { matmulTs } from '../kernels/matmul.js'
import { decodeMatrix, encodeMatrix } from '../matrix.js'
import type { TaskRunner, TaskSpec } from '../types.js'
import { concat, randomMatrix, sameBits } from './helpers.js'

const LIMITS = { timeoutMs: 60_000, memoryBytes: 64 * 2 ** 20 }

function matmulSpec (n: number, seed: number): TaskSpec {
  return { kernel: 'matmul', input: concat(encodeMatrix(randomMatrix(n, n, seed)), encodeMatrix(randomMatrix(n, n, seed + 1))) }
}

let runners: TaskRunner[] = []
function runner (concurrency = 2, heapMb?: number): PooledTaskRunner {
  const r = createTaskRunner({ concurrency, heapMb })
  runners.push(r)
  return r
}
afterEach(async () => {
  await Promise.all(runners.map(async r => await r.stop()))
  runners = []
})

describe('TaskRunner (worker threads)', () => {
  it('runs a matmul in a thread: the product, its canonical hash, the thread CPU time', async () => {
    const pool = runner()
    // large enough to take several scheduler ticks: the thread CPU clock may advance a tick (4 ms) at a time,
    // and a 60×70·70×50 product (0.4 MFLOP, ~0.1 ms in the WASM kernel) measured 0 on a loaded machine
    const a = randomMatrix(384, 512, 1)
    const b = randomMatrix(512, 384, 2)
    const outcome = await pool.run({ kernel: 'matmul', input: concat(encodeMatrix(a), encodeMatrix(b)) }, LIMITS)
    expect(outcome.result.ok).toBe(true)
    if (!outcome.result.ok) return
    expect(sameBits(decodeMatrix(outcome.result.output).data, matmulTs(a, b).data)).toBe(true)
    expect(outcome.sha256).toBe(resultSha256(outcome.result))
    expect(outcome.cpuMs).toBeGreaterThan(0)
  })

  it('takes its input from a view into a larger buffer', async () => {
    const pool = runner()
    const a = randomMatrix(5, 6, 21)
    const b = randomMatrix(6, 7, 22)
    const both = concat(encodeMatrix(a), encodeMatrix(b))
    const big = new Uint8Array(both.length + 1000)
    big.set(both, 500)
    const outcome = await pool.run({ kernel: 'matmul', input: big.subarray(500, 500 + both.length) }, LIMITS)
    expect(outcome.result.ok && sameBits(decodeMatrix(outcome.result.output).data, matmulTs(a, b).data)).toBe(true)
    expect(big.length).toBe(both.length + 1000)
  })

  it('input the kernel rejects is a result with verdict invalid, hashed without its message', async () => {
    const pool = runner()
    const outcome = await pool.run({ kernel: 'matmul', input: encodeMatrix(randomMatrix(2, 3, 3)) }, LIMITS)
    expect(outcome.result).toMatchObject({ ok: false, verdict: 'invalid', message: expect.stringMatching(/must be followed by B/) })
    expect(outcome.sha256).toBe(resultSha256({ ok: false, verdict: 'invalid', message: 'anything' }))
  })

  it('runs tasks concurrently up to its concurrency and queues the rest', async () => {
    const pool = runner(2)
    const outcomes = await Promise.all([1, 2, 3, 4, 5].map(async s => await pool.run(matmulSpec(40, s * 10), LIMITS)))
    expect(outcomes.every(o => o.result.ok)).toBe(true)
    expect(pool.threads()).toBe(2)
    expect(new Set(outcomes.map(o => o.sha256)).size).toBe(5)
  })

  it('terminates a task at its time limit (TIMEOUT) and the pool stays healthy', async () => {
    const pool = runner(1)
    // ~2·10^9 flops: far longer than 30 ms anywhere
    await expect(pool.run(matmulSpec(1024, 7), { ...LIMITS, timeoutMs: 30 })).rejects.toMatchObject({ code: 'TIMEOUT' })
    expect(pool.threads()).toBe(0)
    const after = await pool.run(matmulSpec(8, 9), LIMITS)
    expect(after.result.ok).toBe(true)
    expect(pool.threads()).toBe(1)
  })

  it('an abort cancels a running task (CANCELLED) and one waiting in the queue', async () => {
    const pool = runner(1)
    const ac = new AbortController()
    const running = expect(pool.run(matmulSpec(1024, 11), LIMITS, ac.signal)).rejects.toMatchObject({ code: 'CANCELLED' })
    const queued = expect(pool.run(matmulSpec(8, 13), LIMITS, ac.signal)).rejects.toMatchObject({ code: 'CANCELLED' })
    setTimeout(() => { ac.abort() }, 50)
    await running
    await queued
    await expect(pool.run(matmulSpec(8, 13), LIMITS, ac.signal)).rejects.toMatchObject({ code: 'CANCELLED' })
    expect((await pool.run(matmulSpec(8, 13), LIMITS)).result.ok).toBe(true)
  })

  it('a thread that dies is an INTERNAL failure of the task, not of the node', async () => {
    // a 4 MiB heap cannot even load the task thread's code
    const pool = runner(1, 4)
    await expect(pool.run(matmulSpec(8, 15), LIMITS)).rejects.toMatchObject({ code: 'INTERNAL' })
    await expect(pool.run(matmulSpec(8, 15), LIMITS)).rejects.toMatchObject({ code: 'INTERNAL' })
  })

  it('stop() cancels running and queued tasks and refuses new ones', async () => {
    const pool = runner(1)
    const running = expect(pool.run(matmulSpec(1024, 17), LIMITS)).rejects.toMatchObject({ code: 'CANCELLED' })
    const queued = expect(pool.run(matmulSpec(8, 19), LIMITS)).rejects.toMatchObject({ code: 'CANCELLED' })
    await new Promise(resolve => setTimeout(resolve, 50))
    await pool.stop()
    await running
    await queued
    expect(pool.threads()).toBe(0)
    await expect(pool.run(matmulSpec(8, 19), LIMITS)).rejects.toMatchObject({ code: 'NOT_RUNNING' })
  })

  it('refuses limits outside their bounds', async () => {
    const pool = runner()
    await expect(pool.run(matmulSpec(2, 1), { ...LIMITS, timeoutMs: 0 })).rejects.toMatchObject({ code: 'INVALID_INPUT' })
    await expect(pool.run(matmulSpec(2, 1), { ...LIMITS, memoryBytes: 2 ** 40 })).rejects.toMatchObject({ code: 'INVALID_INPUT' })
  })
})
