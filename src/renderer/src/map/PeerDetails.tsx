/**
 * The selected peer: who it is, how it is connected and how the link
 * performs (all measured by the node), and what a person can do with it —
 * ask to be contacts, chat, call, send a file.
 */
import { useRef } from 'react'
import type { PeerEntry } from '../../../shared/api/index.js'
import { useApp, useWgt } from '../app/context.js'
import { CallButtons } from '../calls/CallButtons.js'
import { shareFiles } from '../files/actions.js'
import { formatMs, formatRate, shortPeerId } from '../format.js'
import { TrustPill } from '../guard/PeerName.js'
import { standingOf } from '../guard/state.js'
import { CopyButton } from '../ui/CopyButton.js'
import { ErrorNotice } from '../ui/ErrorNotice.js'
import { useAction } from '../ui/useAction.js'
import { relayOf } from './model.js'

const REPUTATION_CLASS = { active: 'pill-ok', purgatory: 'pill-warn', banned: 'pill-bad' } as const

export function linkOf (peer: PeerEntry, label: (id: string) => string): string {
  if (!peer.connected) return 'not connected'
  const transports = [...new Set(peer.connections.map(c => c.transport))].join(', ')
  const relay = relayOf(peer)
  const how = relay != null ? `relayed via ${label(relay)}` : peer.kind ?? '—'
  return `${how}${peer.scope != null ? ` · ${peer.scope}` : ''}${transports !== '' ? ` · ${transports}` : ''}`
}

/** `headingRef`: the view moves focus to the heading when a peer is selected, so a screen reader announces whom the details are about. */
export function PeerDetails ({ peerId, onClose, headingRef }: { peerId: string, onClose: () => void, headingRef?: React.Ref<HTMLHeadingElement> }): React.JSX.Element {
  const { api, host, store } = useApp()
  const peer = useWgt(s => s.peers[peerId]) as PeerEntry | undefined
  const trust = useWgt(s => standingOf(s, peerId).trust)
  const nickname = useWgt(s => standingOf(s, peerId).nickname)
  const standing = { trust, nickname }
  const contacts = useWgt(s => s.contacts)
  const showView = useWgt(s => s.showView)
  const openConversation = useWgt(s => s.openConversation)
  const contact = useAction()
  const picker = useRef<HTMLInputElement>(null)
  const name = standing.nickname ?? shortPeerId(peerId)
  const label = (id: string): string => contacts[id]?.nickname ?? shortPeerId(id)
  const connected = peer?.connected === true

  return (
    <section className='map-details' aria-label={`Peer ${name}`} data-testid='map-details' data-peer-id={peerId}>
      <div className='map-details-head'>
        <h3 className='map-peer-title' title={name} tabIndex={-1} ref={headingRef} data-testid='map-details-heading'>{name}</h3>
        <TrustPill trust={standing.trust} />
        {peer != null && <span className={`pill ${REPUTATION_CLASS[peer.reputation.state]}`} title={peer.reputation.lastReason ?? `${peer.reputation.violations} protocol violations`}>{peer.reputation.state}</span>}
        <button type='button' className='btn btn-small btn-ghost map-close' onClick={onClose} aria-label='Close the peer details' title='Close'>×</button>
      </div>
      <div className='map-peer-id'>
        <span className='mono break'>{peerId}</span>
        <CopyButton text={peerId} what={`PeerId ${peerId}`} label='Copy' />
      </div>
      <dl className='facts map-facts'>
        <dt>Link</dt><dd>{peer != null ? linkOf(peer, label) : 'not in the peer directory'}</dd>
        <dt>RTT</dt><dd>{peer?.rtt != null ? `${formatMs(peer.rtt.p50)} median · ${formatMs(peer.rtt.p95)} p95` : '—'}</dd>
        <dt>Traffic</dt><dd>{peer != null && connected ? `${formatRate(peer.traffic.inBps)} in · ${formatRate(peer.traffic.outBps)} out` : '—'}</dd>
      </dl>
      <div className='map-actions'>
        {standing.trust === 'stranger' && (
          <button type='button' className='btn btn-small' disabled={contact.busy} onClick={() => { void contact.run('add-contact', async () => await api.addContact(peerId)) }}>
            Ask to be contacts
          </button>
        )}
        {standing.trust !== 'stranger' && (
          <button type='button' className='btn btn-small' onClick={() => { showView('contacts') }}>
            {standing.trust === 'request-received' ? 'Answer request…' : 'See in Contacts'}
          </button>
        )}
        <button type='button' className='btn btn-small' onClick={() => { openConversation(peerId); showView('chat') }}>Chat</button>
        <CallButtons peerId={peerId} name={name} disabled={connected ? null : 'Not connected to this peer'} />
        <input
          ref={picker}
          type='file'
          multiple
          hidden
          data-testid='map-send-input'
          onChange={(e) => {
            const files = Array.from(e.target.files ?? [])
            e.target.value = ''
            if (files.length > 0) { void shareFiles({ api, host, store }, files, peerId); showView('files') }
          }}
        />
        <button type='button' className='btn btn-small' onClick={() => { picker.current?.click() }} title={`Share files and send ${name} the link (progress under Files)`}>
          Send a file…
        </button>
      </div>
      {contact.error != null && <ErrorNotice error={contact.error} compact onDismiss={contact.clear} />}
    </section>
  )
}
