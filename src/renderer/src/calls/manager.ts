/**
 * The calls this page owns: one CallSession per call started or accepted
 * here. Signals and state changes for the node's other calls (rung in
 * another tab or window on the same node) are ignored, so only one page
 * ever answers an offer. Ended sessions stay listed until dismissed when
 * they ended with an error, so the reason stays readable.
 */
import type { Call, CallSettings, CallSignal, PeerIdString, WgtApi } from '../../../shared/api/index.js'
import { WgtError } from '../../../shared/errors.js'
import { CallSession, type MediaSource } from './session.js'

/** An ended call stays on screen when the person needs to read why: declined, busy, unanswered, refused, failed. */
function worthShowing (call: Call, s: CallSession): boolean {
  if (s.snapshot().error != null) return true
  return call.endedBy !== 'local' && call.endReason !== 'hangup'
}

const MAX_EARLY_CALLS = 16
const MAX_EARLY_SIGNALS = 64

type ManagerApi = Pick<WgtApi, 'on' | 'startCall' | 'acceptCall' | 'declineCall' | 'hangupCall' | 'sendCallSignal' | 'reportCallQuality' | 'getCallSettings'>

export class CallManager {
  private readonly sessions = new Map<string, CallSession>()
  private readonly early = new Map<string, { call: Call | null, signals: CallSignal[] }>()
  private readonly listeners = new Set<() => void>()
  private readonly offs: Array<() => void>
  private list: readonly CallSession[] = []

  constructor (private readonly api: ManagerApi, private readonly media?: MediaSource) {
    this.offs = [
      api.on('call:state', call => {
        const s = this.sessions.get(call.id)
        if (s == null) {
          // kept for a call whose startCall or acceptCall has not answered yet: its 'connecting' or tunnel may come first
          if (call.state === 'ended') this.forget(call.id)
          else this.remember(call.id, { call })
          return
        }
        s.update(call)
        if (call.state === 'ended' && !worthShowing(call, s)) this.drop(call.id)
      }),
      api.on('call:signal', ({ callId, signal }) => {
        const s = this.sessions.get(callId)
        if (s != null) { s.signal(signal); return }
        // the caller's offer can overtake our acceptCall's answer; another tab's calls are held too, boundedly, and forgotten when they end
        const held = this.early.get(callId)
        if (held == null) this.remember(callId, { signals: [signal] })
        else if (held.signals.length < MAX_EARLY_SIGNALS) held.signals.push(signal)
      })
    ]
  }

  private remember (callId: string, o: { call?: Call, signals?: CallSignal[] }): void {
    const held = this.early.get(callId) ?? { call: null, signals: [] }
    if (o.call != null) held.call = o.call
    if (o.signals != null) held.signals.push(...o.signals)
    this.early.set(callId, held)
    // bounded: only calls in the few seconds between the node's answer and ours matter
    if (this.early.size > MAX_EARLY_CALLS) this.early.delete(this.early.keys().next().value as string)
  }

  private forget (callId: string): void {
    this.early.delete(callId)
  }

  /** What came for the call before this page held it: the newer state, then the signals in order. */
  private replay (s: CallSession): void {
    const held = this.early.get(s.id)
    this.forget(s.id)
    if (held == null) return
    if (held.call != null && held.call.state !== 'ringing') s.update(held.call)
    for (const signal of held.signals) s.signal(signal)
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
    this.replay(this.add(call, settings))
    return call
  }

  async accept (callId: string, video: boolean): Promise<Call> {
    if (this.busy()) throw new WgtError('UNAVAILABLE', 'this page is in a call already')
    const settings = await this.api.getCallSettings()
    const call = await this.api.acceptCall(callId)
    const s = this.add(call, settings, video)
    s.accepted()
    this.replay(s)
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

  /**
   * The node's list after a reconnect: a call that ended while the link was
   * down (its event missed) ends here too, so its media does not run on.
   */
  reconcile (calls: Readonly<Record<string, Call>>): void {
    for (const s of [...this.sessions.values()]) {
      const c = calls[s.id]
      if (c != null && c.state === 'ended' && !s.closed) {
        s.update(c)
        if (!worthShowing(c, s)) this.drop(s.id)
      }
    }
  }

  /** Forget an ended call's session (its error was read). */
  drop (callId: string): void {
    this.sessions.get(callId)?.close()
    if (this.sessions.delete(callId)) this.changed()
  }

  /** The page goes away: hang up what it holds, so the peer is not left in a silent call. */
  stop (): void {
    for (const off of this.offs.splice(0)) off()
    this.early.clear()
    for (const s of this.sessions.values()) {
      if (!s.closed) void s.hangup().catch(() => {})
    }
    this.sessions.clear()
    this.changed()
  }
}
