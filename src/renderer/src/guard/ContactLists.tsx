import { useMemo, useState } from 'react'
import type { BannedPeer, Contact } from '../../../shared/api/index.js'
import { useApp, useWgt } from '../app/context.js'
import { CallButtons } from '../calls/CallButtons.js'
import { FileRequestList } from '../files/Inbox.js'
import { formatAge, formatDuration, shortPeerId } from '../format.js'
import { useNow } from '../hooks.js'
import { ConfirmButton } from '../ui/ConfirmButton.js'
import { CopyButton } from '../ui/CopyButton.js'
import { ErrorNotice } from '../ui/ErrorNotice.js'
import { useAction } from '../ui/useAction.js'
import { PeerName } from './PeerName.js'
import { activeBans, contactsWith, offerRequests } from './state.js'

const nameOf = (c: Contact): string => c.nickname ?? shortPeerId(c.peerId)

function PeerId ({ peerId }: { peerId: string }): React.JSX.Element {
  return (
    <span className='peer-cell'>
      <span className='mono' title={peerId}>{shortPeerId(peerId)}</span>
      <CopyButton text={peerId} what={`PeerId ${peerId}`} label='Copy' />
    </span>
  )
}

/** Block, after asking: the peer's connections close and nothing from it is accepted until unblocked. */
function BlockButton ({ contact, busy, run }: { contact: Contact, busy: boolean, run: ReturnType<typeof useAction>['run'] }): React.JSX.Element {
  const { api, store } = useApp()
  return (
    <ConfirmButton label='Block' what={nameOf(contact)} busy={busy} question='Refuse everything from this peer?'
      onConfirm={async () => await run('block', async () => { store.getState().contactChanged(await api.blockPeer(contact.peerId)) })} />
  )
}

function RequestRow ({ contact, now }: { contact: Contact, now: number }): React.JSX.Element {
  const { api, store } = useApp()
  const [name, setName] = useState('')
  const { busy, error, run, clear } = useAction()
  const accept = (e: React.FormEvent): void => {
    e.preventDefault()
    const nickname = name.trim() === '' ? undefined : name.trim()
    void run('accept-contact', async () => { store.getState().contactChanged(await api.acceptContact(contact.peerId, nickname)) })
  }
  const inputId = `accept-name-${contact.peerId}`
  return (
    <li className='offer' data-testid='contact-request' data-peer-id={contact.peerId}>
      <span>
        <PeerName peerId={contact.peerId} pill='never' /> <span className='muted'>asks to be your contact · {formatAge(now - contact.since)}</span>
      </span>
      <form className='offer-actions' onSubmit={accept} aria-label={`Answer ${nameOf(contact)}`}>
        <label htmlFor={inputId} className='visually-hidden'>Name for {shortPeerId(contact.peerId)} (optional)</label>
        <input id={inputId} className='input input-small' type='text' maxLength={64} autoComplete='off' placeholder='Name (optional)'
          value={name} onChange={e => { setName(e.target.value); clear() }} />
        <button type='submit' className='btn btn-small btn-primary' disabled={busy}>Accept</button>
        <button type='button' className='btn btn-small' disabled={busy} aria-label={`Decline ${nameOf(contact)}`}
          onClick={() => { void run('decline-contact', async () => { await api.declineContact(contact.peerId); store.getState().contactRemoved(contact.peerId) }) }}>
          Decline
        </button>
        <BlockButton contact={contact} busy={busy} run={run} />
      </form>
      {error != null && <ErrorNotice error={error} compact onDismiss={clear} />}
    </li>
  )
}

/** Contact requests and file requests from strangers: what waits for an answer. */
export function Requests (): React.JSX.Element | null {
  const contacts = useWgt(s => s.contacts)
  const offers = useWgt(s => s.offers)
  const received = useMemo(() => contactsWith(contacts, 'request-received'), [contacts])
  const files = useMemo(() => offerRequests(offers), [offers])
  const now = useNow(10_000)
  if (received.length === 0 && files.length === 0) return null
  return (
    <section className='card inbox' aria-labelledby='requests-title'>
      <h2 id='requests-title'>Requests <span className='count' data-testid='request-count'>{received.length + files.length}</span></h2>
      {received.length > 0 && (
        <ul className='offers' aria-label='Contact requests'>
          {received.map(c => <RequestRow key={c.peerId} contact={c} now={now} />)}
        </ul>
      )}
      {files.length > 0 && (
        <div className='files-block'>
          <h3>File requests from strangers</h3>
          <FileRequestList offers={files} />
        </div>
      )}
    </section>
  )
}

