import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it, vi } from 'vitest'
import { DEFAULT_POLICIES, type ComputeContribution, type ComputeJob, type ContributedTask, type WgtApi, type WgtEventMap, type WgtEventName } from '../../shared/api/index.js'
import { WgtError } from '../../shared/errors.js'
import { EventHub } from '../../shared/rpc.js'
import type { HostFiles } from '../src/api/host-files.js'
import { AppContext, ALWAYS_READY } from '../src/app/context.js'
import { computeSlice } from '../src/compute/slice.js'
import { createWgtStore } from '../src/app/slices.js'
import { syncStore } from '../src/app/sync.js'
import { saveResult, submitJob } from '../src/compute/actions.js'
import { cpuTick } from '../src/compute/Contribution.js'
import { ComputeView } from '../src/compute/ComputeView.js'
import { parseLimit } from '../src/compute/ContributeSection.js'
import {
  elapsed, formatCpu, historyRows, jobProgressText, jobsFromList, resultFileName, sortedJobs, verificationText, withJob, withTask
} from '../src/compute/state.js'
import { fileProblem, parseMatmulN, parseOptional } from '../src/compute/SubmitJob.js'
import { describeWire } from '../src/ui/errors.js'

// the theme follows the window's media queries, which a server render has not
vi.mock('../src/theme.js', () => ({ useTheme: () => ({ preference: 'system', theme: 'light' }) }))

const SELF = 'QmSELFSELFSE'
const WORKER = 'QmWORKERWORK'
const HASH = 'ab'.repeat(32)

function job (id: string, over: Partial<ComputeJob> = {}): ComputeJob {
  return {
    id, kernel: 'matmul', label: 'matmul 64×64', state: 'running', redundancy: 1,
    tasks: { total: 4, done: 1, running: 2 }, fraction: 0.25,
    workers: [{ peerId: SELF, self: true, runs: 1, rejected: 0, cpuMs: 12 }, { peerId: WORKER, self: false, runs: 2, rejected: 1, cpuMs: 30 }],
    verification: { extraRuns: 1, mismatches: 1, freivalds: { checked: 1, rounds: 20, failed: 0 } },
    cpuMs: 42, createdAt: 1000, endedAt: null, result: null, error: null, ...over
  }
}

function task (id: string, over: Partial<ContributedTask> = {}): ContributedTask {
  return { id, requester: WORKER, kernel: 'wasm', state: 'running', startedAt: 10, endedAt: null, cpuMs: 5, inputBytes: 100, error: null, ...over }
}

function contribution (over: Partial<ComputeContribution> = {}): ComputeContribution {
  return { paused: null, running: [], recent: [], totals: { tasks: 7, failed: 1, cpuMs: 65_000, inputBytes: 2048, outputBytes: 4096 }, history: [], ...over }
}

