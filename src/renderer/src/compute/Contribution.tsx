/**
 * What this node runs for others: the tasks running now (and the last few
 * that ended), the totals since its data directory was made, and a chart of
 * the last hour's contribution (up to 24 h), per minute.
 */
import { useEffect, useMemo, useRef } from 'react'
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, YAxis } from 'recharts'
import type { ContributedTask } from '../../../shared/api/index.js'
import { useApp, useWgt } from '../app/context.js'
import { formatBytes, formatClock, formatCount, plural, trimZeros } from '../format.js'
import { PeerName } from '../guard/PeerName.js'
import { useNow } from '../hooks.js'
import { axisProps, ChartCard, PALETTE, TimeAxis, tooltipStyle } from '../metrics/Charts.js'
import { niceTicks } from '../metrics/charts-data.js'
import { useTheme } from '../theme.js'
import { elapsed, formatCpu, historyRows } from './state.js'

/** Ended tasks shown under the running ones. */
const RECENT_SHOWN = 8
/** Totals, history and the pause reason are the node's: reloaded this often while the view is open, and soon after a task ends or the settings change. */
const REFRESH_MS = 30_000
const AFTER_CHANGE_MS = 500

/** Keeps totals, history and the pause reason current while mounted; a failure leaves the last ones (the slice's load error says why). */
function useContributionRefresh (): void {
  const { api, store } = useApp()
  const stale = useWgt(s => s.contributionStale)
  const mounted = useRef(false)
  useEffect(() => {
    const refresh = (): void => {
      api.getComputeContribution().then(c => { store.getState().contributionChanged(c) }, () => {})
    }
    // at once when the view opens; a moment after a change, so a burst of task ends is one reload
    const soon = setTimeout(refresh, mounted.current ? AFTER_CHANGE_MS : 0)
    mounted.current = true
    const timer = setInterval(refresh, REFRESH_MS)
    return () => { clearTimeout(soon); clearInterval(timer) }
  }, [api, store, stale])
}

/** An axis label for CPU seconds: "500 ms", "2.5 s", "1.5 min". */
export function cpuTick (seconds: number): string {
  return seconds < 60 ? trimZeros(formatCpu(seconds * 1000)) : `${trimZeros((seconds / 60).toFixed(2))} min`
}

const STATE_PILL: Record<ContributedTask['state'], string> = { running: 'pill-neutral', done: 'pill-ok', failed: 'pill-bad' }

function TaskRow ({ task, self, now }: { task: ContributedTask, self: string | undefined, now: number }): React.JSX.Element {
  return (
    <tr data-testid='contributed-task' data-state={task.state}>
      <th scope='row'>
        {task.requester === self ? <span className='muted'>this node (your job)</span> : <PeerName peerId={task.requester} />}
      </th>
      <td>{task.kernel === 'matmul' ? 'matmul' : 'WASM'}</td>
      <td className='compute-task-state'>
        <span className={`pill ${STATE_PILL[task.state]}`}>{task.state}</span>
        {task.error != null && <span className='error-text compute-task-error'>{task.error}</span>}
      </td>
      <td className='num'>{formatCpu(task.cpuMs)}</td>
      <td className='num'>{elapsed(task.startedAt, task.endedAt, now)}</td>
      <td className='num'>{formatBytes(task.inputBytes)}</td>
    </tr>
  )
}

function TasksTable (): React.JSX.Element {
  const contribution = useWgt(s => s.contribution)
  const self = useWgt(s => s.identity?.peerId)
  const now = useNow(1000)
  const running = contribution?.running ?? []
  const recent = (contribution?.recent ?? []).slice(0, RECENT_SHOWN)
  if (running.length === 0 && recent.length === 0) {
    return <p className='empty' data-testid='no-contributed-tasks'>No task has run here for anyone yet.</p>
  }
  return (
    <div className='table-scroll'>
      <table className='table compact compute-tasks'>
        <thead>
          <tr><th scope='col'>Requester</th><th scope='col'>Kernel</th><th scope='col'>State</th><th scope='col' className='num'>CPU time</th><th scope='col' className='num'>Elapsed</th><th scope='col' className='num'>Input</th></tr>
        </thead>
        <tbody>
          {running.map(t => <TaskRow key={t.id} task={t} self={self} now={now} />)}
          {recent.map(t => <TaskRow key={t.id} task={t} self={self} now={now} />)}
        </tbody>
      </table>
    </div>
  )
}

