import { useEffect, useMemo, useState } from 'react'
import type { Contact } from '../../../shared/api/index.js'
import { formatContactLink } from '../../../shared/contact-link.js'
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
  // a wgt://contact/ link opened from outside lands here filled in; the person still sends it
  const draft = useWgt(s => s.contactDraft)
  useEffect(() => {
    if (draft == null) return
    setText(draft)
    setDone(null)
    clear()
    store.getState().draftContact(null)
    document.getElementById('add-name')?.focus()
  }, [draft, store, clear])
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
    })
  }
  const edited = (): void => { clear(); setDone(null) }

  return (
    <form className='add-contact' onSubmit={submit} aria-label='Add a contact'>
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
