/**
 * Jobs end to end in one process: a TaskDispatch built here runs the real
 * matmul kernel for "peers" that are plain functions, some of them lying or
 * failing, so the scheduler, verification and assembly are exercised without
 * a network. (Across processes: test/integration/compute.test.ts.)
 */
import { createHash } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MemoryDatastore } from 'datastore-core'
import { afterAll, describe, expect, it } from 'vitest'
import type { ComputeJob, ComputeSubmit } from '../../../../shared/api/index.js'
import { WgtError } from '../../../../shared/errors.js'
import { EventHub } from '../../../../shared/rpc.js'
import { OperationRegistry } from '../../operations/registry.js'
import { JobStore } from '../job-store.js'
import { Jobs } from '../jobs.js'
import { matmulTs, multiplyMatmulTask } from '../kernels/matmul.js'
import { decodeMatrix, encodeMatrix, type Matrix } from '../matrix.js'
import { randomMatrix } from '../split.js'
import { Scheduler } from '../scheduler.js'
import type { TaskDispatch, TaskOutcome, TaskSpec } from '../types.js'
import { PROVEN_AFTER } from '../verify.js'
import { WorkerRecords } from '../worker-records.js'

const dir = await mkdtemp(join(tmpdir(), 'wgt-jobs-'))
afterAll(async () => { await rm(dir, { recursive: true, force: true }) })

type Behaviour = (spec: TaskSpec, signal?: AbortSignal) => Promise<TaskOutcome>

function outcome (output: Uint8Array): TaskOutcome {
  return { result: { ok: true, output }, sha256: createHash('sha256').update(output).digest('hex'), cpuMs: 1 }
}

const honest: Behaviour = async spec => {
  await new Promise(resolve => setTimeout(resolve, 5))
  if (spec.kernel === 'matmul') return outcome(multiplyMatmulTask(spec.input))
  return outcome(new TextEncoder().encode(new TextDecoder().decode(spec.input).toUpperCase()))
}

/** a wrong answer of the right shape */
const liar: Behaviour = async spec => {
  const o = await honest(spec)
  if (!o.result.ok) return o
  const out = o.result.output.slice()
  out[out.length - 1] ^= 0x40
  return outcome(out)
}

const failing = (code: WgtError['code']): Behaviour => async () => { throw new WgtError(code, `the worker says ${code}`) }

interface World {
  jobs: Jobs
  store: JobStore
  records: WorkerRecords
  datastore: MemoryDatastore
  violations: Array<[string, string]>
  ran: Map<string, number>
  events: ComputeJob[]
  ops: OperationRegistry
}

function world (peers: Record<string, Behaviour>, opts: { self?: Behaviour | null, datastore?: MemoryDatastore, proven?: string[] } = {}): World {
  const datastore = opts.datastore ?? new MemoryDatastore()
  const hub = new EventHub()
  const ops = new OperationRegistry(hub)
  const store = new JobStore(datastore)
  const records = new WorkerRecords(datastore)
  for (const id of opts.proven ?? []) for (let i = 0; i < PROVEN_AFTER; i++) records.record(id, 'valid')
  const ran = new Map<string, number>()
  const count = (id: string): void => { ran.set(id, (ran.get(id) ?? 0) + 1) }
  const self = opts.self === undefined ? honest : opts.self
  const dispatch: TaskDispatch = {
    local: async (spec, _limits, signal) => {
      if (self == null) throw new WgtError('UNAVAILABLE', 'no local runs in this test')
      count('self')
      return await self(spec, signal)
    },
    remote: async (peerId, spec, _limits, signal) => {
      count(peerId)
      return await peers[peerId](spec, signal)
    }
  }
  const scheduler = new Scheduler({
    selfId: 'self',
    candidates: async () => Object.keys(peers).map(peerId => ({ peerId, cores: 2, cpuLoad: 0, rttMs: 1, diskFree: 0 })),
    selfCapacity: () => ({ cores: 1, cpuLoad: 0 }),
    record: id => records.get(id)
  })
  const violations: Array<[string, string]> = []
  const events: ComputeJob[] = []
  const jobs = new Jobs({
    selfId: 'self',
    dataDir: dir,
    downloadDir: join(dir, 'downloads'),
    dispatch,
    scheduler,
    records,
    store,
    operations: ops,
    emit: job => { events.push(job) },
    reputation: { recordViolation: (id, reason) => { violations.push([id, reason]) } },
    waitForWorkerMs: 1500
  })
  return { jobs, store, records, datastore, violations, ran, events, ops }
}

async function files (a: Matrix, b: Matrix): Promise<{ a: string, b: string }> {
  const name = Math.random().toString(36).slice(2)
  const pa = join(dir, `${name}-a.wgtm`)
  const pb = join(dir, `${name}-b.wgtm`)
  await writeFile(pa, encodeMatrix(a))
  await writeFile(pb, encodeMatrix(b))
  return { a: pa, b: pb }
}

async function finish (w: World, spec: ComputeSubmit): Promise<ComputeJob> {
  const { operation } = await w.jobs.submit(spec)
  await w.ops.wait(operation)
  return w.jobs.get(operation)
}

