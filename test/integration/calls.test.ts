/**
 * Call signalling across processes: `wgt daemon`s on 127.0.0.1 driven
 * through their WebSocket API, as two windows would drive them (media needs
 * a renderer: here the test plays the renderers' part, passing SDP and
 * candidates and reporting quality). With mediaPath 'direct' on every node
 * no media tunnel is opened. A call rings, is answered, carries signals both
 * ways and ends on both sides; declined, busy, cancelled and unanswered
 * calls; a stranger's call as a request under the default policy and refused
 * with a reason under contacts-only; `wgt call list` and `wgt call hangup`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RING_TIMEOUT_MS, type Call, type CallSignalEvent, type Contact, type WgtApi } from '../../src/shared/api/index.js'
import { connectWs, wsUrlFor } from '../../src/main/cli/client.js'
import { Daemons, loopbackTcp, sleep, wgt, wgtJson, type Daemon } from '../helpers/daemons.js'

const daemons = new Daemons()
const clients: Array<() => void> = []

interface Node { d: Daemon, api: WgtApi, id: string, signals: CallSignalEvent[] }

async function until<T> (what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const v = await fn()
    if (v != null && v !== false) return v
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(100)
  }
}

async function node (name: string): Promise<Node> {
  const d = await daemons.start(name)
  const { api, close } = await connectWs(wsUrlFor(d.info.apiUrl), d.info.token)
  clients.push(close)
  const signals: CallSignalEvent[] = []
  api.on('call:signal', s => { signals.push(s) })
  // no media tunnel: the renderers (here, the test) connect directly
  expect(await api.updateCallSettings({ mediaPath: 'direct' })).toEqual({ iceServers: [], mediaPath: 'direct' })
  return { d, api, id: d.info.peerId, signals }
}

/** The call as `n` lists it, once it matches. */
async function callAt (n: Node, id: string, pred: (c: Call) => boolean, what: string, timeoutMs?: number): Promise<Call> {
  return await until(`${what} at ${n.d.name}`, async () => (await n.api.listCalls()).find(c => c.id === id && pred(c)), timeoutMs)
}

const ended = (c: Call): boolean => c.state === 'ended'

let a: Node
let b: Node
let stranger: Node

beforeAll(async () => {
  [a, b, stranger] = await Promise.all([node('a'), node('b'), node('stranger')])
  await a.api.addContact(loopbackTcp(b.d))
  await until('the request at b', async () => (await b.api.listContacts()).find((c: Contact) => c.peerId === a.id)?.trust === 'request-received')
  await b.api.acceptContact(a.id)
  await until('contacts at a', async () => (await a.api.listContacts()).find((c: Contact) => c.peerId === b.id)?.trust === 'contact')
  await stranger.api.connect(loopbackTcp(b.d))
}, 120_000)

afterAll(async () => {
  for (const close of clients) close()
  await daemons.stopAll()
})

/** a rings b; answers the call once b's side rings. */
async function ring (from: Node, to: Node, video = true): Promise<Call> {
  const call = await from.api.startCall(to.id, { video })
  expect(call).toMatchObject({ state: 'ringing', outgoing: true, peerId: to.id, video })
  await callAt(to, call.id, c => c.state === 'ringing', 'the ring')
  return call
}

