/**
 * The call registry between two or three sides (helpers.ts): each way a call
 * goes, as both sides see it; busy and glare; the calls policy; timeouts;
 * the media tunnel's part; what a peer that is not the call's peer can do
 * (nothing); and what the datastore keeps across a restart.
 */
import { MemoryDatastore } from 'datastore-core'
import { Key } from 'interface-datastore'
import { afterEach, describe, expect, it } from 'vitest'
import type { Call } from '../../../../shared/api/index.js'
import { ContactBook } from '../../guard/contact-book.js'
import { CallReply } from '../call-service.js'
import { MAX_INTERRUPTED_TOLD, RING_GRACE_MS } from '../calls.js'
import { CallStore, MAX_KEPT_CALLS, MAX_KEPT_REQUESTS } from '../store.js'
import { PEER_A, PEER_B, PEER_C, QUALITY, side, Wire, type Side, type SideOptions } from './helpers.js'

const running: Side[] = []
afterEach(async () => { await Promise.all(running.splice(0).map(async s => { await s.calls.stop() })) })

async function pair (a: SideOptions = {}, b: SideOptions = {}): Promise<{ wire: Wire, a: Side, b: Side }> {
  const wire = new Wire()
  const sa = await side(wire, PEER_A, { contacts: [PEER_B, PEER_C], ...a })
  const sb = await side(wire, PEER_B, { contacts: [PEER_A, PEER_C], ...b })
  running.push(sa, sb)
  return { wire, a: sa, b: sb }
}

/** A rings B, B's side rings; answers the call's id. */
async function ring (a: Side, b: Side, video = true): Promise<string> {
  const call = await a.calls.place(b.id, { video })
  expect(call).toMatchObject({ state: 'ringing', outgoing: true, peerId: b.id, video, request: false })
  await b.until(c => c.id === call.id && c.state === 'ringing', 'the ring')
  return call.id
}

