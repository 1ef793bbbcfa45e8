/**
 * /wgt/shard/1.0.0: peers store, serve, report and release shards in this
 * node's ShardStore. One request and one response per stream. Every frame is
 * bounded before allocation (the length prefix is checked first), every read
 * has a deadline, and inbound requests that carry data wait for one of a few
 * global slots before their body is read, so yamux flow control keeps unread
 * bytes in the sender's window instead of our memory. One peer holds at most
 * perPeerSlots of them, a freed slot goes to the waiting peer that holds the
 * fewest (FairSemaphore), and a sender
 * slower than a floor is cut off and counted: eight streams sending a byte a
 * second used to hold every slot while other peers' requests timed out.
 * PUTs are rate-limited per peer, and a peer that keeps PUTting past its
 * quota loses reputation.
 */
import type { Connection, Stream } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import * as varint from 'uint8-varint'
import { Uint8ArrayList } from 'uint8arraylist'
import { TypedEventEmitter } from 'main-event'
import { WgtError } from '../../../shared/errors.js'
import { MAX_SHARD_SIZE as CES_MAX_SHARD, parseShardCid } from '../ces/index.js'
import type { ShardStore } from '../storage/index.js'
import { closeStream, deadline, FairSemaphore, noteBulkBytes, ProtocolService, RateLimiter, Violation, type ProtocolComponents, type ProtocolServiceInit } from '../wire/index.js'
import { ShardRequest, ShardResponse } from './pb/shard.js'

export const SHARD_PROTOCOL = '/wgt/shard/1.0.0'

/** A shard is at most one whole segment (k = 1) plus nonce and tag; root records are held to the same bound. */
export const MAX_SHARD_SIZE = CES_MAX_SHARD
/** CIDs per HAS or RELEASE request: 1024 × 59 chars ≈ 62 KiB */
export const MAX_HAS = 1024
/** CIDs per PROVE request: each costs the holder a read of the shard */
export const MAX_PROVE = 64
const FRAME_OVERHEAD = 1024
const NO_NONCE = new Uint8Array(0)
/** quota refusals one peer may get within QUOTA_WINDOW_MS (its in-flight window) before more count against it */
const QUOTA_REFUSALS_ALLOWED = 32
const QUOTA_WINDOW_MS = 10_000
const MAX_HAS_FRAME = MAX_HAS * 64 + FRAME_OVERHEAD
/**
 * A peer that cancels a share releases what it placed, but a PUT it had sent
 * may still be arriving on another stream: for this long a released shard is
 * not stored again for that peer. (Shard addresses never repeat across files:
 * every file has its own key.)
 */
const RELEASED_FOR_MS = 60_000
/**
 * Bounds on those tombstones: all peers together, and one peer (one RELEASE
 * batch). A peer past its share only loses its own; the oldest go first when
 * all are taken, and a lost tombstone costs one stray shard until its lease ends.
 */
const MAX_RELEASED = 10_000
const MAX_RELEASED_PER_PEER = MAX_HAS

export interface ShardServiceInit extends ProtocolServiceInit {
  store: ShardStore
  /** guard's answer for storing this peer's shards, asked on every PUT so a policy change applies at once */
  mayStore: (peerId: string) => boolean
  /** longest lease a peer may ask for (default 30 days: owners renew theirs daily) */
  maxLeaseMs?: number
  /** bound on receiving a whole request or response, data included (default 60 s) */
  timeoutMs?: number
  /** inbound requests whose bodies are read at once, all peers together (default 8) */
  inboundSlots?: number
  /** of those, what one peer may hold (default 3) */
  perPeerSlots?: number
  /** a request arriving slower than this is cut off (default 16 KiB/s; a big one must also arrive within the timeout) */
  floorBytesPerSecond?: number
  /** PUTs one peer may send at once, and refilled per minute (default 1024, 6000) */
  putBurst?: number
  putsPerMinute?: number
}

