/** Concurrency and rate limits for the protocol services and long work. */
import { WgtError } from '../../../shared/errors.js'

/** Bounds how many holders of a slot run at once; waiters queue in order and can give up. */
export class Semaphore {
  private active = 0
  private readonly waiters: Array<() => void> = []

  constructor (private readonly size: number) {}

  async acquire (signal?: AbortSignal): Promise<() => void> {
    if (this.active >= this.size) {
      await new Promise<void>((resolve, reject) => {
        const wake = (): void => { signal?.removeEventListener('abort', onAbort); resolve() }
        const onAbort = (): void => {
          const i = this.waiters.indexOf(wake)
          if (i >= 0) this.waiters.splice(i, 1)
          reject(WgtError.from(signal?.reason ?? new WgtError('TIMEOUT', 'gave up waiting for a slot')))
        }
        signal?.throwIfAborted()
        signal?.addEventListener('abort', onAbort, { once: true })
        this.waiters.push(wake)
      })
    } else {
      this.active++
    }
    let released = false
    return () => {
      if (released) return
      released = true
      const next = this.waiters.shift()
      // the slot passes straight to the next waiter, so `active` stays the same
      if (next != null) next()
      else this.active--
    }
  }
}

/** Token bucket per key: `burst` at once, refilled at `perMinute`; a take may cost more than one. Idle keys are forgotten. */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number, at: number }>()

  constructor (private readonly burst: number, private readonly perMinute: number, private readonly now: () => number = Date.now) {}

  take (key: string, cost = 1): boolean {
    const t = this.now()
    const b = this.buckets.get(key) ?? { tokens: this.burst, at: t }
    b.tokens = Math.min(this.burst, b.tokens + (t - b.at) * this.perMinute / 60_000)
    b.at = t
    this.buckets.set(key, b)
    if (this.buckets.size > 10_000) this.forgetFull()
    if (b.tokens < cost) return false
    b.tokens -= cost
    return true
  }

  private forgetFull (): void {
    const t = this.now()
    for (const [k, b] of this.buckets) {
      if (b.tokens + (t - b.at) * this.perMinute / 60_000 >= this.burst) this.buckets.delete(k)
    }
  }
}

/**
 * Slots shared fairly between keys (peers): `size` in all, at most `perKey`
 * for one key, and a freed slot goes to the waiting key that holds the
 * fewest (the longest-waiting among equals), not to whoever queued first.
 * So a peer, or a few identities of one attacker, that keep slots busy
 * cannot push another peer's request to the back of a queue they fill.
 */
export class FairSemaphore {
  private active = 0
  private readonly activeOf = new Map<string, number>()
  private readonly waiting = new Map<string, Array<{ wake: () => void, at: number }>>()
  private seq = 0

  constructor (private readonly size: number, private readonly perKey: number) {}

  async acquire (key: string, signal?: AbortSignal): Promise<() => void> {
    signal?.throwIfAborted()
    if (this.canTake(key)) {
      this.take(key)
    } else {
      // the releaser that wakes us has taken the slot for us (see wakeNext)
      await new Promise<void>((resolve, reject) => {
        const entry = { wake: () => { signal?.removeEventListener('abort', onAbort); resolve() }, at: this.seq++ }
        const onAbort = (): void => {
          const list = this.waiting.get(key) ?? []
          const i = list.indexOf(entry)
          if (i >= 0) list.splice(i, 1)
          if (list.length === 0) this.waiting.delete(key)
          reject(WgtError.from(signal?.reason ?? new WgtError('TIMEOUT', 'gave up waiting for a slot')))
        }
        signal?.addEventListener('abort', onAbort, { once: true })
        const list = this.waiting.get(key) ?? []
        list.push(entry)
        this.waiting.set(key, list)
      })
    }
    let released = false
    return () => {
      if (released) return
      released = true
      this.active--
      const n = (this.activeOf.get(key) ?? 1) - 1
      if (n > 0) this.activeOf.set(key, n)
      else this.activeOf.delete(key)
      this.wakeNext()
    }
  }

  /** Slots taken, all keys. */
  get inUse (): number { return this.active }

  /** Acquires waiting for a slot, all keys. */
  get queued (): number {
    let n = 0
    for (const list of this.waiting.values()) n += list.length
    return n
  }

  /**
   * Is a key other than this one waiting for a slot that this key's could
   * give it? A key waiting only because it holds its share (perKey) would
   * not get a freed slot, so it does not count: it used to, and a slow
   * sender was counted a violation while most slots were free, whenever any
   * other peer had more requests than its share queued.
   */
  othersWaiting (key: string): boolean {
    for (const k of this.waiting.keys()) if (k !== key && (this.activeOf.get(k) ?? 0) < this.perKey) return true
    return false
  }

  private take (key: string): void {
    this.active++
    this.activeOf.set(key, (this.activeOf.get(key) ?? 0) + 1)
  }

  private canTake (key: string): boolean {
    return this.active < this.size && (this.activeOf.get(key) ?? 0) < this.perKey
  }

  private wakeNext (): void {
    while (this.active < this.size) {
      let best: string | undefined
      for (const [key, list] of this.waiting) {
        if ((this.activeOf.get(key) ?? 0) >= this.perKey) continue
        if (best == null) { best = key; continue }
        const a = this.activeOf.get(key) ?? 0
        const b = this.activeOf.get(best) ?? 0
        if (a < b || (a === b && list[0].at < (this.waiting.get(best)?.[0].at ?? Infinity))) best = key
      }
      if (best == null) return
      const list = this.waiting.get(best) as Array<{ wake: () => void }>
      const next = list.shift() as { wake: () => void }
      if (list.length === 0) this.waiting.delete(best)
      // counted now, so the loop and other releases see the slot as taken
      this.take(best)
      next.wake()
    }
  }
}
