/**
 * The chat core (DESIGN.md §7): what sending and receiving do to a
 * conversation, and delivery while either side is away.
 *
 * Order: every message carries a Lamport `order` (one more than the highest
 * the sender has seen in the conversation), so both ends sort it alike
 * whatever their clocks say. Receipts: each side numbers its messages 1, 2,
 * 3… (n); "delivered up to n" is the longest run that arrived without a gap,
 * "read up to n" what the user has seen; both ride on every frame and reply.
 * The outbox is not a separate list: our messages above the peer's delivered
 * marker are the outbox, sent in order, in batches, until the marker passes
 * them. The recipient keeps every n it has, so a replayed or repeated frame
 * stores nothing twice. A message to a contact still undelivered after
 * `mailboxAfterMs` is also sealed to the contact's key and left with a few
 * other peers (mailbox/), and the contact collects it on return.
 */
import { randomBytes } from 'node:crypto'
import type { Libp2p } from '@libp2p/interface'
import type { ChatFile, ChatMessage, Conversation, HistoryPage } from '../../../shared/api/index.js'
import { WgtError } from '../../../shared/errors.js'
import type { EventHub } from '../../../shared/rpc.js'
import type { Guard } from '../guard/guard.js'
import { KeyedLock } from '../storage/keyed-lock.js'
import { RateLimiter } from '../wire/index.js'
import { checkMessage, ChatReply, MAX_FRAME_MESSAGES, MAX_ORDER, WireMessage, type ChatReceiver, type ChatService, type IncomingMessage, type Receipt } from './chat-service.js'
import { MAILBOX_PROTOCOL } from './mailbox/index.js'
import { newRecord, type ChatStore, type ConversationRecord, type StoredMessage } from './store.js'

/** How far past the delivered marker a message number may run: further is no honest gap */
const WINDOW = 4096
/** A stranger's request holds this many messages; more waits with the sender */
const MAX_REQUEST_MESSAGES = 20
/** Requests waiting at once; past it the oldest goes */
const MAX_REQUESTS = 100
/** Most state changes announced at once when a receipt moves far (the UI reloads past that) */
const MAX_ANNOUNCED = 500
const FRAME_BUDGET = 256 * 1024
/** a message left in mailboxes and still undelivered is sealed and left again after this long */
const LEAVE_AGAIN_MS = 24 * 3600_000
/** mailboxes are asked at most this often */
const MIN_COLLECT_GAP_MS = 10_000

/** What chat needs of the mailbox (mailbox/mailbox.ts). */
export interface MailboxPort {
  leave: (to: string, plaintext: Uint8Array, signal?: AbortSignal) => Promise<number>
  collect: (senders: string[], signal?: AbortSignal) => Promise<Array<{ from: string, plaintext: Uint8Array }>>
}

export interface ChatInit {
  selfId: string
  store: ChatStore
  service: ChatService
  guard: Guard
  libp2p: Libp2p
  events: EventHub
  mailbox: MailboxPort | null
  /** a message to a contact undelivered this long goes to mailboxes too (default 30 s) */
  mailboxAfterMs?: number
  /** how often the outbox and mailboxes are looked at (default 5 s) */
  tickMs?: number
  /** how often mailboxes are asked for messages to us (default 5 min; also on start and on new connections) */
  collectMs?: number
  now?: () => number
}

interface Backoff { next: number, delay: number }

export class Chat implements ChatReceiver {
  private readonly lock = new KeyedLock()
  private readonly flushing = new Map<string, Promise<void>>()
  private readonly again = new Set<string>()
  private readonly backoff = new Map<string, Backoff>()
  private readonly mailboxTried = new Map<string, number>()
  private readonly leaving = new Map<string, Promise<void>>()
  private readonly soon = new Set<ReturnType<typeof setTimeout>>()
  /** new requests from strangers, over all of them: 20 at once, 10 a minute (fresh PeerIds cost nothing) */
  private readonly newRequests: RateLimiter
  private readonly now: () => number
  private timer: ReturnType<typeof setInterval> | undefined
  private collectTimer: ReturnType<typeof setInterval> | undefined
  private collectSoon: ReturnType<typeof setTimeout> | undefined
  private collecting: Promise<void> | null = null
  private collectAgain = false
  private lastCollect = 0
  private stopped = false
  private readonly controller = new AbortController()
  private readonly onConnect = (evt: CustomEvent): void => {
    const peer = String(evt.detail)
    this.backoff.delete(peer)
    if (this.hasWork(peer)) void this.flush(peer)
  }

