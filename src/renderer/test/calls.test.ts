import { describe, expect, it } from 'vitest'
import type { Call } from '../../shared/api/index.js'
import { pathOf, stripCandidates, tunnelCandidate, tunnelCandidateLine, TUNNEL_PRIORITY } from '../src/calls/candidates.js'
import { callDuration, callSummary, callsInView } from '../src/calls/history.js'
import { pathLabel, qualityBetween, sampleFromStats, type StatsSample } from '../src/calls/quality.js'
import { ringing, withCall, withPeerCall } from '../src/calls/slice.js'
import { HIGH_SECONDS, INITIAL_STEP, LOW_SECONDS, stepResolution, type StepState } from '../src/calls/stepdown.js'
import { threadItems } from '../src/chat/state.js'

const PEER = '12D3KooWGzh6Vt6gn7c7bF8m7pCq3rXb4xvLb1kT5c2NwQe9RkYZ'

function call (over: Partial<Call> = {}): Call {
  return {
    id: 'a'.repeat(32), peerId: PEER, outgoing: true, video: true, state: 'ended', request: false,
    startedAt: 1_000, answeredAt: null, endedAt: null, endReason: null, endedBy: null, error: null, tunnel: null, quality: null,
    ...over
  }
}

/** A getStats() report as Chromium gives it: a Map of id → stats, the selected pair named on the transport. */
function report (o: { bytesSent: number, bytesReceived: number, frames: number, lost: number, received: number, remote: [string, number], rtt?: number, fractionLost?: number }): Map<string, Record<string, unknown>> {
  return new Map<string, Record<string, unknown>>([
    ['T01', { id: 'T01', type: 'transport', bytesSent: o.bytesSent, bytesReceived: o.bytesReceived, selectedCandidatePairId: 'CP1' }],
    ['CP1', { id: 'CP1', type: 'candidate-pair', remoteCandidateId: 'RC1', localCandidateId: 'LC1', currentRoundTripTime: o.rtt ?? 0.012, state: 'succeeded', nominated: true }],
    ['CP2', { id: 'CP2', type: 'candidate-pair', remoteCandidateId: 'RC2', state: 'failed' }],
    ['RC1', { id: 'RC1', type: 'remote-candidate', address: o.remote[0], port: o.remote[1], candidateType: 'relay' }],
    ['RC2', { id: 'RC2', type: 'remote-candidate', address: '192.168.1.9', port: 5000, candidateType: 'host' }],
    ['IV', { id: 'IV', type: 'inbound-rtp', kind: 'video', framesDecoded: o.frames, frameWidth: 640, frameHeight: 480, packetsLost: o.lost, packetsReceived: o.received, jitter: 0.004 }],
    ['IA', { id: 'IA', type: 'inbound-rtp', kind: 'audio', packetsLost: 0, packetsReceived: 50, jitter: 0.002 }],
    ['RV', { id: 'RV', type: 'remote-inbound-rtp', kind: 'video', fractionLost: o.fractionLost ?? 0 }]
  ])
}

describe('the tunnel candidate', () => {
  it('is a relay candidate on 127.0.0.1 with the lowest priority, for the first m-line', () => {
    expect(tunnelCandidateLine(40123)).toBe(`candidate:wgttunnel 1 udp ${TUNNEL_PRIORITY} 127.0.0.1 40123 typ relay raddr 0.0.0.0 rport 0`)
    expect(tunnelCandidate(40123, '0')).toEqual({ candidate: tunnelCandidateLine(40123), sdpMid: '0', sdpMLineIndex: 0 })
    expect(tunnelCandidate(9, null).sdpMid).toBe('0')
    // below a host candidate's (126 << 24) and a TURN relay's usual (0 << 24 + high local preference): still the last resort
    expect(TUNNEL_PRIORITY).toBeLessThan(2 ** 24)
  })

  it('refuses a port no UDP socket has', () => {
    for (const p of [0, -1, 65_536, 1.5, Number.NaN]) expect(() => tunnelCandidateLine(p)).toThrow(RangeError)
  })

  it('strips the peer\'s candidates from an SDP and keeps the rest', () => {
    const sdp = ['v=0', 'm=audio 9 UDP/TLS/RTP/SAVPF 111', 'a=mid:0', 'a=candidate:1 1 udp 2122260223 192.168.1.9 5000 typ host', 'a=end-of-candidates', 'a=rtpmap:111 opus/48000/2', ''].join('\r\n')
    const out = stripCandidates(sdp)
    expect(out).not.toContain('a=candidate')
    expect(out).not.toContain('end-of-candidates')
    expect(out).toBe(['v=0', 'm=audio 9 UDP/TLS/RTP/SAVPF 111', 'a=mid:0', 'a=rtpmap:111 opus/48000/2', ''].join('\r\n'))
  })

  it('tells the path from the selected pair\'s remote candidate', () => {
    const tunnel = { port: 40123, route: 'relay' as const }
    expect(pathOf({ address: '127.0.0.1', port: 40123 }, tunnel)).toBe('relay')
    expect(pathOf({ address: '127.0.0.1', port: 40123 }, { ...tunnel, route: 'libp2p' })).toBe('libp2p')
    // the same machine on another port is a direct path between two renderers
    expect(pathOf({ address: '127.0.0.1', port: 5000 }, tunnel)).toBe('direct')
    expect(pathOf({ address: '192.168.1.9', port: 40123 }, tunnel)).toBe('direct')
    expect(pathOf({ address: '127.0.0.1', port: 40123 }, null)).toBe('direct')
    expect(pathOf(null, tunnel)).toBeNull()
    expect(pathLabel('libp2p')).toBe('via libp2p')
    expect(pathLabel('relay')).toBe('via relay')
    expect(pathLabel('direct')).toBe('direct')
  })
})

