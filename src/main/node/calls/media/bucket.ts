/**
 * A token bucket in bytes whose rate may change between takes (a relay
 * circuit's share shrinks as circuits join). The clock is injectable so tests
 * of the relay's cap count outcomes instead of timing them.
 */
export class TokenBucket {
  private tokens: number
  private at: number

  constructor (private readonly now: () => number, private capacity: number) {
    this.tokens = capacity
    this.at = now()
  }

  /** Take `bytes` if the bucket holds them after refilling at `bytesPerSecond`, up to `capacity`. */
  take (bytes: number, bytesPerSecond: number, capacity = this.capacity): boolean {
    this.refill(bytesPerSecond, capacity)
    if (this.tokens < bytes) return false
    this.tokens -= bytes
    return true
  }

  /** Whether `bytes` could be taken now, without taking them. */
  holds (bytes: number, bytesPerSecond: number, capacity = this.capacity): boolean {
    this.refill(bytesPerSecond, capacity)
    return this.tokens >= bytes
  }

  private refill (bytesPerSecond: number, capacity: number): void {
    const t = this.now()
    this.capacity = capacity
    // a clock that steps back refills nothing
    this.tokens = Math.min(capacity, this.tokens + Math.max(0, t - this.at) * bytesPerSecond / 1000)
    this.at = Math.max(this.at, t)
  }
}
