import { multiaddr } from '@multiformats/multiaddr'
import type { AddressManager, NodeAddress } from '@libp2p/interface-internal'
import { describe, expect, it } from 'vitest'
import { ReachabilityTracker } from '../reachability.js'

// The tracker only reads getAddressesWithMetadata(), where AutoNAT records its verdicts.
function tracker (addrs: () => NodeAddress[]): ReachabilityTracker {
  const am = { getAddressesWithMetadata: addrs } as unknown as AddressManager
  return new ReachabilityTracker(am)
}
const addr = (ma: string, verified: boolean, type: NodeAddress['type'] = 'observed'): NodeAddress =>
  ({ multiaddr: multiaddr(ma), verified, type, expires: verified ? Date.now() + 60_000 : 0, lastVerified: undefined } as unknown as NodeAddress)

describe('ReachabilityTracker', () => {
  it('is unknown, with its reason, when there is no public address to check', () => {
    const r = tracker(() => [addr('/ip4/127.0.0.1/tcp/1', true, 'transport'), addr('/ip4/192.168.1.2/tcp/1', false, 'transport')]).current()
    expect(r.status).toBe('unknown')
    expect(r.reason).toMatch(/no public address/)
    expect(r.addresses).toHaveLength(2)
  })

  it('does not call a public-looking address public before AutoNAT confirms it', () => {
    const r = tracker(() => [addr('/ip4/93.184.216.34/tcp/4101', false)]).current()
    expect(r.status).toBe('unknown')
    expect(r.reason).toMatch(/checking 1 public address/)
  })

  it('is public once AutoNAT verified a public address', () => {
    const r = tracker(() => [addr('/ip4/93.184.216.34/tcp/4101', true)]).current()
    expect(r.status).toBe('public')
    expect(r.reason).toContain('/ip4/93.184.216.34/tcp/4101')
  })

  it('is private when AutoNAT removed a public candidate it could not dial back', () => {
    let list = [addr('/ip4/93.184.216.34/tcp/4101', false)]
    const t = tracker(() => list)
    expect(t.current().status).toBe('unknown')
    list = []
    const r = t.current()
    expect(r.status).toBe('private')
    expect(r.reason).toContain('/ip4/93.184.216.34/tcp/4101')
  })
})
