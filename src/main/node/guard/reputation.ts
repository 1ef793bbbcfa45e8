/**
 * Reputation: every protocol handler reports a peer's violations (malformed,
 * oversized or out-of-order messages, a sender too slow, a flood) here.
 * Enough of them within the window moves the peer to purgatory; more bans it
 * for banMs, doubling for each ban the peer earned before (up to maxBanMs).
 * A ban does not lapse when the violations age out of the window: it lasts
 * until its expiry, across restarts. The book is kept in the datastore under
 * /wgt/guard/reputation; records with no recent violation and no ban are
 * pruned, and the book never holds more than maxPeers records (a flood of
 * fresh PeerIds cannot grow it without bound; past it the oldest go, bans
 * last).
 */
import { Key, type Datastore } from 'interface-datastore'
import type { Reputation as ReputationInfo, ReputationState } from '../../../shared/api/index.js'

export interface ReputationInit {
  /** violations within windowMs that put a peer in purgatory */
  purgatoryAt?: number
  /** violations within windowMs that ban a peer */
  banAt?: number
  windowMs?: number
  /** how long a first ban lasts; each later ban of the same peer lasts twice as long */
  banMs?: number
  maxBanMs?: number
  /** records kept at most; the oldest unbanned go first */
  maxPeers?: number
  now?: () => number
}

export interface ViolationReporter {
  recordViolation: (peerId: string, reason: string) => void
}

interface PeerRecord {
  /** ms since epoch of each violation within the window */
  times: number[]
  lastReason: string
  /** ms since epoch when the current ban ends; 0 = not banned */
  bannedUntil: number
  /** bans this peer earned, for the doubling */
  bans: number
}

const PREFIX = '/wgt/guard/reputation'
const encoder = new TextEncoder()
const decoder = new TextDecoder()

export type ReputationListener = (peerId: string, info: ReputationInfo, reason: string) => void

export class ReputationBook implements ViolationReporter {
  private readonly records = new Map<string, PeerRecord>()
  private readonly purgatoryAt: number
  private readonly banAt: number
  private readonly windowMs: number
  private readonly banMs: number
  private readonly maxBanMs: number
  private readonly maxPeers: number
  private readonly now: () => number
  private readonly listeners = new Set<ReputationListener>()
  /** peers whose record changed since the last flush */
  private readonly dirty = new Set<string>()
  private flushing: Promise<void> = Promise.resolve()
  private flushTimer: ReturnType<typeof setTimeout> | undefined
  private lastPrune = -Infinity

  constructor (init: ReputationInit = {}, private readonly datastore?: Datastore) {
    this.purgatoryAt = init.purgatoryAt ?? 3
    this.banAt = init.banAt ?? 10
    this.windowMs = init.windowMs ?? 10 * 60_000
    this.banMs = init.banMs ?? 24 * 3600_000
    this.maxBanMs = init.maxBanMs ?? 30 * 24 * 3600_000
    this.maxPeers = init.maxPeers ?? 10_000
    this.now = init.now ?? Date.now
  }

  /** Read the persisted book; expired records are dropped on the way. */
  async load (): Promise<void> {
    if (this.datastore == null) return
    for await (const { key, value } of this.datastore.query({ prefix: PREFIX })) {
      const peerId = key.baseNamespace()
      try {
        const r = JSON.parse(decoder.decode(value)) as Partial<PeerRecord>
        this.records.set(peerId, {
          times: Array.isArray(r.times) ? r.times.filter(t => typeof t === 'number') : [],
          lastReason: typeof r.lastReason === 'string' ? r.lastReason : '',
          bannedUntil: typeof r.bannedUntil === 'number' ? r.bannedUntil : 0,
          bans: typeof r.bans === 'number' ? r.bans : 0
        })
      } catch {
        this.dirty.add(peerId) // unreadable: flush deletes it
      }
    }
    this.prune()
    await this.flush()
  }

