/**
 * A file on the map: pick one of this node's files and its holders light up
 * (the peers that proved shards in the last health check), the holders the
 * placement named that did not prove a shard placed on them turn red. A
 * check challenges every holder and, for a file without a local copy, may
 * fetch shards to verify the proofs: it is not free. So it repeats only
 * while the map shows the file and the window is visible (the app lives in
 * the tray, and the map is the default view), never two at once, and waits
 * refreshIntervalMs(last check's duration) after each ends: a file whose
 * checks take long is checked less often. Check now runs one on request.
 * Repair re-creates lost shards, and each one landing on a peer pulses along
 * that peer's edge (MapCanvas listens for 'files:placed').
 */
import { useCallback, useEffect, useMemo, useState } from 'react'
import type { FileHealth } from '../../../shared/api/index.js'
import { WgtError } from '../../../shared/errors.js'
import { useApp, useWgt } from '../app/context.js'
import { checkHealth } from '../files/actions.js'
import { lastHealth } from '../files/state.js'
import { formatAge, plural } from '../format.js'
import { ErrorNotice } from '../ui/ErrorNotice.js'
import { useAction } from '../ui/useAction.js'

export const HEALTH_REFRESH_MS = 15_000
/** a check may take at most 1 / CHECK_SHARE of the time while the map shows a file */
const CHECK_SHARE = 4

/** The wait after a check that took `lastCheckMs`: at least HEALTH_REFRESH_MS, and CHECK_SHARE times the check's own duration. */
export function refreshIntervalMs (lastCheckMs: number | null): number {
  return Math.max(HEALTH_REFRESH_MS, CHECK_SHARE * (lastCheckMs ?? 0))
}

/** Whether the document is visible (not a hidden window, a minimised one or a background tab). */
export function useDocumentVisible (): boolean {
  const [visible, setVisible] = useState(() => typeof document === 'undefined' || document.visibilityState === 'visible')
  useEffect(() => {
    const update = (): void => { setVisible(document.visibilityState === 'visible') }
    document.addEventListener('visibilitychange', update)
    update()
    return () => { document.removeEventListener('visibilitychange', update) }
  }, [])
  return visible
}

function useNow (everyMs: number): number {
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    const t = setInterval(() => { setNow(Date.now()) }, everyMs)
    return () => { clearInterval(t) }
  }, [everyMs])
  return now
}

function CheckedAgo ({ health }: { health: FileHealth }): React.JSX.Element {
  const now = useNow(1000)
  return <span className='muted' data-testid='map-checked' data-checked-at={health.checkedAt}>checked {formatAge(now - health.checkedAt)}</span>
}

export interface FileMarksSummary { holders: number, lost: number }

export function FileOnMap ({ fileId, onFile, summary }: { fileId: string | null, onFile: (id: string | null) => void, summary: FileMarksSummary }): React.JSX.Element {
  const { api, store } = useApp()
  const filesById = useWgt(s => s.files)
  const files = useMemo(() => Object.values(filesById).sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id)), [filesById])
  const state = useWgt(s => fileId == null ? undefined : s.health[fileId])
  const health = lastHealth(state)
  const checking = state?.status === 'checking'
  const repair = useAction()
  const [repaired, setRepaired] = useState<number | null>(null)
  const visible = useDocumentVisible()
  // how long the last check of this file took, measured here (Check now included)
  const [lastCheckMs, setLastCheckMs] = useState<number | null>(null)
  const intervalMs = refreshIntervalMs(lastCheckMs)

  const timedCheck = useCallback(async (id: string): Promise<void> => {
    const started = performance.now()
    await checkHealth(api, store, id)
    setLastCheckMs(performance.now() - started)
  }, [api, store])

  useEffect(() => { setLastCheckMs(null) }, [fileId])

  // while visible: a check when due (the last one is older than the interval, or there is none), then one interval after each ends
  useEffect(() => {
    if (fileId == null || !visible) return
    let stopped = false
    let timer: ReturnType<typeof setTimeout> | undefined
    const loop = async (): Promise<void> => {
      const s = store.getState().health[fileId]
      const last = lastHealth(s)?.checkedAt
      // bounded by the interval: the node's clock (checkedAt) may run ahead of this one
      const due = last == null ? 0 : Math.min(intervalMs, last + intervalMs - Date.now())
      if (s?.status !== 'checking' && due <= 0) await timedCheck(fileId)
      // the next round runs from the effect again when the measured duration changed the interval
      if (!stopped) timer = setTimeout(() => { void loop() }, Math.max(1000, due > 0 ? due : intervalMs))
    }
    void loop()
    return () => { stopped = true; clearTimeout(timer) }
  }, [store, fileId, visible, intervalMs, timedCheck])

  useEffect(() => { setRepaired(null); repair.clear() }, [fileId, repair.clear])

  const runRepair = (id: string): void => {
    setRepaired(null)
    void repair.run('repair', async () => {
      const { operation } = await api.repairFile(id)
      const op = await api.waitOperation(operation)
      if (op.state !== 'done' || op.kind !== 'repair' || op.result == null) {
        throw op.error != null ? WgtError.fromWire(op.error) : new WgtError('CANCELLED', `the repair ended ${op.state}`)
      }
      store.getState().healthChecked(id, { health: op.result.health })
      setRepaired(op.result.recreated)
    })
  }

  return (
    <div className='map-file' data-testid='map-file'>
      <label className='map-file-pick'>
        <span>File</span>
        <select className='input' value={fileId ?? ''} onChange={e => { onFile(e.target.value === '' ? null : e.target.value) }} data-testid='map-file-select'>
          <option value=''>none — show peers only</option>
          {files.map(f => <option key={f.id} value={f.id}>{f.name} ({f.direction})</option>)}
        </select>
      </label>
      {fileId != null && (
        <div className='map-file-status' data-testid='map-file-status' data-checking={checking}>
          {health != null && (
            <span data-testid='map-file-summary'>
              <span className='map-key map-key-holder' aria-hidden='true' />{plural(summary.holders, 'holder')}
              {summary.lost > 0 && <>, <span className='error-text'><span className='map-key map-key-lost' aria-hidden='true' />{summary.lost} lost</span></>}
              {' · '}
            </span>
          )}
          {health != null && <CheckedAgo health={health} />}
          {health == null && !checking && <span className='muted'>not checked yet</span>}
          {checking && <span className='muted'> · checking…</span>}
          <span className='muted' data-testid='map-refresh' data-interval-ms={intervalMs}
            title={`The holders are challenged to prove their shards every ${Math.round(intervalMs / 1000)} s while this window shows the map (at least ${HEALTH_REFRESH_MS / 1000} s, and ${CHECK_SHARE}× as long as the last check took)`}>
            {' · '}every {Math.round(intervalMs / 1000)} s{visible ? '' : ' (paused while hidden)'}
          </span>
          <button type='button' className='btn btn-small' disabled={checking} onClick={() => { void timedCheck(fileId) }}>Check now</button>
          <button type='button' className='btn btn-small' disabled={repair.busy} onClick={() => { runRepair(fileId) }}
            title='Re-create lost shards from the ones still held and place them on other peers'>
            {repair.busy ? 'Repairing…' : 'Repair'}
          </button>
          {repaired != null && <span className='ok' data-testid='map-repaired'>{repaired === 0 ? 'nothing to repair' : `${plural(repaired, 'shard')} re-created`}</span>}
          {state?.status === 'error' && <ErrorNotice error={state.error} compact />}
        </div>
      )}
      {repair.error != null && <ErrorNotice error={repair.error} compact onDismiss={repair.clear} />}
    </div>
  )
}
