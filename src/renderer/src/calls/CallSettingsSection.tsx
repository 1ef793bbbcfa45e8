import { useState } from 'react'
import type { CallSettings, IceServer } from '../../../shared/api/index.js'
import { useApp, useWgt } from '../app/context.js'
import { ErrorNotice } from '../ui/ErrorNotice.js'
import { useAction } from '../ui/useAction.js'

const PATHS: Array<{ value: CallSettings['mediaPath'], label: string, help: string }> = [
  { value: 'auto', label: 'Automatic', help: 'direct between the two of you when the network allows, otherwise over the libp2p connection (or a WGT relay)' },
  { value: 'libp2p', label: 'Only over libp2p', help: 'never direct: media rides the connection between the two nodes; your addresses are not shown to the peer' },
  { value: 'direct', label: 'Only direct', help: 'never through the nodes; calls fail where the network blocks a direct path' }
]

/** The same rule as the node's (shared/api/calls.ts): the node checks it again. */
const ICE_URL = /^(stun|stuns|turn|turns):[^\s]+$/

type Row = IceServer & { key: number }
let rowKey = 0

/** Settings → Calls: which path media may take, and STUN/TURN servers (none needed: the libp2p path is the fallback). */
export function CallSettingsSection (): React.JSX.Element {
  const { api, store } = useApp()
  const settings = useWgt(s => s.callSettings)
  const [rows, setRows] = useState<Row[] | null>(null)
  const { busy, error, run, clear } = useAction()
  const [saved, setSaved] = useState(false)
  if (settings == null) return <section className='card'><h2>Calls</h2><p className='muted'>Loading…</p></section>

  const update = async (patch: Parameters<typeof api.updateCallSettings>[0]): Promise<void> => {
    setSaved(false)
    const ok = await run('save', async () => { store.getState().callSettingsChanged(await api.updateCallSettings(patch)) })
    setSaved(ok)
  }
  const shown: Row[] = rows ?? settings.iceServers.map(s => ({ ...s, key: ++rowKey }))
  const edit = (key: number, patch: Partial<IceServer>): void => {
    setRows(shown.map(r => r.key === key ? { ...r, ...patch } : r))
    clear()
    setSaved(false)
  }
  const invalid = shown.some(r => !ICE_URL.test(r.urls.trim()))
  const save = (e: React.FormEvent): void => {
    e.preventDefault()
    const iceServers = shown.map(({ urls, username, credential }) => ({
      urls: urls.trim(),
      ...(username != null && username !== '' ? { username } : {}),
      ...(credential != null && credential !== '' ? { credential } : {})
    }))
    void update({ iceServers }).then(() => { setRows(null) })
  }

  return (
    <section className='card' aria-labelledby='calls-settings-title' data-testid='call-settings'>
      <h2 id='calls-settings-title'>Calls</h2>
      <fieldset className='radio-row'>
        <legend>Media path</legend>
        {PATHS.map(p => (
          <label key={p.value} className='check'>
            <input type='radio' name='media-path' value={p.value} checked={settings.mediaPath === p.value} disabled={busy}
              onChange={() => { void update({ mediaPath: p.value }) }} data-testid={`media-path-${p.value}`} />
            <span>{p.label} <span className='muted'>— {p.help}</span></span>
          </label>
        ))}
      </fieldset>
      <form onSubmit={save} aria-label='ICE servers'>
        <h3>STUN and TURN servers</h3>
        <p className='muted'>Optional: calls work without any, over the libp2p connection when nothing direct does.</p>
        <div className='ice-rows'>
          {shown.length === 0 && <p className='muted'>None.</p>}
          {shown.map((r, i) => (
            <div key={r.key} className='ice-row'>
              <label className='visually-hidden' htmlFor={`ice-url-${r.key}`}>Server {i + 1} URL</label>
              <input id={`ice-url-${r.key}`} className='input mono' placeholder='stun:stun.example.org:3478' value={r.urls} maxLength={512} spellCheck={false}
                aria-invalid={!ICE_URL.test(r.urls.trim())} onChange={e => { edit(r.key, { urls: e.target.value }) }} />
              <input className='input input-small' placeholder='User (TURN)' aria-label={`Server ${i + 1} user name`} value={r.username ?? ''} maxLength={256} autoComplete='off'
                onChange={e => { edit(r.key, { username: e.target.value }) }} />
              <input className='input input-small' type='password' placeholder='Password (TURN)' aria-label={`Server ${i + 1} password`} value={r.credential ?? ''} maxLength={256} autoComplete='off'
                onChange={e => { edit(r.key, { credential: e.target.value }) }} />
              <button type='button' className='btn btn-small' onClick={() => { setRows(shown.filter(x => x.key !== r.key)) }} aria-label={`Remove server ${i + 1}`}>Remove</button>
            </div>
          ))}
        </div>
        <div className='row-actions' style={{ justifyContent: 'flex-start', marginLeft: 0 }}>
          <button type='button' className='btn btn-small' disabled={shown.length >= 8} onClick={() => { setRows([...shown, { urls: '', key: ++rowKey }]) }}>Add a server</button>
          <button type='submit' className='btn btn-small btn-primary' disabled={busy || rows == null || invalid}>Save servers</button>
          {invalid && <span className='error-text'>A server is a stun:, stuns:, turn: or turns: URL.</span>}
          {saved && <span className='muted' role='status'>Saved.</span>}
        </div>
      </form>
      {error != null && <ErrorNotice error={error} compact onDismiss={clear} />}
    </section>
  )
}
