/**
 * This node's jobs in the datastore (/wgt/compute/job/<id>): the ComputeJob
 * as last announced and where its result file is, so listComputeJobs,
 * getComputeJob and saveComputeResult work after a restart. A job is written
 * when it starts and when it ends; one found running at load was cut off by
 * the node stopping, and is recorded failed, saying so. The newest
 * MAX_KEPT_JOBS ended jobs are kept; older ones go, with their result files.
 */
import { rm } from 'node:fs/promises'
import { Key, type Datastore } from 'interface-datastore'
import type { ComputeJob } from '../../../shared/api/index.js'

export const MAX_KEPT_JOBS = 100
const PREFIX = '/wgt/compute/job/'
const ID = /^[A-Za-z0-9_-]{1,64}$/
const encoder = new TextEncoder()
const decoder = new TextDecoder()

export interface StoredJob {
  job: ComputeJob
  /** the result file under the data directory, once done */
  resultPath: string | null
}

export class JobStore {
  private readonly jobs = new Map<string, StoredJob>()
  private writes: Promise<void> = Promise.resolve()

  constructor (private readonly datastore: Datastore, private readonly now: () => number = Date.now) {}

  async load (): Promise<void> {
    for await (const { key, value } of this.datastore.query({ prefix: PREFIX })) {
      const id = key.toString().slice(PREFIX.length)
      const stored = parse(value)
      if (stored == null || !ID.test(id) || stored.job.id !== id) {
        await this.datastore.delete(key)
        continue
      }
      if (stored.job.state === 'running') {
        stored.job = {
          ...stored.job,
          state: 'failed',
          endedAt: this.now(),
          tasks: { ...stored.job.tasks, running: 0 },
          error: { code: 'NOT_RUNNING', message: 'the node stopped while the job ran' }
        }
        await this.datastore.put(key, encoder.encode(JSON.stringify(stored)))
      }
      this.jobs.set(id, stored)
    }
    await this.prune()
  }

  get (id: string): StoredJob | undefined {
    return this.jobs.get(id)
  }

  /** newest first */
  list (): StoredJob[] {
    return [...this.jobs.values()].sort((a, b) => b.job.createdAt - a.job.createdAt)
  }

  async put (stored: StoredJob): Promise<void> {
    this.jobs.set(stored.job.id, stored)
    const key = new Key(PREFIX + stored.job.id)
    const bytes = encoder.encode(JSON.stringify(stored))
    this.writes = this.writes.then(async () => { await this.datastore.put(key, bytes) })
    await this.writes
    if (stored.job.state !== 'running') await this.prune()
  }

  /** Ended jobs past the newest MAX_KEPT_JOBS go, with their result files. */
  private async prune (): Promise<void> {
    const ended = this.list().filter(s => s.job.state !== 'running')
    for (const old of ended.slice(MAX_KEPT_JOBS)) {
      this.jobs.delete(old.job.id)
      await this.datastore.delete(new Key(PREFIX + old.job.id))
      if (old.resultPath != null) await rm(old.resultPath, { force: true })
    }
  }
}

function parse (value: Uint8Array): StoredJob | null {
  try {
    const s = JSON.parse(decoder.decode(value)) as StoredJob
    const j = s?.job
    if (j == null || typeof j.id !== 'string' || typeof j.state !== 'string' || !Number.isFinite(j.createdAt)) return null
    if (s.resultPath !== null && typeof s.resultPath !== 'string') return null
    return s
  } catch {
    return null
  }
}
