/**
 * The peer map (issue 11): the network as this node sees it. The canvas
 * draws it; beside it, the same peers as a list of buttons (the keyboard's
 * and a screen reader's way in), the selected peer's details and actions,
 * and a file whose holders light up.
 */
import './map.css'
import { useEffect, useMemo, useRef, useState } from 'react'
import { useWgt } from '../app/context.js'
import { formatMs } from '../format.js'
import { FileOnMap } from './FileOnMap.js'
import { MapCanvas } from './MapCanvas.js'
import { mapPeers, marksOf } from './model.js'
import { PeerDetails } from './PeerDetails.js'
import type { MapPeer } from './scene.js'

const TRUST_WORD: Record<MapPeer['trust'], string> = {
  contact: 'contact',
  'request-sent': 'request sent',
  'request-received': 'asks to be a contact',
  stranger: 'stranger',
  blocked: 'blocked'
}

function Legend (): React.JSX.Element {
  return (
    <ul className='map-legend' aria-label='Legend'>
      <li><span className='map-key map-key-contact' />contact</li>
      <li><span className='map-key map-key-stranger' />stranger</li>
      <li><span className='map-key map-key-request' />contact request</li>
      <li><span className='map-key map-key-blocked' />blocked</li>
      <li><span className='map-key map-key-purgatory' />purgatory</li>
      <li><span className='map-key map-key-banned' />banned</li>
      <li><span className='map-key map-key-known' />known, not connected</li>
      <li><span className='map-key map-key-holder' />holds the file</li>
      <li><span className='map-key map-key-lost' />lost its shards</li>
      <li><span className='map-line' />traffic (thicker = more)</li>
      <li><span className='map-line map-line-relayed' />via a relay</li>
      <li className='muted'>rings: round-trip time</li>
    </ul>
  )
}

function PeerButton ({ peer, selected, onSelect }: { peer: MapPeer, selected: boolean, onSelect: (id: string) => void }): React.JSX.Element {
  const facts = [TRUST_WORD[peer.trust]]
  if (peer.reputation !== 'active') facts.push(peer.reputation)
  if (peer.relay != null) facts.push('relayed')
  if (peer.mark === 'holder') facts.push('holds the file')
  if (peer.mark === 'lost') facts.push('lost its shards')
  return (
    <li>
      <button
        type='button'
        className={`map-peer${selected ? ' map-peer-selected' : ''}${peer.connected ? '' : ' map-peer-known'}`}
        aria-pressed={selected}
        onClick={() => { onSelect(peer.id) }}
        data-testid='map-peer'
        data-peer-id={peer.id}
        data-connected={peer.connected}
        data-mark={peer.mark ?? 'none'}
        data-trust={peer.trust}
        data-reputation={peer.reputation}
        title={peer.id}
      >
        <span className={`map-key map-key-${peer.mark ?? (peer.connected ? (peer.reputation === 'active' ? peer.trust.startsWith('request') ? 'request' : peer.trust : peer.reputation) : 'known')}`} aria-hidden='true' />
        <span className='map-peer-label'>{peer.label}</span>
        <span className='map-peer-facts muted'>{peer.connected ? formatMs(peer.rttMs) : 'not connected'} · {facts.join(', ')}</span>
      </button>
    </li>
  )
}

/** The node refreshes every connected peer each metrics interval, one event each: with hundreds of peers the map takes them in at most every PEERS_EVERY_MS. */
const PEERS_EVERY_MS = 500

function useThrottled<T> (value: T, ms: number): T {
  const [shown, setShown] = useState(value)
  const last = useRef(0)
  useEffect(() => {
    const wait = last.current + ms - Date.now()
    const show = (): void => { last.current = Date.now(); setShown(value) }
    if (wait <= 0) { show(); return }
    const t = setTimeout(show, wait)
    return () => { clearTimeout(t) }
  }, [value, ms])
  return shown
}

export function MapView (): React.JSX.Element {
  const peersById = useThrottled(useWgt(s => s.peers), PEERS_EVERY_MS)
  const contacts = useWgt(s => s.contacts)
  const contactsLoaded = useWgt(s => s.contactsLoaded)
  const self = useWgt(s => s.identity?.peerId ?? null)
  const [fileId, setFileId] = useState<string | null>(null)
  const [selected, setSelected] = useState<string | null>(null)
  const fileExists = useWgt(s => fileId != null && Object.hasOwn(s.files, fileId))
  const shownFile = fileExists ? fileId : null
  const health = useWgt(s => {
    const h = shownFile == null ? undefined : s.health[shownFile]
    return h == null ? null : h.status === 'ok' ? h.health : h.last
  })
  const marks = useMemo(() => marksOf(health, self), [health, self])
  const peers = useMemo(() => mapPeers({ peers: peersById, contacts, contactsLoaded }, marks), [peersById, contacts, contactsLoaded, marks])
  const connected = peers.filter(p => p.connected).length
  const summary = useMemo(() => ({ holders: [...marks.values()].filter(m => m === 'holder').length, lost: [...marks.values()].filter(m => m === 'lost').length }), [marks])
  const label = `Peer map: this node at the centre, ${connected} connected peers placed by round-trip time, ${peers.length - connected} known but not connected` +
    (shownFile != null ? `; the file's holders: ${summary.holders}, lost: ${summary.lost}` : '')

  return (
    <section className='card map-card' aria-labelledby='map-title'>
      <div className='section-head'>
        <h2 id='map-title'>
          Peer map <span className='count' data-testid='map-connected'>{connected}</span>
        </h2>
        <span className='muted'>{connected} connected · {peers.length - connected} known, not connected</span>
      </div>
      <FileOnMap fileId={shownFile} onFile={setFileId} summary={summary} />
      <div className='map-body'>
        <div className='map-stage'>
          <MapCanvas peers={peers} selected={selected} onSelect={setSelected} fileId={shownFile} label={label} />
          <Legend />
        </div>
        <div className='map-side'>
          {selected != null
            ? <PeerDetails peerId={selected} onClose={() => { setSelected(null) }} />
            : <p className='muted map-hint'>Select a peer on the map or in the list for its details and actions.</p>}
          <ul className='map-peers' aria-label='Peers on the map' data-testid='map-peers'>
            {peers.map(p => <PeerButton key={p.id} peer={p} selected={p.id === selected} onSelect={setSelected} />)}
          </ul>
        </div>
      </div>
    </section>
  )
}
