import { useRef } from 'react'
import { useApp, useWgt } from '../app/context.js'
import { formatBytes } from '../format.js'
import { shareFiles } from './actions.js'
import { MyFiles, ReceivedFiles } from './FileTables.js'
import { Inbox } from './Inbox.js'
import { OpenLinkBox } from './OpenLinkBox.js'
import { Transfers } from './Transfers.js'
import { useStorage } from './useStorage.js'

/** The keyboard path to sharing: a file picker, for anyone who does not drag and drop. */
function ShareButton (): React.JSX.Element {
  const deps = useApp()
  const input = useRef<HTMLInputElement>(null)
  return (
    <>
      <input
        ref={input}
        type='file'
        multiple
        hidden
        data-testid='share-input'
        onChange={(e) => {
          const files = Array.from(e.target.files ?? [])
          e.target.value = '' // the same file can be picked again
          if (files.length > 0) void shareFiles(deps, files, null)
        }}
      />
      <button type='button' className='btn btn-primary' onClick={() => { input.current?.click() }}>Share files…</button>
    </>
  )
}

function StorageLine (): React.JSX.Element | null {
  const storage = useStorage()
  const showView = useWgt(s => s.showView)
  if (storage == null) return null
  return (
    <p className='muted storage-line' data-testid='storage'>
      Shards kept here: {formatBytes(storage.own.bytes)} for your files, {formatBytes(storage.others.bytes)} for others (pool {formatBytes(storage.others.pool)}), limit {formatBytes(storage.quota)} ·{' '}
      <button type='button' className='link-button' onClick={() => { showView('settings') }}>change in Settings</button>
    </p>
  )
}

export function FilesView (): React.JSX.Element {
  return (
    <>
      <section className='card' aria-labelledby='share-title'>
        <div className='section-head'>
          <h2 id='share-title'>Share and fetch</h2>
          <ShareButton />
        </div>
        <p className='muted'>Drop files anywhere on this window to share them, or onto a peer in Network to send it the link.</p>
        <OpenLinkBox />
        <StorageLine />
      </section>
      <Inbox />
      <Transfers />
      <MyFiles />
      <ReceivedFiles />
    </>
  )
}