describe('compute state', () => {
  it('upserts jobs without going back in time, and lists running ones first, newest first', () => {
    let jobs = jobsFromList([job('a', { createdAt: 1 }), job('b', { createdAt: 2, state: 'done', fraction: 1, endedAt: 5 })])
    jobs = withJob(jobs, job('a', { fraction: 0.5 }))
    expect(jobs.a.fraction).toBe(0.5)
    expect(withJob(jobs, job('a', { fraction: 0.4 }))).toBe(jobs)
    jobs = withJob(jobs, job('a', { state: 'failed', endedAt: 9, error: { code: 'UNAVAILABLE', message: 'x' } }))
    expect(withJob(jobs, job('a', { fraction: 0.9 }))).toBe(jobs)
    jobs = withJob(jobs, job('c', { createdAt: 3 }))
    expect(sortedJobs(jobs).map(j => j.id)).toEqual(['c', 'a', 'b'])
    // ended jobs beyond the kept number drop off, oldest ended first
    const kept = withJob(jobs, job('d', { state: 'done', endedAt: 10, fraction: 1 }), 2)
    expect(Object.keys(kept).sort()).toEqual(['a', 'c', 'd'])
  })

  it('moves a task from running to recent when it ends, and ignores a late running update', () => {
    let c = withTask(contribution(), task('t1', { startedAt: 5 }))
    c = withTask(c, task('t2', { startedAt: 3 }))
    expect(c.running.map(t => t.id)).toEqual(['t2', 't1'])
    c = withTask(c, task('t1', { state: 'done', endedAt: 20, cpuMs: 9 }))
    expect(c.running.map(t => t.id)).toEqual(['t2'])
    expect(c.recent.map(t => [t.id, t.cpuMs])).toEqual([['t1', 9]])
    expect(withTask(c, task('t1'))).toBe(c)
    expect(c.totals.tasks).toBe(7) // the node counts totals
  })

  it('fills idle minutes with zeros, from an hour back or the first bucket, to the current minute', () => {
    const now = 10 * 60 * 60_000 + 30_000
    const rows = historyRows([{ at: now - 3 * 60_000, tasks: 2, cpuMs: 1500 }, { at: now - 20_000, tasks: 1, cpuMs: 500 }], now)
    expect(rows.length).toBe(60)
    expect(rows[rows.length - 1]).toEqual({ t: 10 * 60 * 60_000, tasks: 1, cpuS: 0.5 })
    expect(rows[rows.length - 4]).toEqual({ t: 10 * 60 * 60_000 - 3 * 60_000, tasks: 2, cpuS: 1.5 })
    expect(rows[rows.length - 2].tasks).toBe(0)
    const longer = historyRows([{ at: now - 3 * 60 * 60_000, tasks: 1, cpuMs: 1 }], now)
    expect(longer.length).toBe(3 * 60 + 1)
    // older than 24 h, or in the future: not drawn
    expect(historyRows([{ at: now - 25 * 60 * 60_000, tasks: 1, cpuMs: 1 }, { at: now + 120_000, tasks: 1, cpuMs: 1 }], now).every(r => r.tasks === 0)).toBe(true)
  })

  it('puts figures as people read them', () => {
    expect(formatCpu(850)).toBe('850 ms')
    expect(formatCpu(12_400)).toBe('12.4 s')
    expect(formatCpu(200_000)).toBe('3 min 20 s')
    expect(formatCpu(7_500_000)).toBe('2 h 5 min')
    expect(elapsed(1000, null, 3500)).toBe('2.50 s')
    expect(jobProgressText(job('a'))).toBe('25% · 1 of 4 tasks · 2 running')
    expect(verificationText(job('a'))).toBe('1 extra run (25% more) · 1 mismatch · Freivalds: 1 checked at 20 rounds, 0 failed')
    expect(verificationText(job('w', { kernel: 'wasm', verification: { extraRuns: 0, mismatches: 0, freivalds: null } }))).toBe('0 extra runs · 0 mismatches')
    expect([0, 0.001, 0.5, 2.5, 30, 90].map(cpuTick)).toEqual(['0 ms', '1 ms', '500 ms', '2.5 s', '30 s', '1.5 min'])
    expect(resultFileName({ id: 'x1', kernel: 'matmul' })).toBe('compute-x1.wgtm')
    expect(resultFileName({ id: 'x1', kernel: 'wasm' })).toBe('compute-x1.out')
  })

  it('checks what is typed before it is sent', () => {
    expect(parseMatmulN('64')).toBe(64)
    expect(parseMatmulN(' 4096 ')).toBe(4096)
    for (const bad of ['0', '4097', '-1', '1.5', '1e3', '', 'x', '4294967296']) expect(parseMatmulN(bad)).toBeNull()
    expect(parseLimit('memoryMb', '16')).toBe(16)
    expect(parseLimit('memoryMb', '15')).toBeNull()
    expect(parseLimit('idleLoadPercent', '101')).toBeNull()
    expect(parseLimit('timeoutS', '3600')).toBe(3600)
    expect(parseOptional('', { min: 1, max: 3600 })).toBeUndefined()
    expect(parseOptional(' 30 ', { min: 1, max: 3600 })).toBe(30)
    expect(parseOptional('0', { min: 1, max: 3600 })).toBeNull()
    expect(parseOptional('3601', { min: 1, max: 3600 })).toBeNull()
    expect(fileProblem(null, 10, 'a module')).toBe('Choose a module.')
    expect(fileProblem(new File([new Uint8Array(11)], 'm.wasm'), 10, 'a module')).toMatch(/^m\.wasm is 11 B; a module may be at most 10 B/)
    expect(fileProblem(new File([new Uint8Array(10)], 'm.wasm'), 10, 'a module')).toBeNull()
  })

  it('gives advice for a failed job a person can act on', () => {
    const e = describeWire('compute', { code: 'POLICY_DENIED', message: '12D3KooW…: compute refused by policy' })
    expect(e.title).toBe('The compute job did not complete')
    expect(e.advice).toMatch(/contact/)
    expect(describeWire('compute', { code: 'UNAVAILABLE', message: 'x' }).advice).toMatch(/No worker could take/)
  })
})

