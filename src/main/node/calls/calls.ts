/**
 * The call registry (DESIGN.md §8): each call's state, moved by the user
 * (start, accept, decline, hang up) and by the peer's messages, as
 *
 *   ringing → connecting → active → ended
 *
 * with every way out of a state ending the call with a reason. The caller's
 * ring gives up after RING_TIMEOUT_MS; the callee's ring a little later (the
 * caller's CANCEL may be lost); an accepted call whose media does not flow
 * (no quality report from the renderer) within connectTimeoutMs fails, and
 * so does an active one whose renderer stops reporting for silenceMs: the
 * window holding the media is gone, and nobody else will hang it up.
 *
 * Busy: while this node has a call ringing, connecting or active (a
 * stranger's request aside: it does not ring, and fresh PeerIds cost an
 * attacker nothing), a ring is answered BUSY.
 * Glare (both sides ring each other at once): the call with the greater id
 * goes on, on both sides alike: each node answers the other's ring BUSY if
 * its own call's id is greater, else ends its own call and lets the other
 * ring. Whatever order the two rings cross in, one call survives and rings.
 * A peer we are ringing (or whose BUSY just ended our ring) may ring us
 * whatever our policy says of strangers: the user is calling it, and glare
 * with a stranger must not leave a silent request, or no call at all.
 *
 * A peer blocked or banned loses its calls at once, untold (guard closes
 * its connections and refuses it from then on).
 *
 * Messages of one call go out one at a time, in order (SDP before its
 * candidates), each waiting for the peer's reply. Anything the peer sends
 * for a call that is not between the two of us, or not in a state that
 * takes it, is answered UNKNOWN_CALL and changes nothing.
 */
import { randomBytes } from 'node:crypto'
import type { Call, CallEndReason, CallFigures, CallQuality, CallSignal } from '../../../shared/api/index.js'
import { RING_TIMEOUT_MS } from '../../../shared/api/index.js'
import { WgtError } from '../../../shared/errors.js'
import type { EventHub } from '../../../shared/rpc.js'
import type { Guard } from '../guard/guard.js'
import { RateLimiter } from '../wire/index.js'
import { CallReply, type CallReceiver, type CheckedMessage, type Reply } from './call-service.js'
import type { CallStore } from './store.js'
import { iceCredentialsOf } from './media/stun.js'
import type { MediaTunnel, OpenTunnel } from './tunnel-types.js'

/** the callee rings this much longer than the caller, so the caller's CANCEL ends it when it arrives */
export const RING_GRACE_MS = 10_000
/** an accepted call whose media has not flowed by then has failed */
export const CONNECT_TIMEOUT_MS = 60_000
/** a stranger's requests waiting at once; past it, rings are answered BUSY */
const MAX_REQUESTS = 10
/** messages of one call waiting to go out; past it the renderer is told to slow down */
const MAX_QUEUED = 64
/** signals taken from the peer in one call: far more than any negotiation needs */
const MAX_SIGNALS_PER_CALL = 2000
/** an active call whose window reports nothing this long has lost it (closed, crashed, hung): it ends */
export const SILENCE_MS = 30_000
/** a quality report older than this is no current figure: the renderer stopped measuring */
export const QUALITY_FRESH_MS = 10_000
/** how long after a BUSY answer to our ring the peer's crossing ring counts as glare (above the signalling timeout) */
const GLARE_MS = 15_000
/** calls interrupted by the node's last stop whose peers are told at start: more than can be going on at once */
export const MAX_INTERRUPTED_TOLD = MAX_REQUESTS + 4
/** how long a stopping node gives its peers' hang-ups */
const STOP_GRACE_MS = 2_000

/** What the registry needs of /wgt/call/1.0.0 (call-service.ts). */
export interface CallSender {
  receiver: CallReceiver | null
  send: (peerId: string, message: CheckedMessage, signal?: AbortSignal) => Promise<Reply>
}

