import { useState } from 'react'
import { useApp, useWgt } from '../app/context.js'
import { CallSettingsSection } from '../calls/CallSettingsSection.js'
import { PoliciesSection } from '../guard/PoliciesSection.js'
import { setPreference, useTheme, type ThemePreference } from '../theme.js'
import { CopyButton } from '../ui/CopyButton.js'
import { describeError, type HumanError } from '../ui/errors.js'
import { ErrorNotice } from '../ui/ErrorNotice.js'
import { StorageSection } from './StorageSection.js'

function useSave (): { busy: boolean, error: HumanError | null, saved: boolean, save: (work: () => Promise<void>) => Promise<void>, clear: () => void } {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<HumanError | null>(null)
  const [saved, setSaved] = useState(false)
  return {
    busy,
    error,
    saved,
    clear: () => { setError(null); setSaved(false) },
    save: async (work) => {
      setBusy(true)
      setError(null)
      setSaved(false)
      try { await work(); setSaved(true) } catch (err) { setError(describeError('save', err)) } finally { setBusy(false) }
    }
  }
}

function FilesSection (): React.JSX.Element {
  const { api, store } = useApp()
  const settings = useWgt(s => s.settings)
  const [dir, setDir] = useState<string | null>(null)
  const { busy, error, saved, save, clear } = useSave()
  if (settings == null) return <section className='card'><h2>Files</h2><p className='muted'>Loading…</p></section>
  const value = dir ?? settings.downloadDir
  const update = async (patch: Parameters<typeof api.updateSettings>[0]): Promise<void> => {
    await save(async () => { store.getState().settingsChanged(await api.updateSettings(patch)) })
  }
  return (
    <section className='card' aria-labelledby='files-settings-title'>
      <h2 id='files-settings-title'>Files</h2>
      <form className='inline-form' onSubmit={e => { e.preventDefault(); void update({ downloadDir: value.trim() }).then(() => { setDir(null) }) }}>
        <label htmlFor='download-dir'>Save fetched files in</label>
        <input id='download-dir' className='input mono' value={value} spellCheck={false} onChange={e => { setDir(e.target.value); clear() }} data-testid='download-dir' />
        <button type='submit' className='btn' disabled={busy || value.trim() === '' || value === settings.downloadDir}>Save</button>
      </form>
      <label className='check'>
        <input type='checkbox' checked={settings.keepFetchedShards} disabled={busy} onChange={e => { void update({ keepFetchedShards: e.target.checked }) }} data-testid='keep-shards' />
        Keep the shards of files I fetch, and serve them to others
        <span className='muted'> — a file gets more durable as it spreads; counted under Storage as your own files</span>
      </label>
      {saved && <span className='muted' role='status'>Saved.</span>}
      {error != null && <ErrorNotice error={error} compact onDismiss={clear} />}
    </section>
  )
}

const THEMES: Array<{ value: ThemePreference, label: string }> = [
  { value: 'system', label: 'Follow the system' },
  { value: 'light', label: 'Light' },
  { value: 'dark', label: 'Dark' }
]

function AppearanceSection (): React.JSX.Element {
  const { preference } = useTheme()
  return (
    <section className='card' aria-labelledby='appearance-title'>
      <h2 id='appearance-title'>Appearance</h2>
      <fieldset className='radio-row'>
        <legend className='visually-hidden'>Theme</legend>
        {THEMES.map(t => (
          <label key={t.value} className='check'>
            <input type='radio' name='theme' value={t.value} checked={preference === t.value} onChange={() => { setPreference(t.value) }} />
            {t.label}
          </label>
        ))}
      </fieldset>
    </section>
  )
}

function AboutSection (): React.JSX.Element {
  const about = useWgt(s => s.about)
  const identity = useWgt(s => s.identity)
  return (
    <section className='card' aria-labelledby='about-title'>
      <h2 id='about-title'>About</h2>
      {about == null
        ? <p className='muted'>Loading…</p>
        : (
          <dl className='facts' data-testid='about'>
            <dt>WGT</dt><dd>{about.wgt}</dd>
            {identity != null && <><dt>PeerId</dt><dd className='with-action'><span className='mono break'>{identity.peerId}</span><CopyButton text={identity.peerId} what='PeerId' /></dd></>}
            <dt>Node.js</dt><dd>{about.node} (V8 {about.v8})</dd>
            {about.electron != null && <><dt>Electron</dt><dd>{about.electron} (Chromium {about.chrome})</dd></>}
            <dt>libp2p</dt><dd>{about.libp2p}</dd>
            <dt>System</dt><dd>{about.platform} {about.arch}</dd>
            <dt>Data directory</dt><dd className='mono break'>{about.dataDir}</dd>
          </dl>)}
    </section>
  )
}

export function SettingsView (): React.JSX.Element {
  return (
    <div className='settings-grid'>
      <StorageSection />
      <FilesSection />
      <PoliciesSection />
      <CallSettingsSection />
      <AppearanceSection />
      <AboutSection />
    </div>
  )
}
