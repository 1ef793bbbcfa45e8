/**
 * Reputation: every protocol handler reports a peer's violations (malformed,
 * oversized or out-of-order messages) here. Enough of them within the window
 * moves the peer to purgatory, more to banned; the peer directory shows the
 * state and the connection gater refuses banned peers.
 */
import type { Reputation as ReputationInfo, ReputationState } from '../../../shared/api/index.js'

export interface ReputationInit {
  /** violations within windowMs that put a peer in purgatory */
  purgatoryAt?: number
  /** violations within windowMs that ban a peer */
  banAt?: number
  windowMs?: number
  now?: () => number
}

export interface ViolationReporter {
  recordViolation: (peerId: string, reason: string) => void
}

interface Record { times: number[], lastReason: string }

export class ReputationBook implements ViolationReporter {
  private readonly records = new Map<string, Record>()
  private readonly purgatoryAt: number
  private readonly banAt: number
  private readonly windowMs: number
  private readonly now: () => number
  private readonly listeners = new Set<(peerId: string, info: ReputationInfo, reason: string) => void>()

  constructor (init: ReputationInit = {}) {
    this.purgatoryAt = init.purgatoryAt ?? 3
    this.banAt = init.banAt ?? 10
    this.windowMs = init.windowMs ?? 10 * 60_000
    this.now = init.now ?? Date.now
  }

  recordViolation (peerId: string, reason: string): void {
    let rec = this.records.get(peerId)
    if (rec == null) { rec = { times: [], lastReason: reason }; this.records.set(peerId, rec) }
    rec.times.push(this.now())
    rec.lastReason = reason
    const info = this.get(peerId)
    for (const l of this.listeners) l(peerId, info, reason)
  }

  get (peerId: string): ReputationInfo {
    const rec = this.records.get(peerId)
    if (rec == null) return { state: 'active', violations: 0 }
    const since = this.now() - this.windowMs
    rec.times = rec.times.filter(t => t >= since)
    const n = rec.times.length
    const state: ReputationState = n >= this.banAt ? 'banned' : n >= this.purgatoryAt ? 'purgatory' : 'active'
    return { state, violations: n }
  }

  isBanned (peerId: string): boolean {
    return this.get(peerId).state === 'banned'
  }

  onChange (listener: (peerId: string, info: ReputationInfo, reason: string) => void): () => void {
    this.listeners.add(listener)
    return () => { this.listeners.delete(listener) }
  }
}
