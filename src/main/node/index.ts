/**
 * createNode: the composition root. Opens the data directory, loads the
 * identity, assembles libp2p with WGT's services, and wires the peer directory,
 * metrics and the API together. Returns a started node whose stop() undoes
 * everything start did.
 */
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { LevelDatastore } from 'datastore-level'
import { WgtError } from '../../shared/errors.js'
import { EventHub } from '../../shared/rpc.js'
import { NodeApi } from './api/node-api.js'
import { resolveConfig, type NodeConfig } from './config.js'
import { ReputationBook } from './guard/reputation.js'
import { BootstrapKeeper } from './net/bootstrap-keeper.js'
import { loadOrCreateIdentity } from './net/identity.js'
import { createWgtLibp2p } from './net/libp2p.js'
import { PeerDirectory } from './net/peer-directory.js'
import { ReachabilityTracker } from './net/reachability.js'
import { Telemetry } from './telemetry.js'
import { PrometheusExporter, capacity, probe, trafficMeter } from './metrics/index.js'
import type { WgtNode } from './node.js'

export type { WgtNode } from './node.js'
export type { NodeConfig } from './config.js'

export async function createNode (partial: Partial<NodeConfig> & { dataDir: string }): Promise<WgtNode> {
  const config = resolveConfig(partial)
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 })
  const privateKey = await loadOrCreateIdentity(config.dataDir)
  const datastore = new LevelDatastore(join(config.dataDir, 'datastore'))
  try {
    await datastore.open()
  } catch (err) {
    throw new WgtError('UNAVAILABLE', `cannot open ${join(config.dataDir, 'datastore')} (is another WGT node using this data directory?): ${(err as Error).message}`, { cause: err })
  }

  const reputation = new ReputationBook()
  const meter = trafficMeter()
  let libp2p
  try {
    libp2p = await createWgtLibp2p(config, privateKey, datastore, {
      services: {
        probe: probe({ intervalMs: config.probeIntervalMs, reputation }),
        capacity: capacity({ dataDir: config.dataDir, reputation })
      },
      metrics: meter.factory,
      isDenied: peerId => reputation.isBanned(peerId)
    })
    await libp2p.start()
  } catch (err) {
    await Promise.resolve(libp2p?.stop()).catch(() => {})
    await datastore.close().catch(() => {})
    throw WgtError.from(err, 'UNAVAILABLE')
  }

  const startedAt = Date.now()
  const hub = new EventHub()
  const directory = new PeerDirectory(libp2p, {
    rtt: id => libp2p.services.probe.rtt(id),
    traffic: id => meter.traffic(id),
    capacity: id => libp2p.services.capacity.remote(id),
    reputation: id => reputation.get(id),
    // contacts and blocking arrive with guard/ policies; until then nobody is a contact
    trust: () => 'stranger'
  })
  const reachability = new ReachabilityTracker(libp2p, (libp2p as any).components.addressManager)
  const telemetry = new Telemetry({ libp2p, directory, meter, probe: libp2p.services.probe, capacity: libp2p.services.capacity, intervalMs: config.metricsIntervalMs })
  const keeper = new BootstrapKeeper(libp2p, config.bootstrap)
  const exporter = new PrometheusExporter({
    registry: meter.registry,
    traffic: meter,
    rtt: id => libp2p.services.probe.rtt(id),
    localCapacity: () => libp2p.services.capacity.local(),
    connectedPeers: () => directory.connectedIds()
  })

  const api = new NodeApi({
    libp2p,
    directory,
    reachability,
    hub,
    ping: async (id, count) => await libp2p.services.probe.ping(id, count),
    snapshot: () => telemetry.snapshot(),
    history: () => telemetry.history(),
    agent: config.agent,
    startedAt
  })

  // events: directory and telemetry feed the hub every transport subscribes to
  const unsubscribe: Array<() => void> = []
  const listen = <T>(target: EventTarget, name: string, fn: (detail: T) => void): void => {
    const handler = (evt: Event): void => { fn((evt as CustomEvent<T>).detail) }
    target.addEventListener(name, handler)
    unsubscribe.push(() => { target.removeEventListener(name, handler) })
  }
  listen(directory, 'peer:update', d => { hub.emit('peer:update', d) })
  listen(directory, 'peer:remove', d => { hub.emit('peer:remove', d) })
  listen(telemetry, 'sample', d => { hub.emit('metrics:sample', d) })
  let lastReach = ''
  const emitIdentityAndReachability = (): void => {
    const r = reachability.current()
    const key = JSON.stringify(r)
    if (key !== lastReach) { lastReach = key; hub.emit('reachability', r) }
  }
  listen(libp2p, 'self:peer:update', () => {
    void api.getIdentity().then(id => { hub.emit('identity', id) })
    emitIdentityAndReachability()
  })
  listen(telemetry, 'sample', () => { emitIdentityAndReachability() })
  unsubscribe.push(reputation.onChange(id => { directory.refresh(id) }))

  directory.start()
  telemetry.start()
  keeper.start()

  let stopping: Promise<void> | undefined
  const stop = async (): Promise<void> => {
    stopping ??= (async () => {
      keeper.stop()
      telemetry.stop()
      directory.stop()
      for (const u of unsubscribe.splice(0)) u()
      try {
        await libp2p.stop()
      } finally {
        await datastore.close()
      }
    })()
    await stopping
  }

  return {
    peerId: libp2p.peerId.toString(),
    config,
    api,
    multiaddrs: () => libp2p.getMultiaddrs().map(String),
    prometheus: async () => await exporter.text(),
    stop
  }
}
