import { useRef } from 'react'
import { useApp, useWgt } from '../context.js'
import { shareFiles } from '../file-actions.js'
import { formatBytes } from '../format.js'
import { MyFiles } from './MyFiles.js'
import { Offers } from './Offers.js'
import { OpenLinkBox } from './OpenLinkBox.js'
import { Transfers } from './Transfers.js'

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
        onChange={(e) => {
          const files = Array.from(e.target.files ?? [])
          e.target.value = '' // the same file can be picked again
          if (files.length > 0) void shareFiles(deps, files, null)
        }}
      />
      <button type='button' className='btn' onClick={() => { input.current?.click() }}>Share a file…</button>
    </>
  )
}

function StorageLine (): React.JSX.Element | null {
  const storage = useWgt(s => s.storage)
  if (storage == null) return null
  return (
    <p className='muted storage-line' data-testid='storage'>
      Received files are saved in <code className='break' data-testid='download-dir'>{storage.downloadDir}</code>
      {' · '}shards stored here: {formatBytes(storage.used)} of {formatBytes(storage.quota)} ({storage.shards})
    </p>
  )
}

export function FilesPanel (): React.JSX.Element {
  const count = useWgt(s => Object.keys(s.files).length)
  const error = useWgt(s => s.filesError)
  return (
    <section className='card' aria-labelledby='files-title'>
      <div className='section-head'>
        <h2 id='files-title'>Files <span className='count' data-testid='file-count'>{count}</span></h2>
        <ShareButton />
      </div>
      <OpenLinkBox />
      <StorageLine />
      {error != null && <p className='error-text' role='alert'>Could not load the files: {error}</p>}
      <Offers />
      <Transfers />
      <MyFiles />
    </section>
  )
}