describe('the compute slice', () => {
  it('loads jobs, contribution and settings, and follows job, task and settings events', async () => {
    const hub = new EventHub()
    let settings = { enabled: true, maxTasks: 2, memoryMb: 256, timeoutS: 120, idleOnly: false, idleLoadPercent: 25 }
    const api = {
      on: <E extends WgtEventName>(e: E, l: (d: WgtEventMap[E]) => void) => hub.on(e, l),
      listComputeJobs: async () => [job('a')],
      getComputeContribution: async () => contribution({ running: [task('t1')] }),
      getComputeSettings: async () => settings
    } as unknown as WgtApi
    const store = createWgtStore()
    const sync = syncStore(api, store, [computeSlice])
    await sync.resync()
    expect(store.getState().loadErrors).toEqual({})
    expect(Object.keys(store.getState().computeJobs)).toEqual(['a'])
    expect(store.getState().contribution?.running.map(t => t.id)).toEqual(['t1'])

    hub.emit('compute:job', job('a', { state: 'done', fraction: 1, endedAt: 5, result: { bytes: 32_784, sha256: HASH, rows: 64, cols: 64 } }))
    expect(store.getState().computeJobs.a.result?.sha256).toBe(HASH)
    hub.emit('compute:task', task('t1', { state: 'failed', endedAt: 30, error: 'out of budget' }))
    expect(store.getState().contribution?.running).toEqual([])
    expect(store.getState().contribution?.recent[0].error).toBe('out of budget')
    expect(store.getState().contributionStale).toBe(1)
    settings = { ...settings, enabled: false }
    hub.emit('compute:settings', settings)
    expect(store.getState().computeSettings?.enabled).toBe(false)
    // whether the node pauses follows from the settings: the contribution is reloaded
    expect(store.getState().contributionStale).toBe(2)
    sync.stop()
  })
})