function ContributionChart (): React.JSX.Element {
  const history = useWgt(s => s.contribution?.history)
  const { theme } = useTheme()
  const p = PALETTE[theme]
  // the current minute moves on even when nothing happens
  const now = useNow(30_000)
  const rows = useMemo(() => historyRows(history ?? [], now), [history, now])
  const ticks = useMemo(() => niceTicks(rows.reduce((m, r) => Math.max(m, r.cpuS), 0)), [rows])
  const lastHour = rows.slice(-60)
  const tasks = lastHour.reduce((n, r) => n + r.tasks, 0)
  const cpuMs = lastHour.reduce((n, r) => n + r.cpuS * 1000, 0)
  const labelFormatter = (t: unknown): string => typeof t === 'number' ? formatClock(t) : String(t)
  return (
    <ChartCard title='CPU time contributed, per minute' summary={`last hour: ${plural(tasks, 'task')}, ${formatCpu(cpuMs)} CPU`}
      empty={history == null ? 'Loading…' : history.length === 0 ? 'Nothing contributed in the last 24 hours.' : null}>
      <ResponsiveContainer width='100%' height='100%'>
        <BarChart accessibilityLayer={false} data={rows} margin={{ top: 4, right: 8, bottom: 0, left: 0 }} barCategoryGap={1}>
          <CartesianGrid stroke={p.grid} vertical={false} />
          <TimeAxis theme={theme} />
          <YAxis width={56} domain={[0, ticks[ticks.length - 1]]} ticks={ticks} tickFormatter={cpuTick} {...axisProps(theme)} />
          <Tooltip contentStyle={tooltipStyle(theme)} labelFormatter={labelFormatter} cursor={{ fill: p.grid }}
            formatter={(v, _name, item) => [`${formatCpu(Number(v) * 1000)} CPU, ${plural((item.payload as { tasks: number }).tasks, 'task')}`, 'contributed']} />
          <Bar dataKey='cpuS' name='CPU' fill={p.cpu} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </ChartCard>
  )
}

function Totals (): React.JSX.Element | null {
  const totals = useWgt(s => s.contribution?.totals)
  if (totals == null) return null
  return (
    <dl className='facts compute-totals' data-testid='compute-totals'>
      <dt>Tasks run</dt><dd>{formatCount(totals.tasks)}{totals.failed > 0 && <span className='muted'> ({formatCount(totals.failed)} failed)</span>}</dd>
      <dt>CPU time</dt><dd>{formatCpu(totals.cpuMs)}</dd>
      <dt>Data</dt><dd>{formatBytes(totals.inputBytes)} in, {formatBytes(totals.outputBytes)} out</dd>
    </dl>
  )
}

export function ContributionSection (): React.JSX.Element {
  useContributionRefresh()
  const running = useWgt(s => s.contribution?.running.length ?? 0)
  return (
    <section className='card' aria-labelledby='for-others-title' data-testid='compute-for-others'>
      <div className='section-head'>
        <h2 id='for-others-title'>Running for others<span className='count' aria-label={`${running} running`}>{running}</span></h2>
      </div>
      <TasksTable />
      <div className='compute-contribution'>
        <div>
          <h3 className='compute-subhead'>Since this node was set up</h3>
          <Totals />
          <p className='muted compute-note'>Tasks of your own jobs are not counted.</p>
        </div>
        <ContributionChart />
      </div>
    </section>
  )
}