  /** A peer told us its protocols: one that holds mailboxes may hold messages to us. */
  private readonly onIdentify = (evt: CustomEvent<{ protocols?: string[] }>): void => {
    if (evt.detail.protocols?.includes(MAILBOX_PROTOCOL) === true) this.scheduleCollect(500)
  }

  constructor (private readonly init: ChatInit) {
    this.now = init.now ?? Date.now
    this.newRequests = new RateLimiter(20, 10, this.now)
  }

  start (): void {
    this.init.service.receiver = this
    this.init.libp2p.addEventListener('peer:connect', this.onConnect)
    this.init.libp2p.addEventListener('peer:identify', this.onIdentify)
    this.timer = setInterval(() => { this.tick() }, this.init.tickMs ?? 5_000)
    this.timer.unref()
    if (this.init.mailbox != null) {
      this.collectTimer = setInterval(() => { this.scheduleCollect(0) }, this.init.collectMs ?? 5 * 60_000)
      this.collectTimer.unref()
      this.scheduleCollect(3_000)
    }
    this.tick()
  }

  async stop (): Promise<void> {
    this.stopped = true
    this.init.service.receiver = null
    this.init.libp2p.removeEventListener('peer:connect', this.onConnect)
    this.init.libp2p.removeEventListener('peer:identify', this.onIdentify)
    clearInterval(this.timer)
    clearInterval(this.collectTimer)
    clearTimeout(this.collectSoon)
    for (const t of this.soon) clearTimeout(t)
    this.soon.clear()
    this.controller.abort(new WgtError('CANCELLED', 'the node is stopping'))
    await Promise.allSettled([...this.flushing.values(), ...this.leaving.values(), this.collecting])
  }

  // ---- the user's side -------------------------------------------------------------

  list (): Conversation[] {
    return this.init.store.all().filter(r => !r.hidden).map(r => this.init.store.conversation(r)).sort((a, b) => b.updatedAt - a.updatedAt)
  }

  async send (peerId: string, input: { text: string, file?: ChatFile, id?: string }): Promise<ChatMessage> {
    if (peerId === this.init.selfId) throw new WgtError('INVALID_INPUT', 'cannot write to this node itself')
    if (this.init.guard.isRefused(peerId)) throw new WgtError('POLICY_DENIED', `${peerId} is blocked or banned: unblock it first`)
    const view = await this.lock.run(peerId, async () => {
      const { store } = this.init
      if (input.id != null) {
        const old = await store.byId(peerId, input.id)
        if (old?.out === false) throw new WgtError('INVALID_INPUT', `message id ${input.id} is already used in this conversation`)
        if (old != null) return this.init.store.view(peerId, this.recordOf(peerId), old)
      }
      const r = { ...this.recordOf(peerId) }
      const t = this.now()
      const m: StoredMessage = {
        id: input.id ?? randomBytes(16).toString('hex'),
        out: true,
        n: r.nextOut,
        order: Math.min(r.clock + 1, MAX_ORDER),
        sentAt: t,
        storedAt: t,
        text: input.text,
        file: input.file ?? null,
        state: 'pending',
        via: null,
        error: null
      }
      r.nextOut++
      r.clock = m.order
      // writing to someone is consent to hear back, request or not
      r.accepted = true
      r.declined = false
      r.hidden = false
      if (r.request) { r.request = false; r.unread += r.requestCount; r.requestCount = 0 }
      r.last = m
      r.updatedAt = t
      await store.save(r, [m])
      return this.init.store.view(peerId, r, m)
    })
    this.announce([view])
    const r = this.init.store.record(peerId)
    if (r != null) this.emitConversation(r)
    void this.flush(peerId)
    return view
  }

  async history (peerId: string, before: string | undefined, limit: number): Promise<HistoryPage> {
    const r = this.init.store.record(peerId)
    if (r == null || r.hidden) return { messages: [], more: false }
    if (r.request) return { messages: [], more: false } // a request shows who asks, not what they wrote
    const page = await this.init.store.page(peerId, before, limit)
    return { messages: page.messages.map(m => this.init.store.view(peerId, r, m)), more: page.more }
  }

