/**
 * The calls capability (DESIGN.md §8): /wgt/call/1.0.0 signalling, the call
 * registry and its record in the datastore, the call settings, and the
 * figures the renderer measures, into the metrics history and Prometheus.
 * Guard's calls policy decides who may ring (a stranger's call under
 * 'contacts' arrives as a request; under 'contacts-only' and 'nobody' it is
 * refused with a reason the caller sees).
 *
 * The media tunnel is the libp2p service 'callMedia' (calls/media/), and a
 * `--relay-server` node also carries other peers' tunnels ('callRelay').
 */
import { GUARD, REPUTATION } from '../guard/module.js'
import { METRIC_FEEDS } from '../metrics/module.js'
import { part, type NodeModule } from '../module.js'
import { callsApi } from './api.js'
import { callService, type CallService } from './call-service.js'
import { Calls } from './calls.js'
import { CallStore } from './store.js'
import { mediaServices } from './media/index.js'
import type { CallMedia } from './tunnel-types.js'

const CALL_STORE = part<CallStore>('calls.store')

export const callsModule: NodeModule = {
  name: 'calls',
  open: async ctx => {
    const store = new CallStore(ctx.datastore)
    await store.load()
    ctx.provide(CALL_STORE, store)
  },
  libp2p: ctx => ({
    services: {
      call: callService({ reputation: ctx.need(REPUTATION) }),
      ...mediaServices(ctx.config, { reputation: ctx.need(REPUTATION) })
    }
  }),
  start: ctx => {
    const store = ctx.need(CALL_STORE)
    const media = ctx.service<CallMedia>('callMedia')
    const log = ctx.logger.forComponent('wgt:calls')
    const calls = new Calls({
      selfId: ctx.peerId,
      store,
      service: ctx.service<CallService>('call'),
      guard: ctx.need(GUARD),
      events: ctx.events,
      openTunnel: opts => media.open(opts),
      log: (format, ...args) => { log(format, ...args) }
    })
    ctx.need(METRIC_FEEDS).plugCalls(() => calls.figures())
    calls.start()
    return { api: callsApi(calls, store), stop: async () => { await calls.stop() } }
  }
}
