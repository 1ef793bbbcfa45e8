/**
 * /wgt/mailbox/1.0.0: holding sealed chat messages for peers that are away
 * (DESIGN.md §7). One request and one reply per stream:
 *
 * - DEPOSIT {tag, sealed, release}: hold it. Guard's storage policy decides
 *   who may (REFUSED otherwise), the store's quotas how much (FULL), a rate
 *   limit per peer how often (BUSY).
 * - FETCH {tags, after}: what is held under those tags, up to 512 KiB a
 *   reply, from the place `after`, with `more` and `next` when there is more.
 *   Anyone may ask: the tag is the capability to read (not open) them, and
 *   only sender and recipient can compute it.
 * - ACK {[tag, id, token]}: remove those items; each needs its release token
 *   (seal.ts), so a holder that knows the tag cannot remove them elsewhere.
 *
 * Requests are small, so the protocol also runs over relayed connections,
 * where a returning recipient may well find its holders.
 */
import type { Connection, Stream } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import { WgtError } from '../../../../shared/errors.js'
import { closeStream, ProtocolService, RateLimiter, Semaphore, Violation, type ProtocolComponents, type ProtocolServiceInit } from '../../wire/index.js'
import { CURSOR_BYTES, MAILBOX_ID_BYTES, itemId, type HeldItem, type MailboxStore } from './mailbox-store.js'
import { MailboxReply, MailboxRequest } from './pb/mailbox.js'
import { MAILBOX_TAG_BYTES, MAX_SEALED, RELEASE_BYTES, SEAL_OVERHEAD, sameBytes } from './seal.js'

export const MAILBOX_PROTOCOL = '/wgt/mailbox/1.0.0'
/** tags in one FETCH, items in one ACK */
export const MAX_FETCH_TAGS = 256
export const MAX_ACKS = 256
/** what one FETCH reply carries at most: items, and sealed bytes in all */
export const MAX_REPLY_ITEMS = 256
export const MAX_REPLY_SEALED_BYTES = 512 * 1024
/** DEPOSIT (sealed bytes, tag, release hash) or ACK (256 × tag, id, token and framing) is the largest request */
const MAX_REQUEST = Math.max(MAX_SEALED + 128, MAX_ACKS * 80 + 64)
/** per item: id, tag, the item's and the sealed field's framing */
const MAX_REPLY = MAX_REPLY_SEALED_BYTES + MAX_REPLY_ITEMS * 64 + 64
const KINDS = new Set(Object.values(MailboxRequest.Kind))
const STATUSES = new Set(Object.values(MailboxReply.Status))

export { MailboxReply, MailboxRequest, MAX_REQUEST, MAX_REPLY }
export type MailboxStatus = MailboxReply.Status

export interface MailboxRef {
  tag: Uint8Array
  id: Uint8Array
  /** the release token (seal.ts releaseToken) */
  token: Uint8Array
}

interface OutgoingRequest {
  kind: MailboxRequest.Kind
  tag?: Uint8Array
  sealed?: Uint8Array
  release?: Uint8Array
  tags?: Uint8Array[]
  after?: Uint8Array
  acks?: MailboxRef[]
}

export interface FetchResult {
  status: MailboxStatus
  /** items for the asked tags; each id checked against its sealed bytes */
  items: HeldItem[]
  more: boolean
  /** where the next fetch goes on from */
  next: Uint8Array
}

export interface MailboxServiceInit extends ProtocolServiceInit {
  /** a loaded store (MailboxStore.open) */
  store: MailboxStore
  /** may this peer leave messages with us? (the chat core passes guard.may(peer, 'storage')) */
  mayDeposit: (peerId: string) => boolean
  /** deposits taken from one peer at once, refilled per minute (default 32, 60) */
  depositBurst?: number
  depositPerMinute?: number
  /** FETCH and ACK requests from one peer at once, refilled per minute (default 32, 120) */
  fetchBurst?: number
  fetchPerMinute?: number
  timeoutMs?: number
  /** how often expired items are dropped (default hourly) */
  pruneEveryMs?: number
}

export class MailboxService extends ProtocolService {
  readonly protocol = MAILBOX_PROTOCOL
  private readonly store: MailboxStore
  private readonly mayDeposit: (peerId: string) => boolean
  private readonly deposits: RateLimiter
  private readonly fetches: RateLimiter
  /** FETCH replies being built at once: each holds up to 512 KiB in memory */
  private readonly replies = new Semaphore(4)
  private readonly timeoutMs: number
  private readonly pruneEveryMs: number
  private pruneTimer: ReturnType<typeof setInterval> | undefined

  constructor (components: ProtocolComponents, init: MailboxServiceInit) {
    super(components, init.reputation, 'mailbox', { maxInboundStreams: 16, maxOutboundStreams: 32, runOnLimitedConnection: true })
    this.store = init.store
    this.mayDeposit = init.mayDeposit
    this.deposits = new RateLimiter(init.depositBurst ?? 32, init.depositPerMinute ?? 60)
    this.fetches = new RateLimiter(init.fetchBurst ?? 32, init.fetchPerMinute ?? 120)
    this.timeoutMs = init.timeoutMs ?? 10_000
    this.pruneEveryMs = init.pruneEveryMs ?? 3600_000
  }