  async markRead (peerId: string): Promise<Conversation> {
    const r = await this.lock.run(peerId, async () => {
      const old = this.init.store.record(peerId)
      if (old == null) throw new WgtError('NOT_FOUND', `no conversation with ${peerId}`)
      if (old.request) throw new WgtError('INVALID_INPUT', `${peerId}'s messages are a request: accept it first`)
      // read up to the gap-free run: what sits above a gap is marked when the gap fills (and the user sees it)
      const r = { ...old, ourRead: Math.max(old.ourRead, old.inContig), unread: old.inSeen.filter(n => n > old.inContig).length }
      await this.init.store.save(r)
      return r
    })
    this.emitConversation(r)
    void this.flush(peerId)
    return this.init.store.conversation(r)
  }

  async search (text: string, limit: number): Promise<ChatMessage[]> {
    const needle = text.trim().toLowerCase()
    const hits = await this.init.store.search(needle, limit, peerId => { const r = this.init.store.record(peerId); return r == null || r.request || r.hidden })
    return hits.map(({ peerId, message }) => this.init.store.view(peerId, this.recordOf(peerId), message))
  }

  async accept (peerId: string): Promise<Conversation> {
    const r = await this.lock.run(peerId, async () => {
      const old = this.init.store.record(peerId)
      if (old?.request !== true) throw new WgtError('NOT_FOUND', `no chat request from ${peerId} is waiting`)
      const r = { ...old, request: false, accepted: true, unread: old.unread + old.requestCount, requestCount: 0, updatedAt: this.now() }
      await this.init.store.save(r)
      return r
    })
    this.emitConversation(r)
    void this.flush(peerId)
    return this.init.store.conversation(r)
  }

  /** The stranger's messages go; while it stays a stranger, what it sends is refused (the sender is told so). */
  async decline (peerId: string): Promise<void> {
    await this.lock.run(peerId, async () => {
      const old = this.init.store.record(peerId)
      if (old?.request !== true) throw new WgtError('NOT_FOUND', `no chat request from ${peerId} is waiting`)
      await this.init.store.clear(old, { declined: true })
    })
    this.init.events.emit('chat:conversation-removed', { peerId })
  }

  /** The history goes; the counters stay (store.clear), so what either side sends next is neither lost nor a duplicate. */
  async remove (peerId: string): Promise<void> {
    await this.lock.run(peerId, async () => {
      const old = this.init.store.record(peerId)
      if (old == null || old.hidden) throw new WgtError('NOT_FOUND', `no conversation with ${peerId}`)
      await this.init.store.clear(old, { declined: false })
    })
    this.init.events.emit('chat:conversation-removed', { peerId })
  }

  // ---- the peer's side -------------------------------------------------------------

