/** The requester's half of the compute slice of the API (jobs); module.ts composes it with the worker's half. Arguments arrive validated by dispatch(). */
import type { SliceApi, compute } from '../../../shared/api/index.js'
import type { Jobs } from './jobs.js'

export type JobsApi = Pick<SliceApi<typeof compute>, 'submitCompute' | 'listComputeJobs' | 'getComputeJob' | 'cancelComputeJob' | 'saveComputeResult'>

export function jobsApi (jobs: Jobs): JobsApi {
  return {
    submitCompute: async spec => await jobs.submit(spec),
    listComputeJobs: async () => jobs.list(),
    getComputeJob: async id => jobs.get(id),
    cancelComputeJob: async id => { jobs.cancel(id) },
    saveComputeResult: async (id, path) => await jobs.save(id, path)
  }
}