describe('quality from getStats', () => {
  const tunnel = { port: 40123, route: 'libp2p' as const }

  it('reads the selected pair, the video and the peer\'s loss report from one snapshot', () => {
    const s = sampleFromStats(report({ bytesSent: 1000, bytesReceived: 2000, frames: 30, lost: 2, received: 98, remote: ['127.0.0.1', 40123], rtt: 0.025, fractionLost: 0.1 }), 5000)
    expect(s).toEqual({
      at: 5000, bytesSent: 1000, bytesReceived: 2000, framesDecoded: 30, width: 640, height: 480,
      packetsReceived: 148, packetsLost: 2, jitterMs: 4, rttMs: 25, remote: { address: '127.0.0.1', port: 40123 }, sentLossPct: 10
    })
  })

  it('measures each figure over the interval between two snapshots', () => {
    const a = sampleFromStats(report({ bytesSent: 0, bytesReceived: 0, frames: 0, lost: 0, received: 0, remote: ['127.0.0.1', 40123] }), 10_000)
    const b = sampleFromStats(report({ bytesSent: 62_500, bytesReceived: 125_000, frames: 60, lost: 10, received: 190, remote: ['127.0.0.1', 40123] }), 12_000)
    expect(qualityBetween(null, a, tunnel)).toBeNull()
    const q = qualityBetween(a, b, tunnel)
    expect(q).toEqual({
      at: 12_000, path: 'libp2p', rttMs: 12, sendKbps: 250, recvKbps: 500, fps: 30, width: 640, height: 480,
      // audio's 50 received packets count too: 10 lost of 10 + (190 + 50 - 50)
      lossPct: 10 * 100 / 200, jitterMs: 4
    })
  })

  it('gives no loss figure when no packet was expected, and never a negative one', () => {
    const a: StatsSample = { at: 0, bytesSent: 10, bytesReceived: 10, framesDecoded: 5, width: null, height: null, packetsReceived: 100, packetsLost: 5, jitterMs: null, rttMs: null, remote: { address: '10.0.0.2', port: 1 }, sentLossPct: null }
    const same = { ...a, at: 1000 }
    expect(qualityBetween(a, same, null)?.lossPct).toBeNull()
    // duplicates make packetsLost go down: that is not negative loss
    const dup = { ...a, at: 1000, packetsLost: 3, packetsReceived: 110, bytesSent: 5, framesDecoded: 4 }
    const q = qualityBetween(a, dup, null)
    expect(q?.lossPct).toBe(0)
    expect(q?.sendKbps).toBe(0)
    expect(q?.fps).toBe(0)
    expect(q?.path).toBe('direct')
  })

  it('reports nothing before a pair is selected, or over no time', () => {
    const none = new Map([['T01', { id: 'T01', type: 'transport', bytesSent: 0, bytesReceived: 0 }]])
    const a = sampleFromStats(none, 0)
    expect(a.remote).toBeNull()
    expect(qualityBetween(a, { ...a, at: 1000 }, null)).toBeNull()
    const b = sampleFromStats(report({ bytesSent: 0, bytesReceived: 0, frames: 0, lost: 0, received: 0, remote: ['1.2.3.4', 5] }), 1000)
    expect(qualityBetween(b, b, null)).toBeNull()
  })

  it('has no fps for an audio call', () => {
    const audio = (at: number, n: number): Map<string, Record<string, unknown>> => new Map<string, Record<string, unknown>>([
      ['P', { id: 'P', type: 'candidate-pair', selected: true, remoteCandidateId: 'R', bytesSent: n, bytesReceived: n }],
      ['R', { id: 'R', type: 'remote-candidate', ip: '10.0.0.2', port: 9 }],
      ['IA', { id: 'IA', type: 'inbound-rtp', kind: 'audio', packetsLost: 0, packetsReceived: n, jitter: 0.003 }]
    ])
    const q = qualityBetween(sampleFromStats(audio(0, 0), 0), sampleFromStats(audio(1000, 100), 1000), null)
    expect(q).toMatchObject({ fps: null, width: null, jitterMs: 3, recvKbps: 0.8, path: 'direct', rttMs: null })
  })
})