  async receive (from: string, messages: IncomingMessage[], receipt: Receipt | null, acked: number, via: 'direct' | 'mailbox'): Promise<{ status: ChatReply.Status, receipt: Receipt }> {
    const verdict = this.init.guard.decide(from, 'chat')
    if (verdict === 'deny') return { status: ChatReply.Status.REFUSED, receipt: { delivered: 0, read: 0 } }
    const result = await this.lock.run(from, async () => {
      const known = this.init.store.record(from)
      const asRequest = verdict === 'request' && known?.accepted !== true
      if (asRequest && known?.declined === true) return { r: null, fresh: [], before: null, wasRequest: false, status: ChatReply.Status.REFUSED, ours: { delivered: 0, read: 0 } }
      const r: ConversationRecord = known != null ? { ...known, inSeen: [...known.inSeen] } : newRecord(from, this.now())
      const before = { delivered: r.peerDelivered, read: r.peerRead }
      const wasRequest = r.request
      // the peer became a contact (or the policy opened): its held messages are a conversation now
      if (!asRequest && r.request) { r.request = false; r.unread += r.requestCount; r.requestCount = 0 }
      // the sender had these delivered before (we lost or deleted them): count from there
      if (acked > r.inContig) catchUp(r, acked)
      const fresh: StoredMessage[] = []
      for (const m of messages) {
        if (has(r, m.n) || m.n > r.inContig + WINDOW || fresh.some(f => f.n === m.n)) continue
        if (asRequest && r.requestCount + fresh.length >= MAX_REQUEST_MESSAGES) break
        // an id the conversation already has (ours, or an earlier one of the peer's) would stand in for that message: it is taken as received, and dropped
        if (fresh.some(f => f.id === m.id) || await this.init.store.byId(from, m.id) != null) { mark(r, m.n); continue }
        // no honest Lamport clock runs further ahead of ours than the messages we have not seen yet
        const order = Math.min(m.order, r.clock + (m.n - r.inContig) + 1, MAX_ORDER)
        fresh.push({ id: m.id, out: false, n: m.n, order, sentAt: m.sentAt, storedAt: this.now(), text: m.text, file: m.file, state: 'received', via, error: null })
      }
      if (asRequest && known == null && fresh.length > 0) {
        if (!this.newRequests.take('requests')) return { r: null, fresh: [], before: null, wasRequest: false, status: ChatReply.Status.BUSY, ours: { delivered: 0, read: 0 } }
        await this.makeRoomForRequest(from)
      }
      for (const m of fresh) { mark(r, m.n); r.clock = Math.max(r.clock, m.order) }
      takeReceipt(r, receipt)
      if (fresh.length > 0) {
        const newest = fresh.reduce((a, b) => (b.order > a.order ? b : a))
        if (r.last == null || newest.order >= r.last.order) r.last = newest
        if (asRequest) { r.request = true; r.requestCount += fresh.length } else r.unread += fresh.length
        r.hidden = false
        r.updatedAt = this.now()
      }
      const ours = this.markers(r)
      const changed = fresh.length > 0 || known == null || ours.delivered !== known.deliveredSent || ours.read !== known.readSent ||
        r.peerDelivered !== known.peerDelivered || r.peerRead !== known.peerRead || r.inContig !== known.inContig || r.request !== known.request
      r.deliveredSent = ours.delivered
      r.readSent = ours.read
      if ((known == null && fresh.length === 0) || !changed) {
        // nothing to keep (an empty frame from a stranger, a replay): nothing is written
        return { r: null, fresh, before, wasRequest, status: asRequest ? ChatReply.Status.REQUEST : ChatReply.Status.OK, ours }
      }
      await this.init.store.save(r, fresh)
      // a full request is answered REQUEST with the receipt short of the rest: the sender backs off as from an absent peer
      const status = asRequest ? ChatReply.Status.REQUEST : ChatReply.Status.OK
      return { r, fresh, before, wasRequest, status, ours }
    })
    const { r, fresh, before, wasRequest } = result
    if (r != null && before != null) {
      if (r.request) {
        if (!wasRequest && fresh.length > 0) this.init.events.emit('chat:notice', { peerId: from, kind: 'request', preview: '' })
      } else if (fresh.length > 0) {
        this.announce(fresh.map(m => this.init.store.view(from, r, m)))
        const last = fresh[fresh.length - 1]
        const more = fresh.length > 1 ? ` (and ${fresh.length - 1} more)` : ''
        this.init.events.emit('chat:notice', { peerId: from, kind: 'message', preview: preview(last) + more })
      }
      this.emitConversation(r)
      void this.announceReceipt(from, before, r)
      if (r.nextOut - 1 > r.peerDelivered) void this.flush(from)
    }
    return { status: result.status, receipt: result.ours }
  }

  // ---- delivery --------------------------------------------------------------------

  /** Send what waits for this peer (messages, or a receipt) until nothing does; one flush per peer at a time. */
  async flush (peerId: string): Promise<void> {
    const running = this.flushing.get(peerId)
    if (running != null) { this.again.add(peerId); await running; return }
    // never rejects: a flush that fails (the datastore closing under a stop) is tried again by the next tick
    const run = this.flushLoop(peerId).catch(() => { if (!this.stopped) this.later(peerId) }).finally(() => {
      this.flushing.delete(peerId)
      // asked again while it was finishing: what was added meanwhile goes now, not on the next tick
      if (this.again.delete(peerId) && !this.stopped && !this.backoff.has(peerId)) void this.flush(peerId)
    })
    this.flushing.set(peerId, run)
    await run
  }