  recordViolation (peerId: string, reason: string): void {
    let rec = this.records.get(peerId)
    if (rec == null) {
      if (this.records.size >= this.maxPeers) this.evictOne()
      rec = { times: [], lastReason: reason, bannedUntil: 0, bans: 0 }
      this.records.set(peerId, rec)
    }
    const t = this.now()
    rec.times = rec.times.filter(x => x >= t - this.windowMs)
    rec.times.push(t)
    // more violations from a banned peer (on a connection racing the ban) add nothing
    if (rec.times.length > this.banAt) rec.times.splice(0, rec.times.length - this.banAt)
    rec.lastReason = reason
    if (rec.times.length >= this.banAt && rec.bannedUntil <= t) {
      rec.bannedUntil = t + Math.min(this.maxBanMs, this.banMs * 2 ** rec.bans)
      rec.bans++
    }
    this.markDirty(peerId)
    const info = this.get(peerId)
    for (const l of this.listeners) l(peerId, info, reason)
  }

  get (peerId: string): ReputationInfo {
    const rec = this.records.get(peerId)
    if (rec == null) return { state: 'active', violations: 0, bannedUntil: null, lastReason: null }
    const t = this.now()
    const n = rec.times.filter(x => x >= t - this.windowMs).length
    const banned = rec.bannedUntil > t
    const state: ReputationState = banned ? 'banned' : n >= this.purgatoryAt ? 'purgatory' : 'active'
    return { state, violations: n, bannedUntil: banned ? rec.bannedUntil : null, lastReason: rec.lastReason === '' ? null : rec.lastReason }
  }

  isBanned (peerId: string): boolean {
    const rec = this.records.get(peerId)
    return rec != null && rec.bannedUntil > this.now()
  }

  /** Peers banned now, for the UI's ban list. */
  banned (): string[] {
    const t = this.now()
    return [...this.records].filter(([, r]) => r.bannedUntil > t).map(([id]) => id)
  }

  /** The user lifts a ban (and forgets the violations that led to it). */
  unban (peerId: string): void {
    const rec = this.records.get(peerId)
    if (rec == null) return
    rec.bannedUntil = 0
    rec.times = []
    this.markDirty(peerId)
    const info = this.get(peerId)
    for (const l of this.listeners) l(peerId, info, 'unbanned by the user')
  }

  onChange (listener: ReputationListener): () => void {
    this.listeners.add(listener)
    return () => { this.listeners.delete(listener) }
  }

  /** Drop what no longer says anything: no violation in the window and no ban running. */
  prune (): void {
    const t = this.now()
    for (const [id, rec] of this.records) {
      rec.times = rec.times.filter(x => x >= t - this.windowMs)
      // a peer banned before is remembered while a ban could still double (maxBanMs after its last)
      const remembered = rec.bans > 0 && rec.bannedUntil + this.maxBanMs > t
      if (rec.times.length === 0 && rec.bannedUntil <= t && !remembered) {
        this.records.delete(id)
        this.dirty.add(id)
      }
    }
  }

  /** Write every changed record now (and delete pruned ones); the node calls it on stop. */
  async flush (): Promise<void> {
    if (this.flushTimer != null) { clearTimeout(this.flushTimer); this.flushTimer = undefined }
    const ds = this.datastore
    if (ds == null) { this.dirty.clear(); return }
    const ids = [...this.dirty]
    this.dirty.clear()
    this.flushing = this.flushing.then(async () => {
      const batch = ds.batch()
      for (const id of ids) {
        const rec = this.records.get(id)
        const key = new Key(`${PREFIX}/${id}`)
        if (rec == null) batch.delete(key)
        else batch.put(key, encoder.encode(JSON.stringify(rec)))
      }
      await batch.commit()
    })
    await this.flushing
  }

  private markDirty (peerId: string): void {
    this.dirty.add(peerId)
    if (this.datastore == null || this.flushTimer != null) return
    // violations come in bursts: one write a second at most
    this.flushTimer = setTimeout(() => { this.flushTimer = undefined; void this.flush().catch(() => {}) }, 1000)
    this.flushTimer.unref()
  }

  private evictOne (): void {
    const t = this.now()
    // pruning scans every record: at most once a second, however fast fresh identities arrive
    if (t - this.lastPrune >= 1000) { this.lastPrune = t; this.prune() }
    if (this.records.size < this.maxPeers) return
    // the first unbanned in insertion order (the oldest), else the oldest ban: the book stays bounded
    let victim: string | undefined
    for (const [id, rec] of this.records) {
      victim ??= id
      if (rec.bannedUntil <= t) { victim = id; break }
    }
    if (victim != null) { this.records.delete(victim); this.dirty.add(victim) }
  }
}
