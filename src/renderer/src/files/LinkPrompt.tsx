/**
 * Ask before fetching a link. A wgt:// link opened from outside the app (a
 * browser, a chat, a desktop launcher) or pasted into Files is first read
 * (api.inspectLink: its root record and manifest only), and the person sees
 * what it is — name, size, who serves it, who sent it, whether it is here
 * already — before anything is fetched.
 *
 * Reading it asks only peers this node is connected to already: a link can
 * come from a hostile page whose author lists its own peer for its own file,
 * to learn who opened it and from where. Looking further (the DHT, and
 * dialling the peers it lists) is the person's choice, behind a "Search the
 * network" button that says what it reveals. Links that arrive while the
 * prompt is open wait their turn (the files slice queues them).
 *
 * A native modal <dialog>: the browser makes the page behind it inert, Esc
 * cancels, and closing it returns focus to where it was. Tab wraps around
 * inside it (the browser would let it leave for its own toolbar).
 */
import { useEffect, useRef, useState } from 'react'
import type { InspectSearch, LinkPreview, PeerIdString } from '../../../shared/api/index.js'
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
  const waiting = useWgt(s => s.linkQueue.length)
  // keyed by link: the next waiting link starts afresh
  return link == null ? null : <LinkPromptDialog key={link} link={link} waiting={waiting} />
}

function LinkPromptDialog ({ link, waiting }: { link: string, waiting: number }): React.JSX.Element {
  const { api, store } = useApp()
  const dialog = useRef<HTMLDialogElement>(null)
  const [reading, setReading] = useState<Reading>({ status: 'reading' })
  const [attempt, setAttempt] = useState(0)
  const [search, setSearch] = useState<InspectSearch>('connected')
  const fetching = useAction()

  useEffect(() => {
    const d = dialog.current
    if (d != null && !d.open) d.showModal()
    return () => { d?.close() }
  }, [])

  useEffect(() => {
    let live = true
    setReading({ status: 'reading' })
    api.inspectLink(link, { search }).then(
      preview => { if (live) setReading({ status: 'ready', preview }) },
      (err: unknown) => { if (live) setReading({ status: 'failed', error: describeError('inspect', err) }) }
    )
    return () => { live = false }
  }, [api, link, attempt, search])

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
  // nothing connected served it: looking further is offered, never done unasked
  const unserved = search === 'connected' && (reading.status === 'failed' ? reading.error.code === 'NOT_FOUND' : preview?.servedBy.length === 0)
  const canSearch = search === 'connected' && (reading.status === 'failed' || unserved)

  return (
    <dialog ref={dialog} className='link-prompt' aria-labelledby='link-prompt-title' aria-describedby='link-prompt-body' data-testid='link-prompt'
      onCancel={e => { e.preventDefault(); close() }} onKeyDown={trapTab}>
      <h2 id='link-prompt-title'>{preview != null ? `Fetch ${preview.name}?` : 'Fetch this file?'}</h2>
      <div id='link-prompt-body' aria-live='polite'>
        {reading.status === 'reading' && (
          <p className='muted' role='status'>
            {search === 'connected' ? 'Reading the link: asking the peers you are connected to for the file\'s description…' : 'Searching the network for the file\'s description…'}
          </p>)}
        {preview != null && <LinkPreviewFacts preview={preview} />}
        {reading.status === 'failed' && (unserved
          ? <p className='warn-text' data-testid='link-prompt-unserved'>No peer you are connected to serves this link right now.</p>
          : <ErrorNotice error={reading.error} />)}
        {canSearch && (
          <p className='muted' data-testid='link-prompt-search-note'>
            Search the network to look the file up on the DHT and ask the peers listed there. Peers serving this file will learn your address and PeerId —
            if you do not trust where the link came from, its author may be one of them.
          </p>)}
        {fetching.error != null && <ErrorNotice error={fetching.error} compact onDismiss={fetching.clear} />}
      </div>
      <p className='muted mono break link-prompt-link' title={link}>{link.replace(/#.*/, '#…')}</p>
      {waiting > 0 && <p className='muted link-prompt-waiting' role='status' data-testid='link-prompt-waiting'>{waiting === 1 ? '1 more link waiting' : `${waiting} more links waiting`}: shown after this one</p>}
      <div className='dialog-actions'>
        {canSearch && <button type='button' className='btn' onClick={() => { setSearch('network') }} data-testid='link-prompt-search'>Search the network</button>}
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
