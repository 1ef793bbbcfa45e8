/**
 * The net capability: libp2p's view of peers as the peer directory (the one
 * source of truth for peers), peer selection for placement, reachability,
 * the bootstrap keeper, and the net slice of the API.
 */
import type { Libp2p } from '@libp2p/interface'
import { part, type NodeModule } from '../module.js'
import { netApi, identityOf } from './api.js'
import { BootstrapKeeper } from './bootstrap-keeper.js'
import { PeerMeasures } from './measures.js'
import { PeerDirectory } from './peer-directory.js'
import { reachabilityTracker, type ReachabilityTracker } from './reachability.js'
import { PeerSelection } from './selection.js'

/** where other capabilities plug in what they measure about peers (opened first, so anyone can) */
export const PEER_MEASURES = part<PeerMeasures>('net.measures')
export const PEER_DIRECTORY = part<PeerDirectory>('net.directory')
export const PEER_SELECTION = part<PeerSelection>('net.selection')
/** ping over metrics' probe stream; plugged in by metrics */
export const PINGER = part<{ ping: (peerId: string, count: number) => Promise<Array<number | null>> }>('net.pinger')

/** how often reachability is looked at with no event to prompt it (see start()) */
const REACHABILITY_POLL_MS = 30_000

export const netModule: NodeModule = {
  name: 'net',
  open: ctx => { ctx.provide(PEER_MEASURES, new PeerMeasures()) },
  libp2p: () => ({ services: { reachability: reachabilityTracker() } }),
  start: ctx => {
    const { libp2p, events, config } = ctx
    const measures = ctx.need(PEER_MEASURES)
    const directory = new PeerDirectory(libp2p, measures)
    ctx.provide(PEER_DIRECTORY, directory)
    ctx.provide(PEER_SELECTION, new PeerSelection(libp2p, measures))
    const reachability = ctx.service<ReachabilityTracker>('reachability')
    const keeper = new BootstrapKeeper(libp2p, config.bootstrap)
    const startedAt = Date.now()

    const off: Array<() => void> = []
    const listen = <T>(target: EventTarget, name: string, fn: (detail: T) => void): void => {
      const handler = (evt: Event): void => { fn((evt as CustomEvent<T>).detail) }
      target.addEventListener(name, handler)
      off.push(() => { target.removeEventListener(name, handler) })
    }
    listen(directory, 'peer:update', d => { events.emit('peer:update', d as never) })
    listen(directory, 'peer:remove', d => { events.emit('peer:remove', d as never) })
    // Reachability changes when AutoNAT records a verdict (the address manager then updates our
    // peer record: self:peer:update) or when identify brings a newly observed address
    // (peer:identify). Verifications also expire with no event at all, so a slow poll stays as
    // the backstop; it was each metrics tick (1 s) for changes that come from those events.
    let lastReach = ''
    const checkReachability = (): void => {
      const r = reachability.current()
      const key = JSON.stringify(r)
      if (key !== lastReach) { lastReach = key; events.emit('reachability', r) }
    }
    listen(libp2p, 'self:peer:update', () => {
      events.emit('identity', identityOf(libp2p as Libp2p, config.agent, startedAt))
      checkReachability()
    })
    listen(libp2p, 'peer:identify', () => { checkReachability() })
    const timer = setInterval(checkReachability, REACHABILITY_POLL_MS)
    timer.unref()

    directory.start()
    keeper.start()
    return {
      api: netApi({
        libp2p,
        directory,
        reachability,
        ping: async (id, count) => await ctx.need(PINGER).ping(id, count),
        agent: config.agent,
        startedAt
      }),
      stop: () => {
        clearInterval(timer)
        keeper.stop()
        directory.stop()
        for (const u of off.splice(0)) u()
      }
    }
  }
}