describe('a call between two sides', () => {
  it('rings, is answered, relays signals both ways in order, goes active on the first quality report, and ends on both sides with a hang-up', async () => {
    const { a, b } = await pair()
    const id = await ring(a, b)
    expect(b.latest(id)).toMatchObject({ outgoing: false, peerId: PEER_A, video: true, request: false })
    const accepted = await b.calls.accept(id)
    expect(accepted).toMatchObject({ state: 'connecting' })
    expect(accepted.answeredAt).not.toBeNull()
    await a.until(c => c.id === id && c.state === 'connecting', 'the answer')

    // the caller's offer, then its candidates; the callee's answer, then its own
    await a.calls.signal(id, { kind: 'offer', sdp: 'v=0 offer' })
    for (let i = 0; i < 5; i++) await a.calls.signal(id, { kind: 'candidate', candidate: `candidate:${i} 1 udp 1 127.0.0.1 ${5000 + i} typ host`, sdpMid: '0', sdpMLineIndex: 0 })
    await a.calls.signal(id, { kind: 'candidate', candidate: '', sdpMid: null, sdpMLineIndex: null })
    await b.calls.signal(id, { kind: 'answer', sdp: 'v=0 answer' })
    expect(b.signals.map(s => s.signal.kind)).toEqual(['offer', 'candidate', 'candidate', 'candidate', 'candidate', 'candidate', 'candidate'])
    expect(b.signals[1]).toEqual({ callId: id, signal: { kind: 'candidate', candidate: 'candidate:0 1 udp 1 127.0.0.1 5000 typ host', sdpMid: '0', sdpMLineIndex: 0 } })
    expect(b.signals[6].signal).toEqual({ kind: 'candidate', candidate: '', sdpMid: null, sdpMLineIndex: null })
    expect(a.signals).toEqual([{ callId: id, signal: { kind: 'answer', sdp: 'v=0 answer' } }])

    await a.calls.reportQuality(id, { ...QUALITY })
    expect(a.latest(id)).toMatchObject({ state: 'active', quality: QUALITY })
    expect(a.calls.figures()).toEqual([{ callId: id, peerId: PEER_B, quality: QUALITY }])
    await a.calls.reportQuality(id, { ...QUALITY, fps: 24 })
    expect(a.latest(id)?.quality?.fps).toBe(24)

    const ended = await a.calls.hangup(id)
    expect(ended).toMatchObject({ state: 'ended', endReason: 'hangup', endedBy: 'local', error: null })
    expect(ended.quality?.fps).toBe(24)
    const far = await b.until(c => c.id === id && c.state === 'ended', 'the hang-up')
    expect(far).toMatchObject({ endReason: 'hangup', endedBy: 'remote' })
    expect(a.calls.figures()).toEqual([])
    // the record as kept, and what a hang-up of an ended call does: nothing
    expect(a.calls.list()).toEqual([expect.objectContaining({ id, state: 'ended' })])
    expect(await a.calls.hangup(id)).toMatchObject({ endReason: 'hangup', endedBy: 'local' })
    await expect(a.calls.signal(id, { kind: 'offer', sdp: 'x' })).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })

  it('is declined: the caller sees declined, nothing is answered', async () => {
    const { a, b } = await pair()
    const id = await ring(a, b, false)
    expect(await b.calls.decline(id)).toMatchObject({ state: 'ended', endReason: 'declined', endedBy: 'local' })
    expect(await a.until(c => c.id === id && c.state === 'ended')).toMatchObject({ endReason: 'declined', endedBy: 'remote', answeredAt: null })
    await expect(b.calls.accept(id)).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })

  it('is cancelled by the caller before an answer', async () => {
    const { a, b } = await pair()
    const id = await ring(a, b)
    expect(await a.calls.hangup(id)).toMatchObject({ endReason: 'cancelled', endedBy: 'local' })
    expect(await b.until(c => c.id === id && c.state === 'ended')).toMatchObject({ endReason: 'cancelled', endedBy: 'remote' })
  })

  it('answers busy while the callee is in another call, and the callee can call no one else meanwhile', async () => {
    const { wire, a, b } = await pair()
    const c = await side(wire, PEER_C, { contacts: [PEER_A, PEER_B] })
    running.push(c)
    const first = await ring(a, b)
    await b.calls.accept(first)
    const second = await c.calls.place(PEER_B, { video: true })
    expect(await c.until(x => x.id === second.id && x.state === 'ended')).toMatchObject({ endReason: 'busy', endedBy: 'remote' })
    expect(b.calls.list().map(x => x.id)).toEqual([first])
    await expect(b.calls.place(PEER_C, { video: false })).rejects.toMatchObject({ code: 'UNAVAILABLE' })
    // a ringing call makes busy too
    await b.calls.hangup(first)
    const third = await ring(c, b)
    const fourth = await a.calls.place(PEER_B, { video: true })
    expect(await a.until(x => x.id === fourth.id && x.state === 'ended')).toMatchObject({ endReason: 'busy' })
    expect(b.latest(third)?.state).toBe('ringing')
  })

  it('settles glare: when both ring each other at once, one call survives on both sides and rings', async () => {
    for (let round = 0; round < 10; round++) {
      const { a, b } = await pair()
      const [ca, cb] = await Promise.all([a.calls.place(PEER_B, { video: true }), b.calls.place(PEER_A, { video: true })])
      const winner = ca.id > cb.id ? ca : cb
      const loser = winner === ca ? cb : ca
      const [winnerCaller, winnerCallee] = winner === ca ? [a, b] : [b, a]
      await winnerCallee.until(c => c.id === winner.id && c.state === 'ringing', 'the surviving ring')
      // the losing call ends where it started ('busy' or 'cancelled', as the rings crossed); the other side never took it
      const lost = await winnerCallee.until(c => c.id === loser.id && c.state === 'ended', 'the other call ends')
      expect(['busy', 'cancelled']).toContain(lost.endReason)
      expect(winnerCaller.calls.list().map(c => c.id)).toEqual([winner.id])
      expect(winnerCaller.latest(winner.id)?.state).toBe('ringing')
      expect(winnerCallee.calls.list().filter(c => c.state !== 'ended').map(c => c.id)).toEqual([winner.id])
      expect(winnerCaller.calls.list().filter(c => c.state !== 'ended').map(c => c.id)).toEqual([winner.id])
      // and it can be answered
      expect(await winnerCallee.calls.accept(winner.id)).toMatchObject({ state: 'connecting' })
      await Promise.all(running.splice(0).map(async s => { await s.calls.stop() }))
    }
  })
})

