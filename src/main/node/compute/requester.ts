/**
 * The requester's half of the compute capability, assembled for module.ts:
 * this node's jobs (jobs.ts) on a TaskDispatch, placed by the scheduler over
 * PeerSelection.candidates(COMPUTE_PROTOCOL) and this node, run as
 * operations, with their records and the workers' records in the datastore.
 */
import type { Capacity } from '../../../shared/api/index.js'
import { REPUTATION } from '../guard/module.js'
import type { RunningContext } from '../module.js'
import { PEER_SELECTION } from '../net/module.js'
import { OPERATIONS } from '../operations/module.js'
import { JobStore } from './job-store.js'
import { Jobs } from './jobs.js'
import { jobsApi, type JobsApi } from './jobs-api.js'
import { Scheduler } from './scheduler.js'
import type { TaskDispatch } from './types.js'
import { WorkerRecords } from './worker-records.js'

export interface RequesterInit {
  dispatch: TaskDispatch
  /** the protocol workers announce (compute-service.ts) */
  protocol: string
  /** this node's measured capacity (the capacity service's local reading) */
  selfCapacity: () => Capacity | null
  /** a user module's check against the ABI, before any task goes out */
  checkModule?: (module: Uint8Array) => void | Promise<void>
}

export async function startRequester (ctx: RunningContext, init: RequesterInit): Promise<{ jobs: Jobs, api: JobsApi, stop: () => Promise<void> }> {
  const store = new JobStore(ctx.datastore)
  const records = new WorkerRecords(ctx.datastore)
  await Promise.all([store.load(), records.load()])
  const selection = ctx.need(PEER_SELECTION)
  const scheduler = new Scheduler({
    selfId: ctx.peerId,
    candidates: async () => await selection.candidates(init.protocol),
    selfCapacity: () => {
      const c = init.selfCapacity()
      return c?.cores != null && c.cpuLoad != null ? { cores: c.cores, cpuLoad: c.cpuLoad } : null
    },
    record: id => records.get(id)
  })
  const jobs = new Jobs({
    selfId: ctx.peerId,
    dataDir: ctx.config.dataDir,
    downloadDir: ctx.config.downloadDir,
    dispatch: init.dispatch,
    scheduler,
    records,
    store,
    operations: ctx.need(OPERATIONS),
    emit: job => { ctx.events.emit('compute:job', job) },
    reputation: ctx.need(REPUTATION),
    checkModule: init.checkModule
  })
  return {
    jobs,
    api: jobsApi(jobs),
    // the operations registry aborts running jobs when the node stops; here the rest
    stop: async () => {
      await jobs.stop()
      await records.flush()
    }
  }
}
