/**
 * Keys of the datastore in a range, in either direction, a few at a time:
 * what paging back through a long history needs. interface-datastore has
 * prefix queries only, and datastore-level's queryKeys walks every key
 * under the prefix: measured on this machine kind, 15,000 keys took 80–170 ms
 * to list (and a page after a restart waited for that), while the level
 * database's own reverse range iterator answers the newest 50 in 0.5–3 ms.
 * So on a LevelDatastore its database is asked directly; any other datastore
 * (the tests' MemoryDatastore) gets the same answers from a sorted listing.
 */
import type { Datastore } from 'interface-datastore'

export interface RangeOptions {
  /** every key answered starts with this */
  prefix: string
  /** keys below (after the prefix) this, if given */
  lt?: string
  /** keys from this one on, if given */
  gte?: string
  reverse: boolean
  limit: number
}

export type KeyRange = (opts: RangeOptions) => Promise<string[]>

interface LevelKeys {
  keys: (opts: { gte: string, lt: string, reverse: boolean, limit: number }) => { all: () => Promise<string[]> }
}

export function keyRange (datastore: Datastore): KeyRange {
  const db = (datastore as { db?: Partial<LevelKeys> }).db
  if (typeof db?.keys === 'function') {
    const level = db as LevelKeys
    return async ({ prefix, lt, gte, reverse, limit }) => {
      const keys = await level.keys({ gte: prefix + (gte ?? ''), lt: lt != null ? prefix + lt : prefix + '\xff', reverse, limit }).all()
      return keys.map(k => String(k).slice(prefix.length))
    }
  }
  return async ({ prefix, lt, gte, reverse, limit }) => {
    const keys: string[] = []
    for await (const key of datastore.queryKeys({ prefix })) {
      const k = key.toString().slice(prefix.length)
      if ((lt == null || k < lt) && (gte == null || k >= gte)) keys.push(k)
    }
    keys.sort()
    if (reverse) keys.reverse()
    return keys.slice(0, limit)
  }
}