describe('the calls policy', () => {
  for (const policy of ['contacts', 'contacts-only'] as const) {
    it(`settles glare with a stranger under '${policy}' as between contacts: one call survives and rings on both sides`, async () => {
      const winners = new Set<string>()
      for (let round = 0; round < 40 && winners.size < 2; round++) {
        const { a, b } = await pair({ contacts: [] }, { contacts: [] })
        await a.guard.policies.set('calls', policy)
        await b.guard.policies.set('calls', policy)
        const [ca, cb] = await Promise.all([a.calls.place(PEER_B, { video: true }), b.calls.place(PEER_A, { video: true })])
        const winner = ca.id > cb.id ? ca : cb
        const [winnerCaller, winnerCallee] = winner === ca ? [a, b] : [b, a]
        // (the rings cross in one order: the first caller's ring arrives first; the winner is either)
        winners.add(winner === ca ? 'first' : 'second')
        const rings = await winnerCallee.until(c => c.id === winner.id && c.state === 'ringing', 'the surviving ring')
        expect(rings.request).toBe(false)
        await winnerCallee.until(c => c.id !== winner.id && c.state === 'ended', 'the other call ends')
        expect(winnerCaller.calls.list().filter(c => c.state !== 'ended').map(c => c.id)).toEqual([winner.id])
        expect(winnerCallee.calls.list().filter(c => c.state !== 'ended').map(c => c.id)).toEqual([winner.id])
        expect(winnerCaller.latest(winner.id)).toMatchObject({ state: 'ringing', request: false })
        expect(await winnerCallee.calls.accept(winner.id)).toMatchObject({ state: 'connecting' })
        await winnerCaller.until(c => c.id === winner.id && c.state === 'connecting', 'the answer')
        await Promise.all(running.splice(0).map(async s => { await s.calls.stop() }))
      }
      expect(winners.size).toBe(2)
    })
  }

  it('lets a stranger whose BUSY just ended our ring ring back, but not once the moment has passed', async () => {
    let t = 1_000_000
    const now = (): number => t
    const { wire, a, b } = await pair({ contacts: [], now }, { contacts: [], now })
    await a.guard.policies.set('calls', 'contacts-only')
    const c = await side(wire, PEER_C, { contacts: [PEER_B], now })
    running.push(c)
    // B is in a call with C: A's ring to B is answered BUSY
    const busy = await ring(c, b)
    await b.calls.accept(busy)
    const mine = await a.calls.place(PEER_B, { video: true })
    await a.until(x => x.id === mine.id && x.state === 'ended' && x.endReason === 'busy', 'busy')
    await b.calls.hangup(busy)
    const back = await b.calls.place(PEER_A, { video: true })
    expect(await a.until(x => x.id === back.id, 'the ring back')).toMatchObject({ state: 'ringing', request: false })
    await b.calls.hangup(back.id)
    await a.until(x => x.id === back.id && x.state === 'ended')
    t += 60_000
    const late = await b.calls.place(PEER_A, { video: true })
    expect((await b.until(x => x.id === late.id && x.state === 'ended', 'the refusal'))).toMatchObject({ endReason: 'refused' })
  })

  it("holds a stranger's call under 'contacts' as a request, which can still be answered", async () => {
    const { a, b } = await pair({}, { contacts: [] })
    const call = await a.calls.place(PEER_B, { video: true })
    const held = await b.until(c => c.id === call.id, 'the request')
    expect(held).toMatchObject({ state: 'ringing', request: true })
    expect(await a.until(c => c.id === call.id && c.request)).toMatchObject({ state: 'ringing', outgoing: true })
    expect(await b.calls.accept(call.id)).toMatchObject({ state: 'connecting', request: false })
    expect(await a.until(c => c.id === call.id && c.state === 'connecting')).toMatchObject({ request: false })
  })

  it('does not answer a request while a call of ours rings', async () => {
    const { wire, a, b } = await pair({}, { contacts: [PEER_A] })
    const c = await side(wire, PEER_C)
    running.push(c)
    const held = await c.calls.place(PEER_B, { video: true })
    await b.until(x => x.id === held.id && x.request, 'the request')
    const ours = await b.calls.place(PEER_A, { video: true })
    await a.until(x => x.id === ours.id)
    await expect(b.calls.accept(held.id)).rejects.toMatchObject({ code: 'UNAVAILABLE' })
    await b.calls.hangup(ours.id)
    expect(await b.calls.accept(held.id)).toMatchObject({ state: 'connecting' })
    await c.until(x => x.id === held.id && x.state === 'connecting')
  })

  it("does not let strangers' requests make the callee busy, and bounds how many wait", async () => {
    const { wire, a, b } = await pair({}, { contacts: [PEER_A] })
    const key = new Uint8Array(32)
    const replies = []
    for (let i = 0; i < 30; i++) {
      const stranger = `12D3KooWS${String(i).padStart(43, 'x')}`
      replies.push((await wire.deliver(stranger, PEER_B, { kind: 'ring', callId: i.toString(16).padStart(32, '0'), video: true, key, tunnel: false })).status)
    }
    expect(replies.filter(s => s === CallReply.Status.REQUEST).length).toBe(10)
    expect(replies.filter(s => s === CallReply.Status.BUSY).length).toBe(20)
    // a contact still gets through
    await ring(a, b)
  })

  it("refuses a stranger under 'contacts-only', and 'nobody' refuses everyone, with a reason the caller sees", async () => {
    const { a, b } = await pair({}, { contacts: [] })
    await b.guard.policies.set('calls', 'contacts-only')
    const call = await a.calls.place(PEER_B, { video: true })
    const ended = await a.until(c => c.id === call.id && c.state === 'ended', 'the refusal')
    expect(ended).toMatchObject({ endReason: 'refused', endedBy: 'remote' })
    expect(ended.error).toContain('takes calls only from its contacts')
    expect(b.states).toEqual([])
    await b.guard.contacts.set(PEER_A, { trust: 'contact' })
    await b.guard.policies.set('calls', 'nobody')
    const again = await a.calls.place(PEER_B, { video: true })
    expect((await a.until(c => c.id === again.id && c.state === 'ended')).error).toContain('takes no calls')
  })

  it("ends a peer's calls the moment it is blocked or banned, without a word to it", async () => {
    const { wire, a, b } = await pair()
    const c = await side(wire, PEER_C, { contacts: [PEER_A, PEER_B] })
    running.push(c)
    // an answered call, with its tunnel: blocking its peer ends it
    const answered = await ring(b, a)
    await a.calls.accept(answered)
    await b.until(x => x.id === answered && x.state === 'connecting')
    const tunnel = a.media.opened.find(t => t.opts.callId === answered)
    expect(tunnel?.closed).toBe(false)
    const told = wire.sent.length
    await a.guard.contacts.set(PEER_B, { trust: 'blocked' })
    expect(await a.until(x => x.id === answered && x.state === 'ended', 'the block ends the call')).toMatchObject({ endReason: 'hangup', endedBy: 'local', error: `you blocked ${PEER_B}` })
    expect(tunnel?.closed).toBe(true)
    // a ringing call from a peer that gets banned ends too, as failed
    const ringing = await ring(c, a)
    for (let i = 0; i < 10; i++) a.guard.reputation.recordViolation(PEER_C, 'garbage on /wgt/call/1.0.0')
    const banned = await a.until(x => x.id === ringing && x.state === 'ended', 'the ban ends the ring')
    expect(banned).toMatchObject({ endReason: 'failed', endedBy: 'local' })
    expect(banned.error).toContain('was banned')
    // neither peer heard of it: their calls go on until their own timeouts
    await new Promise(resolve => setImmediate(resolve))
    expect(wire.sent.slice(told).filter(m => m.from === PEER_A)).toEqual([])
    expect(b.latest(answered)?.state).toBe('connecting')
    expect(c.latest(ringing)?.state).toBe('ringing')
    // a stopped registry listens no more
    await a.calls.stop()
    const after = a.states.length
    await a.guard.contacts.set(PEER_C, { trust: 'blocked' })
    expect(a.states.length).toBe(after)
  })

  it('refuses to call a blocked peer', async () => {
    const { a } = await pair()
    await a.guard.contacts.set(PEER_B, { trust: 'blocked' })
    await expect(a.calls.place(PEER_B, { video: true })).rejects.toMatchObject({ code: 'POLICY_DENIED' })
    await expect(a.calls.place(PEER_A, { video: true })).rejects.toMatchObject({ code: 'INVALID_INPUT' })
  })
})