export interface ShardServiceComponents extends ProtocolComponents {
  peerId: { toString: () => string }
}

export interface RequestOptions {
  signal?: AbortSignal
  /** get only: refuse an answer whose shard is larger than this (at most MAX_SHARD_SIZE), read no further than it */
  maxBytes?: number
}

/** A shard just stored, and the file group it came with (null: none given, as for root records). */
export interface StoredShard { cid: string, group: string | null }

export interface ShardEvents {
  /** a shard was stored (for a peer or for us): the files module announces it, or its group, on the DHT */
  stored: CustomEvent<StoredShard>
}

export class ShardService extends ProtocolService<ShardServiceComponents> {
  readonly protocol = SHARD_PROTOCOL
  readonly events = new TypedEventEmitter<ShardEvents>()
  private readonly maxLeaseMs: number
  private readonly timeoutMs: number
  private readonly slots: FairSemaphore
  private readonly floorBps: number
  private readonly puts: RateLimiter
  /**
   * MiB of shards one peer may have us read for its storage challenges: 1 GiB
   * at once, 512 MiB a minute. Shards it keeps here under its own lease do not
   * count: an owner checking its own file's health is never held back.
   */
  private readonly proves = new RateLimiter(1024, 512)
  /** the same for shards the challenger keeps here itself: larger, but not free (each proof is a read) */
  private readonly ownProves = new RateLimiter(8192, 4096)
  /** PUTs refused for the rate one peer may get a minute before the refusals count against it */
  private readonly busyRefusals = new RateLimiter(64, 64)
  /** peer → times of its recent quota refusals */
  private readonly quotaRefusals = new Map<string, number[]>()
  /** `${peer} ${cid}` → until when a PUT of it is refused, oldest first */
  private readonly released = new Map<string, { peer: string, until: number }>()
  private readonly releasedPerPeer = new Map<string, number>()

  constructor (components: ShardServiceComponents, private readonly init: ShardServiceInit) {
    // shards are megabytes: not for a relay's data budget
    super(components, init.reputation, 'shard', { maxInboundStreams: 32, maxOutboundStreams: 64, runOnLimitedConnection: false })
    this.maxLeaseMs = init.maxLeaseMs ?? 30 * 24 * 3600_000
    this.timeoutMs = init.timeoutMs ?? 60_000
    this.slots = new FairSemaphore(init.inboundSlots ?? 8, init.perPeerSlots ?? 3)
    this.floorBps = init.floorBytesPerSecond ?? 16 * 1024
    this.puts = new RateLimiter(init.putBurst ?? 1024, init.putsPerMinute ?? 6000)
  }

  readonly [Symbol.toStringTag] = 'wgt/shard'

  get self (): string { return this.components.peerId.toString() }

  /** inbound requests being served, and waiting for a slot */
  get slotUse (): { serving: number, queued: number } { return { serving: this.slots.inUse, queued: this.slots.queued } }

  private stored (cid: string, group: string | undefined): void {
    this.events.dispatchEvent(new CustomEvent('stored', { detail: { cid, group: group ?? null } }))
  }

  /**
   * Ask a peer to keep a shard; our own id goes straight to the local store.
   * `group` (fileGroupCid of the shard's file) lets the holder announce the
   * file once rather than every shard.
   */
  /** hashed: for our own store only, data was just hashed to cid here (ShardStore.put); a peer always hashes what it is sent */
  async put (peerId: string, cid: string, data: Uint8Array, leaseMs: number, options: RequestOptions & { group?: string, hashed?: boolean } = {}): Promise<'stored' | 'renewed'> {
    if (peerId === this.self) {
      const r = await this.init.store.put(cid, data, { owner: this.self, expiresAt: leaseMs === Infinity ? Infinity : Date.now() + leaseMs }, { hashed: options.hashed })
      this.stored(cid, options.group)
      return r
    }
    const res = await this.request(peerId, putRequest(cid, data, leaseMs, options.group), MAX_SHARD_SIZE, options)
    if (res.status !== ShardResponse.Status.OK) throw statusError(peerId, res)
    return res.renewed ? 'renewed' : 'stored'
  }