  private async flushLoop (peerId: string): Promise<void> {
    for (let round = 0; !this.stopped; round++) {
      const r = this.init.store.record(peerId)
      if (r == null || !this.hasWork(peerId)) return
      if (this.init.guard.isRefused(peerId)) return
      const batch = await this.init.store.outgoing(peerId, r.peerDelivered + 1, r.nextOut - 1, MAX_FRAME_MESSAGES)
      const frameMessages: StoredMessage[] = []
      let bytes = 0
      for (const m of batch) {
        bytes += Buffer.byteLength(m.text) + 512
        if (frameMessages.length > 0 && bytes > FRAME_BUDGET) break
        frameMessages.push(m)
      }
      const ours = this.markers(r)
      let reply: { status: ChatReply.Status, receipt: Receipt | null }
      try {
        reply = await this.init.service.send(peerId, {
          messages: frameMessages.map(toWire),
          receipt: ours,
          acked: r.peerDelivered
        }, this.controller.signal)
      } catch {
        this.later(peerId)
        return
      }
      const progressed = await this.applyReply(peerId, r.epoch, frameMessages, ours, reply)
      if (reply.status === ChatReply.Status.BUSY) {
        // the peer is there, just full for the moment: in a second, not on the unreachable backoff
        this.later(peerId, 1_000)
        const soon = setTimeout(() => { this.soon.delete(soon); if (!this.stopped) void this.flush(peerId) }, 1_000)
        soon.unref()
        this.soon.add(soon)
        return
      }
      if (reply.status === ChatReply.Status.REFUSED || !progressed) {
        this.later(peerId)
        return
      }
      this.backoff.delete(peerId)
      if (round > 10_000) return
    }
  }

  /** What a reply does to our record; answers whether anything moved. */
  private async applyReply (peerId: string, epoch: string, sent: StoredMessage[], ours: Receipt, reply: { status: ChatReply.Status, receipt: Receipt | null }): Promise<boolean> {
    let failed: StoredMessage[] = []
    const res = await this.lock.run(peerId, async () => {
      const old = this.init.store.record(peerId)
      // cleared meanwhile: the counters stand (the receipt still counts), the copies we sent do not come back
      if (old == null) return null
      const r = { ...old }
      const before = { delivered: r.peerDelivered, read: r.peerRead }
      takeReceipt(r, reply.receipt)
      if (reply.status !== ChatReply.Status.BUSY) {
        r.deliveredSent = Math.max(r.deliveredSent, ours.delivered)
        r.readSent = Math.max(r.readSent, ours.read)
      }
      if (reply.status === ChatReply.Status.REFUSED && old.epoch === epoch) {
        failed = sent.filter(m => m.n > r.peerDelivered && m.state !== 'failed')
          .map(m => ({ ...m, state: 'failed' as const, error: 'the peer takes no chat from you (its policy, or it declined your request); it is tried again later' }))
      }
      await this.init.store.save(r, failed)
      return { r, before }
    })
    if (res == null) return false
    this.announce(failed.map(m => this.init.store.view(peerId, res.r, m)))
    this.emitConversation(res.r)
    await this.announceReceipt(peerId, res.before, res.r)
    const sentUpTo = sent.at(-1)?.n ?? 0
    return sent.length === 0 || res.r.peerDelivered >= sentUpTo || res.r.peerDelivered > res.before.delivered
  }

  /** Our markers for the peer's messages: read only once the user may see them. */
  private markers (r: ConversationRecord): Receipt {
    return { delivered: r.inContig, read: r.request ? 0 : Math.min(r.ourRead, r.inContig) }
  }

  private hasWork (peerId: string): boolean {
    const r = this.init.store.record(peerId)
    if (r == null) return false
    const m = this.markers(r)
    return r.nextOut - 1 > r.peerDelivered || m.delivered > r.deliveredSent || m.read > r.readSent
  }

  private later (peerId: string, fixedMs?: number): void {
    const b = this.backoff.get(peerId)
    const delay = fixedMs ?? (b == null ? 5_000 : Math.min(b.delay * 2, 10 * 60_000))
    this.backoff.set(peerId, { next: this.now() + delay, delay })
  }

  private tick (): void {
    if (this.stopped) return
    const t = this.now()
    for (const r of this.init.store.all()) {
      if (!this.hasWork(r.peerId) || this.flushing.has(r.peerId)) continue
      const b = this.backoff.get(r.peerId)
      if (b == null || b.next <= t) void this.flush(r.peerId)
      if (!this.leaving.has(r.peerId)) {
        // a failure is tried again mailboxAfterMs later
        const p = this.toMailbox(r).catch(() => {}).finally(() => { this.leaving.delete(r.peerId) })
        this.leaving.set(r.peerId, p)
      }
    }
  }

