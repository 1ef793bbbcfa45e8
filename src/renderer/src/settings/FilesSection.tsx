import { useState } from 'react'
import { useApp, useWgt } from '../app/context.js'
import { CopyButton } from '../ui/CopyButton.js'
import { ErrorNotice } from '../ui/ErrorNotice.js'
import { useAction } from '../ui/useAction.js'

/**
 * Where the node keeps its state (read-only: it is chosen when the node
 * starts) and where fetched files go, and whether fetched shards are kept.
 */
export function FilesSection (): React.JSX.Element {
  const { api, store, host } = useApp()
  const settings = useWgt(s => s.settings)
  const dataDir = useWgt(s => s.about?.dataDir ?? null)
  const [dir, setDir] = useState<string | null>(null)
  const [saved, setSaved] = useState(false)
  const { busy, error, run, clear } = useAction()
  if (settings == null) return <section className='card'><h2>Files</h2><p className='muted'>Loading…</p></section>
  const value = dir ?? settings.downloadDir
  const update = async (patch: Parameters<typeof api.updateSettings>[0]): Promise<boolean> => {
    setSaved(false)
    const ok = await run('save', async () => { store.getState().settingsChanged(await api.updateSettings(patch)) })
    setSaved(ok)
    return ok
  }
  const edited = (): void => { clear(); setSaved(false) }
  return (
    <section className='card' aria-labelledby='files-settings-title'>
      <h2 id='files-settings-title'>Files</h2>
      <form className='inline-form' onSubmit={e => { e.preventDefault(); void update({ downloadDir: value.trim() }).then(ok => { if (ok) setDir(null) }) }}>
        <label htmlFor='download-dir'>Save fetched files in</label>
        <input id='download-dir' className='input mono' value={value} spellCheck={false} onChange={e => { setDir(e.target.value); edited() }} data-testid='download-dir' />
        <button type='submit' className='btn' disabled={busy || value.trim() === '' || value === settings.downloadDir}>Save</button>
      </form>
      <label className='check'>
        <input type='checkbox' checked={settings.keepFetchedShards} disabled={busy} onChange={e => { void update({ keepFetchedShards: e.target.checked }) }} data-testid='keep-shards' />
        <span>Keep the shards of files I fetch, and serve them to others <span className='muted'>— a file gets more durable as it spreads; counted under Storage as your own files</span></span>
      </label>
      {saved && <span className='muted' role='status'>Saved.</span>}
      {error != null && <ErrorNotice error={error} compact onDismiss={clear} />}
      <div className='data-dir'>
        <span className='data-dir-label'>The node's data directory</span>
        <div className='link-row'>
          <code className='mono break' data-testid='data-dir'>{dataDir ?? 'Loading…'}</code>
          {dataDir != null && <CopyButton text={dataDir} what='the data directory' />}
        </div>
        <p className='muted'>
          Identity, contacts, settings and stored shards live here. It is chosen when the node starts:
          {host.kind === 'browser'
            ? <> start the daemon with <code className='mono'>wgt daemon --data-dir DIR</code> (stop it first; move the directory with it to keep this node's identity).</>
            : <> the desktop app keeps it in its own folder; to run this node elsewhere, quit WGT and run <code className='mono'>wgt daemon --data-dir DIR</code> with the directory moved there.</>}
        </p>
      </div>
    </section>
  )
}