  /**
   * The shard's bytes as the peer sent them (the caller verifies the hash), or null if it does not hold it.
   * The shard comes in memory of its own (every response is decoded from its own copy,
   * ProtocolService.exchange; ours is read from the store), which the caller may free
   * once done with it (wire releaseBuffer).
   */
  async get (peerId: string, cid: string, options: RequestOptions = {}): Promise<Uint8Array | null> {
    if (peerId === this.self) return await this.init.store.get(cid)
    const maxBytes = Math.min(options.maxBytes ?? MAX_SHARD_SIZE, MAX_SHARD_SIZE)
    const res = await this.request(peerId, { kind: ShardRequest.Kind.GET, cid, data: new Uint8Array(0), leaseMs: 0, cids: [], nonce: NO_NONCE }, maxBytes + FRAME_OVERHEAD, options)
    if (res.status === ShardResponse.Status.NOT_FOUND) return null
    if (res.status !== ShardResponse.Status.OK) throw statusError(peerId, res)
    return res.data
  }

  /** Which of cids the peer holds, in order; batched by MAX_HAS. */
  async has (peerId: string, cids: string[], options: RequestOptions = {}): Promise<boolean[]> {
    if (peerId === this.self) return await this.init.store.hasMany(cids)
    return await this.flags(peerId, ShardRequest.Kind.HAS, cids, 0, options)
  }

  /** Give up our lease on cids at a peer (or here): what no other lease keeps is deleted there. */
  async release (peerId: string, cids: string[], options: RequestOptions = {}): Promise<void> {
    if (peerId === this.self) {
      for (const cid of cids) await this.init.store.release(cid, this.self)
      return
    }
    for (let i = 0; i < cids.length; i += MAX_HAS) {
      const batch = cids.slice(i, i + MAX_HAS)
      const res = await this.request(peerId, { kind: ShardRequest.Kind.RELEASE, cid: '', data: new Uint8Array(0), leaseMs: 0, cids: batch, nonce: NO_NONCE }, FRAME_OVERHEAD, options)
      if (res.status !== ShardResponse.Status.OK) throw statusError(peerId, res)
    }
  }

  /** Extend our leases on cids at a peer; answers which it renewed (false: it no longer holds our lease). */
  async renew (peerId: string, cids: string[], leaseMs: number, options: RequestOptions = {}): Promise<boolean[]> {
    return await this.flags(peerId, ShardRequest.Kind.RENEW, cids, leaseMs, options)
  }

  /** HAS or RENEW, batched by MAX_HAS: one flag per CID, in order; a wrong count is the peer's violation. */
  private async flags (peerId: string, kind: ShardRequest.Kind.HAS | ShardRequest.Kind.RENEW, cids: string[], leaseMs: number, options: RequestOptions): Promise<boolean[]> {
    const out: boolean[] = []
    for (let i = 0; i < cids.length; i += MAX_HAS) {
      const batch = cids.slice(i, i + MAX_HAS)
      const res = await this.request(peerId, { kind, cid: '', data: new Uint8Array(0), leaseMs, cids: batch, nonce: NO_NONCE }, MAX_HAS_FRAME, options)
      if (res.status !== ShardResponse.Status.OK) throw statusError(peerId, res)
      if (res.has.length !== batch.length) {
        this.violation(peerId, `${kind} answered ${res.has.length} flags for ${batch.length} CIDs`)
        throw new WgtError('PROTOCOL', `${peerId} answered ${kind} with the wrong number of flags`)
      }
      out.push(...res.has)
    }
    return out
  }

