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
import { JobRun } from '../job-run.js'
import { verdictError } from '../job-kernels.js'
import { JobStore } from '../job-store.js'
import { Jobs } from '../jobs.js'
import { matmulTs, multiplyMatmulTask } from '../kernels/matmul.js'
import { decodeMatrix, encodeMatrix, type Matrix } from '../matrix.js'
import { randomMatrix } from '../split.js'
import { resultSha256 } from '../sandbox/result-hash.js'
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

function world (peers: Record<string, Behaviour>, opts: { self?: Behaviour | null, datastore?: MemoryDatastore, proven?: string[], random?: () => number } = {}): World {
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
    record: id => records.get(id),
    // the best ranked, so which worker runs first is known (the weighted draw: scheduler.test.ts)
    random: () => 0
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
    waitForWorkerMs: 1500,
    random: opts.random
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
    // no spot checks (each task of a proven worker draws one with p = SPOT_CHECK_P): a replica could outvote the
    // liar before Freivalds sees its result, a catch too, but not the one this test is about (failed 1 CI run in ~6)
    const w = world({ liar }, { proven: ['liar'], self: honest, random: () => 1 })
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

  it('a spot check with no second worker to run it lets the proven worker\'s result stand after the wait', async () => {
    const w = world({ p: honest }, { self: null, proven: ['p'], random: () => 0 })
    const input = join(dir, 'spot.txt')
    const module = join(dir, 'spot.wasm')
    await writeFile(input, 'abc\n')
    await writeFile(module, new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]))
    const job = await finish(w, { kernel: 'wasm', module, input })
    expect(job.error).toBeNull()
    expect(w.ran.get('p')).toBe(1)
    expect(await readFile(w.store.get(job.id)?.resultPath as string, 'utf8')).toBe('ABC\n')
  })

  it('results that never agree end the job once the retries are spent', async () => {
    let n = 0
    const random: Behaviour = async () => outcome(new TextEncoder().encode(`result ${n++}\n`))
    const w = world({ p1: random, p2: random, p3: random, p4: random, p5: random }, { self: null })
    const input = join(dir, 'nondet.txt')
    const module = join(dir, 'nondet.wasm')
    await writeFile(input, 'x\n')
    await writeFile(module, new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]))
    const job = await finish(w, { kernel: 'wasm', module, input, redundancy: 2, retries: 1 })
    expect(job.state).toBe('failed')
    expect(job.error?.code).toBe('INTEGRITY')
    expect(job.error?.message).toMatch(/task 1 of 1 gave 3 different results in 3 runs/)
  })

  it('a failing worker\'s task goes to another; past its retries the job fails naming the task and the errors', async () => {
    const ok = world({ bad: failing('TIMEOUT'), good: honest })
    const m = randomMatrix(20)
    const done = await finish(ok, { kernel: 'matmul', ...(await files(m, m)) })
    expect(done.state).toBe('done')
    // the unproven worker's run is confirmed by a trusted one (this node), whose vote decides once 'bad' timed out
    expect(ok.ran.get('bad')).toBe(1)
    expect(ok.ran.get('self')).toBe(1)

    // a new worker's failed run does not leave the task waiting for a second vote only this node could give
    const one = world({ flaky: failing('PEER_UNREACHABLE') })
    const alone = await finish(one, { kernel: 'matmul', ...(await files(m, m)) })
    expect(alone.state).toBe('done')
    expect(one.ran.get('flaky')).toBe(1)

    // …nor when this node's replica answered before the new worker failed
    const slowFail: Behaviour = async () => { await new Promise(resolve => setTimeout(resolve, 200)); throw new WgtError('PEER_UNREACHABLE', 'the stream has been reset') }
    const late = world({ flaky: slowFail })
    const lateJob = await finish(late, { kernel: 'matmul', ...(await files(m, m)) })
    expect(lateJob.state).toBe('done')
    expect(late.ran.get('flaky')).toBe(1)
    expect(late.ran.get('self')).toBe(1)

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

  it('redundancy 1, one peer refusing by policy, this node the only willing worker: its result alone is accepted (UI bug 1)', async () => {
    const slowRefusal: Behaviour = async () => { await new Promise(resolve => setTimeout(resolve, 30)); throw new WgtError('POLICY_DENIED', 'not you') }
    const slowSelf: Behaviour = async spec => { await new Promise(resolve => setTimeout(resolve, 60)); return await honest(spec) }
    for (const [peer, self] of [[failing('POLICY_DENIED'), honest], [slowRefusal, honest], [slowRefusal, slowSelf], [failing('POLICY_DENIED'), slowSelf]] as const) {
      for (const random of [() => 0, () => 0.999]) {
        const w = world({ refuser: peer }, { self, random })
        const job = await finish(w, { kernel: 'matmul', n: 64 })
        expect(job.error).toBeNull()
        expect(job.state).toBe('done')
        expect(w.ran.get('self')).toBe(1)
      }
    }
  })

  it('a failure verdict accepted from peers shows a fixed text, not the peers\' message (L5)', async () => {
    const evil = { ok: false as const, verdict: 'trap' as const, message: 'EVIL: visit http://x' }
    const trapper: Behaviour = async () => ({ result: evil, sha256: resultSha256(evil), cpuMs: 1 })
    const w = world({ p1: trapper, p2: trapper }, { self: null, proven: ['p1', 'p2'] })
    const input = join(dir, 'l5.txt')
    const module = join(dir, 'l5.wasm')
    await writeFile(input, 'a\n')
    await writeFile(module, new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]))
    const job = await finish(w, { kernel: 'wasm', module, input })
    expect(job.state).toBe('failed')
    expect(job.error?.message).toMatch(/trapped: a trap \(as reported by the workers/)
    expect(job.error?.message).not.toMatch(/EVIL/)
  })

  it('an outvoted trap or memory verdict is dropped without a violation; a wrong output is charged', async () => {
    const trap = { ok: false as const, verdict: 'trap' as const, message: 'call stack exhausted' }
    const trapper: Behaviour = async () => { await new Promise(resolve => setTimeout(resolve, 1)); return { result: trap, sha256: resultSha256(trap), cpuMs: 1 } }
    const w = world({ p1: honest, p2: trapper, p3: honest, p4: liar, p5: honest }, { self: null })
    const input = join(dir, 'trap.txt')
    const module = join(dir, 'trap.wasm')
    await writeFile(input, 'x\n')
    await writeFile(module, new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]))
    const job = await finish(w, { kernel: 'wasm', module, input, redundancy: 5 })
    expect(job.state).toBe('done')
    expect(w.violations.map(([id]) => id)).toEqual(['p4'])
    expect(job.workers.find(x => x.peerId === 'p2')?.rejected).toBe(1)
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

  it('a job cut off by a stop is recorded failed after a restart, and what it left is swept', async () => {
    const datastore = new MemoryDatastore()
    const w = world({}, { datastore })
    const job = await finish(w, { kernel: 'matmul', n: 4 })
    const cut = { ...job, id: 'cutoff', state: 'running' as const, result: null, endedAt: null, createdAt: job.createdAt + 1 }
    await w.store.put({ job: cut, resultPath: null })
    await writeFile(join(w.jobs.resultsDir, 'cutoff.wgtm'), 'half')
    const again = world({}, { datastore })
    await again.store.load()
    await again.jobs.sweep()
    expect(again.jobs.get('cutoff')).toMatchObject({ state: 'failed', error: { code: 'NOT_RUNNING' } })
    expect(again.jobs.get(job.id).state).toBe('done')
    await expect(readFile(join(w.jobs.resultsDir, 'cutoff.wgtm'))).rejects.toThrow(/ENOENT/)
    expect((await readFile(again.store.get(job.id)?.resultPath as string)).length).toBe(16 + 128)
  })

  it('refuses hostile and mismatched matrix files at submit', async () => {
    const w = world({})
    const { a, b } = await files({ rows: 2, cols: 3, data: new Float64Array(6) }, { rows: 2, cols: 3, data: new Float64Array(6) })
    await expect(w.jobs.submit({ kernel: 'matmul', a, b })).rejects.toThrow(/2×3 matrix by a 2×3 matrix/)
  })
})

