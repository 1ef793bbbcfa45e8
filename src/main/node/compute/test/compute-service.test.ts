/**
 * /wgt/compute/1.0.0 between real libp2p nodes on 127.0.0.1 (in this
 * process): a task's round trip, every refusal a requester can meet (guard,
 * off, full, memory, busy), the module sent once per worker, hostile frames
 * counted against their sender, a worker that answers nonsense, a task that
 * throws, and a stop that leaves nothing running.
 */
import type { Libp2p } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { afterEach, describe, expect, it } from 'vitest'
import { hostilePeer, sendRaw, untilEnded } from '../../../../../test/helpers/hostile.js'
import { waitFor } from '../../metrics/test/nodes.js'
import { COMPUTE_PROTOCOL } from '../compute-service.js'
import type { TaskSpec } from '../types.js'
import { MAX_REQUEST_BYTES, requestOf, sha256Hex, TaskReply, TaskRequest } from '../wire.js'
import { LIMITS, MIB, testHash, text, workerPeer, type WorkerPeer } from './worker-helpers.js'

const stops: Array<() => Promise<void>> = []
afterEach(async () => { await Promise.all(stops.splice(0).map(async s => { await s() })) })

async function pair (opts: { maxTasks?: number, burst?: number } = {}): Promise<[WorkerPeer, WorkerPeer]> {
  const [a, b] = await Promise.all([workerPeer(), workerPeer(opts)])
  stops.push(a.stop, b.stop)
  b.allowed.add(a.id)
  await a.node.dial(b.node.getMultiaddrs()[0])
  return [a, b]
}

async function hostile (): Promise<Libp2p> {
  const h = await hostilePeer()
  stops.push(async () => { await h.stop() })
  return h
}

const matmul = (s: string): TaskSpec => ({ kernel: 'matmul', input: text(s) })
const wasm = (s: string, module = new Uint8Array(1000).fill(3)): TaskSpec => ({ kernel: 'wasm', module, input: text(s), budget: 1000n })

/** One raw request from a node that may be hostile; answers the reply, or null when the stream was cut. */
async function raw (from: Libp2p, to: WorkerPeer, bytes: Uint8Array): Promise<TaskReply | null> {
  const stream = await from.dialProtocol(multiaddr(to.node.getMultiaddrs()[0].toString()), COMPUTE_PROTOCOL, { signal: AbortSignal.timeout(10_000) })
  const lp = lpStream(stream, { maxDataLength: 64 * 1024 })
  try {
    await lp.write(bytes, { signal: AbortSignal.timeout(10_000) })
    return TaskReply.decode(await lp.read({ signal: AbortSignal.timeout(10_000) }))
  } catch {
    return null
  } finally {
    await stream.close().catch(() => {})
  }
}

const wire = (spec: TaskSpec, m: Partial<TaskRequest> = {}): Uint8Array => TaskRequest.encode({ ...requestOf(spec, LIMITS, { job: new Uint8Array(4), task: 1 }, false), ...m })