describe('timeouts and failures', () => {
  it('gives up an unanswered ring on both sides', async () => {
    const { a, b } = await pair({ ringTimeoutMs: 200 }, { ringTimeoutMs: 200 })
    const id = await ring(a, b)
    expect(await a.until(c => c.id === id && c.state === 'ended')).toMatchObject({ endReason: 'unanswered', endedBy: null })
    // the caller's cancel ends it on the callee's side
    expect(await b.until(c => c.id === id && c.state === 'ended')).toMatchObject({ endReason: 'cancelled' })
  })

  it("ends the callee's ring by itself when the caller's cancel is lost", async () => {
    const { wire, a, b } = await pair({ ringTimeoutMs: 100 }, { ringTimeoutMs: 100, ringGraceMs: 300 })
    const id = await ring(a, b)
    wire.down.add(PEER_B)
    expect(await a.until(c => c.id === id && c.state === 'ended')).toMatchObject({ endReason: 'unanswered' })
    // the ring timeout and a grace past it
    expect(await b.until(c => c.id === id && c.state === 'ended', 'the callee gives up')).toMatchObject({ endReason: 'unanswered', endedBy: null })
    expect(RING_GRACE_MS).toBeGreaterThan(0)
  })

  it('fails an answered call whose media never flowed, and says so', async () => {
    const { a, b } = await pair({ connectTimeoutMs: 150 }, { connectTimeoutMs: 60_000 })
    const id = await ring(a, b)
    await b.calls.accept(id)
    const failed = await a.until(c => c.id === id && c.state === 'ended')
    expect(failed).toMatchObject({ endReason: 'failed', endedBy: 'local' })
    expect(failed.error).toContain('no media flowed')
    expect(await b.until(c => c.id === id && c.state === 'ended')).toMatchObject({ endReason: 'hangup', endedBy: 'remote' })
  })

  it("keeps the reason a window gives for giving a call up as the call's error", async () => {
    const { a, b } = await pair()
    const id = await ring(a, b)
    await b.calls.accept(id)
    await a.until(c => c.id === id && c.state === 'connecting')
    const failed = await a.calls.hangup(id, "The call's signalling broke: stream reset")
    expect(failed).toMatchObject({ state: 'ended', endReason: 'failed', endedBy: 'local', error: "The call's signalling broke: stream reset" })
    expect(await b.until(c => c.id === id && c.state === 'ended')).toMatchObject({ endReason: 'hangup', endedBy: 'remote' })
  })

  it('ends an active call whose window stops reporting quality', async () => {
    const { a, b } = await pair({ silenceMs: 200 })
    const id = await ring(a, b)
    await b.calls.accept(id)
    await a.until(c => c.id === id && c.state === 'connecting')
    await a.calls.reportQuality(id, { ...QUALITY })
    const ended = await a.until(c => c.id === id && c.state === 'ended')
    expect(ended).toMatchObject({ endReason: 'failed', endedBy: 'local' })
    expect(ended.error).toContain('reported nothing')
    expect(await b.until(c => c.id === id && c.state === 'ended')).toMatchObject({ endReason: 'hangup', endedBy: 'remote' })
  })

  it('ends as unreachable when the peer cannot be reached', async () => {
    const { wire, a } = await pair()
    wire.down.add(PEER_C)
    const call = await a.calls.place(PEER_C, { video: true })
    const ended = await a.until(c => c.id === call.id && c.state === 'ended')
    expect(ended.endReason).toBe('unreachable')
    expect(ended.error).toContain('unreachable')
  })

  it('ends every call when the node stops, telling the peer', async () => {
    const { a, b } = await pair()
    const id = await ring(a, b)
    await b.calls.accept(id)
    await a.calls.stop()
    expect(a.latest(id)).toMatchObject({ state: 'ended', endReason: 'failed', error: 'this node stopped during the call' })
    expect(await b.until(c => c.id === id && c.state === 'ended')).toMatchObject({ endReason: 'hangup', endedBy: 'remote' })
    await expect(a.calls.place(PEER_B, { video: true })).rejects.toMatchObject({ code: 'NOT_RUNNING' })
  })
})