  /**
   * Challenge a peer to prove it holds cids: one SHA-256(nonce || shard) per
   * CID, null where it says it does not hold it. The caller checks the proofs.
   */
  async prove (peerId: string, cids: string[], nonce: Uint8Array, options: RequestOptions = {}): Promise<Array<Uint8Array | null>> {
    const out: Array<Uint8Array | null> = []
    for (let i = 0; i < cids.length; i += MAX_PROVE) {
      const batch = cids.slice(i, i + MAX_PROVE)
      const res = await this.request(peerId, { kind: ShardRequest.Kind.PROVE, cid: '', data: new Uint8Array(0), leaseMs: 0, cids: batch, nonce: nonce as Uint8Array<ArrayBuffer> }, MAX_PROVE * 40 + FRAME_OVERHEAD, options)
      if (res.status !== ShardResponse.Status.OK) throw statusError(peerId, res)
      if (res.proofs.length !== batch.length || res.proofs.some(p => p.byteLength !== 0 && p.byteLength !== 32)) {
        this.violation(peerId, `PROVE answered ${res.proofs.length} proofs for ${batch.length} CIDs`)
        throw new WgtError('PROTOCOL', `${peerId} answered PROVE with malformed proofs`)
      }
      out.push(...res.proofs.map(p => p.byteLength === 0 ? null : p))
    }
    return out
  }

  private async request (peerId: string, req: ShardRequest | Uint8ArrayList, maxResponse: number, options: RequestOptions): Promise<ShardResponse> {
    const bytes = req instanceof Uint8ArrayList ? req : ShardRequest.encode(req)
    const res = await this.exchange(peerId, bytes, {
      maxResponse: maxResponse + FRAME_OVERHEAD,
      decode: b => ShardResponse.decode(b, { limits: { has: MAX_HAS, proofs: MAX_PROVE } }),
      timeoutMs: this.timeoutMs,
      signal: options.signal
    })
    noteBulkBytes(bytes.byteLength + res.data.byteLength)
    return res
  }

  protected async serve (stream: Stream, peer: string, _connection: Connection): Promise<void> {
    const started = Date.now()
    // a stream reset or aborted while it waits for a slot leaves the queue at once, not at its deadline
    const closed = new AbortController()
    const onClose = (): void => { closed.abort(new WgtError('CANCELLED', 'the stream closed before it was served')) }
    stream.addEventListener('close', onClose, { once: true })
    if (stream.status !== 'open') onClose()
    // let go when served (wire/stream.ts deadline): an AbortSignal.timeout kept each stream for the whole timeout
    const { signal, done } = deadline(closed.signal, this.timeoutMs)
    let release: (() => void) | undefined
    try {
      release = await this.slots.acquire(peer, signal)
      // only the wait for a slot needs it: the reads and writes below fail on a closed stream
      // themselves, with their own reason (a slow request cut off, say), and closing after
      // serving must not abort anything
      stream.removeEventListener('close', onClose)
      const declared = { length: 0 }
      const lp = lpStream(stream, {
        maxDataLength: MAX_SHARD_SIZE + FRAME_OVERHEAD,
        maxBufferSize: MAX_SHARD_SIZE + 2 * FRAME_OVERHEAD,
        // the declared length, for the pace the rest must arrive at
        lengthDecoder: Object.assign((buf: Uint8ArrayList | Uint8Array) => { declared.length = varint.decode(buf); return declared.length }, { bytes: 0 })
      })
      const buf = await this.readAboveFloor(stream, peer, declared, async () => await lp.read({ signal }))
      let req: ShardRequest
      try {
        req = ShardRequest.decode(buf, { limits: { cids: MAX_HAS } })
      } catch (err) {
        throw new Violation(`malformed request: ${(err as Error).message}`)
      }
      const res = await this.answer(peer, req)
      await lp.write(ShardResponse.encode(res), { signal })
      noteBulkBytes(buf.byteLength + res.data.byteLength)
      // a shard of megabytes drains only as fast as the peer reads: closing gracefully may take
      // the rest of the request's time (500 ms cut 4 MiB answers short on a busy machine)
      await closeStream(stream, Math.max(1000, started + this.timeoutMs - Date.now()))
    } finally {
      stream.removeEventListener('close', onClose)
      done()
      release?.()
    }
  }

