import { useCallback, useEffect, useMemo, useState } from 'react'
import type { Contact } from '../../../shared/api/index.js'
import { formatContactLink, parseContactLink } from '../../../shared/contact-link.js'
import { useApp, useWgt } from '../app/context.js'
import { shortPeerId } from '../format.js'
import { CopyButton } from '../ui/CopyButton.js'
import { ErrorNotice } from '../ui/ErrorNotice.js'
import { useAction } from '../ui/useAction.js'
import { parseAddTarget, type AddTarget } from './state.js'

/** What sending would do with this peer, given how we stand with it; null when nothing needs saying. */
function standingNote (target: AddTarget, existing: Contact | undefined): { text: string, blocks: boolean } | null {
  if (target.kind !== 'ok' || existing == null) return null
  switch (existing.trust) {
    case 'contact': return { text: 'Already in your contacts.', blocks: true }
    case 'blocked': return { text: 'You blocked this peer: unblock it below first.', blocks: true }
    case 'request-received': return { text: 'This peer asked you already: sending accepts its request.', blocks: false }
    case 'request-sent': return { text: 'A request to this peer is waiting already: sending again retries it.', blocks: false }
  }
}

function outcomeText (c: Contact): string {
  const who = c.nickname ?? shortPeerId(c.peerId)
  if (c.trust === 'contact') return `You and ${who} are now contacts.`
  if (c.undelivered) return `Request to ${who} saved: it is sent when the peer is next reachable.`
  return `Request sent to ${who}. It stays under Requests sent until they answer.`
}

/** Paste a PeerId, an address ending in /p2p/<PeerId> or a wgt://contact/ link; the node sends a contact request. */
export function AddContactBox (): React.JSX.Element {
  const { api, store } = useApp()
  const self = useWgt(s => s.identity?.peerId ?? null)
  const contacts = useWgt(s => s.contacts)
  const [text, setText] = useState('')
  const [name, setName] = useState('')
  const [done, setDone] = useState<string | null>(null)
  const { busy, error, run, clear } = useAction()
  // a link that filled the form in: said so until the person edits it
  const [fromLink, setFromLink] = useState(false)
  // a link that arrived while the person was typing: offered, not applied
  const [offered, setOffered] = useState<string | null>(null)
  // a wgt://contact/ link opened from outside lands here filled in; the person still sends it.
  // It never overwrites what they were typing, and focus stays where it is: a
  // link arriving mid-typing must not turn their next Enter into a request to someone else.
  const draft = useWgt(s => s.contactDraft)
  const typing = text.trim() !== '' || name.trim() !== ''
  const fill = useCallback((link: string): void => {
    setText(link)
    setName('')
    setFromLink(true)
    setOffered(null)
    setDone(null)
    clear()
  }, [clear])
  useEffect(() => {
    if (draft == null) return
    store.getState().draftContact(null)
    if (typing) setOffered(draft)
    else fill(draft)
  }, [draft, store, typing, fill])
  const target = useMemo(() => parseAddTarget(text, self), [text, self])
  const note = standingNote(target, target.kind === 'ok' ? contacts[target.peerId] : undefined)
  const ready = target.kind === 'ok' && note?.blocks !== true

  const submit = (e: React.FormEvent): void => {
    e.preventDefault()
    if (!ready || busy) return
    const nickname = name.trim() === '' ? undefined : name.trim()
    void run('add-contact', async () => {
      const contact = await api.addContact(target.target, nickname)
      store.getState().contactChanged(contact)
      setDone(outcomeText(contact))
      setText('')
      setName('')
      setFromLink(false)
    })
  }
  const edited = (): void => { clear(); setDone(null); setFromLink(false) }

  return (
    <form className='add-contact' onSubmit={submit} aria-label='Add a contact'>
      {offered != null && (
        <div className='add-contact-offered' role='status' data-testid='contact-link-offered'>
          <span>A contact link was opened: <span className='mono'>{linkPeer(offered)}</span></span>
          <button type='button' className='btn btn-small' onClick={() => { fill(offered) }}>Use it</button>
          <button type='button' className='btn btn-small' onClick={() => { setOffered(null) }}>Ignore</button>
        </div>
      )}
      <label htmlFor='add-target' className='visually-hidden'>PeerId, address or contact link</label>
      <input
        id='add-target'
        className='input mono'
        type='text'
        spellCheck={false}
        autoComplete='off'
        placeholder='wgt://contact/12D3KooW…, /ip4/…/p2p/12D3KooW… or a PeerId'
        value={text}
        onChange={e => { setText(e.target.value); edited() }}
        aria-invalid={target.kind === 'invalid' || error != null}
        aria-describedby='add-outcome'
      />
      <label htmlFor='add-name' className='visually-hidden'>Name for this contact (optional)</label>
      <input id='add-name' className='input' type='text' maxLength={64} autoComplete='off' placeholder='Name (optional)'
        value={name} onChange={e => { setName(e.target.value); edited() }} />
      <button type='submit' className='btn btn-primary' disabled={busy || !ready}>{busy ? 'Sending…' : 'Send request'}</button>
      <div id='add-outcome' className='connect-outcome' aria-live='polite' data-testid='add-outcome'>
        {fromLink && target.kind !== 'empty' && (
          <p className='muted' data-testid='add-from-link'>Filled in from a contact link that was opened: check it is who you mean to add.</p>)}
        {target.kind === 'invalid' && <p className='error-text'>{target.reason}</p>}
        {target.kind === 'ok' && (
          <p className={note?.blocks === true ? 'warn-text' : 'muted'} data-testid='add-preview'>
            {note?.text ?? (
              <>
                Sends a contact request to <span className='mono' title={target.peerId}>{shortPeerId(target.peerId)}</span>
                {target.address != null ? <> at <span className='mono'>{target.address}</span></> : ' wherever the network finds it'}; they accept or decline.
              </>)}
          </p>
        )}
        {error != null && <ErrorNotice error={error} compact onDismiss={clear} />}
        {done != null && target.kind === 'empty' && <p className='ok' role='status'>{done}</p>}
      </div>
    </form>
  )
}

/** The short PeerId a contact link names, for the banner; what it is when it names none. */
function linkPeer (link: string): string {
  try {
    return shortPeerId(parseContactLink(link).peerId)
  } catch {
    return 'not a valid contact link'
  }
}

/** This node's wgt://contact/ link, to give to a friend: who it is and where to reach it. */
export function MyContactLink (): React.JSX.Element {
  const identity = useWgt(s => s.identity)
  if (identity == null) return <p className='muted'>Loading your contact link…</p>
  const link = formatContactLink(identity.peerId, identity.multiaddrs)
  return (
    <div className='files-block'>
      <h3>Your contact link</h3>
      <div className='link-row'>
        <code className='mono' data-testid='my-contact-link' title={link}>{link}</code>
        <CopyButton text={link} what='your contact link' label='Copy link' />
      </div>
      <p className='muted'>Give it to someone so they can add you: it carries your PeerId and where to reach you.</p>
    </div>
  )
}