describe('the compute actions', () => {
  const host = (over: Partial<HostFiles> = {}): HostFiles => ({
    kind: 'browser', localPath: async f => `/data/uploads/x/${f.name}`, open: null, reveal: null, download: null, downloadComputeResult: null, shellCommands: null, ...over
  })

  it('submits a matmul as it is, and a WASM job with its files uploaded first', async () => {
    const calls: unknown[] = []
    const api = { submitCompute: async (j: unknown) => { calls.push(j); return { operation: 'op1' } } } as unknown as WgtApi
    expect(await submitJob({ api, host: host() }, { kind: 'matmul', n: 64, redundancy: 2 }, () => {})).toBe('op1')
    const progress: number[] = []
    const uploading = host({ localPath: async (f, onProgress) => { onProgress(f.size); return `/up/${f.name}` } })
    await submitJob({ api, host: uploading }, { kind: 'wasm', module: new File(['abc'], 'm.wasm'), input: new File(['12345'], 'in.txt'), redundancy: 1, timeoutS: 30, memoryMb: 64 }, p => { progress.push(p.sent / p.total) })
    expect(calls).toEqual([
      { kernel: 'matmul', n: 64, redundancy: 2 },
      { kernel: 'wasm', module: '/up/m.wasm', input: '/up/in.txt', redundancy: 1, timeoutS: 30, memoryMb: 64 }
    ])
    expect(progress).toEqual([3 / 8, 1])
  })

  it('downloads a result in a browser, has the node save it in Electron, and refuses a job without one', async () => {
    const done = job('j1', { state: 'done', fraction: 1, endedAt: 2, result: { bytes: 10, sha256: HASH, rows: 1, cols: 1 } })
    const downloads: string[] = []
    const api = { saveComputeResult: async (id: string) => ({ path: `/home/u/Downloads/${id}.wgtm`, bytes: 10, sha256: HASH }) } as unknown as WgtApi
    expect(await saveResult({ api, host: host({ downloadComputeResult: async (id, name) => { downloads.push(`${id} ${name}`) } }) }, done)).toEqual({ where: 'browser', name: 'compute-j1.wgtm' })
    expect(downloads).toEqual(['j1 compute-j1.wgtm'])
    expect(await saveResult({ api, host: host({ kind: 'electron' }) }, done)).toEqual({ where: 'disk', path: '/home/u/Downloads/j1.wgtm', bytes: 10, sha256: HASH })
    await expect(saveResult({ api, host: host() }, job('j2'))).rejects.toBeInstanceOf(WgtError)
  })
})

describe('the Compute view', () => {
  it('shows the settings, the policy line, jobs with their figures and result, and tasks run for others', () => {
    const store = createWgtStore()
    store.setState({
      identity: { peerId: SELF, agent: 'wgt', multiaddrs: [], protocols: [], startedAt: 0 },
      policies: { ...DEFAULT_POLICIES },
      computeSettings: { enabled: true, maxTasks: 2, memoryMb: 256, timeoutS: 120, idleOnly: true, idleLoadPercent: 25 },
      contribution: contribution({ paused: 'the computer is busy (62% CPU used by other programs)', running: [task('t1'), task('t2', { requester: SELF, kernel: 'matmul' })] }),
      computeJobs: jobsFromList([
        job('a'),
        job('b', { state: 'done', fraction: 1, endedAt: 3000, tasks: { total: 4, done: 4, running: 0 }, result: { bytes: 32_784, sha256: HASH, rows: 64, cols: 64 } }),
        job('c', { state: 'failed', endedAt: 2000, error: { code: 'UNAVAILABLE', message: 'no worker took task 3' } })
      ])
    })
    // a server render reads the store's initial state: make it the state set above
    Object.assign(store, { getInitialState: store.getState })
    const api = {} as unknown as WgtApi
    const host: HostFiles = { kind: 'browser', localPath: async () => '', open: null, reveal: null, download: null, downloadComputeResult: async () => {}, shellCommands: null }
    const html = renderToStaticMarkup(<AppContext.Provider value={{ api, store, connection: ALWAYS_READY, host }}><ComputeView /></AppContext.Provider>)
    const text = html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ')
    expect(text).toContain('paused')
    expect(text).toContain('Not taking tasks now: the computer is busy')
    expect(text).toContain('Run compute for others policy in Settings → Policies (now: contacts only)')
    expect(text).toContain('25% · 1 of 4 tasks · 2 running')
    expect(text).toContain('Freivalds: 1 checked at 20 rounds, 0 failed')
    expect(text).toContain('64×64 matrix, 32.0 KiB')
    expect(html).toContain(`data-testid="job-sha256" title="${HASH}"`)
    expect(text).toContain('Download')
    expect(text).toContain('No worker could take its tasks')
    expect(text).toContain('this node (your job)')
    expect(html).toContain(`data-peer-id="${WORKER}"`)
    expect(text).toContain('1 min 5 s') // totals: CPU time
    expect(html).toContain('value="256"')
    expect(html.match(/role="progressbar"/g)?.length).toBe(3)
  })
})