/**
 * JobRun driven directly by fake workers (as /tmp/review-compute/sybil.mjs
 * did): each peer is a function of the task index.
 */
type Peer = (task: number, signal: AbortSignal) => Promise<TaskOutcome>

function textOutcome (text: string, cpuMs = 1): TaskOutcome {
  const result = { ok: true as const, output: new TextEncoder().encode(text) }
  return { result, sha256: resultSha256(result), cpuMs }
}

const later = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

interface RunWorld {
  run: JobRun
  job: ComputeJob
  accepted: string[]
  ran: Map<number, string[]>
  violations: string[]
  records: Map<string, number>
  peakOutputs: () => number
}

function runWorld (peers: Record<string, { cores: number, peer: Peer }>, self: Peer | null, opts: { redundancy?: number, retries?: number, tasks?: number, proven?: string[], checkMs?: number } = {}): RunWorld {
  const records = new Map<string, number>((opts.proven ?? []).map(id => [id, PROVEN_AFTER]))
  const recs = {
    get: (id: string) => records.get(id) ?? 0,
    record: (id: string, o: 'valid' | 'invalid') => { const n = o === 'valid' ? (records.get(id) ?? 0) + 1 : 0; records.set(id, n); return n }
  } as unknown as WorkerRecords
  const ran = new Map<number, string[]>()
  const count = (task: number, id: string): void => { ran.set(task, [...(ran.get(task) ?? []), id]) }
  const scheduler = new Scheduler({
    selfId: 'self',
    candidates: async () => Object.entries(peers).map(([peerId, p]) => ({ peerId, diskFree: 0, cores: p.cores, cpuLoad: 0, rttMs: 1 })),
    selfCapacity: () => ({ cores: 8, cpuLoad: 10 }),
    record: recs.get,
    // the best ranked first: the Sybils claiming most cores get the first runs, the worst case
    random: () => 0
  })
  const dispatch: TaskDispatch = {
    local: async (spec, _l, signal) => {
      const task = Number(new TextDecoder().decode(spec.input))
      count(task, 'self')
      if (self == null) throw new WgtError('UNAVAILABLE', 'no local runs in this test')
      return await self(task, signal ?? new AbortController().signal)
    },
    remote: async (peerId, _spec, _l, signal, ref) => {
      count(ref.task, peerId)
      return await peers[peerId].peer(ref.task, signal ?? new AbortController().signal)
    }
  }
  const accepted: string[] = []
  const tasks = opts.tasks ?? 20
  const kernel = {
    kernel: 'wasm' as const,
    label: 'x',
    tasks,
    memoryBytes: 1 << 24,
    checks: opts.checkMs != null,
    inputBytes: () => 10,
    spec: (i: number): TaskSpec => ({ kernel: 'wasm', module: new Uint8Array(8), input: new TextEncoder().encode(String(i)), budget: 1n }),
    check: async () => { await later(opts.checkMs ?? 0); return 'valid' as const },
    accept: async (i: number, o: TaskOutcome) => {
      const err = verdictError(i, tasks, o)
      if (err != null) throw err
      if (o.result.ok) accepted[i] = new TextDecoder().decode(o.result.output)
    },
    finish: async () => { throw new Error('unused') },
    discard: async () => {}
  }
  const job = { id: 'j', verification: { extraRuns: 0, mismatches: 0, freivalds: null }, cpuMs: 0, tasks: { total: 0, done: 0, running: 0 }, workers: [] } as unknown as ComputeJob
  const violations: string[] = []
  let peak = 0
  const run: JobRun = new JobRun({
    selfId: 'self',
    kernel,
    job,
    signal: new AbortController().signal,
    dispatch,
    scheduler,
    records: recs,
    reputation: { recordViolation: (p: string) => { violations.push(p) } },
    redundancy: opts.redundancy ?? 1,
    retries: opts.retries ?? 3,
    timeoutMs: 10_000,
    waitForWorkerMs: 1500,
    onChange: () => {
      let n = 0
      for (const t of (run as unknown as { tasks: Array<{ outcomes: Map<string, unknown> }> }).tasks) n = Math.max(n, t.outcomes.size)
      peak = Math.max(peak, n)
    }
  })
  return { run, job, accepted, ran, violations, records, peakOutputs: () => peak }
}

