/**
 * createNode: the composition root. Opens the data directory, loads the
 * identity, assembles libp2p with WGT's services, and wires the peer directory,
 * metrics and the API together. Returns a started node whose stop() undoes
 * everything start did.
 */
import { mkdir, statfs } from 'node:fs/promises'
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
import { Announcer, FileRecords, FilesService, loadQuota, offerService, shardService } from './files/index.js'
import { ShardStore } from './storage/index.js'

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

  let store: ShardStore
  try {
    const quotaBytes = config.quotaBytes ?? await loadQuota(datastore) ?? await defaultQuota(config.dataDir)
    store = await ShardStore.open({ dir: join(config.dataDir, 'shards'), datastore, quotaBytes })
  } catch (err) {
    await datastore.close().catch(() => {})
    throw WgtError.from(err, 'UNAVAILABLE')
  }

  const reputation = new ReputationBook()
  const meter = trafficMeter()
  const hub = new EventHub()
  // created once libp2p exists; shards stored before that (none: nothing is served yet) need no announcement
  const announcing: { to?: Announcer } = {}
  let libp2p
  try {
    libp2p = await createWgtLibp2p(config, privateKey, datastore, {
      services: {
        probe: probe({ intervalMs: config.probeIntervalMs, reputation }),
        capacity: capacity({ dataDir: config.dataDir, reputation }),
        shards: shardService({ store, reputation, storeForOthers: () => config.storeForOthers, onStored: cid => { announcing.to?.announce(cid) } }),
        offers: offerService({ reputation, onOffer: offer => { hub.emit('file:offer', offer) } })
      },
      metrics: meter.factory,
      isDenied: peerId => reputation.isBanned(peerId)
    })
    await libp2p.start()
  } catch (err) {
    await Promise.resolve(libp2p?.stop()).catch(() => {})
    await store.stop().catch(() => {})
    await datastore.close().catch(() => {})
    throw WgtError.from(err, 'UNAVAILABLE')
  }
  const announcer = new Announcer(libp2p, libp2p.logger.forComponent('wgt:files:announce'))
  announcing.to = announcer
  store.start()

  const startedAt = Date.now()
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

  const files = new FilesService({
    libp2p,
    shards: libp2p.services.shards,
    offers: libp2p.services.offers,
    store,
    records: new FileRecords(datastore),
    announcer,
    hub,
    reputation,
    peers: async () => await directory.list(),
    rtt: id => libp2p.services.probe.rtt(id)?.p50 ?? Number.POSITIVE_INFINITY,
    downloadDir: config.downloadDir,
    log: libp2p.logger.forComponent('wgt:files')
  })

  const api = new NodeApi({
    files,
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
      // files first: its transfers use libp2p, the store and the datastore
      await files.stop()
      keeper.stop()
      telemetry.stop()
      directory.stop()
      for (const u of unsubscribe.splice(0)) u()
      try {
        await libp2p.stop()
      } finally {
        try {
          await store.stop()
        } finally {
          await datastore.close()
        }
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

/** Without a configured or user-set quota: 10 GiB, or half the free disk when that is less. */
async function defaultQuota (dataDir: string): Promise<number> {
  const fs = await statfs(dataDir)
  return Math.min(10 * 2 ** 30, Math.floor(fs.bavail * fs.bsize / 2))
}
