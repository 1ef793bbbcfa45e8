/**
 * Re-runs the DHT self-lookup while the routing table is small, whenever a new
 * DHT peer connects. This is how go-libp2p-kad-dht joins a network: when a
 * peer that speaks the DHT protocol is identified and its routing table holds
 * at most minRTRefreshThreshold peers, it triggers a table refresh (which
 * starts with a lookup of its own key); triggers that arrive while one runs
 * are batched into one. js-libp2p's kad-dht has no such trigger.
 *
 * Why WGT needs it (issue 6, item 6). kad-dht looks up its own key once, as
 * soon as the first peer enters its routing table, and again only after
 * QUERY_SELF_INTERVAL (5 min); its table refresh also runs once at start, then
 * every 5 min. libp2p 3 does not dial discovered peers by itself, so these
 * lookups are how a node meets anyone beyond its bootstrap peer. When B..F
 * all join A at once, each asks A for the peers closest to itself while A's
 * routing table is still empty: A admits a peer only after identify and a
 * ping (RoutingTable.verifyNewContact). Measured on this machine (2 cores,
 * six daemons on loopback): A answered three joiners' lookups with at most
 * one other peer, 10-90 ms before it had admitted all five; those three had
 * finished their only early lookup (167-295 ms) and did not meet for 5 min.
 * Six daemons failed to converge within 60 s in 1 of 20 runs (5 of 15 with
 * debug logging slowing every node; `npm test` failed 2 of 4 runs that way);
 * no 20-daemon swarm converged within 150 s (84 and 140 of 380 directed pairs
 * unconnected). With this: 0 of 75 six-daemon runs failed, and 8 of 8
 * 20-daemon swarms converged (with the identify timeout in libp2p.ts and
 * datastore-reads.ts, which a full mesh of 20 on 2 cores needs as well).
 *
 * Looking again when a new DHT peer arrives closes that window, since a new
 * peer usually means that someone we asked now knows more: the peers we meet
 * from a lookup, or peers that met us through the bootstrap node once it had
 * admitted us.
 * Connections also fail or break while a swarm forms: on 2 cores, with 20
 * daemons starting at once, 90 dials failed on a handshake timeout and the
 * connection monitor aborted 62 connections in one run (pings whose streams
 * the starved peer closed), and a pair that lost or never made its connection
 * after the last new peer had arrived stayed apart until kad-dht's 5-minute
 * lookup (`npm test` failed on it: 3 of 380 directed pairs after 150 s). So a
 * DHT peer that disconnects is a trigger too (the lookup redials it: it stays
 * in the routing table), and a lookup in which some peer did not answer is
 * retried after a backoff (5 s, doubling to 5 min; reset by a lookup in which
 * everyone answered).
 *
 * Bounded: at most one lookup runs at a time, triggers during it collapse into
 * one more, at most one retry is pending, and none is started once the routing
 * table holds k peers (a full bucket; kad-dht's own 5-minute lookups take
 * over). Nothing here is specific to loopback or a LAN.
 */
import { setMaxListeners } from 'node:events'
import { serviceDependencies } from '@libp2p/interface'
import type { AbortOptions, ComponentLogger, Logger, PeerId, Startable } from '@libp2p/interface'
import type { Registrar } from '@libp2p/interface-internal'

/** The part of @libp2p/kad-dht this uses. */
export interface SelfLookupDht {
  /** the bucket size */
  readonly k: number
  /** kadDHT() is typed KadDHT, but what it builds is a SingleKadDHT, which has this */
  readonly routingTable?: { readonly size: number }
  getClosestPeers: (key: Uint8Array, options?: AbortOptions) => AsyncIterable<unknown>
}

export interface DhtJoinComponents {
  registrar: Registrar
  peerId: PeerId
  logger: ComponentLogger
  /** kad-dht, configured as the service named `dht` (kad-dht itself reaches ping the same way) */
  dht: SelfLookupDht
}

export interface DhtJoinInit {
  /** the DHT's protocol: a peer speaking it is a new DHT peer */
  protocol: string
  /** look again only while the routing table holds fewer peers than this (default: the DHT's k) */
  maxTableSize?: number
  /** abandon a lookup after this long (default 30 s, kad-dht's TABLE_REFRESH_QUERY_TIMEOUT) */
  lookupTimeoutMs?: number
  /** first wait before retrying a lookup in which a peer did not answer (default 5 s); doubles each time */
  retryMinMs?: number
  /** longest wait between such retries (default 5 min, kad-dht's own self-lookup interval) */
  retryMaxMs?: number
}

