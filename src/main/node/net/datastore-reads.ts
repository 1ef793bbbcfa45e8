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
import type { Datastore, Key } from 'interface-datastore'

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