describe('the resolution step-down', () => {
  const run = (losses: Array<number | null>, from: StepState = INITIAL_STEP): StepState => losses.reduce<StepState>((s, l) => stepResolution(s, l), from)

  it(`halves after ${HIGH_SECONDS} s of loss above 5 %, down to a quarter`, () => {
    expect(run([8, 8]).scale).toBe(1)
    expect(run([8, 8, 8]).scale).toBe(2)
    expect(run(Array(6).fill(8)).scale).toBe(4)
    expect(run(Array(30).fill(50)).scale).toBe(4)
  })

  it('needs the loss sustained: a calm second in between starts the count again', () => {
    expect(run([8, 8, 3, 8, 8]).scale).toBe(1)
    // no report (null) neither counts nor breaks the run
    expect(run([8, null, 8, null, 8]).scale).toBe(2)
  })

  it(`steps back up after ${LOW_SECONDS} s under 1 %`, () => {
    const down = run(Array(6).fill(10))
    expect(down.scale).toBe(4)
    expect(run(Array(LOW_SECONDS - 1).fill(0), down).scale).toBe(4)
    expect(run(Array(LOW_SECONDS).fill(0), down).scale).toBe(2)
    expect(run(Array(2 * LOW_SECONDS).fill(0.5), down).scale).toBe(1)
    expect(run(Array(50).fill(0)).scale).toBe(1)
  })
})

describe('calls in the history', () => {
  it('says what happened to each call', () => {
    expect(callSummary(call({ answeredAt: 10_000, endedAt: 202_000, endReason: 'hangup' }))).toEqual({ text: 'Video call · 3:12', missed: false })
    expect(callSummary(call({ video: false, answeredAt: 0, endedAt: 3_723_000, endReason: 'hangup' })).text).toBe('Audio call · 1:02:03')
    expect(callSummary(call({ outgoing: false, endReason: 'cancelled', endedBy: 'remote' }))).toEqual({ text: 'Missed video call', missed: true })
    expect(callSummary(call({ outgoing: false, video: false, endReason: 'unanswered' }))).toEqual({ text: 'Missed call', missed: true })
    expect(callSummary(call({ outgoing: false, endReason: 'declined', endedBy: 'local' })).text).toBe('Video call · declined')
    expect(callSummary(call({ endReason: 'busy', endedBy: 'remote' }))).toEqual({ text: 'Video call · busy', missed: true })
    expect(callSummary(call({ endReason: 'unanswered' })).text).toBe('Video call · no answer')
    expect(callSummary(call({ endReason: 'cancelled', endedBy: 'local' }))).toEqual({ text: 'Video call · cancelled', missed: false })
    expect(callSummary(call({ state: 'connecting' })).text).toBe('Video call · in progress')
    expect(callDuration(59_400)).toBe('0:59')
  })

  it('puts calls among the messages by time, under their day', () => {
    const day = new Date(2026, 11, 2, 10).getTime()
    const m = (id: string, at: number) => ({ id, cursor: id, sentAt: at }) as never
    const items = threadItems([m('m1', day), m('m2', day + 60_000)], day + 120_000, [
      call({ id: 'b'.repeat(32), startedAt: day + 30_000 }),
      call({ id: 'c'.repeat(32), startedAt: day + 90_000 })
    ])
    expect(items.map(i => i.kind)).toEqual(['day', 'message', 'call', 'message', 'call'])
    // a call on an earlier day than every message gets its own day row
    const earlier = threadItems([m('m1', day)], day, [call({ startedAt: day - 86_400_000 })])
    expect(earlier.map(i => i.kind === 'day' ? i.label : i.kind)).toEqual(['Yesterday', 'call', 'Today', 'message'])
  })

  it('holds back calls older than the loaded messages while older pages wait', () => {
    const msgs = [{ sentAt: 5000 }] as never[]
    const calls = [call({ startedAt: 4000 }), call({ id: 'd'.repeat(32), startedAt: 6000 })]
    expect(callsInView(calls, msgs, true).map(c => c.startedAt)).toEqual([6000])
    expect(callsInView(calls, msgs, false)).toHaveLength(2)
  })
})

describe('the calls slice helpers', () => {
  it('keeps the newest ended calls, all active ones, and lists ringing ones oldest first', () => {
    let calls: Record<string, Call> = {}
    for (let i = 0; i < 60; i++) calls = withCall(calls, call({ id: i.toString(16).padStart(32, '0'), startedAt: i }))
    calls = withCall(calls, call({ id: 'f'.repeat(32), startedAt: -5, state: 'ringing', outgoing: false }))
    calls = withCall(calls, call({ id: 'e'.repeat(32), startedAt: -9, state: 'ringing', outgoing: false, request: true }))
    expect(Object.keys(calls)).toHaveLength(52)
    expect(calls['0'.repeat(32)]).toBeUndefined()
    expect(ringing(calls).map(c => c.id)).toEqual(['e'.repeat(32), 'f'.repeat(32)])
    const list = withPeerCall([call({ startedAt: 1 })], call({ id: 'b'.repeat(32), startedAt: 2 }))
    expect(list.map(c => c.startedAt)).toEqual([2, 1])
    expect(withPeerCall(list, call({ startedAt: 1, state: 'ended', endReason: 'hangup' })).filter(c => c.id === 'a'.repeat(32))).toHaveLength(1)
  })
})
