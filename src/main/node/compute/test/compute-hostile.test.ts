/**
 * /wgt/compute/1.0.0 against hostile peers on both sides (security review):
 * a requester that opens streams and sends nothing, or begins requests and
 * stalls, to hold every task slot (M4); a worker that answers TIMEOUT at
 * once to fail jobs at no cost (H2) or NEED_MODULE twice to make us upload
 * without end (L7); a task metered in another version (L2); and a module
 * cache that does not tell one requester what another ran (L7).
 */
import type { Libp2p, Stream } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { afterEach, describe, expect, it } from 'vitest'
import { hostilePeer, untilEnded } from '../../../../../test/helpers/hostile.js'
import { waitFor } from '../../metrics/test/nodes.js'
import { COMPUTE_PROTOCOL } from '../compute-service.js'
import { METER_VERSION } from '../sandbox/meter.js'
import type { TaskSpec } from '../types.js'
import { requestOf, sha256Hex, TaskReply, TaskRequest } from '../wire.js'
import { LIMITS, MIB, text, workerPeer, type WorkerPeer } from './worker-helpers.js'

const stops: Array<() => Promise<void>> = []
afterEach(async () => { await Promise.all(stops.splice(0).map(async s => { await s() })) })

async function peer (opts: Parameters<typeof workerPeer>[0] = {}): Promise<WorkerPeer> {
  const p = await workerPeer(opts)
  stops.push(p.stop)
  return p
}

async function hostile (): Promise<Libp2p> {
  const h = await hostilePeer()
  stops.push(async () => { await h.stop() })
  return h
}

const matmul = (s: string): TaskSpec => ({ kernel: 'matmul', input: text(s) })
const wasm = (s: string, module = new Uint8Array(1000).fill(3)): TaskSpec => ({ kernel: 'wasm', module, input: text(s), budget: 1000n })
const open = async (from: Libp2p, to: WorkerPeer): Promise<Stream> => await from.dialProtocol(multiaddr(to.node.getMultiaddrs()[0].toString()), COMPUTE_PROTOCOL, { signal: AbortSignal.timeout(10_000) })

describe('/wgt/compute/1.0.0 against a hostile requester (review M4)', () => {
  it('holds no slot for a stream that sends nothing: an honest peer runs at once, the silent streams are closed', async () => {
    const w = await peer({ maxTasks: 3, headerTimeoutMs: 1000 })
    const [honest, evil] = await Promise.all([peer(), hostile()])
    w.allowed.add(honest.id).add(evil.peerId.toString())
    await honest.node.dial(w.node.getMultiaddrs()[0])
    const silent = await Promise.all([1, 2, 3].map(async () => await open(evil, w)))
    await new Promise(resolve => setTimeout(resolve, 300))
    expect(w.worker.freeSlots()).toBe(3)
    expect((await honest.service.run(w.id, matmul('abc'), LIMITS)).result).toEqual({ ok: true, output: text('cba') })
    await Promise.all(silent.map(async s => { await untilEnded(s) }))
    expect(silent.map(s => s.status)).not.toContain('open')
    // it held nothing anyone wanted
    expect(w.violations.entries).toEqual([])
  })

  it('frees the slots of requests that stall, charges the staller when it kept others out, then gives it at most half', async () => {
    const w = await peer({ maxTasks: 3, headerTimeoutMs: 1000 })
    const [honest, evil] = await Promise.all([peer(), hostile()])
    const evilId = evil.peerId.toString()
    w.allowed.add(honest.id).add(evilId)
    await honest.node.dial(w.node.getMultiaddrs()[0])
    // a length prefix of 100 bytes, and nothing after it
    const stall = async (): Promise<Stream> => { const s = await open(evil, w); s.send(Uint8Array.from([100])); return s }
    const first = [await stall(), await stall(), await stall()]
    await waitFor(() => w.worker.freeSlots() === 0, 10_000, 'the stalled requests to take the slots')
    await expect(honest.service.run(w.id, matmul('x'), LIMITS)).rejects.toMatchObject({ code: 'UNAVAILABLE', message: expect.stringContaining('full: 3 of 3') })
    // a second past the prefix (and 100 bytes at the floor pace) each is cut off, and counted: someone wanted its slot
    await Promise.all(first.map(async s => { await untilEnded(s) }))
    await waitFor(() => w.violations.entries.length === 3, 10_000, 'the violations')
    expect(w.violations.entries.every(v => v.peerId === evilId && v.reason.includes('held a task slot others wanted'))).toBe(true)
    expect(w.worker.freeSlots()).toBe(3)
    // while others want slots it gets 2 of the 3, refused the third in one short reply, and the honest task runs beside
    const again = [await stall(), await stall()]
    await waitFor(() => w.worker.freeSlots() === 1, 10_000, 'two stalled requests')
    const third = await open(evil, w)
    const lp = lpStream(third)
    await lp.write(TaskRequest.encode(requestOf(matmul('x'), LIMITS, { job: new Uint8Array(0), task: 0 }, false)))
    const refused = TaskReply.decode(await lp.read({ signal: AbortSignal.timeout(10_000) }))
    expect(refused).toMatchObject({ status: TaskReply.Status.UNAVAILABLE, reason: expect.stringContaining('at most 2 of its 3 task slots while others wait') })
    expect((await honest.service.run(w.id, matmul('abc'), LIMITS)).result).toEqual({ ok: true, output: text('cba') })
    await Promise.all(again.map(async s => { await untilEnded(s) }))
    expect(honest.violations.entries).toEqual([])
    expect(w.violations.entries.map(v => v.peerId)).not.toContain(honest.id)
  })
})