describe('Jobs', () => {
  it('a matmul in blocks over several workers equals a local multiply, with every block Freivalds-checked', async () => {
    const w = world({ p1: honest, p2: honest })
    const a = randomMatrix(300)
    const b = randomMatrix(300)
    const job = await finish(w, { kernel: 'matmul', ...(await files(a, b)) })
    expect(job.state).toBe('done')
    expect(job.tasks).toEqual({ total: 4, done: 4, running: 0 })
    expect(job.result?.rows).toBe(300)
    const stored = w.store.get(job.id)
    const c = decodeMatrix(new Uint8Array(await readFile(stored?.resultPath as string)))
    expect(c.data).toEqual(matmulTs(a, b).data)
    expect(createHash('sha256').update(await readFile(stored?.resultPath as string)).digest('hex')).toBe(job.result?.sha256)
    expect(job.verification.freivalds).toMatchObject({ rounds: 10, failed: 0 })
    expect(job.verification.freivalds?.checked).toBeGreaterThanOrEqual(4)
    // new workers' results are replicated (adaptive): more than one distinct peer ran tasks
    expect(job.workers.filter(x => x.runs > 0).length).toBeGreaterThanOrEqual(2)
    expect(w.violations).toEqual([])
    expect(w.events.at(-1)?.state).toBe('done')
  })

  it('a lying proven worker is caught by Freivalds, charged, its record reset, and the job still right', async () => {
    const w = world({ liar }, { proven: ['liar'], self: honest })
    const a = randomMatrix(260)
    const b = randomMatrix(260)
    const job = await finish(w, { kernel: 'matmul', ...(await files(a, b)) })
    expect(job.error).toBeNull()
    expect(job.state).toBe('done')
    expect(w.violations.length).toBeGreaterThan(0)
    expect(w.violations.every(([id, why]) => id === 'liar' && /Freivalds/.test(why))).toBe(true)
    expect(w.records.get('liar')).toBe(0)
    expect(job.verification.freivalds?.failed).toBeGreaterThan(0)
    expect(job.workers.find(x => x.peerId === 'liar')?.rejected).toBeGreaterThan(0)
    const c = decodeMatrix(new Uint8Array(await readFile(w.store.get(job.id)?.resultPath as string)))
    expect(c.data).toEqual(matmulTs(a, b).data)
  })

  it('redundancy: a wasm result outvoted is discarded and its worker charged', async () => {
    const w = world({ p1: honest, p2: liar, p3: honest }, { self: null })
    const input = join(dir, 'in.txt')
    const module = join(dir, 'm.wasm')
    await writeFile(input, 'hello\nworld\n')
    await writeFile(module, new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]))
    const job = await finish(w, { kernel: 'wasm', module, input, redundancy: 3 })
    expect(job.state).toBe('done')
    expect(await readFile(w.store.get(job.id)?.resultPath as string, 'utf8')).toBe('HELLO\nWORLD\n')
    expect(w.violations.map(([id]) => id)).toEqual(['p2'])
    expect(w.violations[0][1]).toMatch(/outvoted/)
    expect(job.verification.mismatches).toBe(1)
  })

  it('a failing worker\'s task goes to another; past its retries the job fails naming the task and the errors', async () => {
    const ok = world({ bad: failing('TIMEOUT'), good: honest })
    const m = randomMatrix(20)
    const done = await finish(ok, { kernel: 'matmul', ...(await files(m, m)) })
    expect(done.state).toBe('done')
    expect(ok.ran.get('bad')).toBe(1)
    expect(ok.ran.get('good')).toBe(1)

    const bad = world({ b1: failing('PEER_UNREACHABLE'), b2: failing('TIMEOUT') }, { self: failing('INTERNAL') })
    const failed = await finish(bad, { kernel: 'matmul', ...(await files(m, m)), retries: 2 })
    expect(failed.state).toBe('failed')
    expect(failed.error?.message).toMatch(/task 1 of 1 failed on 3 workers \(retries: 2\); last errors: .*TIMEOUT|PEER_UNREACHABLE/)
  })

  it('refusals are no retries: with nobody willing the job fails saying no worker could take it', async () => {
    const w = world({ r1: failing('POLICY_DENIED') }, { self: failing('UNAVAILABLE') })
    const job = await finish(w, { kernel: 'matmul', n: 8 })
    expect(job.state).toBe('failed')
    expect(job.error?.code).toBe('UNAVAILABLE')
    expect(job.error?.message).toMatch(/no worker could take task 1 of 1/)
    expect(job.error?.message).toMatch(/POLICY_DENIED/)
  })

  it('cancel aborts the tasks in flight', async () => {
    const signals: AbortSignal[] = []
    // it never answers (and ignores its signal): the job must not wait for it
    const slow: Behaviour = async (_spec, signal) => {
      if (signal != null) signals.push(signal)
      return await new Promise<TaskOutcome>(() => {})
    }
    const w = world({}, { self: slow })
    const { operation } = await w.jobs.submit({ kernel: 'matmul', n: 16 })
    await new Promise(resolve => setTimeout(resolve, 100))
    w.jobs.cancel(operation)
    const info = await w.ops.wait(operation)
    expect(info.state).toBe('cancelled')
    expect(w.jobs.get(operation).state).toBe('cancelled')
    expect(signals.length).toBe(1)
    expect(signals[0].aborted).toBe(true)
  })

  it('keeps jobs across a restart, and saves a done result re-hashed', async () => {
    const w = world({})
    const job = await finish(w, { kernel: 'matmul', n: 10 })
    const again = world({}, { datastore: w.datastore })
    await again.store.load()
    expect(again.jobs.list().map(j => j.id)).toEqual([job.id])
    const saved = await again.jobs.save(job.id, join(dir, 'out.wgtm'))
    expect(saved).toEqual({ path: join(dir, 'out.wgtm'), bytes: 16 + 800, sha256: job.result?.sha256 })
    await expect(again.jobs.save('nope')).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })

  it('refuses hostile and mismatched matrix files at submit', async () => {
    const w = world({})
    const { a, b } = await files({ rows: 2, cols: 3, data: new Float64Array(6) }, { rows: 2, cols: 3, data: new Float64Array(6) })
    await expect(w.jobs.submit({ kernel: 'matmul', a, b })).rejects.toThrow(/2×3 matrix by a 2×3 matrix/)
  })
})
