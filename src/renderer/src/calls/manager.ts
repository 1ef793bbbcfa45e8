/**
 * The calls this page owns: one CallSession per call started or accepted
 * here. Signals and state changes for the node's other calls (rung in
 * another tab or window on the same node) are ignored, so only one page
 * ever answers an offer. Ended sessions stay listed until dismissed when
 * they ended with an error, so the reason stays readable.
 */
import type { Call, CallSettings, PeerIdString, WgtApi } from '../../../shared/api/index.js'
import { WgtError } from '../../../shared/errors.js'
import { CallSession, type MediaSource } from './session.js'

/** An ended call stays on screen when the person needs to read why: declined, busy, unanswered, refused, failed. */
function worthShowing (call: Call, s: CallSession): boolean {
  if (s.snapshot().error != null) return true
  return call.endedBy !== 'local' && call.endReason !== 'hangup'
}

type ManagerApi = Pick<WgtApi, 'on' | 'startCall' | 'acceptCall' | 'declineCall' | 'hangupCall' | 'sendCallSignal' | 'reportCallQuality' | 'getCallSettings'>

export class CallManager {
  private readonly sessions = new Map<string, CallSession>()
  private readonly latest = new Map<string, Call>()
  private readonly listeners = new Set<() => void>()
  private readonly offs: Array<() => void>
  private list: readonly CallSession[] = []

  constructor (private readonly api: ManagerApi, private readonly media?: MediaSource) {
    this.offs = [
      api.on('call:state', call => {
        // kept for a call whose startCall has not answered yet: its 'connecting' may come first
        if (call.outgoing && !this.sessions.has(call.id)) this.remember(call)
        const s = this.sessions.get(call.id)
        if (s != null) {
          s.update(call)
          if (call.state === 'ended' && !worthShowing(call, s)) this.drop(call.id)
        }
      }),
      api.on('call:signal', ({ callId, signal }) => { this.sessions.get(callId)?.signal(signal) })
    ]
  }

  private remember (call: Call): void {
    this.latest.set(call.id, call)
    // bounded: only the few calls whose startCall is in flight matter
    if (this.latest.size > 16) this.latest.delete(this.latest.keys().next().value as string)
  }

  sessionsNow = (): readonly CallSession[] => this.list
  subscribe = (l: () => void): (() => void) => {
    this.listeners.add(l)
    return () => { this.listeners.delete(l) }
  }

  private changed (): void {
    this.list = [...this.sessions.values()]
    for (const l of this.listeners) l()
  }

  private add (call: Call, settings: CallSettings, sendVideo?: boolean): CallSession {
    const s = new CallSession({ call, api: this.api, settings, sendVideo, media: this.media })
    this.sessions.set(call.id, s)
    this.changed()
    return s
  }

  /** A page holds one call at a time: the camera and microphone are its. */
  busy (): boolean {
    return [...this.sessions.values()].some(s => !s.closed)
  }

  async start (peerId: PeerIdString, video: boolean): Promise<Call> {
    if (this.busy()) throw new WgtError('UNAVAILABLE', 'this page is in a call already')
    const settings = await this.api.getCallSettings()
    const call = await this.api.startCall(peerId, { video })
    const s = this.add(call, settings)
    const newer = this.latest.get(call.id)
    this.latest.delete(call.id)
    if (newer != null) s.update(newer)
    return call
  }

  async accept (callId: string, video: boolean): Promise<Call> {
    if (this.busy()) throw new WgtError('UNAVAILABLE', 'this page is in a call already')
    const settings = await this.api.getCallSettings()
    const call = await this.api.acceptCall(callId)
    const s = this.add(call, settings, video)
    s.accepted()
    return call
  }

  async decline (callId: string): Promise<Call> {
    return await this.api.declineCall(callId)
  }

  async hangup (callId: string): Promise<void> {
    const s = this.sessions.get(callId)
    if (s == null) { await this.api.hangupCall(callId); return }
    try { await s.hangup() } finally { this.drop(callId) }
  }

  /** Forget an ended call's session (its error was read). */
  drop (callId: string): void {
    this.sessions.get(callId)?.close()
    if (this.sessions.delete(callId)) this.changed()
  }

  /** The page goes away: hang up what it holds, so the peer is not left in a silent call. */
  stop (): void {
    for (const off of this.offs.splice(0)) off()
    for (const s of this.sessions.values()) {
      if (!s.closed) void s.hangup().catch(() => {})
    }
    this.sessions.clear()
    this.changed()
  }
}