  /**
   * Read the request while watching how fast it arrives. The pace it must
   * keep is the floor, or for a big request what gets it in before the
   * timeout (a 16 MiB PUT at 64 KiB/s would hold its slot for the whole 60 s
   * and fail anyway). Below the pace in a 5 s window the stream is cut off;
   * that counts against the sender only when other peers are waiting for a
   * slot (a slow uplink hurts nobody when none are). A window in which our
   * own event loop stalled (GC, a busy core, in-process test nodes encoding)
   * is not held against the sender: it was us not reading.
   */
  private async readAboveFloor<T> (stream: Stream, peer: string, declared: { length: number }, read: () => Promise<T>): Promise<T> {
    const WINDOW_MS = 5000
    const TICK_MS = 500
    let received = 0
    let windowStart = Date.now()
    let windowBytes = 0
    let lastTick = windowStart
    const onMessage = (evt: Event): void => { received += (evt as unknown as { data: { byteLength: number } }).data.byteLength }
    stream.addEventListener('message', onMessage)
    const watchdog = setInterval(() => {
      const now = Date.now()
      const stalled = now - lastTick > TICK_MS * 3
      lastTick = now
      if (stalled) { windowStart = now; windowBytes = received; return }
      if (now - windowStart < WINDOW_MS) return
      const got = received - windowBytes
      const pace = Math.max(this.floorBps, declared.length / Math.max(1, (this.timeoutMs - WINDOW_MS) / 1000))
      if (got < pace * WINDOW_MS / 1000) {
        if (this.slots.othersWaiting(peer)) this.violation(peer, `sent its request slower than ${Math.round(pace)} bytes/s while others waited (${got} bytes in ${WINDOW_MS / 1000} s)`)
        stream.abort(new Error('request arrived too slowly'))
      }
      windowStart = now
      windowBytes = received
    }, TICK_MS)
    try {
      return await read()
    } finally {
      clearInterval(watchdog)
      stream.removeEventListener('message', onMessage)
    }
  }

  /** Quota refusals past the in-flight window mean the peer ignores our answers. */
  private refusedForQuota (peer: string): void {
    const now = Date.now()
    const times = (this.quotaRefusals.get(peer) ?? []).filter(t => t > now - QUOTA_WINDOW_MS)
    times.push(now)
    this.quotaRefusals.set(peer, times.slice(-QUOTA_REFUSALS_ALLOWED - 1))
    if (this.quotaRefusals.size > 10_000) this.quotaRefusals.clear()
    if (times.length > QUOTA_REFUSALS_ALLOWED) this.violation(peer, 'kept sending PUTs past its quota')
  }

  private remember (peer: string, cids: string[]): void {
    const now = Date.now()
    if (this.released.size + cids.length > MAX_RELEASED) {
      for (const [key, t] of this.released) if (t.until <= now) this.forgetReleased(key, t.peer)
    }
    for (const c of cids) {
      const key = `${peer} ${c}`
      if (this.released.has(key)) continue
      if ((this.releasedPerPeer.get(peer) ?? 0) >= MAX_RELEASED_PER_PEER) break
      if (this.released.size >= MAX_RELEASED) {
        const [oldest, t] = this.released.entries().next().value as [string, { peer: string }]
        this.forgetReleased(oldest, t.peer)
      }
      this.released.set(key, { peer, until: now + RELEASED_FOR_MS })
      this.releasedPerPeer.set(peer, (this.releasedPerPeer.get(peer) ?? 0) + 1)
    }
  }

  private forgetReleased (key: string, peer: string): void {
    this.released.delete(key)
    const n = (this.releasedPerPeer.get(peer) ?? 1) - 1
    if (n > 0) this.releasedPerPeer.set(peer, n)
    else this.releasedPerPeer.delete(peer)
  }