  readonly [Symbol.toStringTag] = 'wgt/mailbox'

  protected override async onStart (): Promise<void> {
    this.pruneTimer = setInterval(() => {
      this.store.prune().catch(err => { this.log.error('pruning the mailbox failed: %s', (err as Error).message) })
    }, this.pruneEveryMs)
    this.pruneTimer.unref?.()
  }

  protected override async onStop (): Promise<void> {
    clearInterval(this.pruneTimer)
    this.pruneTimer = undefined
  }

  /** Leave a sealed message with `peerId`. */
  async deposit (peerId: string, tag: Uint8Array, sealed: Uint8Array, release: Uint8Array, signal?: AbortSignal): Promise<MailboxStatus> {
    checkTag(tag)
    if (sealed.byteLength < SEAL_OVERHEAD || sealed.byteLength > MAX_SEALED) throw new WgtError('INVALID_INPUT', `a sealed message is ${SEAL_OVERHEAD} to ${MAX_SEALED} bytes, not ${sealed.byteLength}`)
    if (release.byteLength !== RELEASE_BYTES) throw new WgtError('INVALID_INPUT', `a release hash is ${RELEASE_BYTES} bytes`)
    const reply = await this.request(peerId, { kind: MailboxRequest.Kind.DEPOSIT, tag, sealed, release }, 0, signal)
    return reply.status
  }

  /** What `peerId` holds under `tags`, after the place `after` (one reply: `more` says whether to ask again from `next`). */
  async fetch (peerId: string, tags: Uint8Array[], signal?: AbortSignal, after?: Uint8Array): Promise<FetchResult> {
    if (tags.length === 0 || tags.length > MAX_FETCH_TAGS) throw new WgtError('INVALID_INPUT', `a fetch asks for 1 to ${MAX_FETCH_TAGS} tags, not ${tags.length}`)
    tags.forEach(checkTag)
    const reply = await this.request(peerId, { kind: MailboxRequest.Kind.FETCH, tags, after }, MAX_REPLY_ITEMS, signal, r => { checkItems(r, tags) })
    return { status: reply.status, items: reply.items, more: reply.more, next: reply.next }
  }

  /** Tell `peerId` to drop these items (we have them). */
  async ack (peerId: string, items: MailboxRef[], signal?: AbortSignal): Promise<MailboxStatus> {
    if (items.length === 0 || items.length > MAX_ACKS) throw new WgtError('INVALID_INPUT', `an ack names 1 to ${MAX_ACKS} items, not ${items.length}`)
    for (const i of items) {
      checkTag(i.tag)
      if (i.id.byteLength !== MAILBOX_ID_BYTES) throw new WgtError('INVALID_INPUT', `an item id is ${MAILBOX_ID_BYTES} bytes`)
      if (i.token.byteLength !== RELEASE_BYTES) throw new WgtError('INVALID_INPUT', `a release token is ${RELEASE_BYTES} bytes`)
    }
    const reply = await this.request(peerId, { kind: MailboxRequest.Kind.ACK, acks: items }, 0, signal)
    return reply.status
  }

  protected async serve (stream: Stream, from: string, _connection: Connection): Promise<void> {
    const signal = AbortSignal.timeout(this.timeoutMs)
    const lp = lpStream(stream, { maxDataLength: MAX_REQUEST, maxBufferSize: MAX_REQUEST * 2 })
    const req = parseRequest((await lp.read({ signal })).subarray())
    const release = req.kind === MailboxRequest.Kind.FETCH ? await this.replies.acquire(signal) : () => {}
    try {
      const reply = await this.answer(from, req)
      await lp.write(MailboxReply.encode(reply), { signal })
    } finally {
      release()
    }
    await closeStream(stream)
  }

  private async answer (from: string, req: MailboxRequest): Promise<MailboxReply> {
    const { Status } = MailboxReply
    const reply = (status: MailboxStatus, items: HeldItem[] = [], more = false, next: Uint8Array<ArrayBuffer> = new Uint8Array(0)): MailboxReply => ({ status, items: items as MailboxReply['items'], more, next })
    switch (req.kind) {
      case MailboxRequest.Kind.DEPOSIT: {
        if (!this.mayDeposit(from)) return reply(Status.REFUSED)
        if (!this.deposits.take(from)) return reply(Status.BUSY)
        const put = await this.store.put(from, req.tag, req.sealed, req.release)
        return reply(put === 'full' ? Status.FULL : Status.OK)
      }
      case MailboxRequest.Kind.FETCH: {
        if (!this.fetches.take(from)) return reply(Status.BUSY)
        const { items, more, next } = await this.store.take(req.tags, MAX_REPLY_SEALED_BYTES, MAX_REPLY_ITEMS, req.after.byteLength > 0 ? req.after : null)
        return reply(Status.OK, items, more, next as Uint8Array<ArrayBuffer>)
      }
      case MailboxRequest.Kind.ACK: {
        if (!this.fetches.take(from)) return reply(Status.BUSY)
        // an item goes only with its release token: a wrong one (a holder that learnt the tag) removes nothing
        for (const a of req.acks) await this.store.remove(a.tag, a.id, a.token)
        return reply(Status.OK)
      }
    }
    throw new Violation('unknown mailbox request kind')
  }

