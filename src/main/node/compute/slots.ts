/**
 * The worker's task slots: maxTasks at once, others' tasks and this node's
 * own together. A peer's task takes a free slot or is refused at once (the
 * requester's scheduler tries elsewhere); an own task waits for one, so the
 * user's jobs are never turned away by the work done for others. The size
 * follows the setting: lowering it lets running tasks finish.
 */
import { WgtError } from '../../../shared/errors.js'

export class Slots {
  private used = 0
  private readonly waiters: Array<() => void> = []

  constructor (private size: number) {}

  get inUse (): number { return this.used }
  get capacity (): number { return this.size }

  resize (size: number): void {
    this.size = size
    this.wake()
  }

  /** a slot now, or null */
  tryTake (): (() => void) | null {
    if (this.used >= this.size || this.waiters.length > 0) return null
    this.used++
    return this.releaser()
  }

  /** a slot once one is free (an own task waits), or the signal's reason */
  async take (signal?: AbortSignal): Promise<() => void> {
    signal?.throwIfAborted()
    if (this.used < this.size && this.waiters.length === 0) {
      this.used++
      return this.releaser()
    }
    await new Promise<void>((resolve, reject) => {
      const wake = (): void => { signal?.removeEventListener('abort', onAbort); resolve() }
      const onAbort = (): void => {
        const i = this.waiters.indexOf(wake)
        if (i >= 0) this.waiters.splice(i, 1)
        reject(WgtError.from(signal?.reason ?? new WgtError('CANCELLED', 'gave up waiting for a task slot')))
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      this.waiters.push(wake)
    })
    return this.releaser()
  }

  private releaser (): () => void {
    let released = false
    return () => {
      if (released) return
      released = true
      this.used--
      this.wake()
    }
  }

  private wake (): void {
    while (this.used < this.size && this.waiters.length > 0) {
      this.used++
      ;(this.waiters.shift() as () => void)()
    }
  }
}
