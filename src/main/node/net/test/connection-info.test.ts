import { multiaddr } from '@multiformats/multiaddr'
import { describe, expect, it } from 'vitest'
import type { Connection } from '@libp2p/interface'
import { describeConnection, kindOf, relayOf, scopeOf, summarize, transportOf } from '../connection-info.js'
import type { ConnectionInfo } from '../../../../shared/api/index.js'

describe('connection description', () => {
  it.each([
    ['/ip4/127.0.0.1/tcp/1', 'loopback', 'tcp'],
    ['/ip6/::1/tcp/1/ws', 'loopback', 'websockets'],
    ['/ip4/192.168.1.4/udp/9/webrtc-direct', 'lan', 'webrtc-direct'],
    ['/ip4/10.0.0.2/tcp/1', 'lan', 'tcp'],
    ['/ip4/8.8.8.8/tcp/1', 'wan', 'tcp'],
    ['/ip4/8.8.8.8/tcp/1/p2p/12D3KooWGevnFvkrdfKfqEC5RyusBnJwQYrgxFSZidEaMcFthH89/p2p-circuit', 'wan', 'circuit-relay']
  ])('%s is %s over %s', (addr, scope, transport) => {
    expect(scopeOf(multiaddr(addr))).toBe(scope)
    expect(transportOf(multiaddr(addr))).toBe(transport)
  })

  it('summarizes a peer by its best connection: direct before relayed, nearer first', () => {
    const c = (kind: 'direct' | 'relayed', scope: 'loopback' | 'lan' | 'wan'): ConnectionInfo =>
      ({ id: '1', remoteAddr: '', direction: 'outbound', kind, scope, transport: 'tcp', relay: null, encryption: null, muxer: null, openedAt: 0 })
    expect(summarize([])).toEqual({ kind: null, scope: null })
    expect(summarize([c('relayed', 'loopback'), c('direct', 'wan'), c('direct', 'lan')])).toEqual({ kind: 'direct', scope: 'lan' })
  })

  it('names the relay of a circuit address, and none for a direct one', () => {
    const relay = '12D3KooWGevnFvkrdfKfqEC5RyusBnJwQYrgxFSZidEaMcFthH89'
    const target = '12D3KooWAHhjYBAN2G6jkVQLEkFL8bbpRAiYmPMCqqrzdXGbbDRb'
    expect(relayOf(multiaddr(`/ip4/8.8.8.8/tcp/1/p2p/${relay}/p2p-circuit/p2p/${target}`))).toBe(relay)
    expect(relayOf(multiaddr(`/ip4/8.8.8.8/tcp/1/p2p/${relay}/p2p-circuit`))).toBe(relay)
    expect(relayOf(multiaddr(`/ip4/8.8.8.8/tcp/1/p2p/${relay}`))).toBeNull()
    expect(relayOf(multiaddr('/p2p-circuit'))).toBeNull()
  })

  it('takes WebRTC set up through a relay as direct once established, and never names the peer itself as its relay', () => {
    const relay = '12D3KooWGevnFvkrdfKfqEC5RyusBnJwQYrgxFSZidEaMcFthH89'
    const target = '12D3KooWAHhjYBAN2G6jkVQLEkFL8bbpRAiYmPMCqqrzdXGbbDRb'
    const webrtc = multiaddr(`/ip4/8.8.8.8/tcp/1/p2p/${relay}/p2p-circuit/webrtc/p2p/${target}`)
    expect(relayOf(webrtc, target)).toBeNull()
    expect(kindOf({ remoteAddr: webrtc, limits: undefined })).toBe('direct')
    expect(transportOf(webrtc)).toBe('webrtc')
    // a circuit whose hop is the peer itself names no relay
    expect(relayOf(multiaddr(`/ip4/8.8.8.8/tcp/1/p2p/${target}/p2p-circuit`), target)).toBeNull()
    // a plain circuit stays relayed, through its relay
    const circuit = multiaddr(`/ip4/8.8.8.8/tcp/1/p2p/${relay}/p2p-circuit/p2p/${target}`)
    expect(kindOf({ remoteAddr: circuit, limits: undefined })).toBe('relayed')
    expect(relayOf(circuit, target)).toBe(relay)
  })

  it('describes a connection: a WebRTC one signalled through a relay is direct with no relay; a limited one is relayed', () => {
    const relay = '12D3KooWGevnFvkrdfKfqEC5RyusBnJwQYrgxFSZidEaMcFthH89'
    const target = '12D3KooWAHhjYBAN2G6jkVQLEkFL8bbpRAiYmPMCqqrzdXGbbDRb'
    const conn = (addr: string, limits?: object): Connection => ({
      id: 'c1', remoteAddr: multiaddr(addr), remotePeer: { toString: () => target }, direction: 'outbound', limits,
      encryption: '/noise', multiplexer: '/yamux/1.0.0', timeline: { open: 5 }
    }) as unknown as Connection
    expect(describeConnection(conn(`/ip4/8.8.8.8/tcp/1/p2p/${relay}/p2p-circuit/webrtc/p2p/${target}`))).toMatchObject({ kind: 'direct', relay: null, transport: 'webrtc' })
    expect(describeConnection(conn(`/ip4/8.8.8.8/tcp/1/p2p/${relay}/p2p-circuit/p2p/${target}`, { bytes: 1n }))).toMatchObject({ kind: 'relayed', relay, transport: 'circuit-relay' })
  })
})
