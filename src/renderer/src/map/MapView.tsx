/**
 * The peer map (issue 11): the network as this node sees it. The canvas
 * draws it; beside it, the same peers as a list of buttons (the keyboard's
 * and a screen reader's way in), the selected peer's details and actions,
 * and a file whose holders light up.
 */
import './map.css'
import { memo, useCallback, useEffect, useMemo, useRef, useState } from 'react'
import { useApp, useWgt } from '../app/context.js'
import type { WgtState } from '../app/slices.js'
import { formatMs } from '../format.js'
import { FileOnMap } from './FileOnMap.js'
import { MapCanvas } from './MapCanvas.js'
import { LOST_WHY, LOST_WORDS, mapPeers, marksOf, samePeer } from './model.js'
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
      <li><span className='map-key map-key-banned' />banned (hollow)</li>
      <li><span className='map-key map-key-unmeasured' />RTT not measured yet</li>
      <li><span className='map-key map-key-known' />known, not connected</li>
      <li><span className='map-key map-key-holder' />proved its shards of the file</li>
      <li title={LOST_WHY}><span className='map-key map-key-lost' />{LOST_WORDS} ({LOST_WHY})</li>
      <li><span className='map-line' />traffic (thicker = more)</li>
      <li><span className='map-line map-line-relayed' />via a relay</li>
      <li className='muted'>rings: round-trip time</li>
    </ul>
  )
}

interface PeerButtonProps { peer: MapPeer, selected: boolean, onSelect: (id: string | null) => void }

/** One row of the list; re-rendered only when what it shows changed (the peers arrive as new objects every refresh). */
const PeerButton = memo(function PeerButton ({ peer, selected, onSelect }: PeerButtonProps): React.JSX.Element {
  const facts = [TRUST_WORD[peer.trust]]
  if (peer.reputation !== 'active') facts.push(peer.reputation)
  if (peer.relay != null) facts.push('relayed')
  if (peer.mark === 'holder') facts.push('holds the file')
  if (peer.mark === 'lost') facts.push(LOST_WORDS)
  return (
    <li>
      <button
        type='button'
        className={`map-peer${selected ? ' map-peer-selected' : ''}${peer.connected ? '' : ' map-peer-known'}`}
        // a toggle: pressing the selected peer again unselects it
        aria-pressed={selected}
        onClick={() => { onSelect(selected ? null : peer.id) }}
        data-testid='map-peer'
        data-peer-id={peer.id}
        data-connected={peer.connected}
        data-mark={peer.mark ?? 'none'}
        data-trust={peer.trust}
        data-reputation={peer.reputation}
        title={peer.id}
      >
        <span className={`map-key map-key-${keyOf(peer)}`} aria-hidden='true' />
        <span className='map-peer-label'>{peer.label}</span>
        <span className='map-peer-facts muted'>{peer.connected ? peer.rttMs == null ? 'RTT not measured yet' : formatMs(peer.rttMs) : 'not connected'} · {facts.join(', ')}</span>
      </button>
    </li>
  )
}, (a, b) => a.selected === b.selected && a.onSelect === b.onSelect && samePeer(a.peer, b.peer))

/** The legend key a list row shows: the file's mark first, then reputation, then trust. */
function keyOf (peer: MapPeer): string {
  if (peer.mark != null) return peer.mark
  if (!peer.connected) return 'known'
  if (peer.reputation !== 'active') return peer.reputation
  if (peer.rttMs == null) return 'unmeasured'
  return peer.trust.startsWith('request') ? 'request' : peer.trust
}

/**
 * The node sends a peer:update per connected peer per metrics interval: with
 * hundreds of peers, hundreds a second. The map takes the peer table from the
 * store at most every PEERS_EVERY_MS, subscribed outside React, so the events
 * in between re-render nothing.
 */
const PEERS_EVERY_MS = 500
/** rows in the list beside the map; the rest are counted ("N more") */
export const LIST_MAX = 200

