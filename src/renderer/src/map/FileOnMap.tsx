/**
 * A file on the map: pick one of this node's files and its holders light up
 * (the peers that proved shards in the last health check), the holders the
 * placement named that proved nothing turn red. The check repeats every
 * HEALTH_REFRESH_MS while the file is selected (never two at once), or now
 * on request; Repair re-creates lost shards, and each one landing on a peer
 * pulses along that peer's edge (MapCanvas listens for 'files:placed').
 */
import { useEffect, useMemo, useState } from 'react'
import type { FileHealth } from '../../../shared/api/index.js'
import { WgtError } from '../../../shared/errors.js'
import { useApp, useWgt } from '../app/context.js'
import { checkHealth } from '../files/actions.js'
import { lastHealth } from '../files/state.js'
import { formatAge, plural } from '../format.js'
import { ErrorNotice } from '../ui/ErrorNotice.js'
import { useAction } from '../ui/useAction.js'

export const HEALTH_REFRESH_MS = 15_000

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

  // a check when the file is picked, then one HEALTH_REFRESH_MS after each ends
  useEffect(() => {
    if (fileId == null) return
    let stopped = false
    let timer: ReturnType<typeof setTimeout> | undefined
    const loop = async (): Promise<void> => {
      if (store.getState().health[fileId]?.status !== 'checking') await checkHealth(api, store, fileId)
      if (!stopped) timer = setTimeout(() => { void loop() }, HEALTH_REFRESH_MS)
    }
    void loop()
    return () => { stopped = true; clearTimeout(timer) }
  }, [api, store, fileId])

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
          <span className='muted' title='how often the holders are challenged to prove their shards'> · every {HEALTH_REFRESH_MS / 1000} s</span>
          <button type='button' className='btn btn-small' disabled={checking} onClick={() => { void checkHealth(api, store, fileId) }}>Check now</button>
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
