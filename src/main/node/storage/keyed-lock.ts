/**
 * Runs tasks one at a time per key (here: per shard CID), so a put, a delete,
 * a gc decision and a scrub of the same shard never interleave, while work on
 * different shards stays parallel.
 */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<void>>()

  async run<T> (key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve()
    let release!: () => void
    const mine = new Promise<void>(resolve => { release = resolve })
    const tail = previous.then(() => mine)
    this.tails.set(key, tail)
    await previous
    try {
      return await task()
    } finally {
      release()
      // Only the last waiter clears the entry, so the map does not grow with every CID ever seen.
      if (this.tails.get(key) === tail) this.tails.delete(key)
    }
  }
}
