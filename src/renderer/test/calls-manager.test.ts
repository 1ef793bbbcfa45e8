import { describe, expect, it, vi } from 'vitest'
import type { Call, CallSignal, WgtApi, WgtEventMap, WgtEventName } from '../../shared/api/index.js'
import { EventHub } from '../../shared/rpc.js'
import { CallManager } from '../src/calls/manager.js'
import { CallSession, type MediaSource } from '../src/calls/session.js'

const PEER = '12D3KooWGzh6Vt6gn7c7bF8m7pCq3rXb4xvLb1kT5c2NwQe9RkYZ'
const id = (n: number): string => n.toString(16).padStart(32, '0')

function call (over: Partial<Call>): Call {
  return {
    id: id(1), peerId: PEER, outgoing: true, video: false, state: 'ringing', request: false, startedAt: 1, answeredAt: null,
    endedAt: null, endReason: null, endedBy: null, error: null, tunnel: null, quality: null, ...over
  }
}

/** Media that never opens: the manager's bookkeeping is tested here, WebRTC in test/e2e/call-session.test.ts. */
const pending: MediaSource = {
  getUserMedia: async () => await new Promise(() => {}),
  getDisplayMedia: async () => await new Promise(() => {}),
  enumerateDevices: async () => []
}

function fakeApi () {
  const hub = new EventHub()
  const hungUp: string[] = []
  const api = {
    on: <E extends WgtEventName>(e: E, l: (d: WgtEventMap[E]) => void) => hub.on(e, l),
    getCallSettings: async () => ({ iceServers: [], mediaPath: 'auto' }),
    startCall: async (peerId: string, { video }: { video: boolean }) => call({ id: id(1), peerId, video }),
    acceptCall: async (callId: string) => call({ id: callId, outgoing: false, state: 'connecting' }),
    declineCall: async (callId: string) => call({ id: callId, state: 'ended', endReason: 'declined' }),
    hangupCall: async (callId: string) => { hungUp.push(callId); return call({ id: callId, state: 'ended' }) },
    sendCallSignal: async () => {},
    reportCallQuality: async () => {}
  } as unknown as WgtApi
  return { api, hub, hungUp }
}

describe('the call manager', () => {
  it('holds only the calls this page started or accepted, one at a time', async () => {
    const f = fakeApi()
    const m = new CallManager(f.api, pending)
    // another tab's call: its states and signals change nothing here
    f.hub.emit('call:state', call({ id: id(9), state: 'connecting' }))
    f.hub.emit('call:signal', { callId: id(9), signal: { kind: 'answer', sdp: 'v=0' } })
    expect(m.sessionsNow()).toEqual([])
    await m.start(PEER, false)
    expect(m.sessionsNow().map(s => s.id)).toEqual([id(1)])
    expect(m.busy()).toBe(true)
    await expect(m.start(PEER, true)).rejects.toMatchObject({ code: 'UNAVAILABLE' })
    await expect(m.accept(id(2), true)).rejects.toMatchObject({ code: 'UNAVAILABLE' })
    // the peer hung up: a normal end goes from the screen
    f.hub.emit('call:state', call({ id: id(1), state: 'ended', endReason: 'hangup', endedBy: 'remote' }))
    expect(m.sessionsNow()).toEqual([])
    m.stop()
  })

  it('keeps a call that did not go through on screen until dismissed', async () => {
    const f = fakeApi()
    const m = new CallManager(f.api, pending)
    await m.start(PEER, false)
    f.hub.emit('call:state', call({ id: id(1), state: 'ended', endReason: 'busy', endedBy: 'remote' }))
    expect(m.sessionsNow()).toHaveLength(1)
    expect(m.sessionsNow()[0].closed).toBe(true)
    expect(m.busy()).toBe(false)
    m.drop(id(1))
    expect(m.sessionsNow()).toEqual([])
    m.stop()
  })

  it('replays an offer and a tunnel that overtook acceptCall\'s answer', async () => {
    const f = fakeApi()
    const m = new CallManager(f.api, pending)
    const signal = vi.spyOn(CallSession.prototype, 'signal')
    const update = vi.spyOn(CallSession.prototype, 'update')
    const offer: CallSignal = { kind: 'offer', sdp: 'v=0' }
    f.hub.emit('call:signal', { callId: id(3), signal: offer })
    const tunnelled = call({ id: id(3), outgoing: false, state: 'connecting', tunnel: { port: 40000, route: 'libp2p' } })
    f.hub.emit('call:state', tunnelled)
    await m.accept(id(3), false)
    expect(update).toHaveBeenCalledWith(tunnelled)
    expect(signal).toHaveBeenCalledWith(offer)
    signal.mockRestore()
    update.mockRestore()
    m.stop()
  })

  it('bounds what it holds for calls it does not own, and forgets them when they end', async () => {
    const f = fakeApi()
    const m = new CallManager(f.api, pending)
    const signal = vi.spyOn(CallSession.prototype, 'signal')
    for (let i = 0; i < 200; i++) f.hub.emit('call:signal', { callId: id(4), signal: { kind: 'candidate', candidate: `c${i}`, sdpMid: '0', sdpMLineIndex: 0 } })
    await m.accept(id(4), false)
    expect(signal.mock.calls.length).toBe(64)
    signal.mockClear()
    m.drop(id(4))
    f.hub.emit('call:signal', { callId: id(5), signal: { kind: 'offer', sdp: 'v=0' } })
    f.hub.emit('call:state', call({ id: id(5), outgoing: false, state: 'ended', endReason: 'cancelled' }))
    await m.accept(id(5), false)
    expect(signal).not.toHaveBeenCalled()
    signal.mockRestore()
    m.stop()
  })

  it('ends a call whose end it missed when the node\'s list says so', async () => {
    const f = fakeApi()
    const m = new CallManager(f.api, pending)
    await m.start(PEER, false)
    m.reconcile({ [id(1)]: call({ id: id(1), state: 'connecting' }) })
    expect(m.sessionsNow()[0].closed).toBe(false)
    m.reconcile({ [id(1)]: call({ id: id(1), state: 'ended', endReason: 'hangup', endedBy: 'remote' }) })
    expect(m.sessionsNow()).toEqual([])
    m.stop()
  })

  it('hangs up what it holds when the page goes', async () => {
    const f = fakeApi()
    const m = new CallManager(f.api, pending)
    await m.start(PEER, true)
    m.stop()
    await vi.waitFor(() => { expect(f.hungUp).toEqual([id(1)]) })
    expect(m.sessionsNow()).toEqual([])
  })
})
