/**
 * What each peer keeps on this node: for every shard, which peers hold a
 * lease on it, and per peer the shards and bytes that come to (each size
 * rounded up to the filesystem block, which is what a shard costs on disk:
 * a 1-byte shard takes a whole block, and 3,536 of them took 3,536 files).
 * The store asks it on every PUT to enforce per-peer quotas. In memory,
 * rebuilt from the lease book at start.
 */
export interface OwnerUsage { bytes: number, shards: number }

export class OwnerLedger {
  private readonly byCid = new Map<string, Set<string>>()
  private readonly byOwner = new Map<string, OwnerUsage>()

  private readonly charge: (cid: string) => number

  // no parameter properties: the crash test runs this file under Node's type stripping
  constructor (charge: (cid: string) => number) {
    this.charge = charge
  }

  has (cid: string, owner: string): boolean {
    return this.byCid.get(cid)?.has(owner) === true
  }

  add (cid: string, owner: string): void {
    let owners = this.byCid.get(cid)
    if (owners == null) { owners = new Set(); this.byCid.set(cid, owners) }
    if (owners.has(owner)) return
    owners.add(owner)
    const u = this.byOwner.get(owner) ?? { bytes: 0, shards: 0 }
    u.bytes += this.charge(cid)
    u.shards++
    this.byOwner.set(owner, u)
  }

  remove (cid: string, owner: string): void {
    const owners = this.byCid.get(cid)
    if (owners?.delete(owner) !== true) return
    if (owners.size === 0) this.byCid.delete(cid)
    const u = this.byOwner.get(owner)
    if (u == null) return
    u.bytes -= this.charge(cid)
    u.shards--
    if (u.shards <= 0) this.byOwner.delete(owner)
  }

  /** The shard is gone: every owner's share of it goes too (call before its size is forgotten). */
  removeCid (cid: string): void {
    for (const owner of [...this.byCid.get(cid) ?? []]) this.remove(cid, owner)
  }

  usage (owner: string): OwnerUsage {
    const u = this.byOwner.get(owner)
    return u == null ? { bytes: 0, shards: 0 } : { ...u }
  }

  /** peers with at least one shard here */
  owners (): number {
    return this.byOwner.size
  }
}
