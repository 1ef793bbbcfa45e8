/**
 * Placement: which peers keep the shards of a file. Candidates come from the
 * node's peer selection (net/selection.ts) at placement time (connected,
 * speaking the shard protocol, reputation active) and each shard goes to the best candidate not
 * already holding a shard of the same segment, so one lost peer costs a
 * segment at most one shard. Best = fewest shards of this file so far (spread),
 * then most free disk, then lowest RTT. A failed put moves the shard to the
 * next candidate at once. A peer that refuses (policy, quota) is skipped for
 * the rest of the file; other failures (a dropped connection: libp2p aborts
 * connections whose keep-alive ping fails under load) rest the peer for a
 * moment, and only a third one drops it for the file.
 */
import { WgtError } from '../../../shared/errors.js'
import type { Candidate } from '../net/selection.js'

const GIB = 2 ** 30
const RESTING_MS = 1000
const MAX_STRIKES = 3

export type PutShard = (peerId: string, cid: string, bytes: Uint8Array) => Promise<void>

export class Placer {
  private readonly given = new Map<string, number>()
  private readonly failed = new Map<string, string>()
  private readonly strikes = new Map<string, { count: number, until: number }>()

  constructor (private readonly candidates: Candidate[], private readonly put: PutShard, private readonly signal?: AbortSignal) {}

  get peerCount (): number { return this.candidates.length }

  /** Peers dropped for the rest of the file, with why. */
  failures (): Map<string, string> { return this.failed }

  /**
   * Put the shard on one peer not in `avoid` (the segment's other holders) if
   * any is left, else on the least-loaded working peer. Returns the peer, or
   * null when no remote peer took it (the caller keeps it locally).
   */
  async place (cid: string, bytes: Uint8Array, avoid: Set<string>): Promise<string | null> {
    const tried = new Set<string>()
    for (;;) {
      const peer = this.pick(avoid, tried)
      if (peer == null) return null
      tried.add(peer)
      // reserve it for this segment at once: the segment's other shards are being placed concurrently
      const reserved = !avoid.has(peer)
      avoid.add(peer)
      // count it before the put completes so concurrent placements spread too
      this.given.set(peer, (this.given.get(peer) ?? 0) + 1)
      try {
        await this.put(peer, cid, bytes)
        return peer
      } catch (err) {
        this.given.set(peer, (this.given.get(peer) ?? 1) - 1)
        if (reserved) avoid.delete(peer)
        if (this.signal?.aborted === true) throw err
        this.strike(peer, err)
      }
    }
  }

  private strike (peer: string, err: unknown): void {
    const code = err instanceof WgtError ? err.code : 'INTERNAL'
    const s = this.strikes.get(peer) ?? { count: 0, until: 0 }
    s.count++
    s.until = Date.now() + RESTING_MS
    this.strikes.set(peer, s)
    if (code === 'POLICY_DENIED' || code === 'QUOTA_EXCEEDED' || s.count >= MAX_STRIKES) this.failed.set(peer, (err as Error).message)
  }

  pick (avoid: Set<string>, tried: Set<string> = new Set()): string | null {
    const now = Date.now()
    const usable = this.candidates.filter(c => !this.failed.has(c.peerId) && !tried.has(c.peerId) && (this.strikes.get(c.peerId)?.until ?? 0) <= now)
    const fresh = usable.filter(c => !avoid.has(c.peerId))
    const pool = fresh.length > 0 ? fresh : usable
    let best: Candidate | null = null
    for (const c of pool) if (best == null || this.better(c, best)) best = c
    return best?.peerId ?? null
  }

  private better (a: Candidate, b: Candidate): boolean {
    const ga = this.given.get(a.peerId) ?? 0
    const gb = this.given.get(b.peerId) ?? 0
    if (ga !== gb) return ga < gb
    // whole GiB buckets: a few MiB of difference in free space should not outweigh RTT
    const da = Math.floor(a.diskFree / GIB)
    const db = Math.floor(b.diskFree / GIB)
    if (da !== db) return da > db
    return a.rttMs < b.rttMs
  }
}
