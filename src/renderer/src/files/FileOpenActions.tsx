import { useState } from 'react'
import { useApp } from '../app/context.js'
import { describeError, type HumanError } from '../ui/errors.js'
import { ErrorNotice } from '../ui/ErrorNotice.js'

/**
 * What can be done with a fetched file here: in the desktop app, open it or
 * show it in its folder; in a browser, download it from the node.
 */
export function FileOpenActions ({ id, name }: { id: string, name: string }): React.JSX.Element {
  const { host } = useApp()
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<HumanError | null>(null)
  const run = async (context: 'open' | 'download', work: () => Promise<void>): Promise<void> => {
    setBusy(true)
    setError(null)
    try { await work() } catch (err) { setError(describeError(context, err)) } finally { setBusy(false) }
  }
  return (
    <span className='file-actions'>
      {host.open != null && <button type='button' className='btn btn-small' disabled={busy} onClick={() => { void run('open', async () => { await host.open?.(id) }) }} aria-label={`Open ${name}`}>Open</button>}
      {host.reveal != null && <button type='button' className='btn btn-small' disabled={busy} onClick={() => { void run('open', async () => { await host.reveal?.(id) }) }} aria-label={`Show ${name} in its folder`}>Show in folder</button>}
      {host.download != null && <button type='button' className='btn btn-small' disabled={busy} onClick={() => { void run('download', async () => { await host.download?.(id, name) }) }} aria-label={`Download ${name}`}>{busy ? 'Downloading…' : 'Download'}</button>}
      {error != null && <ErrorNotice error={error} compact onDismiss={() => { setError(null) }} />}
    </span>
  )
}