const right: Peer = async task => { await later(20); return textOutcome(`right ${task}`) }
const sybil = (cpuMs = 1): Peer => async task => textOutcome(`forged ${task}`, cpuMs)

describe('JobRun against hostile workers (review H1, H2, M3, L1)', () => {
  const crowd = (extra: Record<string, { cores: number, peer: Peer }>): Record<string, { cores: number, peer: Peer }> =>
    ({ h1: { cores: 8, peer: right }, h2: { cores: 8, peer: right }, h3: { cores: 8, peer: right }, ...extra })

  it('2 Sybils claiming 4096 cores + 3 honest: no forged result accepted, neither Sybil becomes proven, claimed CPU bounded', async () => {
    const w = runWorld(crowd({ s1: { cores: 4096, peer: sybil(9e15) }, s2: { cores: 4096, peer: sybil(9e15) } }), right)
    await w.run.run()
    expect(w.accepted.filter(a => a.startsWith('forged'))).toEqual([])
    expect(w.accepted.filter(a => a.startsWith('right')).length).toBe(20)
    expect(w.records.get('s1') ?? 0).toBe(0)
    expect(w.records.get('s2') ?? 0).toBe(0)
    // L1: a worker's CPU claim is bounded by the wall time of its run measured here
    expect(w.job.cpuMs).toBeLessThan(60_000)
  })

  it('redundancy 3: two Sybils agreeing do not make a majority without a trusted vote', async () => {
    const w = runWorld(crowd({ s1: { cores: 4096, peer: sybil() }, s2: { cores: 4096, peer: sybil() } }), right, { redundancy: 3, tasks: 6 })
    await w.run.run()
    expect(w.accepted.filter(a => a.startsWith('forged'))).toEqual([])
    expect(w.accepted.length).toBe(6)
  })

  it('4 workers answering TIMEOUT at once: the job completes on this node, no task on more than r + retries + 1 workers', async () => {
    const timeout: Peer = async () => { throw new WgtError('TIMEOUT', 'instant') }
    const peers = Object.fromEntries(['t1', 't2', 't3', 't4'].map(id => [id, { cores: 4096, peer: timeout }]))
    const w = runWorld(peers, right, { retries: 3 })
    await w.run.run()
    expect(w.accepted.length).toBe(20)
    for (const who of w.ran.values()) expect(who.length).toBeLessThanOrEqual(1 + 3 + 1)
  })

  it('every run of a task failing on peers: this node runs it once before the job fails', async () => {
    const lost: Peer = async () => { throw new WgtError('PEER_UNREACHABLE', 'reset') }
    const w = runWorld({ a: { cores: 8, peer: lost }, b: { cores: 8, peer: lost } }, right, { retries: 1, tasks: 3, proven: ['a', 'b'] })
    await w.run.run()
    expect(w.accepted.length).toBe(3)
    for (const who of w.ran.values()) expect(who).toContain('self')
  })

  it('a peer failing while this node\'s result is being checked: the vote is not lost, the task accepted (UI bug 1)', async () => {
    const failLate: Peer = async () => { await later(30); throw new WgtError('PEER_UNREACHABLE', 'the stream has been reset') }
    const quick: Peer = async task => { await later(5); return textOutcome(`right ${task}`) }
    const w = runWorld({ p: { cores: 4096, peer: failLate } }, quick, { tasks: 1, checkMs: 60 })
    await w.run.run()
    expect(w.accepted).toEqual(['right 0'])
    expect(w.ran.get(0)).toEqual(['p', 'self'])
  })

  it('12 liars with different outputs: bounded runs per task, at most 2 outputs held (M3)', async () => {
    let n = 0
    const liar: Peer = async () => textOutcome(`lie ${n++}`)
    const peers = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`l${i}`, { cores: 64, peer: liar }]))
    const slowSelf: Peer = async task => { await later(50); return textOutcome(`right ${task}`) }
    const one = runWorld(peers, slowSelf, { retries: 3 })
    await one.run.run()
    expect(one.accepted.every(a => a.startsWith('right'))).toBe(true)
    for (const who of one.ran.values()) expect(who.length).toBeLessThanOrEqual(1 + 3 + 1)

    const three = runWorld(peers, slowSelf, { redundancy: 3, retries: 3, tasks: 4 })
    await expect(three.run.run()).rejects.toMatchObject({ code: 'INTEGRITY' })
    for (const who of three.ran.values()) expect(who.length).toBeLessThanOrEqual(3 + 3 + 1)
    expect(three.peakOutputs()).toBeLessThanOrEqual(2)
  })
})