  // ---- mailbox ---------------------------------------------------------------------

  /** Seal the contact's long-undelivered messages and leave them with other peers, once each. */
  private async toMailbox (r: ConversationRecord): Promise<void> {
    const mailbox = this.init.mailbox
    const after = this.init.mailboxAfterMs ?? 30_000
    if (mailbox == null || r.nextOut - 1 <= r.peerDelivered) return
    if (this.init.guard.contacts.trust(r.peerId) !== 'contact') return
    const t = this.now()
    if ((this.mailboxTried.get(r.peerId) ?? 0) + after > t) return
    this.mailboxTried.set(r.peerId, t)
    // pending ones once they waited `after`; ones left before, again a day later (a hostile holder may have deleted every copy)
    const waiting = (await this.init.store.outgoing(r.peerId, r.peerDelivered + 1, r.nextOut - 1, MAX_FRAME_MESSAGES))
      .filter(m => (m.state === 'pending' && m.storedAt + after <= t) || (m.state === 'sent' && (m.leftAt ?? 0) + LEAVE_AGAIN_MS <= t))
    const left: StoredMessage[] = []
    for (const m of waiting) {
      if (this.stopped) return
      try {
        const holders = await mailbox.leave(r.peerId, WireMessage.encode(toWire(m)), this.controller.signal)
        if (holders > 0) left.push({ ...m, state: 'sent', leftAt: t })
      } catch {
        break // no holder now: the next try is mailboxAfterMs away
      }
    }
    if (left.length === 0) return
    const now = await this.lock.run(r.peerId, async () => {
      const cur = this.init.store.record(r.peerId)
      if (cur == null || cur.epoch !== r.epoch) return null // cleared meanwhile: the copies must not come back
      const still = []
      for (const m of left) {
        // re-read: the state may have moved (failed, delivered) during the deposits
        const now = await this.init.store.message(r.peerId, this.init.store.messageKey(r.peerId, m))
        if ((now?.state === 'pending' || now?.state === 'sent') && m.n > cur.peerDelivered) still.push({ ...now, state: 'sent' as const, leftAt: t })
      }
      const last = cur.last != null && still.some(m => m.id === cur.last?.id) ? { ...cur.last, state: 'sent' as const } : cur.last
      const rec = { ...cur, last }
      await this.init.store.save(rec, still)
      return { rec, still }
    })
    if (now == null) return
    this.announce(now.still.map(m => this.init.store.view(r.peerId, now.rec, m)))
    this.emitConversation(now.rec)
  }

  private scheduleCollect (delayMs: number): void {
    if (this.init.mailbox == null || this.stopped || this.collectSoon != null) return
    // a peer reconnecting over and over must not make us ask every holder over and over
    const wait = Math.max(delayMs, this.lastCollect + MIN_COLLECT_GAP_MS - this.now())
    this.collectSoon = setTimeout(() => {
      this.lastCollect = this.now()
      this.collectSoon = undefined
      if (this.collecting != null) { this.collectAgain = true; return }
      this.collecting = this.collect().then(() => {}, () => {}).finally(() => {
        this.collecting = null
        // a holder connected while we were asking the others: ask again
        if (this.collectAgain) { this.collectAgain = false; this.scheduleCollect(0) }
      })
    }, wait)
    this.collectSoon.unref()
  }

  /** Ask the connected peers' mailboxes for messages to us from our contacts. */
  async collect (): Promise<number> {
    const mailbox = this.init.mailbox
    if (mailbox == null) return 0
    const contacts = this.init.guard.contacts.list().filter(c => c.trust === 'contact').map(c => c.peerId)
    if (contacts.length === 0) return 0
    let items: Array<{ from: string, plaintext: Uint8Array }>
    try {
      items = await mailbox.collect(contacts, this.controller.signal)
    } catch {
      return 0
    }
    const bySender = new Map<string, IncomingMessage[]>()
    for (const { from, plaintext } of items) {
      try {
        const m = checkMessage(WireMessage.decode(plaintext))
        bySender.set(from, [...(bySender.get(from) ?? []), m])
      } catch {
        // sealed by the contact's key but not a message: nothing to show
      }
    }
    let taken = 0
    for (const [from, messages] of bySender) {
      for (let i = 0; i < messages.length; i += MAX_FRAME_MESSAGES) {
        const part = messages.slice(i, i + MAX_FRAME_MESSAGES).sort((a, b) => a.n - b.n)
        await this.receive(from, part, null, 0, 'mailbox')
        taken += part.length
      }
      void this.flush(from) // the receipt, when the sender can be reached
    }
    return taken
  }