/** The name, shown; Rename turns it into a field (Enter saves, Escape cancels); an empty name removes it. */
function Nickname ({ contact }: { contact: Contact }): React.JSX.Element {
  const { api, store } = useApp()
  const [editing, setEditing] = useState<string | null>(null)
  const { busy, error, run, clear } = useAction()
  const save = (e: React.FormEvent): void => {
    e.preventDefault()
    if (editing == null) return
    const next = editing.trim() === '' ? null : editing.trim()
    if (next === contact.nickname) { setEditing(null); return }
    void run('rename', async () => {
      store.getState().contactChanged(await api.renameContact(contact.peerId, next))
      setEditing(null)
    })
  }
  if (editing == null) {
    return (
      <span className='nickname'>
        {contact.nickname != null ? <strong className='peer-nick' data-testid='nickname'>{contact.nickname}</strong> : <span className='muted' data-testid='nickname'>no name</span>}
        <button type='button' className='btn btn-small btn-ghost' onClick={() => { setEditing(contact.nickname ?? '') }} aria-label={`Rename ${nameOf(contact)}`}>Rename</button>
      </span>
    )
  }
  return (
    <>
      <form className='nickname' onSubmit={save} aria-label={`Rename ${nameOf(contact)}`}>
        <input className='input input-small' type='text' maxLength={64} value={editing} autoFocus aria-label={`Name for ${shortPeerId(contact.peerId)}`}
          onChange={e => { setEditing(e.target.value); clear() }}
          onKeyDown={e => { if (e.key === 'Escape') { e.preventDefault(); setEditing(null); clear() } }} />
        <button type='submit' className='btn btn-small btn-primary' disabled={busy}>Save</button>
        <button type='button' className='btn btn-small' disabled={busy} onClick={() => { setEditing(null); clear() }}>Cancel</button>
      </form>
      {error != null && <ErrorNotice error={error} compact onDismiss={clear} />}
    </>
  )
}

function ContactRow ({ contact }: { contact: Contact }): React.JSX.Element {
  const { api, store } = useApp()
  const connected = useWgt(s => s.peers[contact.peerId]?.connected === true)
  const { busy, error, run, clear } = useAction()
  return (
    <tr data-testid='contact' data-peer-id={contact.peerId}>
      <th scope='row'><Nickname contact={contact} /></th>
      <td><PeerId peerId={contact.peerId} /></td>
      <td>
        {connected ? <span className='ok'>connected</span> : <span className='muted'>not connected</span>}
        {contact.undelivered && <> <span className='pill pill-warn' title='Your acceptance reaches the peer when it is next connected'>not told yet</span></>}
      </td>
      <td>
        <div className='file-actions'>
          <CallButtons peerId={contact.peerId} name={nameOf(contact)} />
          <ConfirmButton label='Remove' what={nameOf(contact)} busy={busy} question='Remove from your contacts?'
            onConfirm={async () => await run('remove-contact', async () => { await api.removeContact(contact.peerId); store.getState().contactRemoved(contact.peerId) })} />
          <BlockButton contact={contact} busy={busy} run={run} />
        </div>
        {error != null && <ErrorNotice error={error} compact onDismiss={clear} />}
      </td>
    </tr>
  )
}

export function ContactsTable (): React.JSX.Element {
  const contacts = useWgt(s => s.contacts)
  const list = useMemo(() => contactsWith(contacts, 'contact'), [contacts])
  return (
    <section className='card' aria-labelledby='contacts-title'>
      <h2 id='contacts-title'>Contacts <span className='count' data-testid='contact-count'>{list.length}</span></h2>
      {list.length === 0
        ? <p className='empty'>No contacts yet. Add someone by their contact link or PeerId, or give them your link.</p>
        : (
          <div className='table-scroll'>
            <table className='table contacts' aria-label='Contacts'>
              <thead>
                <tr>
                  <th scope='col'>Name</th>
                  <th scope='col'>PeerId</th>
                  <th scope='col'>Now</th>
                  <th scope='col'><span className='visually-hidden'>Actions</span></th>
                </tr>
              </thead>
              <tbody>{list.map(c => <ContactRow key={c.peerId} contact={c} />)}</tbody>
            </table>
          </div>)}
    </section>
  )
}

