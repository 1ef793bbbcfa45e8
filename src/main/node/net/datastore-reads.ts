/**
 * The datastore libp2p gets: the node's own, except that a point read (get,
 * has) is never cut short by an abort signal.
 *
 * Why: @libp2p/peer-store's merge() and patch() read the stored record first
 * and treat any failed read as "no record" (PersistentStore#findExistingPeer
 * logs "invalid peer data found in peer store" and carries on), then write a
 * record holding only what they were merging. libp2p passes an inbound
 * stream's protocol-negotiation signal (10 s) into such a merge, so on a busy
 * node a read that started late is aborted, and the peer's record (identified
 * protocols, addresses, agent, kad-dht's tag) is replaced by a single protocol.
 * Seen with 20 daemons started at once on this 2-core machine: after
 * "GetFailedError: TimeoutError", a connected peer was known to speak only
 * /ipfs/ping, /wgt/capacity and /wgt/kad, and so was never picked to hold a
 * shard. A LevelDB read is local and short; letting a signal abort it saves
 * nothing, and everything else (writes, queries) still honours its signal.
 */
import type { Batch, Datastore, Key, Pair } from 'interface-datastore'

export function unabortableReads (datastore: Datastore): Datastore {
  return new Proxy(datastore, {
    get (target, prop) {
      if (prop === 'get' || prop === 'has') {
        const read = target[prop].bind(target)
        return (key: Parameters<typeof read>[0], options?: Parameters<typeof read>[1]) => {
          const { signal: _ignored, ...rest } = options ?? {}
          return read(key, rest)
        }
      }
      const value: unknown = Reflect.get(target, prop, target)
      return typeof value === 'function' ? value.bind(target) : value
    }
  })
}

/** A stored value, or null when the key was never written (any other failure is thrown as it is). */
export async function getOrNull (datastore: Datastore, key: Key): Promise<Uint8Array | null> {
  try {
    return await datastore.get(key)
  } catch (err) {
    if ((err as Error).name === 'NotFoundError') return null
    throw err
  }
}

/** peer-store records: libp2p's @libp2p/peer-store keeps one per peer under this prefix */
export const PEER_RECORDS_PREFIX = '/peers/'
/**
 * Records kept by peerRecordCache by default. A record is a few hundred bytes
 * to a few KiB (addresses, protocols, signed peer record), so the cache holds
 * at most a few MiB; maxConnections is 300, and the records read over and
 * over are those of connected peers.
 */
export const DEFAULT_PEER_RECORDS_CACHED = 1024

/**
 * A read cache in front of the peer-store records (keys under /peers/): a get
 * of a cached record answers from memory, every other call goes to the
 * datastore as it is.
 *
 * Why: libp2p merges the stream's protocol into the peer's record on every
 * stream opened or accepted (libp2p/dist/src/connection.js), and a merge reads
 * the record, then writes it back (the write always happens: it stamps the
 * record's update time). So every stream costs a LevelDB read under the
 * peer-store lock; classic-level's _get was the top self time of daemons
 * moving files (issue 12). The write is kept: the record on disk stays exactly
 * what libp2p wrote. Measured (@libp2p/peer-store merge({ protocols: [p] })
 * over six peers on a LevelDB datastore, 5 interleaved rounds of 2000, median):
 * 402 µs of CPU per merge without the cache, 335 µs with it; wall time per
 * merge unchanged (~1.6 ms, the write dominates).
 *
 * Coherence: the cache holds only what the datastore holds. A write or delete
 * of a key (put, delete, putMany, deleteMany, a batch) drops the key first,
 * and a put stores its value once written. A read fills the cache only if no
 * write of any /peers/ key started or ended while it ran (epoch), and a write
 * fills it only if no other one did meanwhile: a read that raced a write, or
 * two racing writes, never leave an older value behind. Bounded: least
 * recently used records beyond maxEntries are dropped. Values are copied in
 * and out, so no caller can alter what another one reads.
 */
