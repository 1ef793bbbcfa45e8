/**
 * The worker side between real libp2p nodes on 127.0.0.1 (in this process),
 * with a TaskRunner double whose tasks do what their input says, so a test
 * can make one run long, throw, fail with a verdict or echo. The sandbox's
 * own tests cover real WASM; these cover the protocol and the worker's
 * admission, accounting and stop.
 */
import { createHash } from 'node:crypto'
import type { Libp2p } from '@libp2p/interface'
import { MemoryDatastore } from 'datastore-core'
import { WgtError } from '../../../../shared/errors.js'
import { EventHub } from '../../../../shared/rpc.js'
import type { ContributedTask } from '../../../../shared/api/index.js'
import { makeNode, ViolationLog } from '../../metrics/test/nodes.js'
import { computeService, type ComputeService } from '../compute-service.js'
import { IdleMeter, type CpuSample } from '../idle.js'
import { ComputeStore, defaultSettings } from '../store.js'
import type { TaskLimits, TaskOutcome, TaskResult, TaskRunner, TaskSpec } from '../types.js'
import { ComputeWorker } from '../worker.js'

/** A stand-in for sandbox/result-hash.ts: a hash over every field of the result, so different results hash apart. */
export function testHash (r: TaskResult): string {
  const h = createHash('sha256')
  if (r.ok) h.update('ok').update(r.output)
  else h.update(`${r.verdict}\n${r.message}`)
  return h.digest('hex')
}

/**
 * Tasks by their input's text: 'wait' runs until the time limit or an abort,
 * 'hang' never ends (a sandbox that fails to stop it), 'throw' throws a plain Error, 'throw-sync' throws before returning a
 * promise, 'trap' ends with a verdict, 'long-message' a verdict with a 5 KiB
 * message; anything else echoes its input reversed, and a WASM task its module's size first.
 */
export class ScriptedRunner implements TaskRunner {
  readonly seen: Array<{ spec: TaskSpec, limits: TaskLimits }> = []
  active = 0
  stopped = false

  run (spec: TaskSpec, limits: TaskLimits, signal?: AbortSignal, onCpu?: (cpuMs: number) => void): Promise<TaskOutcome> {
    this.seen.push({ spec, limits })
    const text = Buffer.from(spec.input).toString()
    if (text === 'throw-sync') throw new Error('the runner broke')
    return this.runAsync(text, spec, limits, signal, onCpu)
  }

  private async runAsync (text: string, spec: TaskSpec, limits: TaskLimits, signal?: AbortSignal, onCpu?: (cpuMs: number) => void): Promise<TaskOutcome> {
    this.active++
    try {
      onCpu?.(1)
      if (text === 'wait') {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => { reject(new WgtError('TIMEOUT', `the task ran past ${limits.timeoutMs} ms`)) }, limits.timeoutMs)
          signal?.addEventListener('abort', () => { clearTimeout(timer); reject(new WgtError('CANCELLED', 'task cancelled')) }, { once: true })
        })
      }
      if (text === 'hang') await new Promise(() => {})
      if (text === 'throw') throw new Error('the thread died')
      let result: TaskResult
      if (text === 'trap') result = { ok: false, verdict: 'trap', message: 'unreachable executed' }
      else if (text === 'long-message') result = { ok: false, verdict: 'invalid', message: 'é'.repeat(2600) }
      else {
        const echo = Uint8Array.from(spec.input).reverse()
        result = { ok: true, output: spec.kernel === 'wasm' ? Buffer.concat([Buffer.from(`${spec.module.byteLength}:`), echo]) : echo }
      }
      return { result, sha256: testHash(result), cpuMs: 7 }
    } finally {
      this.active--
    }
  }

  async stop (): Promise<void> { this.stopped = true }
}

/** CPU samples a test sets: the other programs' load over the last window is `load` percent of 2 cores. */
export class FakeCpu {
  private at = { busyMs: 0, totalMs: 0, ownMs: 0 }
  load = 0
  readonly sample = (): CpuSample => {
    this.at = { busyMs: this.at.busyMs + 20 * this.load, totalMs: this.at.totalMs + 2000, ownMs: this.at.ownMs }
    return { ...this.at }
  }
}

export interface WorkerPeer {
  node: Libp2p<{ compute: ComputeService }>
  id: string
  service: ComputeService
  worker: ComputeWorker
  runner: ScriptedRunner
  store: ComputeStore
  events: EventHub
  tasks: ContributedTask[]
  violations: ViolationLog
  cpu: FakeCpu
  idle: IdleMeter
  /** peers guard allows */
  allowed: Set<string>
  kept: string[]
  stop: () => Promise<void>
}

export async function workerPeer (opts: { allowAll?: boolean, datastore?: MemoryDatastore, maxTasks?: number, burst?: number } = {}): Promise<WorkerPeer> {
  const violations = new ViolationLog()
  const allowed = new Set<string>()
  const node = await makeNode({
    compute: computeService({ reputation: violations, mayCompute: peer => opts.allowAll === true || allowed.has(peer), hashResult: testHash, transferTimeoutMs: 20_000, burst: opts.burst, perMinute: opts.burst })
  }) as unknown as Libp2p<{ compute: ComputeService }>
  const store = new ComputeStore(opts.datastore ?? new MemoryDatastore(), { ...defaultSettings(4), maxTasks: opts.maxTasks ?? 3 })
  await store.load()
  const events = new EventHub()
  const tasks: ContributedTask[] = []
  events.on('compute:task', t => { tasks.push(t) })
  const runner = new ScriptedRunner()
  const cpu = new FakeCpu()
  const idle = new IdleMeter(60_000, cpu.sample)
  const worker = new ComputeWorker({ selfId: node.peerId.toString(), store, runner, events, hashResult: testHash, idle })
  worker.start()
  const kept: string[] = []
  node.services.compute.host = {
    admit: peer => worker.admit(peer),
    module: sha => worker.module(sha),
    keepModule: (sha, m) => { kept.push(sha); worker.keepModule(sha, m) }
  }
  let stopped = false
  return {
    node,
    id: node.peerId.toString(),
    service: node.services.compute,
    worker,
    runner,
    store,
    events,
    tasks,
    violations,
    cpu,
    idle,
    allowed,
    kept,
    stop: async () => {
      if (stopped) return
      stopped = true
      await worker.stop()
      await node.stop()
    }
  }
}

export const MIB = 1024 * 1024
export const LIMITS: TaskLimits = { timeoutMs: 10_000, memoryBytes: 64 * MIB }
export const text = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s))