function SentRow ({ contact, now }: { contact: Contact, now: number }): React.JSX.Element {
  const { api, store } = useApp()
  const { busy, error, run, clear } = useAction()
  return (
    <li className='peer-row' data-testid='contact-sent' data-peer-id={contact.peerId}>
      <PeerName peerId={contact.peerId} pill='never' />
      <CopyButton text={contact.peerId} what={`PeerId ${contact.peerId}`} label='Copy' />
      <span className='muted'>asked {formatAge(now - contact.since)}</span>
      {contact.undelivered
        ? <span className='pill pill-warn' data-testid='undelivered' title='The peer has not been reachable since: the request goes out when it is next connected'>not delivered yet</span>
        : <span className='muted'>delivered, no answer yet</span>}
      <span className='row-actions'>
        <button type='button' className='btn btn-small' disabled={busy} aria-label={`Withdraw the request to ${nameOf(contact)}`}
          onClick={() => { void run('withdraw', async () => { await api.removeContact(contact.peerId); store.getState().contactRemoved(contact.peerId) }) }}>
          Withdraw
        </button>
      </span>
      {error != null && <ErrorNotice error={error} compact onDismiss={clear} />}
    </li>
  )
}

export function SentRequests (): React.JSX.Element | null {
  const contacts = useWgt(s => s.contacts)
  const list = useMemo(() => contactsWith(contacts, 'request-sent'), [contacts])
  const now = useNow(10_000)
  if (list.length === 0) return null
  return (
    <section className='card' aria-labelledby='sent-title'>
      <h2 id='sent-title'>Requests sent <span className='count'>{list.length}</span></h2>
      <ul className='peer-rows'>{list.map(c => <SentRow key={c.peerId} contact={c} now={now} />)}</ul>
    </section>
  )
}

function BlockedRow ({ contact, now }: { contact: Contact, now: number }): React.JSX.Element {
  const { api, store } = useApp()
  const { busy, error, run, clear } = useAction()
  return (
    <li className='peer-row' data-testid='blocked' data-peer-id={contact.peerId}>
      <PeerName peerId={contact.peerId} pill='never' />
      <CopyButton text={contact.peerId} what={`PeerId ${contact.peerId}`} label='Copy' />
      <span className='muted'>blocked {formatAge(now - contact.updatedAt)}</span>
      <span className='row-actions'>
        <button type='button' className='btn btn-small' disabled={busy} aria-label={`Unblock ${nameOf(contact)}`}
          onClick={() => { void run('unblock', async () => { await api.unblockPeer(contact.peerId); store.getState().contactRemoved(contact.peerId) }) }}>
          Unblock
        </button>
      </span>
      {error != null && <ErrorNotice error={error} compact onDismiss={clear} />}
    </li>
  )
}

export function BlockedPeers (): React.JSX.Element | null {
  const contacts = useWgt(s => s.contacts)
  const list = useMemo(() => contactsWith(contacts, 'blocked'), [contacts])
  const now = useNow(10_000)
  if (list.length === 0) return null
  return (
    <section className='card' aria-labelledby='blocked-title'>
      <h2 id='blocked-title'>Blocked <span className='count'>{list.length}</span></h2>
      <p className='muted'>Nothing from these peers is accepted, in either direction, until you unblock them.</p>
      <ul className='peer-rows'>{list.map(c => <BlockedRow key={c.peerId} contact={c} now={now} />)}</ul>
    </section>
  )
}

function BanRow ({ ban, now }: { ban: BannedPeer, now: number }): React.JSX.Element {
  const { api, store } = useApp()
  const { busy, error, run, clear } = useAction()
  return (
    <li className='peer-row' data-testid='ban' data-peer-id={ban.peerId}>
      <PeerName peerId={ban.peerId} />
      <CopyButton text={ban.peerId} what={`PeerId ${ban.peerId}`} label='Copy' />
      <span title={`until ${new Date(ban.until).toLocaleString()}`}>ends in {formatDuration(ban.until - now)}</span>
      <span className='muted ban-reason' title={ban.reason ?? undefined}>{ban.reason ?? 'no reason recorded'}</span>
      <span className='row-actions'>
        <button type='button' className='btn btn-small' disabled={busy} aria-label={`Lift the ban on ${shortPeerId(ban.peerId)}`}
          onClick={() => { void run('unban', async () => { await api.unbanPeer(ban.peerId); store.getState().banLifted(ban.peerId) }) }}>
          Unban
        </button>
      </span>
      {error != null && <ErrorNotice error={error} compact onDismiss={clear} />}
    </li>
  )
}

export function Bans (): React.JSX.Element | null {
  const bans = useWgt(s => s.bans)
  const now = useNow(5000)
  const list = useMemo(() => activeBans(bans, now), [bans, now])
  if (list.length === 0) return null
  return (
    <section className='card' aria-labelledby='bans-title'>
      <h2 id='bans-title'>Banned for misbehaving <span className='count' data-testid='ban-count'>{list.length}</span></h2>
      <p className='muted'>Peers that broke the protocol (malformed or oversized messages, floods) are refused until their ban ends.</p>
      <ul className='peer-rows'>{list.map(b => <BanRow key={b.peerId} ban={b} now={now} />)}</ul>
    </section>
  )
}
