/**
 * What AutoNAT concluded about this node's reachability, read from the address
 * manager where AutoNAT records its verdicts: a confirmed address is marked
 * verified; a refuted observed address is removed. Nothing is concluded from
 * how an address looks: a public-looking address is only "public" once peers
 * have dialled it back.
 */
import type { AddressManager } from '@libp2p/interface-internal'
import { isLoopback, isPrivate } from '@libp2p/utils'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { ObservedAddress, Reachability } from '../../../shared/api/index.js'

function publiclyRoutable (ma: Multiaddr): boolean {
  try {
    return !isLoopback(ma) && isPrivate(ma) !== true
  } catch {
    return false
  }
}

export class ReachabilityTracker {
  /** public candidates ever seen unverified, to notice AutoNAT removing one (its "not dialable" verdict) */
  private readonly candidates = new Set<string>()
  private readonly refuted = new Set<string>()

  constructor (private readonly addressManager: AddressManager) {}

  addresses (): ObservedAddress[] {
    return this.addressManager.getAddressesWithMetadata().map(a => ({
      multiaddr: a.multiaddr.toString(),
      type: a.type,
      verified: a.verified,
      expires: Number.isFinite(a.expires) ? a.expires : null
    }))
  }

  current (): Reachability {
    const addrs = this.addressManager.getAddressesWithMetadata()
    const present = new Set<string>()
    for (const a of addrs) {
      if (!publiclyRoutable(a.multiaddr)) continue
      const key = a.multiaddr.toString()
      present.add(key)
      if (!a.verified) this.candidates.add(key)
      else this.refuted.delete(key)
    }
    for (const key of this.candidates) {
      if (!present.has(key)) { this.refuted.add(key); this.candidates.delete(key) }
    }
    const addresses = this.addresses()
    const confirmed = addrs.filter(a => a.verified && publiclyRoutable(a.multiaddr))
    if (confirmed.length > 0) {
      return { status: 'public', reason: `AutoNAT: peers dialled back ${confirmed[0].multiaddr.toString()}`, addresses }
    }
    if (this.refuted.size > 0) {
      return { status: 'private', reason: `AutoNAT: peers could not dial back ${[...this.refuted][0]}`, addresses }
    }
    const pending = addrs.filter(a => !a.verified && publiclyRoutable(a.multiaddr))
    if (pending.length > 0) {
      return { status: 'unknown', reason: `AutoNAT is checking ${pending.length} public address${pending.length > 1 ? 'es' : ''}`, addresses }
    }
    return { status: 'unknown', reason: 'no public address to check: this node listens only on private or loopback addresses and no peer has observed a public one', addresses }
  }
}

/** As a libp2p service, so it reads the address manager from its components rather than from libp2p's internals. */
export function reachabilityTracker (): (components: { addressManager: AddressManager }) => ReachabilityTracker {
  return (components) => new ReachabilityTracker(components.addressManager)
}
