import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MemoryDatastore } from 'datastore-core'
import { Key } from 'interface-datastore'
import { afterAll, describe, expect, it } from 'vitest'
import type { ComputeJob } from '../../../../shared/api/index.js'
import { JobStore, MAX_KEPT_JOBS } from '../job-store.js'

const dir = await mkdtemp(join(tmpdir(), 'wgt-job-store-'))
afterAll(async () => { await rm(dir, { recursive: true, force: true }) })

function job (id: string, createdAt: number, state: ComputeJob['state'] = 'done'): ComputeJob {
  return {
    id, kernel: 'matmul', label: 'matmul 4×4', state, redundancy: 1, tasks: { total: 1, done: 1, running: 0 }, fraction: 1, workers: [],
    verification: { extraRuns: 0, mismatches: 0, freivalds: null }, cpuMs: 0, createdAt, endedAt: createdAt + 1,
    result: null, error: null
  }
}

describe('JobStore', () => {
  it('keeps the newest MAX_KEPT_JOBS ended jobs, removing older ones with their result files', async () => {
    const store = new JobStore(new MemoryDatastore())
    const oldest = join(dir, 'oldest.wgtm')
    await writeFile(oldest, 'x')
    await store.put({ job: job('oldest', 0), resultPath: oldest })
    for (let i = 1; i <= MAX_KEPT_JOBS; i++) await store.put({ job: job(`j${i}`, i), resultPath: null })
    expect(store.list().length).toBe(MAX_KEPT_JOBS)
    expect(store.get('oldest')).toBeUndefined()
    await expect(stat(oldest)).rejects.toThrow(/ENOENT/)
    expect(store.list()[0].job.id).toBe(`j${MAX_KEPT_JOBS}`)
  })

  it('drops unreadable records on load', async () => {
    const ds = new MemoryDatastore()
    await ds.put(new Key('/wgt/compute/job/bad'), new TextEncoder().encode('{nope'))
    await ds.put(new Key('/wgt/compute/job/other'), new TextEncoder().encode(JSON.stringify({ job: job('mismatch', 1), resultPath: null })))
    const store = new JobStore(ds)
    await store.load()
    expect(store.list()).toEqual([])
    expect(await ds.has(new Key('/wgt/compute/job/bad'))).toBe(false)
  })
})