describe('calls between daemons', () => {
  it('ring, answer, signals relayed both ways, active on the first quality report, then `wgt call hangup` ends it on both sides', async () => {
    const call = await ring(a, b)
    expect(await callAt(b, call.id, () => true, 'the incoming call')).toMatchObject({ outgoing: false, peerId: a.id, request: false, video: true })
    expect(await b.api.acceptCall(call.id)).toMatchObject({ state: 'connecting', tunnel: null })
    await callAt(a, call.id, c => c.state === 'connecting', 'the answer')

    await a.api.sendCallSignal(call.id, { kind: 'offer', sdp: 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n' })
    await a.api.sendCallSignal(call.id, { kind: 'candidate', candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host', sdpMid: '0', sdpMLineIndex: 0 })
    await b.api.sendCallSignal(call.id, { kind: 'answer', sdp: 'v=0\r\no=- 2 2 IN IP4 127.0.0.1\r\n' })
    await until('the signals at b', async () => b.signals.filter(s => s.callId === call.id).length === 2)
    expect(b.signals.filter(s => s.callId === call.id).map(s => s.signal.kind)).toEqual(['offer', 'candidate'])
    await until('the answer at a', async () => a.signals.find(s => s.callId === call.id && s.signal.kind === 'answer'))

    const quality = { at: Date.now(), path: 'direct' as const, rttMs: 1.5, sendKbps: 900, recvKbps: 1100, fps: 30, width: 640, height: 480, lossPct: 0, jitterMs: 2 }
    await a.api.reportCallQuality(call.id, quality)
    const listed = await wgtJson<Call[]>(a.d, ['call', 'list'])
    expect(listed[0]).toMatchObject({ id: call.id, state: 'active', quality })
    const text = await wgt(['call', 'list', '--data-dir', a.d.dataDir])
    expect(text.code).toBe(0)
    expect(text.stdout).toContain('going on:')
    expect(text.stdout).toContain('direct  rtt 2 ms  in 1.1 Mbit/s  out 900 kbit/s  30 fps  640x480')
    // and in the metrics: the history and Prometheus
    await until('the call in the metrics history', async () => (await a.api.getHistory()).samples.some(s => s.calls?.some(c => c.callId === call.id)))

    const hungUp = await wgt(['call', 'hangup', call.id, '--data-dir', b.d.dataDir])
    expect(hungUp.code).toBe(0)
    expect(hungUp.stdout.trim()).toBe(`${call.id}  ended: hung up by you`)
    expect(await callAt(a, call.id, ended, 'the hang-up')).toMatchObject({ endReason: 'hangup', endedBy: 'remote' })
    expect(await callAt(b, call.id, ended, 'the hang-up')).toMatchObject({ endReason: 'hangup', endedBy: 'local' })
    await expect(a.api.sendCallSignal(call.id, { kind: 'offer', sdp: 'late' })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    expect((await wgt(['call', 'hangup', 'f'.repeat(32), '--data-dir', b.d.dataDir])).code).not.toBe(0)
  })

  it('declined', async () => {
    const call = await ring(a, b, false)
    await b.api.declineCall(call.id)
    expect(await callAt(a, call.id, ended, 'the decline')).toMatchObject({ endReason: 'declined', endedBy: 'remote' })
  })

  it('cancelled by the caller before an answer', async () => {
    const call = await ring(a, b)
    expect(await a.api.hangupCall(call.id)).toMatchObject({ state: 'ended', endReason: 'cancelled' })
    expect(await callAt(b, call.id, ended, 'the cancel')).toMatchObject({ endReason: 'cancelled', endedBy: 'remote' })
  })

  it('busy while the callee is in another call', async () => {
    const call = await ring(a, b)
    await b.api.acceptCall(call.id)
    const other = await stranger.api.startCall(b.id, { video: true })
    expect(await callAt(stranger, other.id, ended, 'busy')).toMatchObject({ endReason: 'busy', endedBy: 'remote' })
    expect((await b.api.listCalls()).some(c => c.id === other.id)).toBe(false)
    await a.api.hangupCall(call.id)
    await callAt(b, call.id, ended, 'the hang-up')
  })

  it("a stranger's call is a request under the default policy, and refused with a reason under contacts-only", async () => {
    const held = await stranger.api.startCall(b.id, { video: true })
    expect(await callAt(b, held.id, c => c.state === 'ringing', 'the request')).toMatchObject({ request: true, peerId: stranger.id })
    await callAt(stranger, held.id, c => c.request, 'the request marked at the caller')
    expect(await b.api.acceptCall(held.id)).toMatchObject({ state: 'connecting', request: false })
    await stranger.api.hangupCall(held.id)
    await callAt(b, held.id, ended, 'the hang-up')

    await b.api.setPolicy('calls', 'contacts-only')
    try {
      const refused = await stranger.api.startCall(b.id, { video: true })
      const end = await callAt(stranger, refused.id, ended, 'the refusal')
      expect(end).toMatchObject({ endReason: 'refused', endedBy: 'remote' })
      expect(end.error).toContain('takes calls only from its contacts')
      expect((await b.api.listCalls()).some(c => c.id === refused.id)).toBe(false)
      // a contact still gets through
      const fromContact = await ring(a, b)
      await a.api.hangupCall(fromContact.id)
      await callAt(b, fromContact.id, ended, 'the cancel')
    } finally {
      await b.api.setPolicy('calls', 'contacts')
    }
  })

  it('unanswered: the ring gives up on both sides', async () => {
    const call = await ring(a, b)
    expect(await callAt(a, call.id, ended, 'the ring timeout', RING_TIMEOUT_MS + 30_000)).toMatchObject({ endReason: 'unanswered' })
    expect(await callAt(b, call.id, ended, 'the cancel')).toMatchObject({ endReason: 'cancelled', endedBy: 'remote' })
  }, RING_TIMEOUT_MS + 60_000)
})
