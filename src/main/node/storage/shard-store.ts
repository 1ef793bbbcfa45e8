/**
 * The node's shard store: content-addressed files under DATA/shards, a quota,
 * and leases that decide what garbage collection may remove.
 *
 * Two pools share the quota: this node's own shards (its files, shared or
 * fetched: leases owned by its PeerId) and storage for others. Others are
 * held to their pool and each peer to its byte and shard-count quota, so no
 * stranger can stop the user sharing their own files (DESIGN.md §6). Every
 * figure counts a shard's size rounded up to the filesystem block.
 *
 * Usage and the set of stored shards are kept in memory (built by a scan at
 * open) because the shard protocol asks "have / how much room" on every
 * request; every change goes through this class, and a file found missing on
 * read is dropped from the index.
 */
import { createHash } from 'node:crypto'
import { mkdir, readFile, stat, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { logger } from '@libp2p/logger'
import type { Logger } from '@libp2p/interface'
import type { Datastore } from 'interface-datastore'
import { WgtError } from '../../../shared/errors.js'
import { fsyncDir, writeFileAtomic } from './atomic-write.js'
import { parseShardCid } from '../ces/cid.js'
import { fanoutDir, shardPath } from './cid-path.js'
import { KeyedLock } from './keyed-lock.js'
import { LeaseBook, checkLease, type Lease } from './leases.js'
import { OwnerLedger } from './owner-ledger.js'
import { scanShardDir } from './scan.js'

/** Leases are hours to days long; collecting every 10 minutes keeps space timely without churning the disk. */
export const DEFAULT_GC_INTERVAL_MS = 10 * 60_000

export interface ShardStoreOptions {
  /** DATA/shards */
  dir: string
  /** the node's datastore; lease metadata goes under /wgt/storage */
  datastore: Datastore
  quotaBytes: number
  /** the filesystem's block: what the smallest file costs (default 4096) */
  blockSize?: number
  /** limits on storage for others; defaults follow the quota (defaultPools) */
  pools?: Partial<OthersLimits>
  gcIntervalMs?: number
  now?: () => number
  /** where a failed periodic gc is reported (nobody awaits it) */
  log?: Logger
}

export type PutResult = 'stored' | 'renewed'

export interface OthersLimits {
  /** bytes of shards kept for other peers, all together */
  pool: number
  /** bytes and shards one peer may keep here */
  perPeerBytes: number
  perPeerShards: number
}

export interface StorageStats {
  used: number
  quota: number
  shards: number
  /** of those, the shards this node keeps for its own files (shared or fetched), under its own lease */
  own: { bytes: number, shards: number }
  /** the rest: kept for other peers */
  others: OthersLimits & { bytes: number, shards: number, peers: number }
  blockSize: number
}

/** Half the quota for others, an eighth of that (at least 64 MiB) per peer, 4096 shards per peer. */
export function defaultPools (quota: number): OthersLimits {
  const pool = Math.floor(quota / 2)
  return { pool, perPeerBytes: Math.min(pool, Math.max(64 * 2 ** 20, Math.floor(pool / 8))), perPeerShards: 4096 }
}

export class ShardStore {
  private readonly dir: string
  private readonly leases: LeaseBook
  private readonly now: () => number
  private readonly gcIntervalMs: number
  private readonly log: Logger
  private readonly lock = new KeyedLock()
  /** cid → bytes it takes on disk (rounded up to the block), for every shard under its final name */
  private readonly sizes = new Map<string, number>()
  private readonly blockSize: number
  private readonly ledger = new OwnerLedger(cid => this.sizes.get(cid) ?? 0)
  private limits: OthersLimits
  /** of `reserved`, what puts for others promised, in all and per peer */
  private reservedOthers = 0
  private readonly reservedFor = new Map<string, number>()
  private used = 0
  /** the owner whose leases are this node's own (its PeerId), and the shards it holds a lease on */
  private self: string | null = null
  private readonly own = new Set<string>()
  private ownBytes = 0
  /** bytes promised to puts that passed the quota check but have not landed yet */
  private reserved = 0
  private quota: number
  private timer: ReturnType<typeof setInterval> | undefined
  /** gc rounds run one after another; this is the latest one queued */
  private gcTail: Promise<unknown> = Promise.resolve()
  private gcActive = 0
  /** aborted by stop(): ends a scrub between shards */
  private stopping = new AbortController()
  private readonly removeListeners = new Set<(cid: string) => void>()
  /**
   * Fan-out directories known to exist: a recursive mkdir on every put was
   * 1.5% of a sharer's CPU (perf, 256 MiB shared, issue 12). Nothing here
   * removes them; one removed by hand makes the write fail with ENOENT, and
   * the directory is made again.
   */
  private readonly madeDirs = new Set<string>()

  private constructor (opts: ShardStoreOptions) {
    this.dir = opts.dir
    this.leases = new LeaseBook(opts.datastore)
    this.now = opts.now ?? Date.now
    this.quota = checkQuota(opts.quotaBytes)
    this.blockSize = opts.blockSize != null && opts.blockSize > 0 ? opts.blockSize : 4096
    this.limits = { ...defaultPools(this.quota), ...opts.pools }
    this.gcIntervalMs = opts.gcIntervalMs ?? DEFAULT_GC_INTERVAL_MS
    // Above 2^31-1 ms Node's timers silently fall back to 1 ms, which would spin gc.
    if (!Number.isSafeInteger(this.gcIntervalMs) || this.gcIntervalMs < 1 || this.gcIntervalMs > 2 ** 31 - 1) {
      throw new WgtError('INVALID_INPUT', `gcIntervalMs must be a whole number of ms from 1 to 2^31-1, got ${opts.gcIntervalMs}`)
    }
    this.log = opts.log ?? logger('wgt:storage')
  }

  static async open (opts: ShardStoreOptions): Promise<ShardStore> {
    const store = new ShardStore(opts)
    try {
      await mkdir(store.dir, { recursive: true, mode: 0o700 })
      for (const [cid, size] of await scanShardDir(store.dir)) {
        const onDisk = store.charge(size)
        store.sizes.set(cid, onDisk)
        store.used += onDisk
      }
    } catch (err) {
      throw new WgtError('UNAVAILABLE', `cannot open shard store at ${store.dir}: ${(err as Error).message}`, { cause: err })
    }
    return store
  }

  /**
   * hashed: this node has just hashed these very bytes to this CID (the encoder
   * that named them, a fetch that checked them on arrival), so they are not
   * hashed again: a sharer's own copy is 1.5x the file, a fetcher's as large as
   * it, and each second SHA-256 ran on the main thread (~0.65 ms per MiB here).
   * Bytes from a peer are always hashed.
   */
  async put (cid: string, bytes: Uint8Array, lease: Lease, options: { hashed?: boolean } = {}): Promise<PutResult> {
    const { text, digest } = parseShardCid(cid)
    if (!(bytes instanceof Uint8Array)) throw new WgtError('INVALID_INPUT', 'shard bytes must be a Uint8Array')
    const checked = checkLease(lease, this.now())
    // Checked even when we already hold the shard: a peer sending bytes that do not
    // match their address is misbehaving, whatever we do with them.
    if (options.hashed !== true && !sha256(bytes).equals(digest)) throw new WgtError('INTEGRITY', `shard bytes do not hash to ${text}`)

    const forOthers = checked.owner !== this.self
    return await this.lock.run(text, async () => {
      const need = this.charge(bytes.length)
      if (this.sizes.has(text)) {
        if (forOthers && !this.ledger.has(text, checked.owner)) this.checkPeer(checked.owner, need)
        await this.leases.extend(text, checked)
        this.noteOwner(text, checked.owner)
        return 'renewed'
      }
      // Check and reserve with no await in between, so parallel puts of different
      // shards cannot all pass the check and overshoot together.
      if (this.used + this.reserved + need > this.quota) {
        throw new WgtError('QUOTA_EXCEEDED', `storage quota exceeded: ${this.used} of ${this.quota} bytes used` +
          `${this.reserved > 0 ? ` (+${this.reserved} being written)` : ''}, this shard needs ${need}`)
      }
      if (forOthers) {
        const others = this.used - this.ownBytes
        if (others + this.reservedOthers + need > this.limits.pool) {
          throw new WgtError('QUOTA_EXCEEDED', `storage for others is full: ${others} of ${this.limits.pool} bytes used, this shard needs ${need}`)
        }
        this.checkPeer(checked.owner, need)
        this.reservedOthers += need
        this.reservedFor.set(checked.owner, (this.reservedFor.get(checked.owner) ?? 0) + need)
      }
      this.reserved += need
      try {
        // Lease first: gc must never see the shard without the lease that keeps it.
        await this.leases.extend(text, checked)
        await this.writeShard(text, bytes)
        this.sizes.set(text, need)
        this.used += need
        this.noteOwner(text, checked.owner)
        return 'stored'
      } finally {
        this.reserved -= need
        if (forOthers) {
          this.reservedOthers -= need
          const left = (this.reservedFor.get(checked.owner) ?? need) - need
          if (left > 0) this.reservedFor.set(checked.owner, left)
          else this.reservedFor.delete(checked.owner)
        }
      }
    })
  }

  /**
   * No hash check here: every reader verifies what it gets, and scrub() covers what we hold.
   * Typed over a plain ArrayBuffer so it can go straight into a protons message.
   */
  async get (cid: string): Promise<Uint8Array<ArrayBuffer> | null> {
    const { text } = parseShardCid(cid)
    try {
      const buf = await readFile(shardPath(this.dir, text))
      return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength)
    } catch (err) {
      if (isMissing(err)) {
        await this.forgetIfGone(text)
        return null
      }
      throw new WgtError('UNAVAILABLE', `cannot read shard ${text}: ${(err as Error).message}`, { cause: err })
    }
  }

  /** Does `owner` hold a live lease on the shard (as of the last put, renewal or gc)? */
  leasedBy (cid: string, owner: string): boolean {
    return this.ledger.has(parseShardCid(cid).text, owner)
  }

  /** Bytes the shard takes here (rounded up to the block); undefined when not held. */
  sizeOf (cid: string): number | undefined {
    return this.sizes.get(parseShardCid(cid).text)
  }

  async has (cid: string): Promise<boolean> {
    return this.sizes.has(parseShardCid(cid).text)
  }

  async hasMany (cids: string[]): Promise<boolean[]> {
    if (!Array.isArray(cids)) throw new WgtError('INVALID_INPUT', 'cids must be an array')
    return cids.map(cid => this.sizes.has(parseShardCid(cid).text))
  }

  /** Removes the shard and every lease on it. Deleting an absent shard is not an error. */
  async delete (cid: string): Promise<void> {
    const { text } = parseShardCid(cid)
    await this.lock.run(text, async () => {
      await this.removeShard(text)
      await this.leases.removeAll(text)
    })
  }

  /**
   * `owner` no longer needs the shard: its lease goes, and the shard with it
   * when no other live lease keeps it. Releasing what is not held is not an error.
   */
  async release (cid: string, owner: string): Promise<void> {
    const { text } = parseShardCid(cid)
    await this.lock.run(text, async () => {
      const list = await this.leases.list(text)
      await this.leases.remove(text, list.filter(l => l.owner === owner).map(l => l.owner))
      this.ledger.remove(text, owner)
      if (owner === this.self) this.disown(text)
      const now = this.now()
      if (list.some(l => l.owner !== owner && l.expiresAt > now)) return
      await this.removeShard(text)
      await this.leases.removeAll(text)
    })
  }

  /**
   * The owner's node renews its lease: extended only where `owner` already
   * holds one (a renewal never creates a lease, so it costs no quota check).
   */
  async renew (cid: string, owner: string, expiresAt: number): Promise<boolean> {
    const { text } = parseShardCid(cid)
    const checked = checkLease({ owner, expiresAt }, this.now())
    return await this.lock.run(text, async () => {
      if (!this.sizes.has(text)) return false
      const mine = (await this.leases.list(text)).some(l => l.owner === owner && l.expiresAt > this.now())
      if (!mine) return false
      await this.leases.extend(text, checked)
      return true
    })
  }

  /**
   * SHA-256(nonce || shard): an answer to a storage challenge that cannot be
   * given without the shard's bytes. null when the shard is not held.
   */
  async prove (cid: string, nonce: Uint8Array): Promise<Uint8Array | null> {
    const bytes = await this.get(cid)
    if (bytes == null) return null
    // bytes that rotted on disk are not the shard: drop it rather than answer for it (and be counted as lying)
    if (!sha256(bytes).equals(parseShardCid(cid).digest)) {
      await this.delete(cid)
      return null
    }
    return createHash('sha256').update(nonce).update(bytes).digest()
  }

  /** CIDs of every stored shard, e.g. to re-announce them on the DHT. */
  cids (): string[] {
    return [...this.sizes.keys()]
  }

  stats (): StorageStats {
    return {
      used: this.used,
      quota: this.quota,
      shards: this.sizes.size,
      own: { bytes: this.ownBytes, shards: this.own.size },
      others: { ...this.limits, bytes: this.used - this.ownBytes, shards: this.sizes.size - this.own.size, peers: this.ledger.owners() },
      blockSize: this.blockSize
    }
  }

  /** What one peer keeps here (bytes rounded up to the block). */
  usageOf (peerId: string): { bytes: number, shards: number } {
    return this.ledger.usage(peerId)
  }

  /** New limits apply to the next put; nothing already stored is evicted. */
  setLimits (limits: Partial<OthersLimits>): void {
    const next = { ...this.limits, ...limits }
    for (const [k, v] of Object.entries(next)) {
      if (!Number.isSafeInteger(v) || v < 0) throw new WgtError('INVALID_INPUT', `${k} must be a non-negative whole number, got ${v}`)
    }
    this.limits = next
  }

  /** The size a file of `bytes` takes on disk. */
  charge (bytes: number): number {
    return Math.ceil(bytes / this.blockSize) * this.blockSize
  }

  private checkPeer (owner: string, need: number): void {
    const u = this.ledger.usage(owner)
    if (u.shards + 1 > this.limits.perPeerShards) {
      throw new WgtError('QUOTA_EXCEEDED', `your quota on this node is used up: ${u.shards} of ${this.limits.perPeerShards} shards`)
    }
    if (u.bytes + (this.reservedFor.get(owner) ?? 0) + need > this.limits.perPeerBytes) {
      throw new WgtError('QUOTA_EXCEEDED', `your quota on this node is used up: ${u.bytes} of ${this.limits.perPeerBytes} bytes, this shard needs ${need}`)
    }
  }

  /**
   * Whose leases are this node's own (known once libp2p has its PeerId):
   * counts what it already keeps for its files, and from now on what it adds.
   */
  async ownedBy (self: string): Promise<void> {
    this.self = self
    const now = this.now()
    for (const [cid, list] of await this.leases.all()) {
      for (const l of list) if (l.expiresAt > now) this.noteOwner(cid, l.owner)
    }
  }

  private noteOwner (cid: string, owner: string): void {
    if (owner !== this.self) {
      if (this.sizes.has(cid)) this.ledger.add(cid, owner)
      return
    }
    if (this.own.has(cid)) return
    const size = this.sizes.get(cid)
    if (size === undefined) return
    this.own.add(cid)
    this.ownBytes += size
  }

  private disown (cid: string): void {
    if (!this.own.delete(cid)) return
    this.ownBytes -= this.sizes.get(cid) ?? 0
  }

  /** A quota below current usage stores nothing new; it does not evict shards still under lease. */
  setQuota (bytes: number): void {
    this.quota = checkQuota(bytes)
  }

  /** Removes every shard whose leases have all expired (or that has none). Rounds never overlap. */
  async gc (): Promise<{ removed: number, freed: number }> {
    const round = this.gcTail.then(async () => await this.collect())
    this.gcTail = round.catch(() => {})
    this.gcActive++
    try {
      return await round
    } finally {
      this.gcActive--
    }
  }

  /**
   * Rehashes every stored shard; a corrupt one is deleted (with its leases) so
   * it is never served or announced again. Paced to bytesPerSecond so a big
   * store does not starve the disk; a stop() ends it between shards.
   */
  async scrub (opts: { bytesPerSecond?: number } = {}): Promise<{ checked: number, corrupt: string[] }> {
    let checked = 0
    let bytesRead = 0
    const started = Date.now()
    const corrupt: string[] = []
    const signal = this.stopping.signal
    for (const cid of [...this.sizes.keys()]) {
      if (signal.aborted) break
      if (opts.bytesPerSecond != null && opts.bytesPerSecond > 0) {
        const ahead = bytesRead / opts.bytesPerSecond * 1000 - (Date.now() - started)
        if (ahead > 0) await sleep(ahead, signal)
        if (signal.aborted) break
      }
      await this.lock.run(cid, async () => {
        if (!this.sizes.has(cid)) return
        let bytes: Buffer
        try {
          bytes = await readFile(shardPath(this.dir, cid))
        } catch (err) {
          if (isMissing(err)) { this.forget(cid); return }
          throw new WgtError('UNAVAILABLE', `cannot read shard ${cid}: ${(err as Error).message}`, { cause: err })
        }
        checked++
        bytesRead += bytes.length
        if (sha256(bytes).equals(parseShardCid(cid).digest)) return
        corrupt.push(cid)
        await this.removeShard(cid)
        await this.leases.removeAll(cid)
      })
    }
    return { checked, corrupt }
  }

  start (): void {
    if (this.timer !== undefined) return
    this.timer = setInterval(() => {
      // A slow round (a big disk) must not pile up more rounds behind it.
      if (this.gcActive > 0) return
      this.gc().catch(err => { this.log.error('shard gc failed - %e', err) })
    }, this.gcIntervalMs)
  }

  /** Stops periodic gc and scrub and waits for a gc round in progress; the store stays usable. */
  async stop (): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer)
    this.timer = undefined
    this.stopping.abort()
    this.stopping = new AbortController()
    await this.gcTail
  }

  /** Called with the CID of every shard that leaves the store (released, collected, rotten). */
  onRemove (listener: (cid: string) => void): () => void {
    this.removeListeners.add(listener)
    return () => { this.removeListeners.delete(listener) }
  }

  private async collect (): Promise<{ removed: number, freed: number }> {
    const now = this.now()
    const all = await this.leases.all()
    const candidates = new Set<string>()
    for (const cid of this.sizes.keys()) {
      if (!(all.get(cid) ?? []).some(l => l.expiresAt > now)) candidates.add(cid)
    }
    for (const [cid, list] of all) {
      // Lease records with no shard behind them are left by a put that failed or
      // crashed between writing the lease and the file; expired ones on live shards are just tidied.
      if (!this.sizes.has(cid) || list.some(l => l.expiresAt <= now)) candidates.add(cid)
    }

    let removed = 0
    let freed = 0
    for (const cid of candidates) {
      await this.lock.run(cid, async () => {
        // Decided again under the lock: a put may have renewed or stored it since the scan.
        const list = await this.leases.list(cid)
        const size = this.sizes.get(cid)
        const live = list.filter(l => l.expiresAt > now)
        if (size !== undefined && live.length > 0) {
          const expired = list.filter(l => l.expiresAt <= now).map(l => l.owner)
          await this.leases.remove(cid, expired)
          for (const owner of expired) {
            this.ledger.remove(cid, owner)
            if (owner === this.self) this.disown(cid)
          }
          return
        }
        if (size !== undefined) {
          await this.removeShard(cid)
          removed++
          freed += size
        }
        await this.leases.remove(cid, list.map(l => l.owner))
      })
    }
    return { removed, freed }
  }

  private async writeShard (cid: string, bytes: Uint8Array): Promise<void> {
    const sub = join(this.dir, fanoutDir(cid))
    try {
      if (!this.madeDirs.has(sub)) await this.makeDir(sub)
      try {
        await writeFileAtomic(shardPath(this.dir, cid), bytes)
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
        await this.makeDir(sub)
        await writeFileAtomic(shardPath(this.dir, cid), bytes)
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOSPC') {
        throw new WgtError('QUOTA_EXCEEDED', `disk full while storing shard ${cid} (${bytes.length} bytes)`, { cause: err })
      }
      throw new WgtError('UNAVAILABLE', `cannot store shard ${cid}: ${(err as Error).message}`, { cause: err })
    }
  }

  private async makeDir (sub: string): Promise<void> {
    this.madeDirs.delete(sub)
    // A new fan-out directory is itself an entry of the root that must survive a crash.
    if (await mkdir(sub, { recursive: true, mode: 0o700 }) !== undefined) await fsyncDir(this.dir)
    this.madeDirs.add(sub)
  }

  /**
   * The directory is not fsynced after an unlink: if the removal is lost in a
   * crash, the shard comes back without leases and the next gc removes it again.
   */
  private async removeShard (cid: string): Promise<void> {
    try {
      await unlink(shardPath(this.dir, cid))
    } catch (err) {
      if (!isMissing(err)) throw new WgtError('UNAVAILABLE', `cannot delete shard ${cid}: ${(err as Error).message}`, { cause: err })
    }
    this.forget(cid)
  }

  private forget (cid: string): void {
    const size = this.sizes.get(cid)
    if (size === undefined) return
    this.ledger.removeCid(cid)
    this.disown(cid)
    this.sizes.delete(cid)
    this.used -= size
    for (const l of this.removeListeners) l(cid)
  }

  /** A read found no file; confirm under the lock, since a put of the same shard may have landed meanwhile. */
  private async forgetIfGone (cid: string): Promise<void> {
    if (!this.sizes.has(cid)) return
    await this.lock.run(cid, async () => {
      try {
        await stat(shardPath(this.dir, cid))
      } catch (err) {
        if (isMissing(err)) this.forget(cid)
      }
    })
  }
}

function checkQuota (bytes: number): number {
  if (!Number.isSafeInteger(bytes) || bytes < 0) throw new WgtError('INVALID_INPUT', `quota must be a non-negative whole number of bytes, got ${bytes}`)
  return bytes
}

async function sleep (ms: number, signal: AbortSignal): Promise<void> {
  await new Promise<void>(resolve => {
    const t = setTimeout(done, ms)
    function done (): void { clearTimeout(t); signal.removeEventListener('abort', done); resolve() }
    signal.addEventListener('abort', done, { once: true })
  })
}

function sha256 (bytes: Uint8Array): Buffer {
  return createHash('sha256').update(bytes).digest()
}

function isMissing (err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT'
}
