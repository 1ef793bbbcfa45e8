/**
 * createNode: opens the data directory and the identity, then runs every
 * module in MODULES through open → libp2p → start (see module.ts), and
 * returns a started node whose stop() undoes all of it in reverse. This file
 * knows no capability by name: each one is a module.
 */
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { defaultLogger } from '@libp2p/logger'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { Metrics } from '@libp2p/interface'
import { LevelDatastore } from 'datastore-level'
import { METHOD_NAMES, SESSION_METHODS, type NodeApi } from '../../shared/api/index.js'
import { WgtError } from '../../shared/errors.js'
import { EventHub } from '../../shared/rpc.js'
import { resolveConfig, type NodeConfig } from './config.js'
import { PROMETHEUS } from './metrics/module.js'
import { Parts, type ModuleContext, type ModuleInstance, type RunningContext, type ServiceFactory } from './module.js'
import { MODULES } from './modules.js'
import { loadOrCreateIdentity } from './net/identity.js'
import { createWgtLibp2p } from './net/libp2p.js'
import type { WgtNode } from './node.js'
import type { StreamScreen } from './wire/screen.js'

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

  const parts = new Parts()
  const events = new EventHub()
  const ctx: ModuleContext = {
    config,
    peerId: peerIdFromPrivateKey(privateKey).toString(),
    privateKey,
    datastore,
    events,
    logger: defaultLogger(),
    provide: (p, v) => { parts.provide(p, v) },
    need: p => parts.need(p)
  }
  const closers: Array<() => Promise<void>> = []
  const started: ModuleInstance[] = []
  let libp2p: Awaited<ReturnType<typeof createWgtLibp2p>> | undefined
  let api: NodeApi

  /** Undo everything that was done, in reverse, whatever fails on the way; answers the first failure. */
  const unwind = async (): Promise<unknown> => {
    let first: unknown
    const attempt = async (step: () => unknown): Promise<void> => {
      try { await step() } catch (err) { first ??= err }
    }
    for (const m of started.splice(0).reverse()) await attempt(() => m.stop?.())
    await attempt(() => libp2p?.stop())
    for (const close of closers.splice(0).reverse()) await attempt(close)
    await attempt(async () => { await datastore.close() })
    return first
  }

  try {
    for (const m of MODULES) {
      const close = await m.open?.(ctx)
      if (close != null) closers.push(close)
    }
    const services: Record<string, ServiceFactory> = {}
    let metrics: ((components: any) => Metrics) | undefined
    const deny: Array<(peerId: string) => boolean> = []
    let screen: StreamScreen | undefined
    for (const m of MODULES) {
      const c = m.libp2p?.(ctx) ?? {}
      for (const [name, factory] of Object.entries(c.services ?? {})) {
        if (Object.hasOwn(services, name)) throw new WgtError('INTERNAL', `two modules contribute the libp2p service ${name}`)
        services[name] = factory
      }
      if (c.metrics != null) {
        if (metrics != null) throw new WgtError('INTERNAL', 'two modules contribute libp2p metrics')
        metrics = c.metrics
      }
      if (c.denyPeer != null) deny.push(c.denyPeer)
      if (c.screen != null) {
        if (screen != null) throw new WgtError('INTERNAL', 'two modules contribute a stream screen')
        screen = c.screen
      }
    }
    if (screen == null) throw new WgtError('INTERNAL', 'no module contributes the stream screen (guard)')
    libp2p = await createWgtLibp2p(config, privateKey, datastore, { services, metrics, isDenied: id => deny.some(d => d(id)), screen })
    await libp2p.start()
    const node = libp2p
    const running: RunningContext = {
      ...ctx,
      libp2p: node,
      service: <T>(name: string): T => {
        const s = (node.services as Record<string, unknown>)[name]
        if (s == null) throw new WgtError('INTERNAL', `no libp2p service ${name}: no module contributes it`)
        return s as T
      }
    }
    for (const m of MODULES) started.push(await m.start(running))
    api = composeApi(started, events)
  } catch (err) {
    await unwind()
    throw WgtError.from(err, 'UNAVAILABLE')
  }

  const node = libp2p
  let stopping: Promise<void> | undefined
  return {
    peerId: node.peerId.toString(),
    config,
    api,
    multiaddrs: () => node.getMultiaddrs().map(String),
    prometheus: async () => await parts.need(PROMETHEUS)(),
    part: p => parts.need(p),
    stop: async () => {
      // a module that fails to stop must not leave the others (or the datastore's lock) running
      stopping ??= (async () => {
        const failure = await unwind()
        if (failure != null) throw WgtError.from(failure)
      })()
      await stopping
    }
  }
}

/** One API object from every module's slice; a method no module implements is a bug caught at start. */
function composeApi (instances: ModuleInstance[], events: EventHub): NodeApi {
  const api: Record<string, unknown> = { on: events.on.bind(events) }
  for (const inst of instances) {
    const slice = inst.api as Record<string, unknown> | undefined
    if (slice == null) continue
    // by method name, so a class's prototype methods count as well as an object's own
    for (const name of METHOD_NAMES) {
      const fn = slice[name]
      if (typeof fn !== 'function') continue
      if (Object.hasOwn(api, name)) throw new WgtError('INTERNAL', `two modules implement ${name}`)
      api[name] = (fn as (...a: unknown[]) => unknown).bind(slice)
    }
  }
  const missing = METHOD_NAMES.filter(m => !(SESSION_METHODS as string[]).includes(m) && typeof api[m] !== 'function')
  if (missing.length > 0) throw new WgtError('INTERNAL', `no module implements ${missing.join(', ')}`)
  return api as unknown as NodeApi
}
