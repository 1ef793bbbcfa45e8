/**
 * The worker's share of the compute slice of the API: what this node runs
 * for others, and the contributor settings. The job methods (submitCompute,
 * listComputeJobs, getComputeJob, cancelComputeJob, saveComputeResult) are
 * the requester's, in jobs-api.ts. Arguments arrive validated by dispatch().
 */
import type { compute, SliceApi } from '../../../shared/api/index.js'
import type { ComputeWorker } from './worker.js'

export type WorkerApi = Pick<SliceApi<typeof compute>, 'getComputeContribution' | 'getComputeSettings' | 'updateComputeSettings'>

export function workerApi (worker: ComputeWorker): WorkerApi {
  return {
    getComputeContribution: async () => worker.getContribution(),
    getComputeSettings: async () => worker.getSettings(),
    updateComputeSettings: async (patch) => await worker.updateSettings(patch)
  }
}
