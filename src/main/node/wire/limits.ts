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
