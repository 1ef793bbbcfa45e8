/**
 * The compute part of the UI state as pure functions over the API's data:
 * this node's jobs, the tasks it runs for others, and the per-minute
 * history of what it contributed, shaped for the chart.
 */
import type { ComputeContribution, ComputeJob, ContributedTask } from '../../../shared/api/index.js'
import { formatCount, plural } from '../format.js'

export type Jobs = Readonly<Record<string, ComputeJob>>

/** The node keeps its last 100 ended jobs; the view shows as many. */
export const ENDED_JOBS_KEPT = 100
/** As the node: at most 50 ended tasks in `recent`. */
export const RECENT_TASKS_KEPT = 50

export function jobsFromList (list: readonly ComputeJob[], keepEnded = ENDED_JOBS_KEPT): Jobs {
  const out: Record<string, ComputeJob> = {}
  for (const j of list) out[j.id] = j
  return keepRecent(out, keepEnded)
}

/**
 * Upsert a job's latest state. An update that would move an ended job back to
 * running, or its progress backwards, is older than what is shown (a reload's
 * snapshot racing an event) and is dropped: the node says `fraction` never decreases.
 */
export function withJob (jobs: Jobs, job: ComputeJob, keepEnded = ENDED_JOBS_KEPT): Jobs {
  const old = jobs[job.id]
  if (old != null && (old.state !== 'running' ? job.state === 'running' : job.state === 'running' && job.fraction < old.fraction)) return jobs
  return keepRecent({ ...jobs, [job.id]: job }, keepEnded)
}

function keepRecent (jobs: Record<string, ComputeJob>, keepEnded: number): Jobs {
  const ended = Object.values(jobs).filter(j => j.state !== 'running').sort((a, b) => (b.endedAt ?? 0) - (a.endedAt ?? 0))
  for (const old of ended.slice(keepEnded)) delete jobs[old.id]
  return jobs
}

/** Newest first, as the node lists them; running ones are never pushed below ended ones. */
export function sortedJobs (jobs: Jobs): ComputeJob[] {
  const all = Object.values(jobs)
  const running = all.filter(j => j.state === 'running').sort((a, b) => b.createdAt - a.createdAt)
  const ended = all.filter(j => j.state !== 'running').sort((a, b) => b.createdAt - a.createdAt)
  return [...running, ...ended]
}

/**
 * A task event applied to the contribution: a running task joins (or
 * updates in) `running`; an ended one leaves it for the head of `recent`.
 * Totals and history are the node's to count (own jobs' tasks are not
 * counted, and output bytes are not in the event): they are reloaded.
 */
export function withTask (c: ComputeContribution, task: ContributedTask): ComputeContribution {
  const running = c.running.filter(t => t.id !== task.id)
  const recent = c.recent.filter(t => t.id !== task.id)
  if (task.state === 'running') {
    // an ended task does not start again: a late 'running' update is stale
    if (recent.length !== c.recent.length) return c
    return { ...c, running: [...running, task].sort((a, b) => a.startedAt - b.startedAt) }
  }
  return { ...c, running, recent: [task, ...recent].sort((a, b) => (b.endedAt ?? 0) - (a.endedAt ?? 0)).slice(0, RECENT_TASKS_KEPT) }
}

export interface HistoryRow {
  /** the minute's start, ms */
  t: number
  tasks: number
  /** CPU seconds that minute */
  cpuS: number
}

const MINUTE = 60_000

/**
 * The per-minute buckets as chart rows, one per minute from the first bucket
 * (or `spanMin` minutes back, whichever is earlier) to the current minute:
 * the node sends only minutes with activity, and an idle minute is a zero,
 * not a gap to draw a line across.
 */
export function historyRows (history: ComputeContribution['history'], now: number, spanMin = 60): HistoryRow[] {
  const end = Math.floor(now / MINUTE) * MINUTE
  const byMinute = new Map<number, { tasks: number, cpuMs: number }>()
  let first = end - (spanMin - 1) * MINUTE
  for (const h of history) {
    const m = Math.floor(h.at / MINUTE) * MINUTE
    if (m > end || m < end - 24 * 60 * MINUTE) continue
    const b = byMinute.get(m) ?? { tasks: 0, cpuMs: 0 }
    b.tasks += h.tasks
    b.cpuMs += h.cpuMs
    byMinute.set(m, b)
    if (m < first) first = m
  }
  const rows: HistoryRow[] = []
  for (let t = first; t <= end; t += MINUTE) {
    const b = byMinute.get(t)
    rows.push({ t, tasks: b?.tasks ?? 0, cpuS: (b?.cpuMs ?? 0) / 1000 })
  }
  return rows
}

/** CPU time as people read it: 850 ms, 12.4 s, 3 min 20 s, 2 h 5 min. */
export function formatCpu (ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—'
  if (ms < 1000) return `${Math.round(ms)} ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`
  const s = Math.round(ms / 1000)
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`
  const m = Math.round(s / 60)
  return `${Math.floor(m / 60)} h ${m % 60} min`
}

/** Elapsed time of something that started at `from` and ended at `to` (or is still going at `now`). */
export function elapsed (from: number, to: number | null, now: number): string {
  return formatCpu(Math.max(0, (to ?? now) - from))
}

/** "42% · 12 of 30 tasks · 3 running" */
export function jobProgressText (job: ComputeJob): string {
  const parts = [`${Math.floor(job.fraction * 100)}%`, `${formatCount(job.tasks.done)} of ${plural(job.tasks.total, 'task')}`]
  if (job.tasks.running > 0) parts.push(`${formatCount(job.tasks.running)} running`)
  return parts.join(' · ')
}

/** The price and the findings of verification, in one line. */
export function verificationText (job: ComputeJob): string {
  const v = job.verification
  const base = job.tasks.total
  const overhead = base > 0 && v.extraRuns > 0 ? ` (${Math.round(100 * v.extraRuns / base)}% more)` : ''
  const parts = [`${plural(v.extraRuns, 'extra run')}${overhead}`, plural(v.mismatches, 'mismatch', 'mismatches')]
  if (v.freivalds != null) {
    parts.push(`Freivalds: ${formatCount(v.freivalds.checked)} checked at ${plural(v.freivalds.rounds, 'round')}, ${formatCount(v.freivalds.failed)} failed`)
  }
  return parts.join(' · ')
}

/** What redundancy r means for a job. */
export function redundancyText (r: number): string {
  return r <= 1 ? 'adaptive (proven workers alone, with spot checks)' : `${r} workers per task, majority wins`
}

/** The file name a result is saved as: a matmul's result is a WGT matrix. */
export function resultFileName (job: Pick<ComputeJob, 'id' | 'kernel'>): string {
  return `compute-${job.id}.${job.kernel === 'matmul' ? 'wgtm' : 'out'}`
}
