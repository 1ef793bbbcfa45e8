/**
 * File groups: what a holder announces on the DHT instead of every shard.
 *
 * Announcing each stored shard cost a whole kad-dht query plus an
 * ADD_PROVIDER to each of the closest peers, per shard: measured with six
 * daemons on loopback (issue 12), a 256 MiB share made ~400 provides, which
 * kept every daemon busy with DHT RPCs and peer-store writes for the whole
 * share and fetch after it (a holder spent 12 s of CPU serving 43 MiB; with
 * no announcements 0.8 s, and the fetch went from 6 to 30 MB/s). Like Kubo's
 * "roots" provide strategy, a holder now announces the file once: every PUT
 * of a data or manifest shard carries its file's group (fileGroupCid, a CID
 * derived from the file id, which the root record carries), and a fetcher or
 * health check that needs more holders than the manifest lists looks up the
 * group and asks those peers for the shards it wants.
 *
 * The index (datastore, so it survives restarts) maps each stored shard to
 * its group and each group to its shards, so the group stops being announced
 * when the last of its shards leaves this node.
 */
import { Key, type Datastore } from 'interface-datastore'
import { cidOf } from '../ces/index.js'
import { getOrNull } from '../net/datastore-reads.js'

const BY_SHARD = '/wgt/shard-group'
const BY_GROUP = '/wgt/group-shards'
const LABEL = new TextEncoder().encode('wgt/file-group/1\0')
const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** The public group CID of a file: SHA-256 of a label and the file id (the root record carries the id, never the key). */
export function fileGroupCid (fileId: Uint8Array): string {
  const bytes = new Uint8Array(LABEL.length + fileId.length)
  bytes.set(LABEL)
  bytes.set(fileId, LABEL.length)
  return cidOf(bytes)
}

export class ShardGroups {
  constructor (private readonly datastore: Datastore) {}

  /** Records that `cid` is a shard of `group`. */
  async add (cid: string, group: string): Promise<void> {
    const batch = this.datastore.batch()
    batch.put(new Key(`${BY_SHARD}/${cid}`), encoder.encode(group))
    batch.put(new Key(`${BY_GROUP}/${group}/${cid}`), new Uint8Array(0))
    await batch.commit()
  }

  /**
   * Forgets a removed shard. Returns its group when that was the group's last
   * shard here (the caller stops announcing it), else null; also null for a
   * shard stored without a group.
   */
  async remove (cid: string): Promise<string | null> {
    const stored = await getOrNull(this.datastore, new Key(`${BY_SHARD}/${cid}`))
    if (stored == null) return null
    const group = decoder.decode(stored)
    const batch = this.datastore.batch()
    batch.delete(new Key(`${BY_SHARD}/${cid}`))
    batch.delete(new Key(`${BY_GROUP}/${group}/${cid}`))
    await batch.commit()
    for await (const _ of this.datastore.queryKeys({ prefix: `${BY_GROUP}/${group}/`, limit: 1 })) return null
    return group
  }
}
