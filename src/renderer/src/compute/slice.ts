/**
 * compute in the UI: this node's jobs (kept current by 'compute:job'), what
 * it runs for others ('compute:task'; totals and history reloaded from the
 * node, which counts them), and the contributor settings ('compute:settings').
 */
import type { ComputeContribution, ComputeJob, ComputeSettings } from '../../../shared/api/index.js'
import type { UiSlice } from '../app/slice.js'
import { jobsFromList, withJob, withTask, type Jobs } from './state.js'

export interface ComputeState {
  computeJobs: Jobs
  contribution: ComputeContribution | null
  computeSettings: ComputeSettings | null
  /**
   * bumped when a task for someone ends or the settings change: the totals,
   * history and pause reason the node keeps are stale
   */
  contributionStale: number
  computeJobChanged: (job: ComputeJob) => void
  contributionChanged: (c: ComputeContribution) => void
  computeSettingsChanged: (s: ComputeSettings) => void
}

export const computeSlice: UiSlice<ComputeState> = {
  name: 'the compute jobs and settings',
  create: (set) => ({
    computeJobs: {},
    contribution: null,
    computeSettings: null,
    contributionStale: 0,
    computeJobChanged: (job) => { set(s => ({ computeJobs: withJob(s.computeJobs, job) })) },
    contributionChanged: (contribution) => { set({ contribution }) },
    // whether the node pauses (turned off, computer busy) follows from the settings: reload it
    computeSettingsChanged: (computeSettings) => { set(s => ({ computeSettings, contributionStale: s.contributionStale + 1 })) }
  }),
  events: {
    'compute:job': (store, job) => { store.getState().computeJobChanged(job) },
    'compute:task': (store, task) => {
      store.setState(s => s.contribution == null
        ? {}
        : { contribution: withTask(s.contribution, task), contributionStale: s.contributionStale + (task.state === 'running' ? 0 : 1) })
    },
    'compute:settings': (store, settings) => { store.getState().computeSettingsChanged(settings) }
  },
  load: async (api, store) => {
    const [jobs, contribution, computeSettings] = await Promise.all([api.listComputeJobs(), api.getComputeContribution(), api.getComputeSettings()])
    store.setState({ computeJobs: jobsFromList(jobs), contribution, computeSettings })
  }
}

/** Jobs still running: the count shown beside Compute in the navigation. */
export function runningJobs (s: { computeJobs: Jobs }): number {
  let n = 0
  for (const j of Object.values(s.computeJobs)) if (j.state === 'running') n++
  return n
}