function useThrottledPeers (ms: number): WgtState['peers'] {
  const { store } = useApp()
  const [peers, setPeers] = useState(() => store.getState().peers)
  useEffect(() => {
    let shown = store.getState().peers
    let shownAt = Date.now()
    let timer: ReturnType<typeof setTimeout> | null = null
    setPeers(shown)
    const flush = (): void => {
      timer = null
      shown = store.getState().peers
      shownAt = Date.now()
      setPeers(shown)
    }
    const unsubscribe = store.subscribe(s => {
      if (s.peers === shown || timer != null) return
      timer = setTimeout(flush, Math.max(0, shownAt + ms - Date.now()))
    })
    return () => { unsubscribe(); if (timer != null) clearTimeout(timer) }
  }, [store, ms])
  return peers
}

export function MapView (): React.JSX.Element {
  const peersById = useThrottledPeers(PEERS_EVERY_MS)
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
  const map = useMemo(() => mapPeers({ peers: peersById, contacts, contactsLoaded }, marks), [peersById, contacts, contactsLoaded, marks])
  const { peers, connected, known, notDrawn } = map
  const summary = useMemo(() => ({ holders: [...marks.values()].filter(m => m === 'holder').length, lost: [...marks.values()].filter(m => m === 'lost').length }), [marks])
  const drawnConnected = connected - notDrawn.connected
  const drawnKnown = peers.length - drawnConnected
  const label = `Peer map: this node at the centre, ${drawnConnected} connected peers placed by round-trip time, ${drawnKnown} known but not connected` +
    (notDrawn.connected + notDrawn.known > 0 ? `; ${notDrawn.connected + notDrawn.known} more not drawn` : '') +
    (shownFile != null ? `; the file's holders: ${summary.holders}, lost: ${summary.lost}` : '')
  const listed = useMemo(() => {
    const head = peers.slice(0, LIST_MAX)
    const sel = selected != null && !head.some(p => p.id === selected) ? peers.find(p => p.id === selected) : undefined
    return sel != null ? [...head, sel] : head
  }, [peers, selected])

  // selecting moves focus to the details' heading (announced); closing returns it to the peer's row in the list
  const details = useRef<HTMLHeadingElement>(null)
  const list = useRef<HTMLUListElement>(null)
  const focusDetails = useRef(false)
  const select = useCallback((id: string | null): void => { focusDetails.current = id != null; setSelected(id) }, [])
  useEffect(() => {
    if (selected != null && focusDetails.current) { focusDetails.current = false; details.current?.focus() }
  }, [selected])
  const close = useCallback((): void => {
    const id = selected
    setSelected(null)
    if (id != null) list.current?.querySelector<HTMLButtonElement>(`[data-peer-id="${CSS.escape(id)}"]`)?.focus()
  }, [selected])

  return (
    <section className='card map-card' aria-labelledby='map-title'>
      <div className='section-head'>
        <h2 id='map-title'>
          Peer map <span className='count' data-testid='map-connected'>{connected}</span>
        </h2>
        <span className='muted' data-testid='map-counts'>
          {connected} connected · {known} known, not connected
          {notDrawn.connected + notDrawn.known > 0 && <> · <span data-testid='map-not-drawn'>{describeNotDrawn(notDrawn)}</span></>}
        </span>
      </div>
      <FileOnMap fileId={shownFile} onFile={setFileId} summary={summary} />
      <div className='map-body'>
        <div className='map-stage'>
          <MapCanvas peers={peers} selected={selected} onSelect={select} fileId={shownFile} label={label} />
          <Legend />
        </div>
        <div className='map-side'>
          <ul className='map-peers' aria-label='Peers on the map' data-testid='map-peers' ref={list}>
            {listed.map(p => <PeerButton key={p.id} peer={p} selected={p.id === selected} onSelect={select} />)}
            {peers.length > listed.length && <li className='muted map-more' data-testid='map-more'>{peers.length - listed.length} more on the map, not listed</li>}
          </ul>
          {selected != null
            ? <PeerDetails peerId={selected} onClose={close} headingRef={details} />
            : <p className='muted map-hint'>Select a peer on the map or in the list for its details and actions.</p>}
        </div>
      </div>
    </section>
  )
}

function describeNotDrawn (n: { connected: number, known: number }): string {
  const parts = []
  if (n.connected > 0) parts.push(`${n.connected} more connected`)
  if (n.known > 0) parts.push(`${n.known} more known peers`)
  return `${parts.join(' and ')} not drawn`
}
