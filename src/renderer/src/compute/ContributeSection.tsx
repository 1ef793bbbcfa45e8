/**
 * Contribute: whether this node runs tasks for others, and within what
 * (BOINC's contributor controls). Who may send it tasks is not here: it is
 * guard's 'compute' policy, one click away in Settings → Policies.
 */
import { useState } from 'react'
import { CAPABILITY_LABELS, COMPUTE_LIMITS, type ComputeSettings, type PolicyValue } from '../../../shared/api/index.js'
import { useApp, useWgt } from '../app/context.js'
import { ErrorNotice } from '../ui/ErrorNotice.js'
import { useAction } from '../ui/useAction.js'

type Limit = 'maxTasks' | 'memoryMb' | 'timeoutS' | 'idleLoadPercent'

const LIMITS: Array<{ key: Limit, label: string, unit: string, help: string }> = [
  { key: 'maxTasks', label: 'Tasks at once', unit: '', help: 'one core each' },
  { key: 'memoryMb', label: 'Memory per task', unit: 'MiB', help: 'WASM memory cap; bigger tasks are refused' },
  { key: 'timeoutS', label: 'Time per task', unit: 's', help: 'wall clock; a job may ask for less' },
  { key: 'idleLoadPercent', label: 'Idle below', unit: '% CPU', help: 'used by the rest of the computer' }
]

const POLICY_WORD: Record<PolicyValue, string> = { anyone: 'anyone', contacts: 'contacts only', 'contacts-only': 'contacts only', nobody: 'nobody' }

/** A whole number within the contract's limits, or null. */
export function parseLimit (key: Limit, text: string): number | null {
  if (!/^\s*\d+\s*$/.test(text)) return null
  const n = Number(text)
  const { min, max } = COMPUTE_LIMITS[key]
  return Number.isSafeInteger(n) && n >= min && n <= max ? n : null
}

/** Go to Settings and put focus on the chosen value of the compute policy (it scrolls into view). */
function goToComputePolicy (showView: (v: 'settings') => void): void {
  showView('settings')
  let tries = 0
  const focus = (): void => {
    const radio = document.querySelector<HTMLInputElement>('[data-capability=compute] input:checked') ??
      document.querySelector<HTMLInputElement>('[data-capability=compute] input')
    if (radio != null) { radio.focus(); return }
    // the policies may still be loading
    if (++tries < 40) setTimeout(focus, 50)
  }
  setTimeout(focus, 0)
}

function LimitsForm ({ settings }: { settings: ComputeSettings }): React.JSX.Element {
  const { api, store } = useApp()
  const [draft, setDraft] = useState<Partial<Record<Limit, string>>>({})
  const [saved, setSaved] = useState(false)
  const { busy, error, run, clear } = useAction()
  const parsed = LIMITS.map(l => ({ ...l, text: draft[l.key], value: draft[l.key] == null ? settings[l.key] : parseLimit(l.key, draft[l.key] ?? '') }))
  const invalid = parsed.filter(p => p.value == null)
  const patch: Partial<ComputeSettings> = {}
  for (const p of parsed) if (p.value != null && p.value !== settings[p.key]) patch[p.key] = p.value
  const changed = Object.keys(patch).length > 0
  const save = async (e: React.FormEvent): Promise<void> => {
    e.preventDefault()
    if (invalid.length > 0 || !changed) return
    setSaved(false)
    if (await run('save', async () => { store.getState().computeSettingsChanged(await api.updateComputeSettings(patch)) })) {
      setDraft({})
      setSaved(true)
    }
  }
  return (
    <form className='compute-limits' onSubmit={e => { void save(e) }} aria-label='Limits on tasks run for others'>
      {parsed.map(p => {
        const { min, max } = COMPUTE_LIMITS[p.key]
        const id = `compute-${p.key}`
        const disabled = p.key === 'idleLoadPercent' && !settings.idleOnly
        return (
          <div key={p.key} className='compute-limit'>
            <label htmlFor={id}>{p.label}</label>
            <span className='compute-limit-input'>
              <input id={id} className='input input-small' inputMode='numeric' value={p.text ?? String(settings[p.key])} disabled={disabled}
                aria-invalid={p.value == null} aria-describedby={`${id}-help`} data-testid={id}
                onChange={e => { setDraft({ ...draft, [p.key]: e.target.value }); setSaved(false); clear() }} />
              {p.unit !== '' && <span className='muted'>{p.unit}</span>}
            </span>
            <span id={`${id}-help`} className={p.value == null ? 'error-text compute-limit-help' : 'muted compute-limit-help'}>
              {p.value == null ? `a whole number, ${min} to ${max}` : p.help}
            </span>
          </div>
        )
      })}
      <div className='compute-limit-actions'>
        <button type='submit' className='btn btn-small' disabled={busy || invalid.length > 0 || !changed}>Save limits</button>
        {changed && <button type='button' className='btn btn-small btn-ghost' onClick={() => { setDraft({}); clear() }}>Undo</button>}
        {saved && !changed && <span className='muted' role='status'>Saved.</span>}
      </div>
      {error != null && <ErrorNotice error={error} compact onDismiss={clear} />}
    </form>
  )
}

export function ContributeSection (): React.JSX.Element {
  const { api, store } = useApp()
  const settings = useWgt(s => s.computeSettings)
  const paused = useWgt(s => s.contribution?.paused ?? null)
  const policy = useWgt(s => s.policies?.compute ?? null)
  const showView = useWgt(s => s.showView)
  const { busy, error, run, clear } = useAction()
  if (settings == null) return <section className='card'><h2>Contribute</h2><p className='muted'>Loading…</p></section>
  const update = async (patch: Partial<ComputeSettings>): Promise<void> => {
    await run('save', async () => { store.getState().computeSettingsChanged(await api.updateComputeSettings(patch)) })
  }
  const status = !settings.enabled
    ? { cls: 'pill-neutral', text: 'off' }
    : paused != null ? { cls: 'pill-warn', text: 'paused' } : { cls: 'pill-ok', text: 'taking tasks' }
  return (
    <section className='card' aria-labelledby='contribute-title' data-testid='compute-contribute'>
      <div className='section-head'>
        <h2 id='contribute-title'>Contribute</h2>
        <span className={`pill ${status.cls}`} data-testid='contribute-status' title={paused ?? undefined}>{status.text}</span>
      </div>
      <label className='check'>
        <input type='checkbox' checked={settings.enabled} disabled={busy} data-testid='compute-enabled'
          onChange={e => { void update({ enabled: e.target.checked }) }} />
        <span>Run tasks for other peers <span className='muted'>— WASM in a sandbox with the limits below; your own jobs run here either way</span></span>
      </label>
      {settings.enabled && paused != null && <p className='warn-text compute-paused' role='status'>Not taking tasks now: {paused}</p>}
      <label className='check'>
        <input type='checkbox' checked={settings.idleOnly} disabled={busy} data-testid='compute-idle-only'
          onChange={e => { void update({ idleOnly: e.target.checked }) }} />
        <span>Only while the computer is idle <span className='muted'>— the rest of it uses less CPU than set below</span></span>
      </label>
      {error != null && <ErrorNotice error={error} compact onDismiss={clear} />}
      <LimitsForm settings={settings} />
      <p className='muted compute-policy-line'>
        Who may send this node tasks is the{' '}
        <button type='button' className='link-button' onClick={() => { goToComputePolicy(showView) }} data-testid='compute-policy-link'>{CAPABILITY_LABELS.compute}</button>
        {' '}policy in Settings → Policies{policy != null ? ` (now: ${POLICY_WORD[policy]})` : ''}.
      </p>
    </section>
  )
}
