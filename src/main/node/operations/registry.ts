/**
 * The node's long work: every share, fetch and repair runs as an operation
 * with an id that the starting call answers at once. The registry owns each
 * operation's AbortSignal (cancel, node stop), its progress, and its ending,
 * and tells every client through 'operation:update'. Ended operations are
 * kept a while so a client can still wait for one that finished early.
 */
import { randomBytes } from 'node:crypto'
import type { ComputeJob, FetchResult, OperationInfo, OperationKind, OperationPhase, OperationRef, RepairResult, ShareResult } from '../../../shared/api/index.js'
import { WgtError } from '../../../shared/errors.js'
import type { EventHub } from '../../../shared/rpc.js'
import { ProgressMeter } from './progress.js'

interface Results { share: ShareResult, fetch: FetchResult, repair: RepairResult, compute: ComputeJob['result'] }

/** What the work sees of its operation. */
export interface OperationHandle {
  readonly id: string
  /** aborts with CANCELLED (the user) or NOT_RUNNING (the node stops) */
  readonly signal: AbortSignal
  /** a better label once known (the file's name instead of the link) */
  setLabel: (label: string) => void
  setFileId: (fileId: string) => void
  /** move to `phase` with `within` (0..1) of it done; phases never go back */
  progress: (phase: OperationPhase, within: number, bytes?: { done: number, total: number | null }) => void
}

export interface StartOptions {
  label: string
  fileId?: string | null
  from?: string | null
}

/** updates of one operation go out at most this often; phase changes and the end at once */
const EMIT_INTERVAL_MS = 250
/** and at least this often while it runs, so a stall shows (speed falling) and no update is held back */
const REFRESH_INTERVAL_MS = 1000
/** ended operations kept for late waiters and the UI's list */
const KEEP_ENDED = 100
const KEEP_ENDED_MS = 60 * 60_000

interface Entry {
  info: OperationInfo
  meter: ProgressMeter
  ctrl: AbortController
  settled: Promise<void>
  lastEmit: number
  lastPhase: OperationPhase
}

export class OperationRegistry {
  private readonly entries = new Map<string, Entry>()
  private stopping = false
  private refresher: ReturnType<typeof setInterval> | undefined

  constructor (private readonly events: EventHub, private readonly now: () => number = Date.now) {}

  /**
   * Run `work` as an operation. A failure that is not the work's own fault
   * (cancel, stop) ends as cancelled; the work should clean up after itself
   * when its signal aborts.
   */
  start<K extends OperationKind> (kind: K, opts: StartOptions, work: (op: OperationHandle) => Promise<Results[K]>): OperationRef {
    if (this.stopping) throw new WgtError('NOT_RUNNING', 'the node is stopping')
    this.prune()
    const id = operationId()
    const ctrl = new AbortController()
    const meter = new ProgressMeter(kind, this.now)
    const info = {
      id, kind, state: 'running', phase: meter.phase, label: opts.label, fileId: opts.fileId ?? null, from: opts.from ?? null,
      progress: meter.snapshot(), startedAt: this.now(), endedAt: null, error: null, result: null
    } as OperationInfo
    const entry: Entry = { info, meter, ctrl, settled: Promise.resolve(), lastEmit: 0, lastPhase: meter.phase }
    this.entries.set(id, entry)
    const handle: OperationHandle = {
      id,
      signal: ctrl.signal,
      setLabel: label => { entry.info.label = label },
      setFileId: fileId => { entry.info.fileId = fileId },
      progress: (phase, within, bytes) => {
        if (entry.info.state !== 'running') return
        meter.update(phase, within, bytes)
        this.emit(entry, false)
      }
    }
    this.emit(entry, true)
    this.refresh()
    entry.settled = (async () => {
      try {
        const result = await work(handle)
        meter.complete()
        this.end(entry, 'done', null, result)
      } catch (err) {
        const e = WgtError.from(ctrl.signal.aborted ? ctrl.signal.reason ?? err : err)
        this.end(entry, e.code === 'CANCELLED' ? 'cancelled' : 'failed', { code: e.code, message: e.message }, null)
      }
    })()
    return { operation: id }
  }

  list (): OperationInfo[] {
    this.prune()
    return [...this.entries.values()].map(e => this.view(e)).sort((a, b) => b.startedAt - a.startedAt)
  }

  async wait (id: string): Promise<OperationInfo> {
    const entry = this.get(id)
    await entry.settled
    return this.view(entry)
  }

  cancel (id: string): void {
    const entry = this.get(id)
    if (entry.info.state !== 'running') return
    entry.ctrl.abort(new WgtError('CANCELLED', `the ${entry.info.kind} of ${entry.info.label} was cancelled`))
  }

  isRunning (id: string): boolean {
    return this.entries.get(id)?.info.state === 'running'
  }

  /** Abort everything still running (the node stops) and wait for the work to unwind. */
  async stop (): Promise<void> {
    this.stopping = true
    const running = [...this.entries.values()].filter(e => e.info.state === 'running')
    for (const e of running) e.ctrl.abort(new WgtError('NOT_RUNNING', 'the node is stopping'))
    await Promise.all(running.map(async e => { await e.settled }))
  }

  private get (id: string): Entry {
    const entry = this.entries.get(id)
    if (entry == null) throw new WgtError('NOT_FOUND', `no operation ${id} on this node (it may have ended more than an hour ago, or before a restart)`)
    return entry
  }

  private end (entry: Entry, state: 'done' | 'failed' | 'cancelled', error: { code: string, message: string } | null, result: unknown): void {
    Object.assign(entry.info, { state, error, result, endedAt: this.now() })
    this.emit(entry, true)
    this.refresh()
  }

  /** a timer while anything runs: each running operation is re-sent when it has been quiet a second */
  private refresh (): void {
    const running = (): Entry[] => [...this.entries.values()].filter(e => e.info.state === 'running')
    if (running().length === 0) {
      clearInterval(this.refresher)
      this.refresher = undefined
      return
    }
    if (this.refresher != null) return
    this.refresher = setInterval(() => {
      const t = this.now()
      for (const e of running()) if (t - e.lastEmit >= REFRESH_INTERVAL_MS) this.emit(e, true)
    }, REFRESH_INTERVAL_MS)
    this.refresher.unref?.()
  }

  private view (entry: Entry): OperationInfo {
    return { ...entry.info, phase: entry.meter.phase, progress: entry.meter.snapshot() } as OperationInfo
  }

  private emit (entry: Entry, force: boolean): void {
    const t = this.now()
    const phase = entry.meter.phase
    if (!force && phase === entry.lastPhase && t - entry.lastEmit < EMIT_INTERVAL_MS) return
    entry.lastEmit = t
    entry.lastPhase = phase
    this.events.emit('operation:update', this.view(entry))
  }

  private prune (): void {
    const ended = [...this.entries.values()].filter(e => e.info.endedAt != null).sort((a, b) => (a.info.endedAt ?? 0) - (b.info.endedAt ?? 0))
    const cutoff = this.now() - KEEP_ENDED_MS
    ended.forEach((e, i) => {
      if (i < ended.length - KEEP_ENDED || (e.info.endedAt ?? 0) < cutoff) this.entries.delete(e.info.id)
    })
  }
}

/**
 * 12 base64url characters that never start with '-': an id is typed after
 * `wgt compute status` and the like, where a leading '-' reads as an option
 * (1 id in 64 did, and the CLI refused it).
 */
export function operationId (): string {
  for (;;) {
    const id = randomBytes(9).toString('base64url')
    if (!id.startsWith('-')) return id
  }
}