describe('/wgt/compute/1.0.0', () => {
  it('runs a task on the worker and hashes its result on the requester', async () => {
    const [a, b] = await pair()
    const out = await a.service.run(b.id, matmul('abc'), LIMITS)
    expect(out.result).toEqual({ ok: true, output: text('cba') })
    expect(out.sha256).toBe(testHash(out.result))
    expect(out.cpuMs).toBe(7)
    // a failure the task caused is a result, carried whole
    const trap = await a.service.run(b.id, matmul('trap'), LIMITS)
    expect(trap.result).toEqual({ ok: false, verdict: 'trap', message: 'unreachable executed' })
    expect(trap.sha256).toBe(testHash(trap.result))
    const c = b.worker.getContribution()
    expect(c.totals).toEqual({ tasks: 2, failed: 1, cpuMs: 14, inputBytes: 7, outputBytes: 3 })
    expect(c.recent.map(t => [t.requester, t.state, t.kernel])).toEqual([[a.id, 'failed', 'matmul'], [a.id, 'done', 'matmul']])
    expect(c.running).toEqual([])
    expect(c.history.reduce((n, h) => n + h.tasks, 0)).toBe(2)
    expect(b.tasks.filter(t => t.state === 'running').length).toBe(2)
    expect(b.runner.seen[0].limits).toEqual(LIMITS)
    expect([...a.violations.entries, ...b.violations.entries]).toEqual([])
  })

  it('refuses a requester guard does not allow with POLICY_DENIED, before reading its task', async () => {
    const [a, b] = await pair()
    b.allowed.clear()
    await expect(a.service.run(b.id, matmul('x'.repeat(4 * MIB)), LIMITS)).rejects.toMatchObject({ code: 'POLICY_DENIED', message: expect.stringContaining('its compute policy does not take tasks from you') })
    expect(b.runner.seen).toEqual([])
    expect(b.violations.entries).toEqual([])
  })

  it('refuses while contributing is off, when full, and a task needing more memory than allowed, each with why', async () => {
    const [a, b] = await pair({ maxTasks: 1 })
    await b.worker.updateSettings({ enabled: false })
    await expect(a.service.run(b.id, matmul('x'), LIMITS)).rejects.toMatchObject({ code: 'UNAVAILABLE', message: expect.stringContaining('turned off') })
    await b.worker.updateSettings({ enabled: true, memoryMb: 32 })
    await expect(a.service.run(b.id, matmul('x'), LIMITS)).rejects.toMatchObject({ code: 'UNAVAILABLE', message: expect.stringContaining('needs 64 MiB of memory and this computer allows 32 MiB') })
    await b.worker.updateSettings({ memoryMb: 512 })
    const long = a.service.run(b.id, matmul('wait'), LIMITS)
    await waitFor(() => b.runner.active === 1, 10_000, 'the long task')
    expect(b.worker.freeSlots()).toBe(0)
    await expect(a.service.run(b.id, matmul('x'), LIMITS)).rejects.toMatchObject({ code: 'UNAVAILABLE', message: expect.stringContaining('full: 1 of 1') })
    // an own task waits for the slot rather than being refused
    const own = b.worker.local(matmul('mine'), LIMITS)
    await b.worker.updateSettings({ maxTasks: 2 })
    expect((await own).result).toEqual({ ok: true, output: text('enim') })
    // own tasks are listed but not counted as given
    expect(b.worker.getContribution().totals.tasks).toBe(0)
    expect(b.worker.getContribution().recent[0].requester).toBe(b.id)
    await a.node.stop()
    await expect(long).rejects.toBeDefined()
    await waitFor(() => b.runner.active === 0, 10_000, 'the task of a requester that went away to end')
  })

  it('takes only so many tasks a minute from one peer, and refuses the rest with a reason', async () => {
    const [a, b] = await pair({ burst: 3 })
    for (let i = 0; i < 3; i++) expect((await a.service.run(b.id, matmul('x'), LIMITS)).result.ok).toBe(true)
    await expect(a.service.run(b.id, matmul('x'), LIMITS)).rejects.toMatchObject({ code: 'UNAVAILABLE', message: expect.stringContaining('too many tasks from you') })
    expect(b.violations.entries).toEqual([])
  })

  it('refuses a task asking more time than the worker allows, with why, and never runs it under less (review L4)', async () => {
    const [a, b] = await pair()
    await b.worker.updateSettings({ timeoutS: 1 })
    await expect(a.service.run(b.id, matmul('wait'), { ...LIMITS, timeoutMs: 2500 })).rejects.toMatchObject({ code: 'UNAVAILABLE', message: expect.stringContaining('this computer allows 1 s per task, the task asks 2.5 s') })
    expect(b.runner.seen).toEqual([])
    // within its limit the task runs to the limit asked, and TIMEOUT past it is honest: no violation
    await expect(a.service.run(b.id, matmul('wait'), { ...LIMITS, timeoutMs: 1000 })).rejects.toMatchObject({ code: 'TIMEOUT' })
    expect(b.runner.seen[0].limits.timeoutMs).toBe(1000)
    expect(b.worker.getContribution().recent[0]).toMatchObject({ state: 'failed', error: expect.stringContaining('time limit of 1 s') })
    expect([...a.violations.entries, ...b.violations.entries]).toEqual([])
  })

  it('cancels the task on the worker when the requester gives up on it', async () => {
    const [a, b] = await pair({ maxTasks: 1 })
    const cancel = new AbortController()
    const running = a.service.run(b.id, matmul('wait'), { ...LIMITS, timeoutMs: 60_000 }, cancel.signal)
    await waitFor(() => b.runner.active === 1, 10_000, 'the task to start')
    cancel.abort(new Error('the job was cancelled'))
    await expect(running).rejects.toMatchObject({ code: 'CANCELLED' })
    await waitFor(() => b.runner.active === 0 && b.worker.getContribution().running.length === 0, 10_000, 'the task to end on the worker')
    expect(b.worker.getContribution().recent[0]).toMatchObject({ state: 'failed', error: expect.stringContaining('went away') })
    // and its slot is free again
    expect((await a.service.run(b.id, matmul('ok'), LIMITS)).result.ok).toBe(true)
  })

  it('gives the slot back even if the sandbox never stops a task', async () => {
    const [a, b] = await pair({ maxTasks: 1 })
    await expect(a.service.run(b.id, matmul('hang'), { ...LIMITS, timeoutMs: 1000 })).rejects.toMatchObject({ code: 'TIMEOUT', message: expect.stringContaining('did not stop it') })
    expect((await a.service.run(b.id, matmul('ok'), LIMITS)).result.ok).toBe(true)
  })

  it('pauses while the rest of the computer is busy (idleOnly), and says how busy', async () => {
    const [a, b] = await pair()
    await b.worker.updateSettings({ idleOnly: true, idleLoadPercent: 25 })
    await expect(a.service.run(b.id, matmul('x'), LIMITS)).rejects.toMatchObject({ code: 'UNAVAILABLE', message: expect.stringContaining('measuring') })
    b.cpu.load = 60
    await b.idle.tick()
    await expect(a.service.run(b.id, matmul('x'), LIMITS)).rejects.toMatchObject({ code: 'UNAVAILABLE', message: expect.stringContaining('busy (60% CPU by other programs)') })
    expect(b.worker.getContribution().paused).toContain('60%')
    // own jobs are not held back by it
    expect((await b.worker.local(matmul('ab'), LIMITS)).result.ok).toBe(true)
    b.cpu.load = 10
    await b.idle.tick()
    expect((await a.service.run(b.id, matmul('ab'), LIMITS)).result).toEqual({ ok: true, output: text('ba') })
  })

  it('sends a module once: NEED_MODULE, then the module; the next task of it finds it held', async () => {
    const [a, b] = await pair()
    const module = new Uint8Array(300_000).fill(9)
    expect((await a.service.run(b.id, wasm('one', module), LIMITS)).result).toEqual({ ok: true, output: text('300000:eno') })
    expect(b.kept).toEqual([sha256Hex(module)])
    expect((await a.service.run(b.id, wasm('two', module), LIMITS)).result).toEqual({ ok: true, output: text('300000:owt') })
    expect(b.kept.length).toBe(1)
    expect(b.runner.seen.map(s => s.spec.kernel === 'wasm' ? s.spec.budget : null)).toEqual([1000n, 1000n])
    expect(b.violations.entries).toEqual([])
  })

  it('bounds a long verdict message the same way for a peer\'s task and an own one', async () => {
    const [a, b] = await pair()
    const remote = await a.service.run(b.id, matmul('long-message'), LIMITS)
    const local = await b.worker.local(matmul('long-message'), LIMITS)
    expect(remote.sha256).toBe(local.sha256)
    expect(Buffer.byteLength((remote.result as { message: string }).message)).toBeLessThanOrEqual(1024)
  })

  it('never goes down with a task that throws, and serves the next one', async () => {
    const [a, b] = await pair()
    await expect(a.service.run(b.id, matmul('throw'), LIMITS)).rejects.toMatchObject({ code: 'UNAVAILABLE', message: expect.stringContaining('the thread died') })
    await expect(a.service.run(b.id, matmul('throw-sync'), LIMITS)).rejects.toMatchObject({ code: 'UNAVAILABLE', message: expect.stringContaining('the runner broke') })
    expect((await a.service.run(b.id, matmul('ok'), LIMITS)).result.ok).toBe(true)
    expect(b.worker.getContribution().totals).toMatchObject({ tasks: 3, failed: 2 })
    expect(b.violations.entries).toEqual([])
  })

  it('counts malformed requests and oversized frames against their sender, before allocating; a good one still goes through', async () => {
    const [, b] = await pair()
    const h = await hostile()
    b.allowed.add(h.peerId.toString())
    const addr = b.node.getMultiaddrs()[0].toString()
    // declares a frame past the largest request: cut before anything is allocated
    const declared = await sendRaw(h, addr, COMPUTE_PROTOCOL, Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0x0f]))
    await untilEnded(declared)
    expect(MAX_REQUEST_BYTES).toBeLessThan(0xffffffff)
    const bad: Array<[TaskSpec, Partial<TaskRequest>]> = [
      [matmul('x'), { job: new Uint8Array(33) }],
      [matmul('x'), { memoryBytes: 0n }],
      [matmul('x'), { memoryBytes: 2n ** 63n }],
      [matmul('x'), { timeoutMs: 0 }],
      [matmul('x'), { timeoutMs: 3_600_001 }],
      [matmul('x'), { budget: 5n }],
      [matmul('x'), { moduleSha256: new Uint8Array(32) }],
      [matmul('x'), { meterVersion: 1 }],
      [wasm('x'), { moduleSha256: new Uint8Array(31) }],
      [wasm('x'), { budget: 0n }],
      [wasm('x'), { budget: 10n ** 13n }],
      [wasm('x'), { module: new Uint8Array(10) }],
      [wasm('x'), { input: new Uint8Array(4 * MIB + 1) }]
    ]
    for (const [spec, m] of bad) expect(await raw(h, b, wire(spec, m))).toBeNull()
    // not protobuf; a kernel that does not exist
    expect(await raw(h, b, Uint8Array.from([0x0f, 0xff, 0xff]))).toBeNull()
    expect(await raw(h, b, Uint8Array.from([0x18, 0x07]))).toBeNull()
    await waitFor(() => b.violations.entries.length >= bad.length + 3, 10_000, 'the violations')
    expect(new Set(b.violations.entries.map(v => v.peerId))).toEqual(new Set([h.peerId.toString()]))
    expect(b.runner.seen).toEqual([])
    expect(await raw(h, b, wire(matmul('ok')))).toMatchObject({ status: TaskReply.Status.OK, ok: true })
  })

  it('counts a module that does not match its hash, or another task after NEED_MODULE, against the sender', async () => {
    const [, b] = await pair()
    const h = await hostile()
    b.allowed.add(h.peerId.toString())
    const spec = wasm('x')
    for (const second of [
      { ...requestOf(spec, LIMITS, { job: new Uint8Array(4), task: 1 }, true), module: new Uint8Array(1000).fill(4) },
      { ...requestOf(spec, LIMITS, { job: new Uint8Array(4), task: 2 }, true) }
    ]) {
      const stream = await h.dialProtocol(multiaddr(b.node.getMultiaddrs()[0].toString()), COMPUTE_PROTOCOL)
      const lp = lpStream(stream)
      await lp.write(wire(spec))
      expect(TaskReply.decode(await lp.read()).status).toBe(TaskReply.Status.NEED_MODULE)
      await lp.write(TaskRequest.encode(second))
      await expect(lp.read({ signal: AbortSignal.timeout(10_000) })).rejects.toThrow()
    }
    await waitFor(() => b.violations.entries.length >= 2, 10_000, 'the violations')
    expect(b.kept).toEqual([])
    expect(b.runner.seen).toEqual([])
  })

  it('fails a task whose worker answers nonsense as PROTOCOL, and counts it against the worker', async () => {
    const a = (await pair())[0]
    const liar = await hostile()
    const replies = [
      Uint8Array.from([0x08, 0x63]),
      TaskReply.encode({ status: TaskReply.Status.OK, ok: true, verdict: TaskReply.Verdict.TRAP }),
      TaskReply.encode({ status: TaskReply.Status.OK, ok: false, verdict: TaskReply.Verdict.NONE }),
      TaskReply.encode({ status: TaskReply.Status.OK, ok: false, verdict: TaskReply.Verdict.TRAP, output: new Uint8Array(3) }),
      TaskReply.encode({ status: TaskReply.Status.NEED_MODULE }),
      // a reply declaring more than the largest output: cut before it is allocated
      Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0x0f])
    ]
    let i = 0
    await liar.handle(COMPUTE_PROTOCOL, async (stream) => {
      const lp = lpStream(stream, { maxDataLength: 64 * MIB })
      await lp.read()
      const reply = replies[i++]
      if (reply.length === 5 && reply[0] === 0xff) stream.send(reply)
      else await lp.write(reply)
      await stream.close()
    })
    await a.node.dial(liar.getMultiaddrs()[0])
    for (let n = 0; n < replies.length; n++) {
      await expect(a.service.run(liar.peerId.toString(), matmul('x'), LIMITS)).rejects.toMatchObject({ code: 'PROTOCOL' })
    }
    expect(a.violations.entries.map(v => v.peerId)).toEqual(Array(replies.length).fill(liar.peerId.toString()))
  })

  it('stops with nothing running: a task in flight is ended, the protocol unregistered', async () => {
    const [a, b] = await pair()
    const running = a.service.run(b.id, matmul('wait'), { ...LIMITS, timeoutMs: 60_000 })
    running.catch(() => {})
    await waitFor(() => b.runner.active === 1, 10_000, 'the task to start')
    await b.stop()
    expect(b.runner.active).toBe(0)
    await expect(running).rejects.toMatchObject({ code: expect.stringMatching(/UNAVAILABLE|PEER_UNREACHABLE/) })
    expect(b.node.getProtocols()).not.toContain(COMPUTE_PROTOCOL)
    expect(b.worker.getContribution()).toMatchObject({ paused: 'this node is stopping', running: [] })
    await expect(b.worker.local(matmul('x'), LIMITS)).rejects.toMatchObject({ code: 'NOT_RUNNING' })
  })
})
