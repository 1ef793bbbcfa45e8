import { useEffect, useMemo, useRef, useState } from 'react'
import type { FileEntry } from '../../../shared/api/index.js'
import { useApp, useConnectionState, useWgt } from '../app/context.js'
import { formatBytes } from '../format.js'
import { PeerName } from '../guard/PeerName.js'
import { useNow } from '../hooks.js'
import { CopyButton } from '../ui/CopyButton.js'
import { describeError, type HumanError } from '../ui/errors.js'
import { ErrorNotice } from '../ui/ErrorNotice.js'
import { checkHealth } from './actions.js'
import { FileOpenActions } from './FileOpenActions.js'
import { HEALTH_EXPLAINED, HealthCell } from './Health.js'
import { lastHealth, needsRepair, sortedFiles } from './state.js'

/** Health is asked of the network, so it is re-checked at a calm pace, one file at a time. */
export const HEALTH_INTERVAL_MS = 60_000

/** Check every shared file's health now and then, one at a time, while the node is reachable. */
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

/** Remove a file after a second click on the same button: keyboard-friendly and never by accident. */
function RemoveButton ({ file }: { file: FileEntry }): React.JSX.Element {
  const { api } = useApp()
  const [stage, setStage] = useState<'idle' | 'confirm' | 'busy'>('idle')
  const [deleteCopy, setDeleteCopy] = useState(false)
  const [error, setError] = useState<HumanError | null>(null)
  const shared = file.direction === 'shared'
  const remove = async (): Promise<void> => {
    setStage('busy')
    setError(null)
    try {
      await api.removeFile(file.id, shared ? undefined : { deleteCopy })
    } catch (err) {
      setError(describeError('remove', err))
      setStage('idle')
    }
  }
  if (stage === 'idle') {
    return (
      <>
        <button type='button' className='btn btn-small' onClick={() => { setStage('confirm') }} aria-label={`${shared ? 'Unshare' : 'Remove'} ${file.name}`}>{shared ? 'Unshare' : 'Remove'}</button>
        {error != null && <ErrorNotice error={error} compact onDismiss={() => { setError(null) }} />}
      </>
    )
  }
  return (
    <span className='confirm' role='group' aria-label={`Confirm ${shared ? 'unsharing' : 'removing'} ${file.name}`}>
      <span className='muted'>{shared ? 'Ask every holder to drop its shards? The link stops working.' : 'Remove from the list?'}</span>
      {!shared && (
        <label className='check'>
          <input type='checkbox' checked={deleteCopy} onChange={e => { setDeleteCopy(e.target.checked) }} /> also delete the file
        </label>
      )}
      <button type='button' className='btn btn-small btn-danger' disabled={stage === 'busy'} onClick={() => { void remove() }} autoFocus>
        {stage === 'busy' ? 'Removing…' : shared ? 'Unshare' : 'Remove'}
      </button>
      <button type='button' className='btn btn-small' disabled={stage === 'busy'} onClick={() => { setStage('idle') }}>Keep</button>
    </span>
  )
}

function SharedRow ({ file, now }: { file: FileEntry, now: number }): React.JSX.Element {
  const { api, store, host } = useApp()
  const state = useWgt(s => s.health[file.id])
  const health = lastHealth(state)
  const [error, setError] = useState<HumanError | null>(null)
  const repair = async (): Promise<void> => {
    setError(null)
    try { await api.repairFile(file.id) } catch (err) { setError(describeError('repair', err)) }
  }
  return (
    <tr data-file-id={file.id}>
      <th scope='row'>
        <span className='file-name' title={file.name}>{file.name}</span>
        {file.path != null && <span className='muted file-path mono' title={file.path}>{file.path}</span>}
        {error != null && <ErrorNotice error={error} compact onDismiss={() => { setError(null) }} />}
      </th>
      <td className='num'>{formatBytes(file.size)}</td>
      <td className='num' title={`${file.segments} segments, each split into ${file.k} data + ${file.m} parity shards; any ${file.k} rebuild it`}>{file.k}+{file.m}</td>
      <td><HealthCell state={state} now={now} /></td>
      <td>
        <div className='file-actions'>
          <CopyButton text={file.link} what={`link to ${file.name}`} label='Copy link' />
          {host.reveal != null && <button type='button' className='btn btn-small' onClick={() => { void host.reveal?.(file.id).catch((err: unknown) => { setError(describeError('open', err)) }) }} aria-label={`Show ${file.name} in its folder`}>Show in folder</button>}
          <button type='button' className='btn btn-small' disabled={state?.status === 'checking'} onClick={() => { void checkHealth(api, store, file.id) }}>Check</button>
          {health != null && needsRepair(health) && <button type='button' className='btn btn-small btn-primary' onClick={() => { void repair() }}>Repair</button>}
          <RemoveButton file={file} />
        </div>
      </td>
    </tr>
  )
}