  // ---- helpers ---------------------------------------------------------------------

  private recordOf (peerId: string): ConversationRecord {
    return this.init.store.record(peerId) ?? newRecord(peerId, this.now())
  }

  /** Past MAX_REQUESTS waiting requests the oldest goes (under its own lock), so fresh PeerIds cannot grow the book. */
  private async makeRoomForRequest (newcomer: string): Promise<void> {
    const requests = this.init.store.all().filter(r => r.request && r.peerId !== newcomer)
    if (requests.length < MAX_REQUESTS) return
    const oldest = requests.sort((a, b) => a.updatedAt - b.updatedAt)[0]
    const gone = await this.lock.run(oldest.peerId, async () => {
      if (this.init.store.record(oldest.peerId)?.request !== true) return false // accepted or declined meanwhile
      await this.init.store.delete(oldest.peerId)
      return true
    })
    if (gone) this.init.events.emit('chat:conversation-removed', { peerId: oldest.peerId })
  }

  private announce (views: ChatMessage[]): void {
    for (const v of views) this.init.events.emit('chat:message', v)
  }

  private emitConversation (r: ConversationRecord): void {
    this.init.events.emit('chat:conversation', this.init.store.conversation(r))
  }

  /** Our messages whose state a receipt changed, as events (the newest MAX_ANNOUNCED of each marker's move). */
  private async announceReceipt (peerId: string, before: Receipt, r: ConversationRecord): Promise<void> {
    // the two moves: (before.delivered, peerDelivered] became delivered, (before.read, peerRead] read
    const moves = [[before.delivered, r.peerDelivered], [before.read, r.peerRead]]
      .filter(([from, to]) => to > from)
      .map(([from, to]) => [Math.max(from + 1, to - MAX_ANNOUNCED + 1), to])
    if (moves.length === 0) return
    const seen = new Set<number>()
    try {
      for (const [from, to] of moves) {
        // (reads only: a failure loses no state)
        for (const m of await this.init.store.outgoing(peerId, from, to, MAX_ANNOUNCED)) {
          if (seen.has(m.n)) continue
          seen.add(m.n)
          this.init.events.emit('chat:message', this.init.store.view(peerId, r, m))
        }
      }
    } catch {
      // the conversation was deleted meanwhile
    }
  }
}

/** The peer's markers for our messages: they only move forward, never past what we sent, and read never past delivered. */
function takeReceipt (r: ConversationRecord, receipt: Receipt | null): void {
  if (receipt == null) return
  r.peerDelivered = Math.max(r.peerDelivered, Math.min(receipt.delivered, r.nextOut - 1))
  r.peerRead = Math.max(r.peerRead, Math.min(receipt.read, r.peerDelivered))
}

function has (r: ConversationRecord, n: number): boolean {
  return n <= r.inContig || r.inSeen.includes(n)
}

function mark (r: ConversationRecord, n: number): void {
  if (has(r, n)) return
  const at = r.inSeen.findIndex(x => x > n)
  if (at === -1) r.inSeen.push(n)
  else r.inSeen.splice(at, 0, n)
  while (r.inSeen[0] === r.inContig + 1) { r.inContig++; r.inSeen.shift() }
}

/** The sender says we had its messages up to `acked` before (we lost them): count from there. */
function catchUp (r: ConversationRecord, acked: number): void {
  r.inContig = acked
  r.inSeen = r.inSeen.filter(n => n > acked)
  while (r.inSeen[0] === r.inContig + 1) { r.inContig++; r.inSeen.shift() }
}

function toWire (m: StoredMessage): WireMessage {
  return {
    id: Buffer.from(m.id, 'hex'),
    n: m.n,
    order: m.order,
    sentAt: m.sentAt,
    text: m.text,
    file: m.file ?? undefined
  }
}

function preview (m: StoredMessage): string {
  const text = m.text.trim().length > 0 ? m.text.trim() : (m.file?.name ?? '')
  return text.length > 140 ? text.slice(0, 139) + '…' : text
}