  /** The answer to one well-formed request; a request that could only come from a broken or hostile peer throws Violation. */
  private async answer (peer: string, req: ShardRequest): Promise<ShardResponse> {
    const reply = (status: ShardResponse.Status, message = ''): ShardResponse => ({ status, message, data: new Uint8Array(0), has: [], renewed: false, proofs: [] })
    switch (req.kind) {
      case ShardRequest.Kind.PUT: {
        checkCid(req.cid)
        if (req.group != null) checkCid(req.group)
        if (!this.init.mayStore(peer)) return reply(ShardResponse.Status.DENIED, 'this node does not store shards for you (its storage policy)')
        if (!(req.leaseMs > 0)) throw new Violation(`PUT lease must be positive, got ${req.leaseMs}`)
        if ((this.released.get(`${peer} ${req.cid}`)?.until ?? 0) > Date.now()) return reply(ShardResponse.Status.DENIED, 'this shard was just released by the same peer')
        if (req.data.byteLength === 0) throw new Violation('PUT without data')
        if (!this.puts.take(peer)) {
          // a fast honest sharer may hit the rate; one that keeps sending after BUSY is flooding
          if (!this.busyRefusals.take(peer)) this.violation(peer, 'kept sending PUTs past its rate')
          return reply(ShardResponse.Status.BUSY, 'too many PUTs from you right now')
        }
        const expiresAt = Date.now() + Math.min(req.leaseMs, this.maxLeaseMs)
        try {
          const r = await this.init.store.put(req.cid, req.data, { owner: peer, expiresAt })
          this.stored(req.cid, req.group)
          return { ...reply(ShardResponse.Status.OK), renewed: r === 'renewed' }
        } catch (err) {
          if (err instanceof WgtError && err.code === 'QUOTA_EXCEEDED') {
            this.refusedForQuota(peer)
            return reply(ShardResponse.Status.QUOTA, err.message)
          }
          if (err instanceof WgtError && (err.code === 'INTEGRITY' || err.code === 'INVALID_INPUT')) throw new Violation(`PUT ${req.cid}: ${err.message}`)
          return reply(ShardResponse.Status.UNAVAILABLE, (err as Error).message)
        }
      }
      case ShardRequest.Kind.GET: {
        checkCid(req.cid)
        const data = await this.init.store.get(req.cid)
        if (data == null) return reply(ShardResponse.Status.NOT_FOUND)
        return { ...reply(ShardResponse.Status.OK), data }
      }
      case ShardRequest.Kind.HAS: {
        if (req.cids.length === 0) throw new Violation('HAS without CIDs')
        for (const c of req.cids) checkCid(c)
        return { ...reply(ShardResponse.Status.OK), has: await this.init.store.hasMany(req.cids) }
      }
      case ShardRequest.Kind.RELEASE: {
        if (req.cids.length === 0) throw new Violation('RELEASE without CIDs')
        for (const c of req.cids) checkCid(c)
        // only the sender's own lease goes: a peer cannot release what others asked us to keep
        this.remember(peer, req.cids)
        for (const c of req.cids) await this.init.store.release(c, peer)
        return reply(ShardResponse.Status.OK)
      }
      case ShardRequest.Kind.RENEW: {
        if (req.cids.length === 0) throw new Violation('RENEW without CIDs')
        // a policy change applies to renewals too: a peer no longer allowed to store here keeps nothing past its lease
        if (!this.init.mayStore(peer)) return reply(ShardResponse.Status.DENIED, 'this node no longer stores shards for you (its storage policy)')
        if (!(req.leaseMs > 0)) throw new Violation(`RENEW lease must be positive, got ${req.leaseMs}`)
        for (const c of req.cids) checkCid(c)
        const expiresAt = Date.now() + Math.min(req.leaseMs, this.maxLeaseMs)
        const has: boolean[] = []
        for (const c of req.cids) has.push(await this.init.store.renew(c, peer, expiresAt))
        return { ...reply(ShardResponse.Status.OK), has }
      }
      case ShardRequest.Kind.PROVE: {
        if (req.cids.length === 0 || req.cids.length > MAX_PROVE) throw new Violation(`PROVE needs 1 to ${MAX_PROVE} CIDs, got ${req.cids.length}`)
        if (req.nonce.byteLength < 16 || req.nonce.byteLength > 64) throw new Violation(`PROVE nonce must be 16 to 64 bytes, got ${req.nonce.byteLength}`)
        for (const c of req.cids) checkCid(c)
        let mib = 0
        let ownMib = 0
        for (const c of req.cids) {
          const size = Math.ceil((this.init.store.sizeOf(c) ?? 0) / 2 ** 20)
          if (this.init.store.leasedBy(c, peer)) ownMib += size
          else mib += size
        }
        if ((mib > 0 && !this.proves.take(peer, mib)) || (ownMib > 0 && !this.ownProves.take(peer, ownMib))) {
          return reply(ShardResponse.Status.BUSY, 'too many storage challenges from you right now')
        }
        const proofs: Array<Uint8Array<ArrayBuffer>> = []
        for (const c of req.cids) proofs.push((await this.init.store.prove(c, req.nonce) ?? new Uint8Array(0)) as Uint8Array<ArrayBuffer>)
        return { ...reply(ShardResponse.Status.OK), proofs }
      }
      default:
        throw new Violation(`unknown request kind ${String(req.kind)}`)
    }
  }
}