export interface CallsInit {
  selfId: string
  store: CallStore
  service: CallSender
  guard: Guard
  events: EventHub
  /** the media tunnel (calls/media/); null: this node has none, and opening one fails loudly */
  openTunnel: OpenTunnel | null
  now?: () => number
  ringTimeoutMs?: number
  /** how much longer the callee rings than the caller (default RING_GRACE_MS) */
  ringGraceMs?: number
  connectTimeoutMs?: number
  /** an active call with no quality report this long ends (default SILENCE_MS) */
  silenceMs?: number
  log?: (format: string, ...args: unknown[]) => void
}

interface Live {
  call: Call
  key: Uint8Array
  /** outgoing: we said we would dial a tunnel; incoming: the caller said it would */
  tunnel: boolean
  /** the setting when the call started: 'libp2p' cannot do without the tunnel */
  tunnelOnly: boolean
  media: MediaTunnel | null
  timer: ReturnType<typeof setTimeout> | undefined
  queue: Promise<unknown>
  queued: number
  signals: number
  /** our clock when the newest quality report came */
  qualityAt: number
}

export class Calls implements CallReceiver {
  private readonly live = new Map<string, Live>()
  private readonly tasks = new Set<Promise<unknown>>()
  private readonly controller = new AbortController()
  /** the guard listeners start() added */
  private readonly unsubscribe: Array<() => void> = []
  /** new requests from strangers, over all of them: 10 at once, 10 a minute */
  private readonly newRequests: RateLimiter
  private readonly now: () => number
  private readonly ringTimeoutMs: number
  private readonly connectTimeoutMs: number
  private readonly log: (format: string, ...args: unknown[]) => void
  private stopped = false

  constructor (private readonly init: CallsInit) {
    this.now = init.now ?? Date.now
    this.ringTimeoutMs = init.ringTimeoutMs ?? RING_TIMEOUT_MS
    this.connectTimeoutMs = init.connectTimeoutMs ?? CONNECT_TIMEOUT_MS
    this.log = init.log ?? (() => {})
    this.newRequests = new RateLimiter(10, 10, this.now)
  }

  start (): void {
    this.init.service.receiver = this
    this.tellInterrupted()
    const { contacts, reputation } = this.init.guard
    this.unsubscribe.push(
      contacts.onChange(({ peerId, contact }) => {
        if (contact?.trust === 'blocked') this.endAllWith(peerId, null, `you blocked ${peerId}`)
      }),
      reputation.onChange((peerId, info) => {
        if (info.state === 'banned') this.endAllWith(peerId, 'failed', `${peerId} was banned for breaking the protocol (${info.lastReason ?? 'no reason kept'})`)
      })
    )
  }

  /**
   * The calls this node was in when it last stopped without ending them (it crashed, or was
   * killed) end at their peers too: one HANGUP each, best effort (an unreachable peer's call
   * times out there by itself), the newest MAX_INTERRUPTED_TOLD, never to a refused peer.
   */
  private tellInterrupted (): void {
    for (const call of this.init.store.takeInterrupted().slice(0, MAX_INTERRUPTED_TOLD)) {
      if (this.init.guard.isRefused(call.peerId)) continue
      this.background(this.init.service.send(call.peerId, { kind: 'hangup', callId: call.id }, this.controller.signal).catch(err => {
        this.log('could not tell %s that call %s ended with the node: %s', call.peerId, call.id, (err as Error).message)
      }))
    }
  }

