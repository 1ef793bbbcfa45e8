import { useMemo, useState } from 'react'
import type { PeerEntry } from '../../../shared/api/index.js'
import { useApp, useWgt } from '../app/context.js'
import { formatAge, shortPeerId } from '../format.js'
import { PeerName } from '../guard/PeerName.js'
import { useNow } from '../hooks.js'
import { describeError, type HumanError } from '../ui/errors.js'
import { ErrorNotice } from '../ui/ErrorNotice.js'
import { knownPeers } from './slice.js'

function KnownRow ({ peer, now }: { peer: PeerEntry, now: number }): React.JSX.Element {
  const { api } = useApp()
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<HumanError | null>(null)
  const reconnect = async (): Promise<void> => {
    setBusy(true)
    setError(null)
    try {
      await api.connect(peer.peerId)
    } catch (err) {
      setError(describeError('connect', err))
    } finally {
      setBusy(false)
    }
  }
  return (
    <li className='known-peer' data-testid='known-peer' data-peer-id={peer.peerId}>
      <PeerName peerId={peer.peerId} />
      <span className='muted known-agent' title={peer.agent ?? undefined}>{peer.agent ?? 'unknown agent'}</span>
      <span className='muted'>{peer.lastSeen != null ? `seen ${formatAge(now - peer.lastSeen)}` : 'remembered from an earlier run'}</span>
      <span className='muted'>{peer.addresses.length} address{peer.addresses.length === 1 ? '' : 'es'}</span>
      <button type='button' className='btn btn-small' disabled={busy || peer.addresses.length === 0} onClick={() => { void reconnect() }}
        title={peer.addresses.length === 0 ? 'No known address to dial' : `Dial ${shortPeerId(peer.peerId)} at its known addresses`}>
        {busy ? 'Connecting…' : 'Reconnect'}
      </button>
      {error != null && <ErrorNotice error={error} compact onDismiss={() => { setError(null) }} />}
    </li>
  )
}

/** Peers the node knows but is not connected to, with a way back to them. */
export function KnownPeers (): React.JSX.Element | null {
  const peersById = useWgt(s => s.peers)
  const peers = useMemo(() => knownPeers(peersById), [peersById])
  const now = useNow(5000)
  if (peers.length === 0) return null
  return (
    <section className='card' aria-labelledby='known-title'>
      <h2 id='known-title'>Known peers, not connected <span className='count'>{peers.length}</span></h2>
      <ul className='known-peers'>
        {peers.map(p => <KnownRow key={p.peerId} peer={p} now={now} />)}
      </ul>
    </section>
  )
}
