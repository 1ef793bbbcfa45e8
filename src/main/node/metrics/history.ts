/**
 * A fixed-capacity ring buffer: chart history keeps the last N samples in
 * constant memory, oldest overwritten first.
 */
import { WgtError } from '../../../shared/errors.js'

export class RingBuffer<T> {
  private readonly items: Array<T | undefined>
  private start = 0
  private count = 0

  constructor (readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new WgtError('INVALID_INPUT', `ring buffer capacity must be a positive integer, got ${capacity}`)
    this.items = new Array<T | undefined>(capacity)
  }

  get size (): number { return this.count }

  push (item: T): void {
    if (this.count < this.capacity) {
      this.items[(this.start + this.count) % this.capacity] = item
      this.count++
    } else {
      this.items[this.start] = item
      this.start = (this.start + 1) % this.capacity
    }
  }

  /** the newest item, or undefined when empty */
  last (): T | undefined {
    return this.count === 0 ? undefined : this.items[(this.start + this.count - 1) % this.capacity]
  }

  /** oldest first */
  toArray (): T[] {
    const out: T[] = []
    for (let i = 0; i < this.count; i++) out.push(this.items[(this.start + i) % this.capacity] as T)
    return out
  }

  clear (): void {
    this.items.fill(undefined)
    this.start = 0
    this.count = 0
  }
}

/** Chart history: 300 samples = 5 minutes at the default 1 s metrics tick. */
export const DEFAULT_HISTORY_SAMPLES = 300