function checkCid (cid: string): void {
  try {
    parseShardCid(cid)
  } catch (err) {
    throw new Violation((err as Error).message)
  }
}

/** ShardRequest field 3 (data), length-delimited: the key byte (3 << 3 | 2) */
const DATA_FIELD_KEY = Uint8Array.of(3 << 3 | 2)

/**
 * A PUT as the pieces of its ShardRequest encoding: every other field, then
 * field 3 (data) written last around the shard itself, not copied into one
 * frame. Protobuf decoders take fields in any order, so the peer decodes
 * exactly what ShardRequest.encode would have sent. Why: the copy was a
 * second shard-sized allocation per PUT, and on the sharer V8's collector
 * (driven by such external memory) used more CPU than its main thread
 * (per-thread CPU of a 128 MiB share, issue 12).
 */
export function putRequest (cid: string, data: Uint8Array, leaseMs: number, group?: string): Uint8ArrayList {
  const rest = ShardRequest.encode({ kind: ShardRequest.Kind.PUT, cid, data: new Uint8Array(0), leaseMs, cids: [], nonce: NO_NONCE, group })
  return new Uint8ArrayList(rest, DATA_FIELD_KEY, varint.encode(data.byteLength), data)
}

function statusError (peerId: string, res: ShardResponse): WgtError {
  const why = res.message !== '' ? `: ${res.message.slice(0, 200)}` : ''
  switch (res.status) {
    case ShardResponse.Status.DENIED: return new WgtError('POLICY_DENIED', `${peerId} refused the shard${why}`)
    case ShardResponse.Status.QUOTA: return new WgtError('QUOTA_EXCEEDED', `${peerId} has no room for the shard${why}`)
    case ShardResponse.Status.NOT_FOUND: return new WgtError('NOT_FOUND', `${peerId} does not hold the shard`)
    case ShardResponse.Status.INVALID: return new WgtError('INTEGRITY', `${peerId} rejected the request${why}`)
    case ShardResponse.Status.BUSY: return new WgtError('UNAVAILABLE', `${peerId} is busy with our requests; try later${why}`)
    default: return new WgtError('UNAVAILABLE', `${peerId} could not serve the request${why}`)
  }
}

export function shardService (init: ShardServiceInit): (components: ShardServiceComponents) => ShardService {
  return (components) => new ShardService(components, init)
}
