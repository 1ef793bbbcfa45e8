/**
 * Each worker's record for adaptive replication (verify.ts): its count of
 * consecutive valid results, kept in the datastore under
 * /wgt/compute/record/<peerId> so a worker proven yesterday runs tasks
 * alone today. At most MAX_RECORDS are kept (fresh PeerIds cost nothing, so
 * the book must not grow with them): past it, the weakest record goes.
 */
import { Key, type Datastore } from 'interface-datastore'
import { nextRecord } from './verify.js'

const PREFIX = '/wgt/compute/record/'
const MAX_RECORDS = 5000
const encoder = new TextEncoder()
const decoder = new TextDecoder()

export class WorkerRecords {
  private readonly records = new Map<string, number>()
  private writes: Promise<void> = Promise.resolve()

  constructor (private readonly datastore: Datastore) {}

  async load (): Promise<void> {
    for await (const { key, value } of this.datastore.query({ prefix: PREFIX })) {
      const n = Number(decoder.decode(value))
      const id = key.toString().slice(PREFIX.length)
      if (Number.isSafeInteger(n) && n >= 0 && id.length > 0) this.records.set(id, n)
    }
  }

  get (peerId: string): number {
    return this.records.get(peerId) ?? 0
  }

  /** A result of `peerId` was checked: valid (agreed, passed Freivalds) or not (outvoted, failed). */
  record (peerId: string, outcome: 'valid' | 'invalid'): number {
    const n = nextRecord(this.get(peerId), outcome)
    if (!this.records.has(peerId) && this.records.size >= MAX_RECORDS) this.evictWeakest()
    this.records.set(peerId, n)
    const key = new Key(PREFIX + peerId)
    this.writes = this.writes.then(async () => { await this.datastore.put(key, encoder.encode(String(n))) }).catch(() => {})
    return n
  }

  /** wait for the writes in flight (the node stops) */
  async flush (): Promise<void> {
    await this.writes
  }

  private evictWeakest (): void {
    let victim: string | undefined
    let least = Infinity
    for (const [id, n] of this.records) if (n < least) { least = n; victim = id }
    if (victim == null) return
    this.records.delete(victim)
    const key = new Key(PREFIX + victim)
    this.writes = this.writes.then(async () => { await this.datastore.delete(key) }).catch(() => {})
  }
}
