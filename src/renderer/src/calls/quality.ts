/**
 * Call quality from RTCPeerConnection.getStats: a sample is the cumulative
 * counters at one moment; the figures reported (shared/api/calls.ts
 * CallQuality) are the differences between two samples, so each one is
 * measured over the last interval. Pure (stats reports are plain
 * iterables), so it is unit-tested.
 */
import type { CallQuality, CallTunnel } from '../../../shared/api/index.js'
import { pathOf } from './candidates.js'

export interface StatsSample {
  /** ms since epoch */
  at: number
  bytesSent: number
  bytesReceived: number
  /** inbound video, summed over streams; null when nothing video comes in */
  framesDecoded: number | null
  width: number | null
  height: number | null
  /** inbound RTP over every stream, cumulative */
  packetsReceived: number
  packetsLost: number
  /** the inbound video's (else audio's) jitter */
  jitterMs: number | null
  rttMs: number | null
  /** the selected pair's remote candidate */
  remote: { address: string | null, port: number | null } | null
  /** the fraction of our video the peer reported lost (RTCP receiver reports), percent */
  sentLossPct: number | null
}

type Stat = Record<string, unknown> & { type: string, id: string }

const num = (v: unknown): number | null => typeof v === 'number' && Number.isFinite(v) ? v : null
const str = (v: unknown): string | null => typeof v === 'string' ? v : null

/** Reads a getStats() report (a Map of id → stats) into a sample. */
export function sampleFromStats (report: { forEach: (cb: (value: any, key: string) => void) => void }, at: number): StatsSample {
  const byId = new Map<string, Stat>()
  report.forEach((value: Stat, key: string) => { byId.set(key, value) })
  const all = [...byId.values()]

  // Chromium names the selected pair on the transport; the spec's `selected` and a nominated, succeeded pair are fallbacks
  const transport = all.find(s => s.type === 'transport')
  const pairId = str(transport?.selectedCandidatePairId)
  const pair = (pairId != null ? byId.get(pairId) : undefined) ??
    all.find(s => s.type === 'candidate-pair' && s.selected === true) ??
    all.find(s => s.type === 'candidate-pair' && s.nominated === true && s.state === 'succeeded')
  const remoteCandidate = pair == null ? undefined : byId.get(String(pair.remoteCandidateId))
  const remote = remoteCandidate == null
    ? null
    : { address: str(remoteCandidate.address) ?? str(remoteCandidate.ip), port: num(remoteCandidate.port) }

  let bytesSent = num(transport?.bytesSent) ?? 0
  let bytesReceived = num(transport?.bytesReceived) ?? 0
  if (transport == null && pair != null) {
    bytesSent = num(pair.bytesSent) ?? 0
    bytesReceived = num(pair.bytesReceived) ?? 0
  }

  let framesDecoded: number | null = null
  let width: number | null = null
  let height: number | null = null
  let videoJitter: number | null = null
  let audioJitter: number | null = null
  let packetsReceived = 0
  let packetsLost = 0
  let sentLossPct: number | null = null
  for (const s of all) {
    if (s.type === 'inbound-rtp') {
      packetsReceived += num(s.packetsReceived) ?? 0
      packetsLost += Math.max(0, num(s.packetsLost) ?? 0)
      const jitter = num(s.jitter)
      if (s.kind === 'video') {
        const frames = num(s.framesDecoded)
        if (frames != null) framesDecoded = (framesDecoded ?? 0) + frames
        width = num(s.frameWidth) ?? width
        height = num(s.frameHeight) ?? height
        if (jitter != null) videoJitter = jitter * 1000
      } else if (s.kind === 'audio' && jitter != null) {
        audioJitter = jitter * 1000
      }
    } else if (s.type === 'remote-inbound-rtp' && s.kind === 'video') {
      const fraction = num(s.fractionLost)
      if (fraction != null) sentLossPct = Math.min(100, Math.max(0, fraction * 100))
    }
  }
  const rtt = num(pair?.currentRoundTripTime)
  return {
    at,
    bytesSent,
    bytesReceived,
    framesDecoded,
    width,
    height,
    packetsReceived,
    packetsLost,
    jitterMs: videoJitter ?? audioJitter,
    rttMs: rtt == null ? null : rtt * 1000,
    remote,
    sentLossPct
  }
}

const rate = (delta: number, ms: number): number => Math.max(0, delta) * 8 / ms // bits per ms = kbit/s

/**
 * The figures over the interval between two samples; null when there is no
 * interval to measure over yet or no selected pair (nothing connected).
 */
export function qualityBetween (prev: StatsSample | null, cur: StatsSample, tunnel: CallTunnel | null): CallQuality | null {
  const path = pathOf(cur.remote, tunnel)
  if (prev == null || path == null) return null
  const ms = cur.at - prev.at
  if (!(ms > 0)) return null
  const received = cur.packetsReceived - prev.packetsReceived
  const lost = Math.max(0, cur.packetsLost - prev.packetsLost)
  return {
    at: Math.round(cur.at),
    path,
    rttMs: cur.rttMs,
    sendKbps: rate(cur.bytesSent - prev.bytesSent, ms),
    recvKbps: rate(cur.bytesReceived - prev.bytesReceived, ms),
    fps: cur.framesDecoded == null || prev.framesDecoded == null ? null : Math.max(0, cur.framesDecoded - prev.framesDecoded) * 1000 / ms,
    width: cur.width,
    height: cur.height,
    // no packets expected over the interval: no loss figure rather than a made-up 0
    lossPct: received + lost > 0 && received >= 0 ? lost * 100 / (received + lost) : null,
    jitterMs: cur.jitterMs
  }
}

/** "via libp2p" as the call view says it. */
export function pathLabel (path: CallQuality['path']): string {
  return path === 'direct' ? 'direct' : path === 'libp2p' ? 'via libp2p' : 'via relay'
}