describe('the media tunnel', () => {
  it('is opened by the callee before it answers and dialled by the caller with the same key, published when ready, closed at the end', async () => {
    const { a, b } = await pair()
    const id = await ring(a, b)
    await b.calls.accept(id)
    await a.until(c => c.id === id && c.state === 'connecting')
    const [callee] = b.media.opened
    const [caller] = a.media.opened
    expect(callee.opts).toMatchObject({ callId: id, peerId: PEER_A, dial: false })
    expect(caller.opts).toMatchObject({ callId: id, peerId: PEER_B, dial: true })
    expect(caller.opts.key).toEqual(callee.opts.key)
    expect(caller.opts.key.byteLength).toBe(32)
    caller.resolve('relay')
    expect(await a.until(c => c.id === id && c.tunnel != null)).toMatchObject({ tunnel: { port: caller.port, route: 'relay' } })
    callee.resolve('libp2p')
    expect(await b.until(c => c.id === id && c.tunnel != null)).toMatchObject({ tunnel: { port: callee.port, route: 'libp2p' } })
    await a.calls.hangup(id)
    await b.until(c => c.id === id && c.state === 'ended')
    expect([caller.closed, callee.closed]).toEqual([true, true])
    expect(a.latest(id)?.tunnel).toBeNull()
  })

  it('learns the ICE credentials of the other side from its SDP, so it serves only that call\'s renderer', async () => {
    const { a, b } = await pair()
    const id = await ring(a, b)
    await b.calls.accept(id)
    await a.until(c => c.id === id && c.state === 'connecting')
    const offer = 'v=0\r\na=ice-ufrag:AbCd\r\na=ice-pwd:0123456789abcdefghijklmn\r\n'
    const answer = 'v=0\r\na=ice-ufrag:WxYz\r\na=ice-pwd:nmlkjihgfedcba9876543210\r\n'
    await a.calls.signal(id, { kind: 'offer', sdp: offer })
    await b.calls.signal(id, { kind: 'answer', sdp: answer })
    // each node's tunnel expects checks signed with the other side's credentials
    expect(b.media.opened[0].ice).toEqual([{ ufrag: 'AbCd', pwd: '0123456789abcdefghijklmn' }])
    expect(a.media.opened[0].ice).toEqual([{ ufrag: 'WxYz', pwd: 'nmlkjihgfedcba9876543210' }])
    await a.calls.hangup(id)
  })

  it('publishes a new route when the tunnel re-attaches, with the next quality report', async () => {
    const { a, b } = await pair()
    const id = await ring(a, b)
    await b.calls.accept(id)
    await a.until(c => c.id === id && c.state === 'connecting')
    const [caller] = a.media.opened
    caller.resolve('relay')
    await a.until(c => c.id === id && c.tunnel?.route === 'relay')
    await a.calls.reportQuality(id, { ...QUALITY, path: 'relay' })
    // the relay's connection goes, the tunnel is detached a moment (the last route stays shown), then a direct one takes it
    caller.route = null
    await a.calls.reportQuality(id, { ...QUALITY, path: 'relay' })
    expect(a.latest(id)?.tunnel).toEqual({ port: caller.port, route: 'relay' })
    caller.route = 'libp2p'
    await a.calls.reportQuality(id, { ...QUALITY, path: 'libp2p' })
    expect(a.latest(id)?.tunnel).toEqual({ port: caller.port, route: 'libp2p' })
    expect(a.store.get(id)?.tunnel).toEqual({ port: caller.port, route: 'libp2p' })
    expect(a.calls.list()[0].tunnel?.route).toBe('libp2p')
  })

  it("is not opened when either side's calls use only direct paths", async () => {
    const { a, b } = await pair()
    await b.store.updateSettings({ mediaPath: 'direct' })
    const id = await ring(a, b)
    await b.calls.accept(id)
    await a.until(c => c.id === id && c.state === 'connecting')
    expect([a.media.opened.length, b.media.opened.length]).toEqual([0, 0])
  })

  it("fails loudly when a call set to use only the tunnel has none: no opener, or a tunnel that breaks", async () => {
    const { a, b } = await pair({}, { noMedia: true })
    await b.store.updateSettings({ mediaPath: 'libp2p' })
    const id = await ring(a, b)
    await expect(b.calls.accept(id)).rejects.toMatchObject({ code: 'UNAVAILABLE', message: expect.stringContaining('no media tunnel') })
    expect(b.latest(id)).toMatchObject({ state: 'ended', endReason: 'failed' })
    await a.until(c => c.id === id && c.state === 'ended')

    await a.store.updateSettings({ mediaPath: 'libp2p' })
    await b.store.updateSettings({ mediaPath: 'auto' })
    const second = await ring(a, b)
    // b has no tunnel to offer under 'auto': the call goes direct there, but a wants only the tunnel
    await b.calls.accept(second)
    expect((await a.until(c => c.id === second && c.state === 'ended')).error).toContain('does not offer one')
    await b.until(c => c.id === second && c.state === 'ended')

    // the caller has no opener and needs the tunnel the callee offers
    const other = new Wire()
    const noOpener = await side(other, PEER_C, { noMedia: true, contacts: [PEER_B] })
    const host = await side(other, PEER_B, { contacts: [PEER_C] })
    running.push(noOpener, host)
    await noOpener.store.updateSettings({ mediaPath: 'libp2p' })
    const fourth = await noOpener.calls.place(PEER_B, { video: true })
    await host.until(c => c.id === fourth.id && c.state === 'ringing')
    await host.calls.accept(fourth.id)
    expect((await noOpener.until(c => c.id === fourth.id && c.state === 'ended')).error).toContain('no media tunnel')
    expect(await host.until(c => c.id === fourth.id && c.state === 'ended')).toMatchObject({ endReason: 'hangup', endedBy: 'remote' })

    const third = await ring(b, a)
    await a.calls.accept(third)
    const [t] = a.media.opened
    t.reject(new Error('no route to the peer'))
    expect((await a.until(c => c.id === third && c.state === 'ended')).error).toContain('no route to the peer')
  })
})

