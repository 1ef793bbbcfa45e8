/**
 * The libp2p assembly: transports, encryption, muxing and the stock services.
 * WGT's own services (probe, capacity, …) come from the node's modules.
 */
import { autoNAT } from '@libp2p/autonat'
import { bootstrap } from '@libp2p/bootstrap'
import { circuitRelayServer, circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { dcutr } from '@libp2p/dcutr'
import { identify, identifyPush } from '@libp2p/identify'
import { kadDHT, passthroughMapper } from '@libp2p/kad-dht'
import { mdns } from '@libp2p/mdns'
import { noise } from '@libp2p/noise'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { tls } from '@libp2p/tls'
import { webRTC, webRTCDirect } from '@libp2p/webrtc'
import { webSockets } from '@libp2p/websockets'
import { yamux } from '@libp2p/yamux'
import type { Metrics, PeerDiscovery, PeerId, PrivateKey } from '@libp2p/interface'
import type { Datastore } from 'interface-datastore'
import { createLibp2p, type Libp2pOptions } from 'libp2p'
import { circuitRelayAddressesLast, loopbackAddressLast, publicAddressesFirst, reliableTransportsFirst } from '@libp2p/utils'
import type { Address } from '@libp2p/interface'
import type { NodeConfig } from '../config.js'
import { screened, type StreamScreen } from '../wire/screen.js'
import { dhtJoin } from './dht-join.js'
import { peerRecordCache, unabortableReads } from './datastore-reads.js'
import { skipMergesThatChangeNothing } from './peer-store-merges.js'

export const DHT_PROTOCOL = '/wgt/kad/1.0.0'

/**
 * libp2p dials a peer's addresses one after another and its default order puts
 * certified (signed peer record) addresses before reliable transports. After a
 * restart the persisted record's webrtc-direct address is usually stale, and a
 * UDP dial to a dead port waits for the whole dial timeout, so the fresh TCP
 * address from bootstrap was never tried (seen on loopback: 5 s, then failure).
 * Reliable transports first: a stale TCP port is refused at once.
 */
export function addressSorter (a: Address, b: Address): -1 | 0 | 1 {
  return loopbackAddressLast(a.multiaddr, b.multiaddr) ||
    publicAddressesFirst(a.multiaddr, b.multiaddr) ||
    circuitRelayAddressesLast(a.multiaddr, b.multiaddr) ||
    reliableTransportsFirst(a.multiaddr, b.multiaddr) ||
    Math.sign(Number(b.isCertified === true) - Number(a.isCertified === true)) as -1 | 0 | 1
}

/** What the modules add to the stock assembly: WGT's own services, the traffic meter, the gater. */
export interface Libp2pExtras<S extends Record<string, unknown>> {
  services: { [K in keyof S]: (components: any) => S[K] }
  metrics?: (components: any) => Metrics
  /** peers refused on dial and on inbound connections (banned, blocked) */
  isDenied: (peerId: string) => boolean
  /** in front of every inbound stream of every service and transport */
  screen: StreamScreen
}

export function libp2pOptions<S extends Record<string, unknown>> (config: NodeConfig, privateKey: PrivateKey, datastore: Datastore, extras: Libp2pExtras<S>) {
  const peerDiscovery: Array<(components: any) => PeerDiscovery> = []
  if (config.bootstrap.length > 0) peerDiscovery.push(bootstrap({ list: config.bootstrap }))
  if (config.mdns) peerDiscovery.push(mdns({ serviceTag: 'wgt.local' }))

  return {
    privateKey,
    datastore: peerRecordCache(unabortableReads(datastore)),
    addresses: { listen: config.listen },
    transports: [
      tcp(),
      webSockets(),
      webRTCDirect(),
      webRTC(),
      circuitRelayTransport()
    ].map(t => screened(t, extras.screen)),
    // TLS first for the connections we dial: `npm run bench` measured one stream at 350 MB/s
    // with TLS vs 228 MB/s with noise (Node 24, loopback, median of 7). In Electron main noise
    // falls back to a WASM AEAD (~60 MB/s) while TLS uses BoringSSL. Noise stays on offer, and
    // listeners accept either, so peers without TLS (browsers over WebSockets) still connect.
    connectionEncrypters: [tls(), noise()],
    streamMuxers: [yamux()],
    peerDiscovery,
    connectionManager: { maxConnections: config.maxConnections, addressSorter },
    // libp2p pings every connection each 10 s and closes it when an answer takes over 5 s. A
    // busy peer is not a dead one: 20 daemons starting on this 2-core machine aborted 604
    // connections that way in one run (322 timeouts, the rest their aftermath), and discovery
    // took 91 s to mend it. BOINC-style compute keeps cores as busy. A peer that is gone
    // closes its sockets; a silent one is still found within 60 + 30 s.
    // Every 60 s rather than libp2p's 10 s: each ping is a new stream, i.e. a multistream-select
    // negotiation and a peer-store merge (a LevelDB read and write) on both ends, so with six
    // peers a daemon opened or accepted 1.2 streams a second doing nothing (bench/idle.js).
    // Liveness does not rest on it alone: yamux pings every connection each 30 s without a
    // stream, and our RTT probes (metrics/probe.ts) run on every connection to a WGT peer.
    connectionMonitor: { pingInterval: 60_000, pingTimeout: { minTimeout: 30_000 } },
    connectionGater: {
      denyDialPeer: (peerId: PeerId) => extras.isDenied(peerId.toString()),
      denyInboundEncryptedConnection: (peerId: PeerId) => extras.isDenied(peerId.toString()),
      // a dial to an address without /p2p/ learns who answered only after encryption
      denyOutboundEncryptedConnection: (peerId: PeerId) => extras.isDenied(peerId.toString())
    },
    ...(extras.metrics != null ? { metrics: extras.metrics } : {}),
    nodeInfo: { userAgent: config.agent },
    services: screenAll({
      // libp2p runs identify once per connection and drops a failure: the peer stays connected
      // with unknown protocols, so placement never picks it. With the default 5 s timeout only
      // 544 of 866 identify exchanges completed while 20 daemons started on this 2-core machine
      // (both cores busy for ~55 s), and each such swarm kept 3 to 16 connected pairs that never
      // learned each other's protocols. A slow answer is still an answer: with 30 s (and
      // datastore-reads.ts) none were left in 8 swarms.
      identify: identify({ timeout: 30_000 }),
      identifyPush: identifyPush(),
      // kad-dht pings routing-table peers and libp2p's connection monitor pings every
      // connection, on the same protocol. With ping's default of one outbound stream per
      // connection the second is refused and the monitor then aborts the whole connection
      // (seen under load while placing shards). Our RTT metrics use metrics/probe instead.
      ping: ping({ maxOutboundStreams: 4, maxInboundStreams: 4 }),
      autoNAT: autoNAT({ protocolPrefix: 'wgt' }),
      dcutr: dcutr(),
      // Our own DHT, not IPFS's. Private addresses are kept on purpose: WGT peers
      // on a LAN or on loopback must be able to find each other through it.
      dht: kadDHT({
        protocol: DHT_PROTOCOL,
        clientMode: !config.dhtServer,
        peerInfoMapper: passthroughMapper,
        logPrefix: 'wgt:dht',
        datastorePrefix: '/wgt-dht',
        metricsPrefix: 'wgt_dht'
      }),
      // kad-dht looks up its own key once at start, then every 5 min: nodes that join at the
      // same time miss each other (see dht-join.ts). Look again as new DHT peers arrive.
      dhtJoin: dhtJoin({ protocol: DHT_PROTOCOL }),
      ...(config.relayServer ? { relay: circuitRelayServer() } : {}),
      ...extras.services
    }, extras.screen)
  } satisfies Libp2pOptions<any>
}

function screenAll<S extends Record<string, (components: any) => unknown>> (services: S, screen: StreamScreen): S {
  return Object.fromEntries(Object.entries(services).map(([name, f]) => [name, screened(f, screen)])) as S
}

export async function createWgtLibp2p<S extends Record<string, unknown>> (config: NodeConfig, privateKey: PrivateKey, datastore: Datastore, extras: Libp2pExtras<S>) {
  const node = await createLibp2p(libp2pOptions(config, privateKey, datastore, extras))
  skipMergesThatChangeNothing(node.peerStore)
  return node
}