describe('/wgt/compute/1.0.0 against a hostile worker', () => {
  async function liarAnswering (replies: (lp: ReturnType<typeof lpStream>) => Promise<void>): Promise<[WorkerPeer, string]> {
    const a = await peer()
    const liar = await hostile()
    await liar.handle(COMPUTE_PROTOCOL, async (stream) => {
      await replies(lpStream(stream, { maxDataLength: 64 * MIB }))
      await stream.close()
    })
    await a.node.dial(liar.getMultiaddrs()[0])
    return [a, liar.peerId.toString()]
  }

  it('counts a TIMEOUT long before the task\'s time limit against the worker (review H2)', async () => {
    const [a, liar] = await liarAnswering(async lp => {
      await lp.read()
      await lp.write(TaskReply.encode({ status: TaskReply.Status.TIMEOUT, reason: 'the task ran past its limit' }))
    })
    await expect(a.service.run(liar, matmul('x'), LIMITS)).rejects.toMatchObject({ code: 'PROTOCOL', message: expect.stringContaining('answered TIMEOUT') })
    expect(a.violations.entries).toEqual([{ peerId: liar, reason: expect.stringContaining(`of ${LIMITS.timeoutMs} ms`) }])
  })

  it('uploads a module once per task: a second NEED_MODULE is counted against the worker (review L7)', async () => {
    let asked = 0
    const [a, liar] = await liarAnswering(async lp => {
      for (let i = 0; i < 2; i++) {
        await lp.read()
        asked++
        await lp.write(TaskReply.encode({ status: TaskReply.Status.NEED_MODULE }))
      }
    })
    await expect(a.service.run(liar, wasm('x'), LIMITS)).rejects.toMatchObject({ code: 'PROTOCOL', message: expect.stringContaining('asked for the module twice') })
    expect(asked).toBe(2)
    expect(a.violations.entries.map(v => v.peerId)).toEqual([liar])
  })
})

describe('/wgt/compute/1.0.0 between honest peers', () => {
  it('refuses a user module metered in another version with why, not as a violation (review L2)', async () => {
    const [a, b] = await Promise.all([peer(), peer()])
    b.allowed.add(a.id)
    const stream = await a.node.dialProtocol(multiaddr(b.node.getMultiaddrs()[0].toString()), COMPUTE_PROTOCOL)
    const lp = lpStream(stream)
    await lp.write(TaskRequest.encode({ ...requestOf(wasm('x'), LIMITS, { job: new Uint8Array(0), task: 0 }, false), meterVersion: METER_VERSION + 1 }))
    const reply = TaskReply.decode(await lp.read({ signal: AbortSignal.timeout(10_000) }))
    expect(reply).toMatchObject({ status: TaskReply.Status.UNAVAILABLE, reason: expect.stringContaining(`version ${METER_VERSION} and the task was counted with version ${METER_VERSION + 1}`) })
    expect(requestOf(wasm('x'), LIMITS, { job: new Uint8Array(0), task: 0 }, false).meterVersion).toBe(METER_VERSION)
    expect(b.runner.seen).toEqual([])
    expect(b.violations.entries).toEqual([])
  })

  it('asks each requester for a module it did not send itself, so a held module tells nobody who ran it (review L7)', async () => {
    const [a, c, b] = await Promise.all([peer(), peer(), peer()])
    b.allowed.add(a.id).add(c.id)
    await Promise.all([a, c].map(async p => { await p.node.dial(b.node.getMultiaddrs()[0]) }))
    const module = new Uint8Array(5000).fill(7)
    expect((await a.service.run(b.id, wasm('one', module), LIMITS)).result.ok).toBe(true)
    expect((await a.service.run(b.id, wasm('two', module), LIMITS)).result.ok).toBe(true)
    expect(b.kept).toEqual([sha256Hex(module)])
    // c's task of the same module: NEED_MODULE again, though b holds the bytes
    expect((await c.service.run(b.id, wasm('three', module), LIMITS)).result).toEqual({ ok: true, output: text('5000:eerht') })
    expect(b.kept).toEqual([sha256Hex(module), sha256Hex(module)])
    expect(b.violations.entries).toEqual([])
  })
})
