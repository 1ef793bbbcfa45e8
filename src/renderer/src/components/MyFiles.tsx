import { useEffect, useMemo, useRef, useState } from 'react'
import { WgtError } from '../../../shared/errors.js'
import type { FileEntry, FileHealth } from '../../../shared/types.js'
import { useApp, useConnectionState, useWgt } from '../context.js'
import { checkHealth } from '../file-actions.js'
import { healthCells, needsRepair, sortedFiles, type HealthState } from '../files-state.js'
import { formatAge, formatBytes } from '../format.js'
import { useNow } from '../hooks.js'
import { CopyButton } from './CopyButton.js'

/** Health is asked of the network, so it is re-checked at a calm pace, one file at a time. */
export const HEALTH_INTERVAL_MS = 60_000

function HealthBar ({ health }: { health: FileHealth }): React.JSX.Element {
  const cells = healthCells(health)
  return (
    <span className='health-bar' role='img' aria-label={`${health.segments.length} segments; fewest shards reachable in a segment: ${health.minReachable}`}>
      {cells.map(c => (
        <span
          key={c.from}
          className={`health-cell health-${c.state}`}
          title={`${c.from === c.to ? `segment ${c.from}` : `segments ${c.from}–${c.to} (worst shown)`}: ${c.reachable} of ${c.total} shards reachable, ${c.k} needed`}
        />
      ))}
    </span>
  )
}

function HealthCell ({ state, now }: { state: HealthState | undefined, now: number }): React.JSX.Element {
  const health = state == null ? null : state.status === 'ok' ? state.health : state.last
  const total = health?.segments[0]?.total
  return (
    <span className='health' data-testid='health'>
      {health != null && <HealthBar health={health} />}
      {health != null && (
        <span className={health.recoverable ? (needsRepair(health) ? 'warn-text' : 'ok') : 'error-text'} data-health={health.recoverable ? (needsRepair(health) ? 'degraded' : 'complete') : 'lost'}>
          {health.recoverable ? (needsRepair(health) ? 'degraded' : 'complete') : 'not recoverable'}
          <span className='muted'> · min {health.minReachable}{total != null ? `/${total}` : ''}</span>
        </span>
      )}
      {state?.status === 'checking' && <span className='muted'>checking…</span>}
      {state?.status === 'error' && <span className='error-text' title={state.message}>check failed</span>}
      {health != null && state?.status === 'ok' && <span className='muted' title={new Date(health.checkedAt).toLocaleString()}>{formatAge(now - health.checkedAt)}</span>}
      {state == null && <span className='muted'>not checked</span>}
    </span>
  )
}

function FileRow ({ file, now }: { file: FileEntry, now: number }): React.JSX.Element {
  const { api, store, host } = useApp()
  const state = useWgt(s => s.health[file.id])
  const [action, setAction] = useState<{ busy: string | null, error: string | null }>({ busy: null, error: null })
  const health = state == null ? null : state.status === 'ok' ? state.health : state.last

  const run = async (what: string, work: () => Promise<void>): Promise<void> => {
    setAction({ busy: what, error: null })
    try {
      await work()
      setAction({ busy: null, error: null })
    } catch (err) {
      setAction({ busy: null, error: WgtError.from(err).message })
    }
  }
  const repair = async (): Promise<void> => {
    const result = await api.repairFile(file.id)
    store.getState().healthChecked(file.id, { health: result.health })
  }

  return (
    <tr data-file-id={file.id}>
      <th scope='row'>
        <span className='file-name' title={file.name}>{file.name}</span>
        {file.direction === 'received' && file.path != null && <span className='muted file-path mono' title={file.path}>{file.path}</span>}
        {action.error != null && <span className='error-text file-path' role='alert'>{action.error}</span>}
      </th>
      <td><span className={`pill ${file.direction === 'shared' ? 'pill-neutral' : 'pill-ok'}`}>{file.direction}</span></td>
      <td className='num'>{formatBytes(file.size)}</td>
      <td className='num' title={`${file.segments} segments, each split into ${file.k} data + ${file.m} parity shards; any ${file.k} rebuild it`}>{file.k}+{file.m}</td>
      <td><HealthCell state={state} now={now} /></td>
      <td>
        <div className='file-actions'>
          <CopyButton text={file.link} what={`link to ${file.name}`} label='Copy link' />
        <button type='button' className='btn btn-small' disabled={state?.status === 'checking'} onClick={() => { void checkHealth(api, store, file.id) }}>Check</button>
        {health != null && needsRepair(health) && (
          <button type='button' className='btn btn-small btn-primary' disabled={action.busy != null} onClick={() => { void run('repair', repair) }}>
            {action.busy === 'repair' ? 'Repairing…' : 'Repair'}
          </button>
        )}
        {host.download != null && file.direction === 'received' && (
          <button type='button' className='btn btn-small' disabled={action.busy != null} onClick={() => { void run('download', async () => { await host.download?.(file) }) }}>
            {action.busy === 'download' ? 'Downloading…' : 'Download'}
          </button>
        )}
        </div>
      </td>
    </tr>
  )
}

/** Check every file's health now and then, one at a time, while the node is reachable. */
function usePeriodicHealth (ids: readonly string[]): void {
  const { api, store, connection } = useApp()
  const ready = useConnectionState(connection).status === 'ready'
  const idsRef = useRef(ids)
  idsRef.current = ids
  const key = ids.join(',')

  useEffect(() => {
    if (!ready) return
    let stopped = false
    let running = false
    const sweep = async (onlyUnchecked: boolean): Promise<void> => {
      if (running) return
      running = true
      try {
        for (const id of idsRef.current) {
          if (stopped) return
          if (onlyUnchecked && store.getState().health[id] != null) continue
          await checkHealth(api, store, id)
        }
      } finally {
        running = false
      }
    }
    void sweep(true) // new files get a first check right away
    const timer = setInterval(() => { void sweep(false) }, HEALTH_INTERVAL_MS)
    return () => { stopped = true; clearInterval(timer) }
  }, [api, store, ready, key])
}

export function MyFiles (): React.JSX.Element {
  const filesById = useWgt(s => s.files)
  const files = useMemo(() => sortedFiles(filesById), [filesById])
  const ids = useMemo(() => files.map(f => f.id), [files])
  usePeriodicHealth(ids)
  const now = useNow(5000)
  if (files.length === 0) {
    return <p className='empty'>No files yet — drop a file anywhere on this window to share it.</p>
  }
  return (
    <div className='table-scroll'>
      <table className='table files' aria-label='My files'>
        <thead>
          <tr>
            <th scope='col'>Name</th>
            <th scope='col'>Kind</th>
            <th scope='col' className='num'>Size</th>
            <th scope='col' className='num' title='data + parity shards per segment'>Code</th>
            <th scope='col' title='shards reachable now, per segment'>Health</th>
            <th scope='col'><span className='visually-hidden'>Actions</span></th>
          </tr>
        </thead>
        <tbody>
          {files.map(f => <FileRow key={f.id} file={f} now={now} />)}
        </tbody>
      </table>
    </div>
  )
}
