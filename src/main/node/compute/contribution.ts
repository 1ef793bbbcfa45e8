/**
 * What this node runs for others, as the Compute view and `wgt compute`
 * show it: the tasks running now and the last MAX_RECENT that ended, the
 * totals since the data directory was made, and per-minute buckets over the
 * last 24 h. Tasks of this node's own jobs are listed (they share the slots)
 * but not counted in the totals or the history: those say what was given.
 *
 * Totals and history are written to the datastore at most every saveEveryMs
 * after a task ends, and at stop: a crash loses at most those seconds.
 */
import { randomBytes } from 'node:crypto'
import type { ComputeContribution, ComputeKernel, ContributedTask } from '../../../shared/api/index.js'
import type { EventHub } from '../../../shared/rpc.js'
import { HISTORY_MINUTES, type Bucket, type ComputeStore, type ContributionRecord } from './store.js'

export const MAX_RECENT = 50
const MINUTE = 60_000

export interface ContributionInit {
  store: ComputeStore
  events: EventHub
  now?: () => number
  /** a running task's updates go out at most this often (default 1 s); its start and end at once */
  throttleMs?: number
  /** totals and history are written at most this often (default 5 s) */
  saveEveryMs?: number
  log?: (format: string, ...args: unknown[]) => void
}

/** One task's entry, from start to end. */
export interface TaskEntry {
  readonly id: string
  /** the CPU time measured so far */
  progress: (cpuMs: number) => void
  /** ended: its output's size, or why it failed */
  end: (outcome: { cpuMs: number, outputBytes: number, error: string | null }) => void
}

export class Contribution {
  private readonly running = new Map<string, ContributedTask>()
  private recent: ContributedTask[] = []
  private record: ContributionRecord
  private readonly now: () => number
  private readonly throttleMs: number
  private readonly saveEveryMs: number
  private saveTimer: ReturnType<typeof setTimeout> | null = null
  private saving: Promise<void> = Promise.resolve()

  constructor (private readonly init: ContributionInit) {
    this.record = init.store.getRecord()
    this.now = init.now ?? Date.now
    this.throttleMs = init.throttleMs ?? 1000
    this.saveEveryMs = init.saveEveryMs ?? 5000
  }

  /** `own`: a task of this node's own job (listed, not counted) */
  begin (requester: string, kernel: ComputeKernel, inputBytes: number, own: boolean): TaskEntry {
    const task: ContributedTask = { id: randomBytes(16).toString('hex'), requester, kernel, state: 'running', startedAt: this.now(), endedAt: null, cpuMs: 0, inputBytes, error: null }
    this.running.set(task.id, task)
    this.emit(task)
    let lastSent = this.now()
    return {
      id: task.id,
      progress: cpuMs => {
        if (!this.running.has(task.id) || !(cpuMs > task.cpuMs)) return
        task.cpuMs = Math.round(cpuMs)
        if (this.now() - lastSent < this.throttleMs) return
        lastSent = this.now()
        this.emit(task)
      },
      end: ({ cpuMs, outputBytes, error }) => {
        if (!this.running.delete(task.id)) return
        task.state = error == null ? 'done' : 'failed'
        task.endedAt = this.now()
        task.cpuMs = Math.max(task.cpuMs, Math.round(cpuMs))
        task.error = error
        this.recent = [task, ...this.recent].slice(0, MAX_RECENT)
        this.emit(task)
        if (!own) this.count(task, outputBytes)
      }
    }
  }

  /** `paused`: why no task is taken right now, or null */
  snapshot (paused: string | null): ComputeContribution {
    const since = this.now() - HISTORY_MINUTES * MINUTE
    return {
      paused,
      running: [...this.running.values()].map(t => ({ ...t })),
      recent: this.recent.map(t => ({ ...t })),
      totals: { ...this.record.totals },
      history: this.record.history.filter(b => b.at > since).map(b => ({ ...b }))
    }
  }

  /** running tasks, for the admission's slot count and the metrics */
  runningCount (): number { return this.running.size }

  /** Write what is not written yet; stop the timer. */
  async stop (): Promise<void> {
    if (this.saveTimer != null) {
      clearTimeout(this.saveTimer)
      this.saveTimer = null
      this.save()
    }
    await this.saving
  }

  private count (task: ContributedTask, outputBytes: number): void {
    const t = this.record.totals
    const totals = {
      tasks: t.tasks + 1,
      failed: t.failed + (task.state === 'failed' ? 1 : 0),
      cpuMs: t.cpuMs + task.cpuMs,
      inputBytes: t.inputBytes + task.inputBytes,
      outputBytes: t.outputBytes + outputBytes
    }
    const at = Math.floor((task.endedAt ?? this.now()) / MINUTE) * MINUTE
    const history: Bucket[] = this.record.history.filter(b => b.at > at - HISTORY_MINUTES * MINUTE)
    const last = history.at(-1)
    if (last != null && last.at === at) history[history.length - 1] = { at, tasks: last.tasks + 1, cpuMs: last.cpuMs + task.cpuMs }
    else history.push({ at, tasks: 1, cpuMs: task.cpuMs })
    this.record = { totals, history: history.slice(-HISTORY_MINUTES) }
    this.saveTimer ??= setTimeout(() => { this.saveTimer = null; this.save() }, this.saveEveryMs)
  }

  private save (): void {
    const record = this.record
    this.saving = this.saving.then(async () => { await this.init.store.saveRecord(record) }).catch(err => {
      this.init.log?.('cannot write the compute totals: %s', (err as Error).message)
    })
  }

  private emit (task: ContributedTask): void {
    this.init.events.emit('compute:task', { ...task })
  }
}