  private async request (peerId: string, req: OutgoingRequest, maxItems: number, signal?: AbortSignal, check?: (r: MailboxReply) => void): Promise<MailboxReply> {
    // protons types its bytes as backed by an ArrayBuffer; the encoder only reads them
    const full = { tag: new Uint8Array(0), sealed: new Uint8Array(0), release: new Uint8Array(0), after: new Uint8Array(0), tags: [], acks: [], ...req } as unknown as MailboxRequest
    return await this.exchange(peerId, MailboxRequest.encode(full), {
      maxResponse: maxItems === 0 ? 64 : MAX_REPLY,
      decode: b => {
        const r = MailboxReply.decode(b, { limits: { items: maxItems } })
        if (!STATUSES.has(r.status)) throw new Error('unknown reply status')
        check?.(r)
        return r
      },
      timeoutMs: this.timeoutMs,
      signal
    })
  }
}

/** A request as the peer sent it, or a Violation: nothing an honest peer sends fails here. */
function parseRequest (bytes: Uint8Array): MailboxRequest {
  let req: MailboxRequest
  try {
    req = MailboxRequest.decode(bytes, { limits: { tags: MAX_FETCH_TAGS, acks: MAX_ACKS } })
  } catch (err) {
    throw new Violation(`malformed mailbox request: ${(err as Error).message}`)
  }
  return checkRequest(req)
}

/** The checks a decoded request must pass (also the fuzz harness's validation). */
export function checkRequest (req: MailboxRequest): MailboxRequest {
  if (!KINDS.has(req.kind)) throw new Violation('unknown mailbox request kind')
  switch (req.kind) {
    case MailboxRequest.Kind.DEPOSIT:
      if (req.tag.byteLength !== MAILBOX_TAG_BYTES) throw new Violation(`a deposit's tag is ${req.tag.byteLength} bytes, not ${MAILBOX_TAG_BYTES}`)
      if (req.sealed.byteLength < SEAL_OVERHEAD || req.sealed.byteLength > MAX_SEALED) throw new Violation(`a deposit of ${req.sealed.byteLength} sealed bytes (${SEAL_OVERHEAD} to ${MAX_SEALED})`)
      if (req.release.byteLength !== RELEASE_BYTES) throw new Violation(`a deposit's release hash is ${req.release.byteLength} bytes, not ${RELEASE_BYTES}`)
      break
    case MailboxRequest.Kind.FETCH:
      if (req.tags.length === 0) throw new Violation('a fetch with no tags')
      if (req.tags.some(t => t.byteLength !== MAILBOX_TAG_BYTES)) throw new Violation(`a fetch tag that is not ${MAILBOX_TAG_BYTES} bytes`)
      if (req.after.byteLength !== 0 && req.after.byteLength !== CURSOR_BYTES) throw new Violation(`a fetch cursor of ${req.after.byteLength} bytes`)
      break
    case MailboxRequest.Kind.ACK:
      if (req.acks.length === 0) throw new Violation('an ack of no items')
      if (req.acks.some(a => a.tag.byteLength !== MAILBOX_TAG_BYTES || a.id.byteLength !== MAILBOX_ID_BYTES || a.token.byteLength !== RELEASE_BYTES)) throw new Violation('an ack with a malformed tag, id or token')
      break
  }
  return req
}

/** A holder answers only what was asked, each item named by the hash of what it carries. */
export function checkItems (reply: MailboxReply, tags: Uint8Array[]): void {
  let bytes = 0
  for (const item of reply.items) {
    if (item.tag.byteLength !== MAILBOX_TAG_BYTES || !tags.some(t => sameBytes(t, item.tag))) throw new Error('an item under a tag that was not asked for')
    if (item.sealed.byteLength < SEAL_OVERHEAD || item.sealed.byteLength > MAX_SEALED) throw new Error(`an item of ${item.sealed.byteLength} sealed bytes`)
    if (item.id.byteLength !== MAILBOX_ID_BYTES || !sameBytes(item.id, itemId(item.sealed))) throw new Error('an item whose id is not the hash of its bytes')
    bytes += item.sealed.byteLength
  }
  if (bytes > MAX_REPLY_SEALED_BYTES) throw new Error(`${bytes} sealed bytes in one reply`)
  if (reply.next.byteLength !== 0 && reply.next.byteLength !== CURSOR_BYTES) throw new Error(`a cursor of ${reply.next.byteLength} bytes`)
}

function checkTag (tag: Uint8Array): void {
  if (tag.byteLength !== MAILBOX_TAG_BYTES) throw new WgtError('INVALID_INPUT', `a mailbox tag is ${MAILBOX_TAG_BYTES} bytes, not ${tag.byteLength}`)
}

export function mailboxService (init: MailboxServiceInit): (components: ProtocolComponents) => MailboxService {
  return (components) => new MailboxService(components, init)
}
