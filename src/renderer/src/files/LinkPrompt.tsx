/**
 * Ask before fetching a link. A wgt:// link opened from outside the app (a
 * browser, a chat, a desktop launcher) or pasted into Files is first read
 * (api.inspectLink: its root record and manifest only), and the person sees
 * what it is — name, size, who serves it, who sent it, whether it is here
 * already — before anything is fetched.
 *
 * A native modal <dialog>: the browser makes the page behind it inert, Esc
 * cancels, and closing it returns focus to where it was. Tab wraps around
 * inside it (the browser would let it leave for its own toolbar).
 */
import { useEffect, useRef, useState } from 'react'
import type { LinkPreview, PeerIdString } from '../../../shared/api/index.js'
import { useApp, useWgt } from '../app/context.js'
import { formatBytes, plural } from '../format.js'
import { PeerName } from '../guard/PeerName.js'
import { describeError, type HumanError } from '../ui/errors.js'
import { ErrorNotice } from '../ui/ErrorNotice.js'
import { useAction } from '../ui/useAction.js'
import './link-prompt.css'

/** peers listed by name; the rest are counted */
const PEERS_SHOWN = 6

type Reading = { status: 'reading' } | { status: 'ready', preview: LinkPreview } | { status: 'failed', error: HumanError }

export function LinkPrompt (): React.JSX.Element | null {
  const link = useWgt(s => s.linkPrompt)
  // keyed by link: another link arriving while one is shown starts afresh
  return link == null ? null : <LinkPromptDialog key={link} link={link} />
}

function LinkPromptDialog ({ link }: { link: string }): React.JSX.Element {
  const { api, store } = useApp()
  const dialog = useRef<HTMLDialogElement>(null)
  const [reading, setReading] = useState<Reading>({ status: 'reading' })
  const [attempt, setAttempt] = useState(0)
  const fetching = useAction()

  useEffect(() => {
    const d = dialog.current
    if (d != null && !d.open) d.showModal()
    return () => { d?.close() }
  }, [])

  useEffect(() => {
    let live = true
    setReading({ status: 'reading' })
    api.inspectLink(link).then(
      preview => { if (live) setReading({ status: 'ready', preview }) },
      (err: unknown) => { if (live) setReading({ status: 'failed', error: describeError('inspect', err) }) }
    )
    return () => { live = false }
  }, [api, link, attempt])

  const close = (): void => { store.getState().promptLink(null) }
  const fetchIt = (): void => {
    void fetching.run('fetch', async () => {
      await api.fetchFile(link)
      close()
      // the transfer shows its progress there
      store.getState().showView('files')
    })
  }
  const preview = reading.status === 'ready' ? reading.preview : null

  return (
    <dialog ref={dialog} className='link-prompt' aria-labelledby='link-prompt-title' aria-describedby='link-prompt-body' data-testid='link-prompt'
      onCancel={e => { e.preventDefault(); close() }} onKeyDown={trapTab}>
      <h2 id='link-prompt-title'>{preview != null ? `Fetch ${preview.name}?` : 'Fetch this file?'}</h2>
      <div id='link-prompt-body' aria-live='polite'>
        {reading.status === 'reading' && <p className='muted' role='status'>Reading the link: asking peers for the file's description…</p>}
        {preview != null && <LinkPreviewFacts preview={preview} />}
        {reading.status === 'failed' && <ErrorNotice error={reading.error} />}
        {fetching.error != null && <ErrorNotice error={fetching.error} compact onDismiss={fetching.clear} />}
      </div>
      <p className='muted mono break link-prompt-link' title={link}>{link.replace(/#.*/, '#…')}</p>
      <div className='dialog-actions'>
        {reading.status === 'failed' && <button type='button' className='btn' onClick={() => { setAttempt(n => n + 1) }}>Try again</button>}
        <button type='button' className='btn btn-primary' onClick={fetchIt} disabled={preview == null || fetching.busy} data-testid='link-prompt-fetch'>{fetching.busy ? 'Starting…' : 'Fetch'}</button>
        <button type='button' className='btn' onClick={close} autoFocus>Cancel</button>
      </div>
    </dialog>
  )
}

const FOCUSABLE = 'button:not([disabled]), [href], input:not([disabled]), summary, [tabindex]:not([tabindex="-1"])'

/** Keeps Tab and Shift+Tab among the dialog's own controls. */
function trapTab (e: React.KeyboardEvent<HTMLDialogElement>): void {
  if (e.key !== 'Tab') return
  const items = [...e.currentTarget.querySelectorAll<HTMLElement>(FOCUSABLE)].filter(el => el.offsetParent !== null)
  if (items.length === 0) return
  const first = items[0]
  const last = items[items.length - 1]
  if (e.shiftKey && (document.activeElement === first || !e.currentTarget.contains(document.activeElement))) {
    e.preventDefault()
    last.focus()
  } else if (!e.shiftKey && document.activeElement === last) {
    e.preventDefault()
    first.focus()
  }
}

/** What the link leads to, as the node read it just now. Pure over its props, for tests. */
export function LinkPreviewFacts ({ preview }: { preview: LinkPreview }): React.JSX.Element {
  const { existing } = preview
  return (
    <dl className='facts' data-testid='link-preview'>
      <dt>Name</dt><dd className='break' data-testid='link-preview-name'>{preview.name}</dd>
      <dt>Size</dt>
      <dd data-testid='link-preview-size'>
        {formatBytes(preview.size)} <span className='muted'>in {plural(preview.segments, 'segment')}, any {preview.k} of {preview.k + preview.m} shards rebuild each</span>
      </dd>
      <dt>Served by</dt>
      <dd data-testid='link-preview-served'>
        {preview.servedBy.length === 0 ? <span className='warn-text'>no peer right now</span> : <Peers peers={preview.servedBy} />}
      </dd>
      {preview.offeredBy.length > 0 && <><dt>Sent by</dt><dd data-testid='link-preview-offered'><Peers peers={preview.offeredBy} /></dd></>}
      {existing != null && (
        <>
          <dt>Here</dt>
          <dd className='ok' data-testid='link-preview-existing'>
            {existing.direction === 'shared'
              ? 'You already have it: you shared it from this node.'
              : <>You already have it{existing.path != null && <>, saved at <span className='mono break'>{existing.path}</span></>}: fetching it again points to that copy and writes nothing.</>}
          </dd>
        </>
      )}
    </dl>
  )
}

function Peers ({ peers }: { peers: readonly PeerIdString[] }): React.JSX.Element {
  const self = useWgt(s => s.identity?.peerId ?? null)
  const shown = peers.slice(0, PEERS_SHOWN)
  return (
    <ul className='inline-list'>
      {shown.map(p => <li key={p}>{p === self ? <span>this node</span> : <PeerName peerId={p} />}</li>)}
      {peers.length > shown.length && <li className='muted'>and {peers.length - shown.length} more</li>}
    </ul>
  )
}
