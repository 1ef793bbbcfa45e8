import { join } from 'node:path'
import { DEFAULT_PORTS } from './ports.js'
import { WGT_VERSION } from './version.js'

export { DEFAULT_PORTS } from './ports.js'
export { WGT_VERSION } from './version.js'

/** What a node is told at start. Everything has a default so a fresh data directory just works. */
export interface NodeConfig {
  /** where identity, peer store and (later) shards live */
  dataDir: string
  /** multiaddrs to listen on */
  listen: string[]
  /** multiaddrs (with /p2p/<id>) dialled at start and kept in the routing table */
  bootstrap: string[]
  mdns: boolean
  /** act as a circuit-relay v2 server for others, and relay calls' media (/wgt/call-relay/1.0.0) */
  relayServer: boolean
  /**
   * a relay server's cap on the call media it forwards, all calls and both directions together,
   * in kbit/s (default DEFAULT_RELAY_CALL_KBPS). Over it the relay drops datagrams and the calls
   * lower their bitrate.
   */
  relayCallKbps: number
  /**
   * Run the DHT in server mode. WGT's DHT (/wgt prefix) is a separate network from IPFS's and is
   * mostly used on LANs and loopback, where AutoNAT never confirms a public address and kad-dht's
   * automatic switch would leave every node a client that finds nobody. So: on by default.
   */
  dhtServer: boolean
  /** connection manager limit */
  maxConnections: number
  /** how often metrics tick (rates, history, capacity broadcast) */
  metricsIntervalMs: number
  /** how often each connected peer is probed for RTT while its RTT settles or moves, or an API client watches */
  probeIntervalMs: number
  /** how often a peer whose RTT is settled is probed while no API client watches (metrics/probe.ts) */
  probeIdleIntervalMs: number
  /** string sent in identify */
  agent: string
  /**
   * bytes of shards this node keeps. null = the quota last set through the API (setStorageQuota
   * persists it), else the smaller of 10 GiB and half the free disk when the node starts.
   */
  quotaBytes: number | null
  /** where fetched files are saved when no output path is given; default DATA/received */
  downloadDir: string
  /** how long peers are asked to keep the shards this node places (they clamp it to a year) */
  shardLeaseMs: number
  /** how often this node renews the leases of the files it shared (well within shardLeaseMs) */
  leaseRenewMs: number
  /** how often every stored shard is re-hashed (scrub), and how fast it may read */
  scrubEveryMs: number
  scrubBytesPerSecond: number
  /** a chat message to a contact undelivered this long is also sealed and left in other peers' mailboxes */
  mailboxAfterMs: number
}


/**
 * 10 Mbit/s: two video calls at Chromium's ceiling of about 2.5 Mbit/s each way (four streams),
 * or dozens of audio calls. A relay forwards what it receives, so it spends the same on its
 * uplink: 10 Mbit/s fits a home fibre or cable uplink without starving its owner. Operators with
 * more (or less) to give set --relay-call-kbps.
 */
export const DEFAULT_RELAY_CALL_KBPS = 10_000

export function defaultListen (): string[] {
  return [
    `/ip4/0.0.0.0/tcp/${DEFAULT_PORTS.tcp}`,
    `/ip4/0.0.0.0/tcp/${DEFAULT_PORTS.ws}/ws`,
    `/ip4/0.0.0.0/udp/${DEFAULT_PORTS.webrtcDirect}/webrtc-direct`,
    '/p2p-circuit',
    '/webrtc'
  ]
}

export function resolveConfig (partial: Partial<NodeConfig> & { dataDir: string }): NodeConfig {
  return {
    quotaBytes: null,
    shardLeaseMs: 14 * 24 * 3600_000,
    leaseRenewMs: 24 * 3600_000,
    scrubEveryMs: 24 * 3600_000,
    scrubBytesPerSecond: 16 * 2 ** 20,
    mailboxAfterMs: 30_000,
    downloadDir: join(partial.dataDir, 'received'),
    listen: defaultListen(),
    bootstrap: [],
    mdns: true,
    relayServer: false,
    relayCallKbps: DEFAULT_RELAY_CALL_KBPS,
    dhtServer: true,
    maxConnections: 300,
    metricsIntervalMs: 1000,
    probeIntervalMs: 1000,
    probeIdleIntervalMs: 15_000,
    agent: `wgt/${WGT_VERSION}`,
    ...partial
  }
}
