/**
 * Leases say why a shard is kept: each (shard, owner) pair has an expiry, and a
 * shard is garbage once every lease on it has expired. They live in the node's
 * datastore (not beside the shards) so that renewing a lease is a small
 * metadata write rather than a file operation.
 *
 * Key:   /wgt/storage/lease/<cid>/<owner>
 * Value: expiresAt as a big-endian float64 (ms since the epoch), which
 *        represents Infinity (= pinned by us) exactly.
 */
import { Key, type Datastore } from 'interface-datastore'
import { WgtError } from '../../../shared/errors.js'

const PREFIX = '/wgt/storage/lease'
// PeerId strings are base58btc or multibase base32/base36: letters and digits only.
// Anything else could change the key's shape ("/" is the key separator).
const OWNER = /^[A-Za-z0-9]{1,128}$/

export interface Lease {
  owner: string
  expiresAt: number
}

export function checkLease (lease: unknown, now: number): Lease {
  if (typeof lease !== 'object' || lease === null) throw new WgtError('INVALID_INPUT', 'lease must be { owner, expiresAt }')
  const { owner, expiresAt } = lease as Record<string, unknown>
  if (typeof owner !== 'string' || !OWNER.test(owner)) throw new WgtError('INVALID_INPUT', 'lease owner must be a PeerId string')
  if (typeof expiresAt !== 'number' || Number.isNaN(expiresAt) || expiresAt === -Infinity) {
    throw new WgtError('INVALID_INPUT', 'lease expiresAt must be a time in ms since the epoch, or Infinity to pin')
  }
  // A lease that is already over would make the shard garbage the moment it lands.
  if (expiresAt <= now) throw new WgtError('INVALID_INPUT', `lease already expired (expiresAt ${expiresAt} <= now ${now})`)
  return { owner, expiresAt }
}

export class LeaseBook {
  private readonly datastore: Datastore

  constructor (datastore: Datastore) {
    this.datastore = datastore
  }

  /** Records the lease, or pushes an existing one later; a renewal never shortens a lease. */
  async extend (cid: string, lease: Lease): Promise<void> {
    const key = leaseKey(cid, lease.owner)
    let current = -Infinity
    if (await this.datastore.has(key)) current = decode(await this.datastore.get(key))
    if (current >= lease.expiresAt) return
    await this.datastore.put(key, encode(lease.expiresAt))
  }

  async list (cid: string): Promise<Lease[]> {
    const out: Lease[] = []
    for await (const { key, value } of this.datastore.query({ prefix: `${PREFIX}/${cid}/` })) {
      const parsed = parseKey(key)
      if (parsed !== null && parsed.cid === cid) out.push({ owner: parsed.owner, expiresAt: decode(value) })
    }
    return out
  }

  /** Every lease, grouped by shard: one pass over the datastore for a gc round. */
  async all (): Promise<Map<string, Lease[]>> {
    const out = new Map<string, Lease[]>()
    for await (const { key, value } of this.datastore.query({ prefix: `${PREFIX}/` })) {
      const parsed = parseKey(key)
      if (parsed === null) continue
      let list = out.get(parsed.cid)
      if (list === undefined) out.set(parsed.cid, list = [])
      list.push({ owner: parsed.owner, expiresAt: decode(value) })
    }
    return out
  }

  async remove (cid: string, owners: string[]): Promise<void> {
    if (owners.length === 0) return
    const batch = this.datastore.batch()
    for (const owner of owners) batch.delete(leaseKey(cid, owner))
    await batch.commit()
  }

  async removeAll (cid: string): Promise<void> {
    await this.remove(cid, (await this.list(cid)).map(l => l.owner))
  }
}

function leaseKey (cid: string, owner: string): Key {
  return new Key(`${PREFIX}/${cid}/${owner}`)
}

function parseKey (key: Key): { cid: string, owner: string } | null {
  const parts = key.toString().slice(PREFIX.length + 1).split('/')
  if (parts.length !== 2 || parts[0] === '' || parts[1] === '') return null
  return { cid: parts[0], owner: parts[1] }
}

function encode (expiresAt: number): Uint8Array {
  const out = new Uint8Array(8)
  new DataView(out.buffer).setFloat64(0, expiresAt)
  return out
}

/** A record we cannot read counts as expired: we never wrote it, so it cannot be holding anything. */
function decode (value: Uint8Array): number {
  if (value.length !== 8) return -Infinity
  const n = new DataView(value.buffer, value.byteOffset, 8).getFloat64(0)
  return Number.isNaN(n) ? -Infinity : n
}