export class DhtJoin implements Startable {
  readonly [Symbol.toStringTag] = 'wgt:dht-join'
  readonly [serviceDependencies]: string[] = ['@libp2p/kad-dht']

  /** lookups started so far (for tests and logs) */
  lookups = 0
  private readonly log: Logger
  private readonly lookupTimeoutMs: number
  private topologyId?: string
  private controller?: AbortController
  private running?: Promise<void>
  private again = false
  private retryTimer?: ReturnType<typeof setTimeout>
  private retryMs: number

  constructor (private readonly components: DhtJoinComponents, private readonly init: DhtJoinInit) {
    this.log = components.logger.forComponent('wgt:dht:join')
    this.lookupTimeoutMs = init.lookupTimeoutMs ?? 30_000
    this.retryMs = init.retryMinMs ?? 5_000
  }

  async start (): Promise<void> {
    if (this.controller != null) return
    const controller = new AbortController()
    setMaxListeners(Infinity, controller.signal)
    this.controller = controller
    // onConnect: identify has finished and the peer speaks the DHT protocol; onDisconnect: its last connection closed
    const id = await this.components.registrar.register(this.init.protocol, {
      onConnect: () => { this.lookAgain() },
      onDisconnect: () => { this.lookAgain() }
    })
    if (this.controller === controller) this.topologyId = id
    else this.components.registrar.unregister(id)
  }

  async stop (): Promise<void> {
    if (this.topologyId != null) this.components.registrar.unregister(this.topologyId)
    this.topologyId = undefined
    this.controller?.abort()
    this.controller = undefined
    this.again = false
    clearTimeout(this.retryTimer)
    this.retryTimer = undefined
    await this.running
  }

  /** A DHT peer connected or left, or a retry is due: look up our own key again, unless the table is big enough already. */
  lookAgain (): void {
    const controller = this.controller
    if (controller == null) return
    const { dht } = this.components
    if ((dht.routingTable?.size ?? 0) >= (this.init.maxTableSize ?? dht.k)) return
    if (this.running != null) { this.again = true; return }
    clearTimeout(this.retryTimer)
    this.retryTimer = undefined
    this.running = this.lookUp(controller.signal).finally(() => { this.running = undefined })
  }

  /** Some peer did not answer the last lookup: try again later, each time waiting twice as long. */
  private retryLater (): void {
    if (this.controller == null || this.retryTimer != null) return
    const wait = this.retryMs
    this.retryMs = Math.min(this.retryMs * 2, this.init.retryMaxMs ?? 300_000)
    this.log('retrying the self-lookup in %d ms', wait)
    this.retryTimer = setTimeout(() => { this.retryTimer = undefined; this.lookAgain() }, wait)
    this.retryTimer.unref?.()
  }

  private async lookUp (stopped: AbortSignal): Promise<void> {
    const key = this.components.peerId.toMultihash().bytes
    let unanswered = 0
    do {
      this.again = false
      this.lookups++
      const signal = AbortSignal.any([stopped, AbortSignal.timeout(this.lookupTimeoutMs)])
      setMaxListeners(Infinity, signal)
      const started = Date.now()
      let events = 0
      unanswered = 0
      try {
        // kad-dht dials each peer it asks: a connection to every peer found close to us
        for await (const event of this.components.dht.getClosestPeers(key, { signal })) {
          events++
          if ((event as { name?: string }).name === 'QUERY_ERROR') unanswered++
        }
        this.log('self-lookup %d: %d events, %d unanswered, in %d ms, routing table %d', this.lookups, events, unanswered, Date.now() - started, this.components.dht.routingTable?.size)
      } catch (err) {
        unanswered++
        if (!stopped.aborted) this.log('self-lookup %d failed after %d ms - %e', this.lookups, Date.now() - started, err)
      }
    } while (this.again && !stopped.aborted)
    if (stopped.aborted) return
    if (unanswered > 0) this.retryLater()
    else this.retryMs = this.init.retryMinMs ?? 5_000
  }
}

/** A libp2p service; configure it next to kad-dht, which must be the service named `dht`. */
export function dhtJoin (init: DhtJoinInit): (components: DhtJoinComponents) => DhtJoin {
  return (components) => new DhtJoin(components, init)
}
