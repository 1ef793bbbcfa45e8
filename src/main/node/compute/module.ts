/**
 * The compute capability (DESIGN.md §9): /wgt/compute/1.0.0 (both sides),
 * the worker that runs tasks for others and for this node's jobs in the
 * sandbox's threads under the contributor settings, and its figures in
 * Prometheus. Guard's 'compute' policy decides who may send tasks (by
 * default, contacts), asked on every task.
 *
 * The requester's half (jobs.ts: split, schedule, verify, assemble) is
 * composed in start() on the same TaskDispatch: own tasks go through the
 * worker's slots (dispatch.local), others' through the service (dispatch.remote).
 */
import { COMPUTE_LIMITS } from '../../../shared/api/index.js'
import { GUARD, REPUTATION } from '../guard/module.js'
import type { CapacityService } from '../metrics/capacity.js'
import { METRIC_FEEDS } from '../metrics/module.js'
import { part, type NodeModule } from '../module.js'
import { workerApi } from './api.js'
import { COMPUTE_PROTOCOL, computeService, type ComputeService } from './compute-service.js'
import { startRequester } from './requester.js'
import { resultSha256 } from './sandbox/result-hash.js'
import { createTaskRunner } from './sandbox/runner.js'
import { ComputeStore } from './store.js'
import type { TaskDispatch } from './types.js'
import { ComputeWorker } from './worker.js'

const COMPUTE_STORE = part<ComputeStore>('compute.store')
/** how this node reaches workers, itself included (for the requester's half, and tests) */
export const COMPUTE_DISPATCH = part<TaskDispatch>('compute.dispatch')
/** the worker (tests reach into a running node through it) */
export const COMPUTE_WORKER = part<ComputeWorker>('compute.worker')

export const computeModule: NodeModule = {
  name: 'compute',
  open: async ctx => {
    const store = new ComputeStore(ctx.datastore)
    await store.load()
    ctx.provide(COMPUTE_STORE, store)
  },
  libp2p: ctx => {
    const guard = ctx.need(GUARD)
    return {
      services: {
        compute: computeService({ reputation: ctx.need(REPUTATION), mayCompute: peer => guard.may(peer, 'compute'), hashResult: resultSha256 })
      }
    }
  },
  start: async ctx => {
    const log = ctx.logger.forComponent('wgt:compute')
    // threads start when a task needs one; the worker's slots (maxTasks) decide how many run
    const runner = createTaskRunner({ concurrency: COMPUTE_LIMITS.maxTasks.max })
    const worker = new ComputeWorker({
      selfId: ctx.peerId,
      store: ctx.need(COMPUTE_STORE),
      runner,
      events: ctx.events,
      hashResult: resultSha256,
      log: (format, ...args) => { log(format, ...args) }
    })
    const service = ctx.service<ComputeService>('compute')
    const dispatch: TaskDispatch = {
      local: async (spec, limits, signal) => await worker.local(spec, limits, signal),
      remote: async (peerId, spec, limits, signal, ref) => await service.run(peerId, spec, limits, signal, ref)
    }
    ctx.provide(COMPUTE_DISPATCH, dispatch)
    ctx.provide(COMPUTE_WORKER, worker)
    worker.start()
    service.host = worker
    ctx.need(METRIC_FEEDS).plugCompute(() => worker.figures())

    // the requester's half (jobs): on the same dispatch; its jobs end before the worker stops
    const capacity = ctx.service<CapacityService>('capacity')
    const requester = await startRequester(ctx, {
      dispatch,
      protocol: COMPUTE_PROTOCOL,
      selfCapacity: () => capacity.local(),
      selfFreeSlots: () => worker.freeSlots(),
      // the worker's own checks and metering, in a pool thread (binaryen never loads on this thread)
      checkModule: async module => { await runner.checkModule(module) }
    })
    const api = { ...workerApi(worker), ...requester.api }
    return {
      api,
      stop: async () => {
        await requester.stop()
        service.host = null
        await worker.stop()
        await runner.stop()
      }
    }
  }
}
