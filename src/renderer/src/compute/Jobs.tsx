/**
 * My jobs: each with its progress, the workers that ran its tasks, what
 * verification cost and found, and when done its result (size, SHA-256,
 * download); a failed one says why and what to do.
 */
import { useMemo, useState } from 'react'
import type { ComputeJob, JobWorker } from '../../../shared/api/index.js'
import { useApp, useWgt } from '../app/context.js'
import { formatBytes, formatCount } from '../format.js'
import { PeerName } from '../guard/PeerName.js'
import { useNow } from '../hooks.js'
import { CopyButton } from '../ui/CopyButton.js'
import { describeWire } from '../ui/errors.js'
import { ErrorNotice } from '../ui/ErrorNotice.js'
import { ProgressBar } from '../ui/ProgressBar.js'
import { useAction } from '../ui/useAction.js'
import { saveResult, type SavedResult } from './actions.js'
import { elapsed, formatCpu, jobProgressText, redundancyText, sortedJobs, verificationText } from './state.js'

/** Ended jobs shown before "Show all". */
const ENDED_SHOWN = 5

const STATE_PILL: Record<ComputeJob['state'], string> = { running: 'pill-neutral', done: 'pill-ok', failed: 'pill-bad', cancelled: 'pill-neutral' }

function Workers ({ workers }: { workers: readonly JobWorker[] }): React.JSX.Element | null {
  if (workers.length === 0) return null
  const sorted = [...workers].sort((a, b) => b.runs - a.runs || (a.peerId < b.peerId ? -1 : 1))
  return (
    <div className='table-scroll compute-workers'>
      <table className='table compact'>
        <thead><tr><th scope='col'>Worker</th><th scope='col' className='num'>Runs</th><th scope='col' className='num'>Rejected</th><th scope='col' className='num'>CPU time</th></tr></thead>
        <tbody>
          {sorted.map(w => (
            <tr key={w.peerId} data-testid='job-worker' data-self={w.self}>
              <th scope='row'>{w.self ? <span>this node</span> : <PeerName peerId={w.peerId} />}</th>
              <td className='num'>{formatCount(w.runs)}</td>
              <td className={w.rejected > 0 ? 'num error-text' : 'num'}>{formatCount(w.rejected)}</td>
              <td className='num'>{formatCpu(w.cpuMs)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

function Result ({ job }: { job: ComputeJob }): React.JSX.Element | null {
  const deps = useApp()
  const { busy, error, run, clear } = useAction()
  const [saved, setSaved] = useState<SavedResult | null>(null)
  const r = job.result
  if (r == null) return null
  const shape = r.rows != null && r.cols != null ? `${formatCount(r.rows)}×${formatCount(r.cols)} matrix, ` : ''
  const browser = deps.host.downloadComputeResult != null
  return (
    <div className='compute-result' data-testid='job-result'>
      <span className='transfer-status ok'>Result: {shape}{formatBytes(r.bytes)}</span>
      <span className='compute-hash'>
        <span className='muted'>SHA-256</span>
        <code className='mono' data-testid='job-sha256' title={r.sha256}>{r.sha256}</code>
        <CopyButton text={r.sha256} what={`SHA-256 of the result of ${job.label}`} />
      </span>
      <span className='compute-save'>
        <button type='button' className='btn btn-small btn-primary' disabled={busy} data-testid='job-save'
          onClick={() => { setSaved(null); void run('compute-result', async () => { setSaved(await saveResult(deps, job)) }) }}>
          {busy ? 'Saving…' : browser ? 'Download' : 'Save to downloads'}
        </button>
        {saved?.where === 'disk' && <span className='muted' role='status' data-testid='job-saved'>Saved to <span className='mono break'>{saved.path}</span></span>}
        {saved?.where === 'browser' && <span className='muted' role='status' data-testid='job-saved'>Downloaded as {saved.name}</span>}
      </span>
      {error != null && <ErrorNotice error={error} compact onDismiss={clear} />}
    </div>
  )
}

function JobRow ({ job }: { job: ComputeJob }): React.JSX.Element {
  const { api } = useApp()
  const running = job.state === 'running'
  const now = useNow(running ? 1000 : 60_000)
  const cancel = useAction()
  return (
    <li className='transfer compute-job' data-testid='compute-job' data-state={job.state} data-job={job.id}>
      <div className='transfer-head'>
        <span className='pill pill-neutral'>{job.kernel === 'matmul' ? 'Matmul' : 'WASM'}</span>
        <span className='transfer-name' title={job.label}>{job.label}</span>
        <span className={`pill ${STATE_PILL[job.state]}`} data-testid='job-state'>{job.state}</span>
        {running && (
          <button type='button' className='btn btn-small' disabled={cancel.busy} aria-label={`Cancel the job ${job.label}`}
            onClick={() => { void cancel.run('compute-cancel', async () => { await api.cancelComputeJob(job.id) }) }}>Cancel</button>
        )}
      </div>
      <ProgressBar fraction={job.fraction} label={`${job.label}: ${job.state}`} state={running ? 'active' : job.state === 'done' ? 'done' : 'failed'} />
      <span className='transfer-status'>
        <span data-testid='job-progress'>{jobProgressText(job)}</span>
        <span className='muted'> · {elapsed(job.createdAt, job.endedAt, now)} elapsed · {formatCpu(job.cpuMs)} CPU · {formatCount(job.workers.length)} {job.workers.length === 1 ? 'worker' : 'workers'}</span>
      </span>
      <span className='transfer-status muted compute-verification' data-testid='job-verification'>
        Redundancy: {redundancyText(job.redundancy)} · {verificationText(job)}
      </span>
      <Workers workers={job.workers} />
      {job.state === 'failed' && job.error != null && <ErrorNotice error={describeWire('compute', job.error)} compact />}
      {job.state === 'cancelled' && <span className='transfer-status muted'>Cancelled; its running tasks were stopped.</span>}
      {cancel.error != null && <ErrorNotice error={cancel.error} compact onDismiss={cancel.clear} />}
      {job.state === 'done' && <Result job={job} />}
    </li>
  )
}

export function JobsSection (): React.JSX.Element {
  const jobs = useWgt(s => s.computeJobs)
  const [all, setAll] = useState(false)
  const list = useMemo(() => sortedJobs(jobs), [jobs])
  const running = list.filter(j => j.state === 'running')
  const ended = list.filter(j => j.state !== 'running')
  const shown = all ? ended : ended.slice(0, ENDED_SHOWN)
  return (
    <section className='card' aria-labelledby='my-jobs-title' data-testid='compute-jobs'>
      <div className='section-head'>
        <h2 id='my-jobs-title'>My jobs<span className='count' aria-label={`${list.length} jobs, ${running.length} running`}>{running.length > 0 ? `${running.length} running` : list.length}</span></h2>
        {ended.length > ENDED_SHOWN && (
          <button type='button' className='btn btn-small btn-ghost' onClick={() => { setAll(!all) }} aria-expanded={all}>
            {all ? `Show the last ${ENDED_SHOWN}` : `Show all ${formatCount(ended.length)} ended`}
          </button>
        )}
      </div>
      {list.length === 0
        ? <p className='empty'>No jobs yet. Submit one above: it runs on this node and on peers that take compute from you.</p>
        : <ul className='transfers' aria-label='My jobs'>{[...running, ...shown].map(j => <JobRow key={j.id} job={j} />)}</ul>}
    </section>
  )
}