function ReceivedRow ({ file }: { file: FileEntry }): React.JSX.Element {
  return (
    <tr data-file-id={file.id}>
      <th scope='row'>
        <span className='file-name' title={file.name}>{file.name}</span>
        {file.path != null && <span className='muted file-path mono' title={file.path}>{file.path}</span>}
      </th>
      <td className='num'>{formatBytes(file.size)}</td>
      <td data-testid='received-from'>{file.from != null ? <PeerName peerId={file.from} /> : <span className='muted'>a link</span>}</td>
      <td className='muted'>{new Date(file.createdAt).toLocaleString()}</td>
      <td>
        <div className='file-actions'>
          <FileOpenActions id={file.id} name={file.name} />
          <CopyButton text={file.link} what={`link to ${file.name}`} label='Copy link' />
          <RemoveButton file={file} />
        </div>
      </td>
    </tr>
  )
}

export function MyFiles (): React.JSX.Element {
  const filesById = useWgt(s => s.files)
  const files = useMemo(() => sortedFiles(filesById, 'shared'), [filesById])
  const ids = useMemo(() => files.map(f => f.id), [files])
  usePeriodicHealth(ids)
  const now = useNow(5000)
  return (
    <section className='card' aria-labelledby='mine-title'>
      <h2 id='mine-title'>My files <span className='count' data-testid='file-count'>{files.length}</span></h2>
      {files.length === 0
        ? <p className='empty'>Nothing shared yet — drop a file anywhere on this window, or use Share files.</p>
        : (
          <div className='table-scroll'>
            <table className='table files' aria-label='My files'>
              <thead>
                <tr>
                  <th scope='col'>Name</th>
                  <th scope='col' className='num'>Size</th>
                  <th scope='col' className='num' title='data + parity shards per segment'>Code</th>
                  <th scope='col' title={HEALTH_EXPLAINED}>Health</th>
                  <th scope='col'><span className='visually-hidden'>Actions</span></th>
                </tr>
              </thead>
              <tbody>{files.map(f => <SharedRow key={f.id} file={f} now={now} />)}</tbody>
            </table>
          </div>)}
      {files.length > 0 && <p className='muted storage-line' data-testid='health-explained'>{HEALTH_EXPLAINED}</p>}
    </section>
  )
}

export function ReceivedFiles (): React.JSX.Element | null {
  const filesById = useWgt(s => s.files)
  const files = useMemo(() => sortedFiles(filesById, 'received'), [filesById])
  if (files.length === 0) return null
  return (
    <section className='card' aria-labelledby='received-title'>
      <h2 id='received-title'>Received <span className='count' data-testid='received-count'>{files.length}</span></h2>
      <div className='table-scroll'>
        <table className='table files' aria-label='Received files'>
          <thead>
            <tr>
              <th scope='col'>Name</th>
              <th scope='col' className='num'>Size</th>
              <th scope='col'>From</th>
              <th scope='col'>Received</th>
              <th scope='col'><span className='visually-hidden'>Actions</span></th>
            </tr>
          </thead>
          <tbody>{files.map(f => <ReceivedRow key={f.id} file={f} />)}</tbody>
        </table>
      </div>
    </section>
  )
}
