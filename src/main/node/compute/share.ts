/**
 * Peers' share of the worker's slots (review M4). One requester may use
 * every slot while nobody else wants one (a big job on an idle worker is
 * the normal case), but once another peer has been turned away for want of
 * a slot, or an own task waits for one, a peer holds at most half of them:
 * the slots it gives back go to the others. So a permitted peer that keeps
 * slots busy (slow or silent requests, or many tasks) cannot keep everyone
 * else out. Several identities of one attacker can still share the slots
 * between them; who may send tasks at all is guard's compute policy (by
 * default, contacts).
 */
import type { Slots } from './slots.js'

/** how long a peer turned away counts as wanting a slot */
export const WANTED_MS = 60_000
/** peers remembered as turned away; past it the oldest are forgotten */
const MAX_REMEMBERED = 4096

/** A slot held for a peer's task. */
export interface PeerSlot {
  release: () => void
  /** did another peer (or an own task) want a slot while this one was held? */
  contended: () => boolean
}

export class SlotShare {
  private readonly held = new Map<string, number>()
  /** peer → when it was last turned away for want of a slot; Map order is time order */
  private readonly turnedAway = new Map<string, number>()

  constructor (private readonly slots: Slots, private readonly now: () => number = Date.now) {}

  /** the most one peer holds while others want slots */
  get share (): number { return Math.max(1, Math.ceil(this.slots.capacity / 2)) }

  heldBy (peer: string): number { return this.held.get(peer) ?? 0 }

  /** A slot for `peer`, or why not. */
  take (peer: string): PeerSlot | string {
    const held = this.heldBy(peer)
    if (held >= this.share && this.othersWant(peer, this.now() - WANTED_MS)) {
      return `busy: this computer gives one requester at most ${this.share} of its ${this.slots.capacity} task slots while others wait`
    }
    const release = this.slots.tryTake()
    if (release == null) {
      this.remember(peer)
      return `full: ${this.slots.inUse} of ${this.slots.capacity} task slots are taken`
    }
    this.held.set(peer, held + 1)
    const since = this.now()
    let released = false
    return {
      release: () => {
        if (released) return
        released = true
        const n = this.heldBy(peer) - 1
        if (n > 0) this.held.set(peer, n)
        else this.held.delete(peer)
        release()
      },
      contended: () => this.othersWant(peer, since)
    }
  }

  /** Was a peer other than `peer` turned away at or after `since`, or does an own task wait? */
  private othersWant (peer: string, since: number): boolean {
    if (this.slots.waiting > 0) return true
    for (const [p, at] of this.turnedAway) if (p !== peer && at >= since) return true
    return false
  }

  private remember (peer: string): void {
    const t = this.now()
    this.turnedAway.delete(peer)
    this.turnedAway.set(peer, t)
    for (const [p, at] of this.turnedAway) {
      if (at >= t - WANTED_MS && this.turnedAway.size <= MAX_REMEMBERED) break
      this.turnedAway.delete(p)
    }
  }
}