describe('what a peer can do to calls that are not its own', () => {
  it("answers UNKNOWN_CALL to another peer's signals, accept, hang-up and cancel for our call, and to unknown ids; nothing changes", async () => {
    const { wire, a, b } = await pair()
    const id = await ring(a, b)
    await b.calls.accept(id)
    await a.until(c => c.id === id && c.state === 'connecting')
    const before = a.states.length
    for (const m of [
      { kind: 'signal', callId: id, signal: { kind: 'offer', sdp: 'evil' } },
      { kind: 'accept', callId: id, tunnel: true },
      { kind: 'hangup', callId: id },
      { kind: 'cancel', callId: id },
      { kind: 'decline', callId: id },
      { kind: 'hangup', callId: 'f'.repeat(32) },
      { kind: 'signal', callId: 'e'.repeat(32), signal: { kind: 'candidate', candidate: '', sdpMid: null, sdpMLineIndex: null } }
    ] as const) {
      expect((await wire.deliver(PEER_C, PEER_A, m)).status).toBe(CallReply.Status.UNKNOWN_CALL)
    }
    // the callee cannot cancel (only a caller cancels), nor accept its own incoming call from the other end
    expect((await wire.deliver(PEER_A, PEER_B, { kind: 'cancel', callId: id })).status).toBe(CallReply.Status.UNKNOWN_CALL)
    expect((await wire.deliver(PEER_A, PEER_B, { kind: 'accept', callId: id, tunnel: false })).status).toBe(CallReply.Status.UNKNOWN_CALL)
    expect(a.states.length).toBe(before)
    expect(a.signals).toEqual([])
    expect(a.latest(id)?.state).toBe('connecting')
    // a ring that reuses our call's id is refused
    const reuse = await wire.deliver(PEER_C, PEER_A, { kind: 'ring', callId: id, video: true, key: new Uint8Array(32), tunnel: false })
    expect(reuse.status).toBe(CallReply.Status.REFUSED)
  })

  it('takes no signal for a call that is still ringing, and caps how many one call takes', async () => {
    const { wire, a, b } = await pair()
    const id = await ring(a, b)
    const candidate = { kind: 'signal', callId: id, signal: { kind: 'candidate', candidate: 'c', sdpMid: '0', sdpMLineIndex: 0 } } as const
    expect((await wire.deliver(PEER_A, PEER_B, candidate)).status).toBe(CallReply.Status.UNKNOWN_CALL)
    await b.calls.accept(id)
    const statuses = new Map<string, number>()
    for (let i = 0; i < 2100; i++) {
      const s = (await wire.deliver(PEER_A, PEER_B, candidate)).status
      statuses.set(s, (statuses.get(s) ?? 0) + 1)
    }
    expect(Object.fromEntries(statuses)).toEqual({ OK: 2000, REFUSED: 100 })
    expect(b.signals.length).toBe(2000)
  })

  it("repeats a ring's answer for a repeated ring, and keeps the call as it is", async () => {
    const { wire, a, b } = await pair()
    const id = await ring(a, b)
    const repeat = wire.sent.find(s => s.message.kind === 'ring')
    expect(repeat).toBeDefined()
    expect((await wire.deliver(PEER_A, PEER_B, repeat?.message as never)).status).toBe(CallReply.Status.OK)
    expect(b.states.filter(c => c.id === id).length).toBe(1)
  })
})