  /** Every call ends (the peers are told, within STOP_GRACE_MS); nothing keeps running. */
  async stop (): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    this.init.service.receiver = null
    for (const off of this.unsubscribe.splice(0)) off()
    for (const live of [...this.live.values()]) this.endAndTell(live, 'failed', 'local', 'this node stopped during the call')
    let timer: ReturnType<typeof setTimeout> | undefined
    await Promise.race([
      Promise.allSettled([...this.tasks]),
      new Promise(resolve => { timer = setTimeout(resolve, STOP_GRACE_MS) })
    ])
    clearTimeout(timer)
    this.controller.abort(new WgtError('NOT_RUNNING', 'the node is stopping'))
    await Promise.allSettled([...this.tasks])
  }

  // ---- the user's side -------------------------------------------------------------

  /** calls not over first, then the rest, newest first */
  list (peer?: string, limit = 100): Call[] {
    const all = this.init.store.all().map(c => this.live.get(c.id)?.call ?? c).filter(c => peer == null || c.peerId === peer)
    return [...all.filter(c => c.state !== 'ended'), ...all.filter(c => c.state === 'ended')].slice(0, limit)
  }

  get (id: string): Call {
    const call = this.live.get(id)?.call ?? this.init.store.get(id)
    if (call == null) throw new WgtError('NOT_FOUND', `no call ${id}`)
    return call
  }

  /** The calls going on whose renderer reported lately, with its newest figures, for the metrics. */
  figures (): CallFigures[] {
    const t = this.now()
    return [...this.live.values()].flatMap(l => l.call.quality == null || t - l.qualityAt > QUALITY_FRESH_MS
      ? []
      : [{ callId: l.call.id, peerId: l.call.peerId, quality: l.call.quality }])
  }

  /** Ring a peer: answers at once with the call ringing; how it goes comes as 'call:state' events. */
  async place (peerId: string, opts: { video: boolean }): Promise<Call> {
    this.running()
    if (peerId === this.init.selfId) throw new WgtError('INVALID_INPUT', 'cannot call this node itself')
    if (this.init.guard.isRefused(peerId)) throw new WgtError('POLICY_DENIED', `${peerId} is blocked or banned: unblock it first`)
    const other = this.busyWith()
    if (other != null) throw new WgtError('UNAVAILABLE', `already in a call with ${other.call.peerId}: hang it up first`)
    const settings = this.init.store.getSettings()
    const live = this.track(this.ringing(randomBytes(16).toString('hex'), peerId, true, opts.video, false), new Uint8Array(randomBytes(32)), settings.mediaPath !== 'direct', settings.mediaPath === 'libp2p')
    this.arm(live, this.ringTimeoutMs, () => { this.endAndTell(live, 'unanswered', null, `${peerId} did not answer within ${Math.round(this.ringTimeoutMs / 1000)} s`) })
    await this.commit(live.call)
    this.background(this.ring(live))
    return live.call
  }

  async accept (id: string): Promise<Call> {
    this.running()
    const live = this.ringingIn(id)
    // another call's ring of theirs may go on ringing; an answered call, or a ring of ours, makes us busy
    const other = this.busyWith(live)
    if (other != null && (other.call.state !== 'ringing' || other.call.outgoing)) throw new WgtError('UNAVAILABLE', `already in a call with ${other.call.peerId}: hang it up first`)
    if (live.tunnelOnly && !live.tunnel) {
      this.endAndTell(live, 'failed', 'local', 'this node uses only the media tunnel (calls setting), and the caller does not offer one')
      return live.call
    }
    // the tunnel is open before ACCEPT goes, so the caller's media stream finds it
    const media = live.tunnel ? this.openMedia(live, false) : null
    if (live.call.state === 'ended') throw new WgtError('UNAVAILABLE', live.call.error ?? 'the call could not be answered')
    clearTimeout(live.timer)
    live.call = { ...live.call, state: 'connecting', answeredAt: this.now(), request: false }
    this.arm(live, this.connectTimeoutMs, () => { this.mediaTimeout(live) })
    await this.commit(live.call)
    let reply: Reply
    try {
      reply = await this.send(live, { kind: 'accept', callId: id, tunnel: media != null })
    } catch (err) {
      this.end(live, 'failed', 'local', `could not answer ${live.call.peerId}: ${(err as Error).message}`)
      return live.call
    }
    if (reply.status === CallReply.Status.UNKNOWN_CALL) this.end(live, 'cancelled', 'remote', 'the caller had hung up already')
    else if (reply.status !== CallReply.Status.OK) this.end(live, 'failed', 'remote', refusal(live.call.peerId, reply))
    return live.call
  }

  async decline (id: string): Promise<Call> {
    const live = this.ringingIn(id)
    this.endAndTell(live, 'declined', 'local', null)
    return live.call
  }

  /** Ends a call in any state: cancels our ring, declines theirs, hangs up an answered one. */
  /** `reason`: the window gave the call up, saying why (kept as the call's error); none, the user ended it */
  async hangup (id: string, reason?: string): Promise<Call> {
    const live = this.live.get(id)
    if (live == null) return this.get(id)
    if (reason != null && reason !== '') {
      this.log('call %s given up by its window: %s', id, reason)
      this.endAndTell(live, 'failed', 'local', reason)
    } else {
      this.endAndTell(live, endedByUser(live.call), 'local', null)
    }
    return live.call
  }

  async signal (id: string, signal: CallSignal): Promise<void> {
    this.running()
    const live = this.answered(id)
    const reply = await this.send(live, { kind: 'signal', callId: id, signal })
    if (reply.status === CallReply.Status.OK) return
    if (reply.status === CallReply.Status.UNKNOWN_CALL) {
      this.end(live, 'failed', 'remote', `${live.call.peerId} no longer has this call`)
      throw new WgtError('NOT_FOUND', `${live.call.peerId} no longer has call ${id}: it ended there`)
    }
    throw new WgtError('UNAVAILABLE', refusal(live.call.peerId, reply))
  }

  async reportQuality (id: string, quality: CallQuality): Promise<void> {
    const live = this.answered(id)
    const first = live.call.state === 'connecting'
    // the tunnel re-attaches (libp2p ↔ relay) as connections come and go: the route shown follows it
    const { tunnel } = live.call
    const route = live.media?.route ?? tunnel?.route
    const moved = route != null && tunnel != null && route !== tunnel.route
    live.call = { ...live.call, quality, state: 'active', tunnel: tunnel != null && route != null ? { port: tunnel.port, route } : tunnel }
    live.qualityAt = this.now()
    const silence = this.init.silenceMs ?? SILENCE_MS
    this.arm(live, silence, () => {
      this.endAndTell(live, 'failed', 'local', `the window holding the call reported nothing for ${Math.round(silence / 1000)} s (closed or stuck)`)
    })
    if (first || moved) await this.commit(live.call)
    else this.init.events.emit('call:state', live.call)
  }

  // ---- the peer's side -------------------------------------------------------------

  async receive (from: string, m: CheckedMessage): Promise<Reply> {
    if (m.kind === 'ring') return await this.onRing(from, m)
    const live = this.live.get(m.callId)
    // a call that is not between the two of us is no business of the sender's
    if (live == null || live.call.peerId !== from) return UNKNOWN
    const { state, outgoing } = live.call
    switch (m.kind) {
      case 'accept':
        if (!outgoing) return UNKNOWN
        if (state !== 'ringing') return OK // a repeat
        await this.onAccept(live, m.tunnel)
        return OK
      case 'decline':
        if (!outgoing || state !== 'ringing') return UNKNOWN
        this.end(live, 'declined', 'remote', null)
        return OK
      case 'cancel':
        if (outgoing || state !== 'ringing') return UNKNOWN
        this.end(live, 'cancelled', 'remote', null)
        return OK
      case 'hangup':
        this.end(live, state !== 'ringing' ? 'hangup' : outgoing ? 'declined' : 'cancelled', 'remote', null)
        return OK
      case 'signal':
        if (state === 'ringing') return UNKNOWN
        if (++live.signals > MAX_SIGNALS_PER_CALL) return { status: CallReply.Status.REFUSED, reason: 'too many signals in one call' }
        if (m.signal.kind !== 'candidate') {
          // the tunnel (open since the answer) serves only the renderer that checks with these
          const ice = iceCredentialsOf(m.signal.sdp)
          if (ice != null) live.media?.expectIce(ice)
        }
        this.init.events.emit('call:signal', { callId: m.callId, signal: m.signal })
        return OK
    }
  }

  private async onRing (from: string, m: Extract<CheckedMessage, { kind: 'ring' }>): Promise<Reply> {
    const mine = [...this.live.values()].find(l => l.call.outgoing && l.call.state === 'ringing' && l.call.peerId === from)
    // a peer the user is calling (or just called, and the rings crossed) may ring back whatever the
    // policy says of strangers: else glare with a stranger leaves a silent request, or no call at all
    const calling = mine != null || this.justRang(from)
    const verdict = calling && !this.init.guard.isRefused(from) ? 'allow' : this.init.guard.decide(from, 'calls')
    if (verdict === 'deny') return { status: CallReply.Status.REFUSED, reason: this.refusalReason(from) }
    const known = this.live.get(m.callId)?.call ?? this.init.store.get(m.callId)
    if (known != null) {
      // a repeated ring answers as the call stands; an id another call holds is not taken
      if (known.peerId !== from || known.outgoing) return { status: CallReply.Status.REFUSED, reason: 'that call id is taken: ring again' }
      if (known.state !== 'ringing') return UNKNOWN
      return known.request ? REQUEST : OK
    }
    if (mine != null) {
      if (mine.call.id > m.callId) return BUSY
      // glare, and theirs wins: ours ends here and theirs rings; their node answers our ring BUSY, or,
      // if ours reached it first and is held there as a request, our CANCEL ends it
      this.endAndTell(mine, 'cancelled', 'local', `${from} called at the same moment: that call rings instead`)
    }
    if (this.busyWith() != null) return BUSY
    const request = verdict === 'request'
    if (request) {
      const waiting = [...this.live.values()].filter(l => l.call.request && !l.call.outgoing).length
      if (waiting >= MAX_REQUESTS || !this.newRequests.take('requests')) return BUSY
    }
    const settings = this.init.store.getSettings()
    const live = this.track(this.ringing(m.callId, from, false, m.video, request), Uint8Array.from(m.key), m.tunnel && settings.mediaPath !== 'direct', settings.mediaPath === 'libp2p')
    this.arm(live, this.ringTimeoutMs + (this.init.ringGraceMs ?? RING_GRACE_MS), () => { this.end(live, 'unanswered', null, null) })
    await this.commit(live.call)
    return request ? REQUEST : OK
  }

  private async onAccept (live: Live, offered: boolean): Promise<void> {
    clearTimeout(live.timer)
    live.call = { ...live.call, state: 'connecting', answeredAt: this.now(), request: false }
    if (live.tunnelOnly && !offered) {
      this.endAndTell(live, 'failed', 'local', 'this node uses only the media tunnel (calls setting), and the callee does not offer one')
      return
    }
    if (live.tunnel && offered) this.openMedia(live, true)
    if (live.call.state === 'ended') return // no tunnel for a call that needs one: ended, and said why
    this.arm(live, this.connectTimeoutMs, () => { this.mediaTimeout(live) })
    await this.commit(live.call)
  }

  // ---- the call's course -------------------------------------------------------------

  private async ring (live: Live): Promise<void> {
    const { id, peerId, video } = live.call
    let reply: Reply
    try {
      reply = await this.send(live, { kind: 'ring', callId: id, video, key: live.key, tunnel: live.tunnel })
    } catch (err) {
      const e = WgtError.from(err)
      this.end(live, e.code === 'PEER_UNREACHABLE' || e.code === 'TIMEOUT' ? 'unreachable' : 'failed', null,
        e.code === 'PROTOCOL' ? `${peerId} does not take calls (its WGT has no calls, or it answered nonsense)` : e.message)
      return
    }
    switch (reply.status) {
      case CallReply.Status.OK: return
      case CallReply.Status.REQUEST:
        if (live.call.state === 'ringing') {
          live.call = { ...live.call, request: true }
          await this.commit(live.call)
        }
        return
      case CallReply.Status.BUSY: this.end(live, 'busy', 'remote', null); return
      case CallReply.Status.REFUSED: this.end(live, 'refused', 'remote', refusal(peerId, reply)); return
      default: this.end(live, 'failed', 'remote', `${peerId} did not take the ring`)
    }
  }

  /** A call as it starts ringing, either way. */
  private ringing (id: string, peerId: string, outgoing: boolean, video: boolean, request: boolean): Call {
    return {
      id, peerId, outgoing, video, state: 'ringing', request,
      startedAt: this.now(), answeredAt: null, endedAt: null, endReason: null, endedBy: null, error: null, tunnel: null, quality: null
    }
  }

  /** Open the call's tunnel; when it cannot be, a call that needs it ends (saying why) and the answer is null. */
  private openMedia (live: Live, dial: boolean): MediaTunnel | null {
    const { id, peerId } = live.call
    try {
      if (this.init.openTunnel == null) throw new WgtError('UNAVAILABLE', 'this node has no media tunnel: calls can only connect directly')
      const media = this.init.openTunnel({ callId: id, peerId, key: live.key, dial })
      live.media = media
      media.ready.then(async route => {
        if (live.media !== media || live.call.state === 'ended') return
        live.call = { ...live.call, tunnel: { port: media.port, route } }
        await this.commit(live.call)
      }, (err: unknown) => {
        if (live.media !== media) return
        this.log('media tunnel of call %s failed: %s', id, (err as Error).message)
        if (live.tunnelOnly) this.endAndTell(live, 'failed', 'local', `the media tunnel failed: ${(err as Error).message}`)
      })
      return media
    } catch (err) {
      this.log('cannot open a media tunnel for call %s: %s', id, (err as Error).message)
      if (live.tunnelOnly) this.endAndTell(live, 'failed', 'local', `cannot open the media tunnel: ${(err as Error).message}`)
      return null
    }
  }

  private mediaTimeout (live: Live): void {
    this.endAndTell(live, 'failed', 'local', `no media flowed within ${Math.round(this.connectTimeoutMs / 1000)} s of the answer`)
  }

  /** End the call and tell the peer (in order after what is already on its way). */
  private endAndTell (live: Live, reason: CallEndReason, by: Call['endedBy'], error: string | null): void {
    const { state, outgoing, id } = live.call
    if (state === 'ended') return
    this.end(live, reason, by, error)
    const kind = state !== 'ringing' ? 'hangup' : outgoing ? 'cancel' : 'decline'
    this.background(this.send(live, { kind, callId: id }, true).catch(err => { this.log('could not tell %s of the end of call %s: %s', live.call.peerId, id, (err as Error).message) }))
  }

  /**
   * A peer just blocked or banned: its calls end here, with `error` saying why. It is not told:
   * guard closes its connections and refuses it from now on. `reason` null: as a hang-up by the
   * user (hangup, cancelled or declined, as the call stood).
   */
  private endAllWith (peerId: string, reason: CallEndReason | null, error: string): void {
    for (const live of [...this.live.values()]) {
      if (live.call.peerId !== peerId) continue
      this.end(live, reason ?? endedByUser(live.call), 'local', error)
    }
  }

  private end (live: Live, reason: CallEndReason, by: Call['endedBy'], error: string | null): void {
    if (live.call.state === 'ended') return
    clearTimeout(live.timer)
    live.timer = undefined
    live.media?.close()
    live.media = null
    live.call = { ...live.call, state: 'ended', endedAt: this.now(), endReason: reason, endedBy: by, error, tunnel: null }
    this.live.delete(live.call.id)
    this.background(this.commit(live.call))
  }

  // ---- helpers ---------------------------------------------------------------------

  private track (call: Call, key: Uint8Array, tunnel: boolean, tunnelOnly: boolean): Live {
    const live: Live = { call, key, tunnel, tunnelOnly, media: null, timer: undefined, queue: Promise.resolve(), queued: 0, signals: 0, qualityAt: 0 }
    this.live.set(call.id, live)
    return live
  }

  /** One message after the other per call; `last`: the call's end, which goes even past the queue's bound. */
  private async send (live: Live, message: CheckedMessage, last = false): Promise<Reply> {
    if (!last && live.queued >= MAX_QUEUED) throw new WgtError('UNAVAILABLE', `${MAX_QUEUED} messages of this call are waiting for ${live.call.peerId}: it is slow to answer`)
    live.queued++
    const run = live.queue.then(async () => await this.init.service.send(live.call.peerId, message, this.controller.signal))
    live.queue = run.catch(() => {})
    try {
      return await run
    } finally {
      live.queued--
    }
  }

  /** The call that makes us busy (a stranger's waiting request does not), other than `except`. */
  private busyWith (except?: Live): Live | undefined {
    return [...this.live.values()].find(l => l !== except && !(l.call.request && !l.call.outgoing))
  }

  private ringingIn (id: string): Live {
    const live = this.live.get(id)
    if (live == null || live.call.outgoing) throw new WgtError('NOT_FOUND', `no incoming call ${id} is ringing`)
    if (live.call.state !== 'ringing') throw new WgtError('INVALID_INPUT', `call ${id} was answered already`)
    return live
  }

  private answered (id: string): Live {
    const live = this.live.get(id)
    if (live == null) throw new WgtError('NOT_FOUND', `call ${id} is not going on`)
    if (live.call.state === 'ringing') throw new WgtError('INVALID_INPUT', `call ${id} has not been answered`)
    return live
  }

  /**
   * Our ring to `peerId` was answered BUSY within GLARE_MS: the busy may be its own ring to us, which
   * won the glare and is still on its way (its ring can take the signalling timeout to arrive).
   */
  private justRang (peerId: string): boolean {
    const t = this.now()
    return this.init.store.all().some(c => c.outgoing && c.peerId === peerId && c.endReason === 'busy' && c.endedAt != null && t - c.endedAt <= GLARE_MS)
  }

  private refusalReason (from: string): string {
    if (this.init.guard.isRefused(from)) return 'this peer does not take your calls'
    const policy = this.init.guard.policies.of('calls')
    if (policy === 'contacts-only') return 'this peer takes calls only from its contacts: send it a contact request first'
    return 'this peer takes no calls'
  }

  private arm (live: Live, ms: number, fire: () => void): void {
    clearTimeout(live.timer)
    live.timer = setTimeout(fire, ms)
    live.timer.unref?.()
  }

  private async commit (call: Call): Promise<void> {
    try {
      await this.init.store.save(call)
    } catch (err) {
      this.log('could not keep call %s: %s', call.id, (err as Error).message)
    }
    this.init.events.emit('call:state', call)
  }

  private background (p: Promise<unknown>): void {
    const t = p.catch(err => { this.log('call work failed: %s', (err as Error).message) }).finally(() => { this.tasks.delete(t) })
    this.tasks.add(t)
  }

  private running (): void {
    if (this.stopped) throw new WgtError('NOT_RUNNING', 'the node is stopping')
  }
}

const OK: Reply = { status: CallReply.Status.OK, reason: '' }
const BUSY: Reply = { status: CallReply.Status.BUSY, reason: '' }
const REQUEST: Reply = { status: CallReply.Status.REQUEST, reason: '' }
const UNKNOWN: Reply = { status: CallReply.Status.UNKNOWN_CALL, reason: '' }

/** how a call the user ends is recorded: a hang-up once answered, else a cancelled or declined ring */
function endedByUser ({ state, outgoing }: Call): CallEndReason {
  return state !== 'ringing' ? 'hangup' : outgoing ? 'cancelled' : 'declined'
}

function refusal (peerId: string, reply: Reply): string {
  return reply.reason !== '' ? `${peerId} refuses: ${reply.reason}` : `${peerId} refused (it gave no reason)`
}