export function peerRecordCache (datastore: Datastore, maxEntries = DEFAULT_PEER_RECORDS_CACHED): Datastore {
  const cache = new Map<string, Uint8Array>()
  /** bumped when a write of a record begins or ends */
  let epoch = 0
  /** writes of records under way */
  let writes = 0
  const cached = (key: Key): boolean => key.toString().startsWith(PEER_RECORDS_PREFIX)
  const remember = (k: string, value: Uint8Array): void => {
    cache.delete(k)
    cache.set(k, value.slice())
    if (cache.size > maxEntries) cache.delete(cache.keys().next().value as string)
  }
  const begin = (key: Key): void => {
    if (!cached(key)) return
    cache.delete(key.toString())
    writes++
    epoch++
  }
  /** also drops what a read that overlapped the write may have cached */
  const end = (key: Key): void => {
    if (!cached(key)) return
    cache.delete(key.toString())
    writes--
    epoch++
  }

  const get: Datastore['get'] = async (key, options) => {
    if (!cached(key)) return await datastore.get(key, options)
    const k = key.toString()
    const hit = cache.get(k)
    if (hit != null) {
      // most recently used last: the eviction takes the first
      cache.delete(k)
      cache.set(k, hit)
      return hit.slice()
    }
    const quiet = writes === 0
    const started = epoch
    const value = await datastore.get(key, options)
    // no write was under way at any moment of the read: what it read is what the datastore holds
    if (quiet && epoch === started) remember(k, value)
    return value
  }
  const has: Datastore['has'] = async (key, options) => {
    if (cached(key) && cache.has(key.toString())) return true
    return await datastore.has(key, options)
  }
  const put: Datastore['put'] = async (key, value, options) => {
    begin(key)
    const started = epoch
    let written = false
    try {
      const k = await datastore.put(key, value, options)
      written = true
      return k
    } finally {
      end(key)
      // this write alone ran from start to end: the datastore now holds exactly value
      if (written && cached(key) && writes === 0 && epoch === started + 1) remember(key.toString(), value)
    }
  }
  const del: Datastore['delete'] = async (key, options) => {
    begin(key)
    try {
      await datastore.delete(key, options)
    } finally {
      end(key)
    }
  }
  async function * putMany (source: Parameters<Datastore['putMany']>[0], options?: Parameters<Datastore['putMany']>[1]): AsyncGenerator<Key> {
    const keys: Key[] = []
    const through = async function * (): AsyncGenerator<Pair> {
      for await (const pair of source) { begin(pair.key); keys.push(pair.key); yield pair }
    }
    try {
      yield * datastore.putMany(through(), options)
    } finally {
      for (const key of keys) end(key)
    }
  }
  async function * deleteMany (source: Parameters<Datastore['deleteMany']>[0], options?: Parameters<Datastore['deleteMany']>[1]): AsyncGenerator<Key> {
    const keys: Key[] = []
    const through = async function * (): AsyncGenerator<Key> {
      for await (const key of source) { begin(key); keys.push(key); yield key }
    }
    try {
      yield * datastore.deleteMany(through(), options)
    } finally {
      for (const key of keys) end(key)
    }
  }
  const batch = (): Batch => {
    const inner = datastore.batch()
    const keys: Key[] = []
    return {
      put: (key, value) => { keys.push(key); inner.put(key, value) },
      delete: key => { keys.push(key); inner.delete(key) },
      commit: async options => {
        for (const key of keys) begin(key)
        try {
          await inner.commit(options)
        } finally {
          for (const key of keys) end(key)
        }
      }
    }
  }
  const own: Record<string, unknown> = { get, has, put, delete: del, putMany, deleteMany, batch }
  return new Proxy(datastore, {
    get (target, prop) {
      if (typeof prop === 'string' && Object.hasOwn(own, prop)) return own[prop]
      const value: unknown = Reflect.get(target, prop, target)
      return typeof value === 'function' ? value.bind(target) : value
    }
  })
}
