/**
 * The DHT side of files: announcing what we hold (every holder announces its
 * own shards, so a file outlives the sharer's placement list) and finding
 * providers when known placement is not enough. Both are bounded in time;
 * announcements run in the background through a small queue.
 */
import type { Libp2p, Logger } from '@libp2p/interface'
import { parseShardCid } from '../ces/index.js'
import { anySignal } from '../wire/index.js'

export interface LocatorInit {
  /** how long one provider lookup may take (default 8 s) */
  lookupTimeoutMs?: number
  /** providers collected per lookup (default 20) */
  maxProviders?: number
  /** a lookup result is reused this long (default 30 s) */
  cacheMs?: number
}

export class Locator {
  private readonly cache = new Map<string, { at: number, peers: Promise<string[]> }>()
  private readonly lookupTimeoutMs: number
  private readonly maxProviders: number
  private readonly cacheMs: number

  constructor (private readonly libp2p: Libp2p, init: LocatorInit = {}) {
    this.lookupTimeoutMs = init.lookupTimeoutMs ?? 8000
    this.maxProviders = init.maxProviders ?? 20
    this.cacheMs = init.cacheMs ?? 30_000
  }

  /** PeerIds (not us) that announced the shard; [] when the lookup finds none in time. */
  async providers (cid: string, signal?: AbortSignal): Promise<string[]> {
    const hit = this.cache.get(cid)
    if (hit != null && Date.now() - hit.at < this.cacheMs) return await hit.peers
    const peers = this.lookup(cid, signal)
    this.cache.set(cid, { at: Date.now(), peers })
    if (this.cache.size > 4096) this.cache.delete(this.cache.keys().next().value as string)
    // a failed or aborted lookup must not be served from the cache to the next caller
    peers.catch(() => { this.cache.delete(cid) })
    return await peers
  }

  private async lookup (cid: string, signal?: AbortSignal): Promise<string[]> {
    const self = this.libp2p.peerId.toString()
    const found = new Set<string>()
    const s = anySignal(signal, this.lookupTimeoutMs)
    try {
      for await (const p of this.libp2p.contentRouting.findProviders(parseShardCid(cid).cid, { signal: s })) {
        const id = p.id.toString()
        if (id === self) continue
        // remember its addresses so the GET that follows can dial it
        if (p.multiaddrs.length > 0) await this.libp2p.peerStore.merge(p.id, { multiaddrs: p.multiaddrs }).catch(() => {})
        found.add(id)
        if (found.size >= this.maxProviders) break
      }
    } catch (err) {
      // a lookup that timed out still returns what it found; the caller's abort propagates
      if (signal?.aborted === true) throw err
    }
    return [...found]
  }
}

/**
 * Announces CIDs (file groups, groups.ts, and root records) on the DHT in the
 * background. A provide is a whole DHT query plus an RPC to each of the
 * closest peers: measured on 6 loopback nodes, announcing each shard as it
 * landed made a 64 MiB share 3× slower. So announcements wait until stores
 * have been quiet for quietMs (at most maxDelayMs), then run two at a time,
 * and a CID announced in the last REANNOUNCE_MS is not announced again (a
 * file's shards keep arriving for the length of a share; kad-dht reprovides
 * what was provided on its own schedule).
 */
/** a CID provided this recently is not provided again (kad-dht's own reprovider keeps its records alive) */
const REANNOUNCE_MS = 3600_000
/** CIDs remembered as recently provided, oldest dropped first */
const MAX_RECENT = 8192

export class Announcer {
  private readonly recent = new Map<string, number>()
  private readonly queue: string[] = []
  private readonly queued = new Set<string>()
  private active = 0
  private readonly ctrl = new AbortController()
  private readonly idleWaiters: Array<() => void> = []
  private timer: ReturnType<typeof setTimeout> | undefined
  private firstQueuedAt = 0
  private stopped = false

  constructor (private readonly libp2p: Libp2p, private readonly log: Logger, private readonly opts: { concurrency?: number, timeoutMs?: number, quietMs?: number, maxDelayMs?: number } = {}) {}

  announce (cid: string): void {
    if (this.stopped || this.queued.has(cid)) return
    const at = this.recent.get(cid)
    if (at != null && Date.now() - at < REANNOUNCE_MS) return
    this.queued.add(cid)
    this.queue.push(cid)
    if (this.active > 0) return
    const now = Date.now()
    if (this.timer == null) this.firstQueuedAt = now
    clearTimeout(this.timer)
    const wait = Math.min(this.opts.quietMs ?? 1000, Math.max(0, this.firstQueuedAt + (this.opts.maxDelayMs ?? 10_000) - now))
    this.timer = setTimeout(() => { this.timer = undefined; this.pump() }, wait)
    this.timer.unref?.()
  }

  /** We no longer hold it: do not announce it again (the DHT's records of it expire on their own). */
  withdraw (cid: string): void {
    this.recent.delete(cid)
    if (this.queued.delete(cid)) {
      const i = this.queue.indexOf(cid)
      if (i >= 0) this.queue.splice(i, 1)
    }
    if (this.stopped) return
    void this.libp2p.contentRouting.cancelReprovide(parseShardCid(cid).cid).catch(() => {})
  }

  /** Resolves when everything queued so far was attempted (tests and benchmarks wait on it). */
  async idle (): Promise<void> {
    if (this.active === 0 && this.queue.length === 0) return
    await new Promise<void>(resolve => { this.idleWaiters.push(resolve) })
  }

  stop (): void {
    this.stopped = true
    clearTimeout(this.timer)
    this.timer = undefined
    this.queue.length = 0
    this.queued.clear()
    this.ctrl.abort()
    for (const w of this.idleWaiters.splice(0)) w()
  }

  private remember (cid: string): void {
    if (this.stopped) return
    this.recent.delete(cid)
    this.recent.set(cid, Date.now())
    if (this.recent.size > MAX_RECENT) this.recent.delete(this.recent.keys().next().value as string)
  }

  private pump (): void {
    while (!this.stopped && this.active < (this.opts.concurrency ?? 2) && this.queue.length > 0) {
      const cid = this.queue.shift() as string
      this.active++
      this.libp2p.contentRouting.provide(parseShardCid(cid).cid, { signal: anySignal(this.ctrl.signal, this.opts.timeoutMs ?? 30_000) })
        .then(() => { this.remember(cid) }, err => { this.log('announcing %s failed: %s', cid, (err as Error).message) })
        .finally(() => {
          this.active--
          this.queued.delete(cid)
          if (this.active === 0 && this.queue.length === 0) for (const w of this.idleWaiters.splice(0)) w()
          this.pump()
        })
    }
  }
}