describe('the record of calls', () => {
  it('survives a restart; a call that was going on is recorded as failed', async () => {
    // a clock that moves, so the two calls' start times differ
    let t = 1_000_000
    const now = (): number => (t += 10)
    const { a, b } = await pair({ now }, { now })
    const done = await ring(a, b)
    await b.calls.decline(done)
    await a.until(c => c.id === done && c.state === 'ended')
    const open = await ring(a, b)
    await b.calls.accept(open)
    await a.until(c => c.id === open && c.state === 'connecting')
    // the node dies: nothing is stopped, the datastore stays
    const wire = new Wire()
    const again = await side(wire, PEER_A, { datastore: a.datastore, now })
    running.push(again)
    const list = again.calls.list()
    expect(list.map(c => c.id)).toEqual([open, done])
    expect(list[0]).toMatchObject({ state: 'ended', endReason: 'failed', error: 'the node stopped during the call', tunnel: null })
    expect(list[1]).toMatchObject({ state: 'ended', endReason: 'declined' })
    expect(again.calls.list(PEER_C)).toEqual([])
    expect(again.calls.list(undefined, 1).length).toBe(1)
  })

  it('tells the peer, once the node runs again, that a call the node stopped in is over', async () => {
    const { wire, a, b } = await pair()
    const open = await ring(a, b)
    await b.calls.accept(open)
    await a.until(c => c.id === open && c.state === 'connecting')
    // the node dies (nothing is stopped, the datastore stays) and starts again on the same network
    const again = await side(wire, PEER_A, { datastore: a.datastore, contacts: [PEER_B] })
    running.push(again)
    const far = await b.until(c => c.id === open && c.state === 'ended', 'the hang-up after the restart')
    expect(far).toMatchObject({ endReason: 'hangup', endedBy: 'remote' })
    expect(wire.sent.filter(m => m.from === PEER_A && m.message.kind === 'hangup').map(m => m.message.callId)).toEqual([open])
  })

  it('tells at most a few peers after a restart, the newest calls first, and never a blocked one', async () => {
    const datastore = new MemoryDatastore()
    const peer = (i: number): string => `12D3KooWS${String(i).padStart(43, 'x')}`
    for (let i = 0; i < 40; i++) {
      const c: Call = {
        id: (i + 1).toString(16).padStart(32, '0'), peerId: peer(i), outgoing: false, video: false, state: 'ringing', request: true,
        startedAt: 1000 + i, answeredAt: null, endedAt: null, endReason: null, endedBy: null, error: null, tunnel: null, quality: null
      }
      await datastore.put(new Key(`/wgt/calls/record/${c.id}`), new TextEncoder().encode(JSON.stringify(c)))
    }
    const book = new ContactBook(datastore)
    await book.load()
    await book.set(peer(39), { trust: 'blocked' })
    const wire = new Wire()
    const again = await side(wire, PEER_A, { datastore, contacts: [] })
    running.push(again)
    await again.calls.stop() // (waits for the hang-ups it sent)
    // the newest MAX_INTERRUPTED_TOLD calls, less the blocked peer's
    const told = wire.sent.filter(m => m.from === PEER_A && m.message.kind === 'hangup').map(m => m.to)
    expect(told).toEqual(Array.from({ length: MAX_INTERRUPTED_TOLD - 1 }, (_, i) => peer(38 - i)))
  })

  it(`keeps the newest ${MAX_KEPT_CALLS} calls`, async () => {
    let t = 1_000_000
    const wire = new Wire()
    const a = await side(wire, PEER_A, { contacts: [PEER_C], now: () => t })
    running.push(a)
    wire.down.add(PEER_C)
    const ids: string[] = []
    for (let i = 0; i < MAX_KEPT_CALLS + 5; i++) {
      t += 1000
      const c = await a.calls.place(PEER_C, { video: false })
      ids.push(c.id)
      await a.until(x => x.id === c.id && x.state === 'ended')
    }
    expect(a.calls.list(undefined, 500).length).toBe(MAX_KEPT_CALLS)
    const again = await side(new Wire(), PEER_A, { datastore: a.datastore })
    running.push(again)
    const kept = again.calls.list(undefined, 500).map(c => c.id)
    expect(kept.length).toBe(MAX_KEPT_CALLS)
    expect(kept[0]).toBe(ids.at(-1))
    expect(kept).not.toContain(ids[0])
  })

  it(`keeps only the newest ${MAX_KEPT_REQUESTS} unanswered requests: a swarm of strangers cannot push the user's calls out`, async () => {
    let t = 1_000_000
    const now = (): number => t
    const { wire, a, b } = await pair({ now }, { contacts: [PEER_A], now })
    const mine = await ring(a, b)
    await b.calls.decline(mine)
    const answered = `12D3KooWS${'y'.repeat(43)}`
    const key = new Uint8Array(32)
    const strangers = MAX_KEPT_CALLS + 50
    for (let i = 0; i < strangers; i++) {
      t += 60_000 // (past the registry's limit of new requests a minute)
      const stranger = i === 0 ? answered : `12D3KooWS${String(i).padStart(43, 'x')}`
      const callId = (i + 1).toString(16).padStart(32, '0')
      expect((await wire.deliver(stranger, PEER_B, { kind: 'ring', callId, video: true, key, tunnel: false })).status).toBe(CallReply.Status.REQUEST)
      if (i === 0) await b.calls.hangup(await b.calls.accept(callId).then(c => c.id))
      else expect((await wire.deliver(stranger, PEER_B, { kind: 'cancel', callId })).status).toBe(CallReply.Status.OK)
    }
    const check = (list: Call[]): void => {
      expect(list.filter(c => c.request).length).toBe(MAX_KEPT_REQUESTS)
      // the newest requests are those kept; the user's call and the answered request stay
      expect(list.filter(c => c.request).map(c => c.id)).toContain(strangers.toString(16).padStart(32, '0'))
      expect(list.map(c => c.id)).toEqual(expect.arrayContaining([mine, (1).toString(16).padStart(32, '0')]))
      expect(list.length).toBe(MAX_KEPT_REQUESTS + 2)
    }
    await b.until(c => c.id === strangers.toString(16).padStart(32, '0') && c.state === 'ended')
    check(b.calls.list(undefined, 500))
    const again = await side(new Wire(), PEER_B, { datastore: b.datastore, now })
    running.push(again)
    check(again.calls.list(undefined, 500))
  })

  it(`trims a stored record holding more than ${MAX_KEPT_REQUESTS} requests when it loads`, async () => {
    const datastore = new MemoryDatastore()
    const record = (i: number, request: boolean): Call => ({
      id: i.toString(16).padStart(32, '0'), peerId: PEER_C, outgoing: false, video: false, state: request ? 'ringing' : 'ended', request,
      startedAt: 1000 + i, answeredAt: null, endedAt: request ? null : 2000 + i, endReason: request ? null : 'declined', endedBy: request ? null : 'local', error: null, tunnel: null, quality: null
    })
    for (let i = 0; i < 100; i++) await datastore.put(new Key(`/wgt/calls/record/${record(i, i >= 5).id}`), new TextEncoder().encode(JSON.stringify(record(i, i >= 5))))
    const store = new CallStore(datastore)
    await store.load()
    expect(store.all().length).toBe(5 + MAX_KEPT_REQUESTS)
    expect(store.all().filter(c => c.request).every(c => c.state === 'ended' && c.startedAt >= 1000 + 100 - MAX_KEPT_REQUESTS)).toBe(true)
    let stored = 0
    for await (const _ of datastore.queryKeys({ prefix: '/wgt/calls/record/' })) stored++
    expect(stored).toBe(5 + MAX_KEPT_REQUESTS)
  })

  it('keeps the call settings, and ignores a stored value of the wrong shape', async () => {
    const { a } = await pair()
    expect(a.store.getSettings()).toEqual({ iceServers: [], mediaPath: 'auto' })
    await a.store.updateSettings({ mediaPath: 'libp2p', iceServers: [{ urls: 'stun:stun.example.org:3478' }] })
    await a.store.updateSettings({ iceServers: undefined })
    const again = await side(new Wire(), PEER_A, { datastore: a.datastore })
    running.push(again)
    expect(again.store.getSettings()).toEqual({ mediaPath: 'libp2p', iceServers: [{ urls: 'stun:stun.example.org:3478' }] })
  })
})
