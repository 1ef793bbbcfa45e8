import { useMemo } from 'react'
import type { PeerEntry } from '../../../shared/api/index.js'
import { useWgt } from '../app/context.js'
import { connectedPeers, knownPeers } from './slice.js'
import { formatBytes, formatDuration, formatMs, formatPercent, formatRate, formatRatio } from '../format.js'
import { PeerName, PeerTrust } from '../guard/PeerName.js'
import { CopyButton } from '../ui/CopyButton.js'
import { ConnectBox } from './ConnectBox.js'

const REPUTATION_CLASS = { active: 'pill-ok', purgatory: 'pill-warn', banned: 'pill-bad' } as const

function transports (p: PeerEntry): string {
  const set = new Set(p.connections.map(c => c.transport))
  return set.size === 0 ? '—' : [...set].join(', ')
}

function reputationTitle (peer: PeerEntry): string {
  const r = peer.reputation
  const parts = [`${r.violations} protocol violation${r.violations === 1 ? '' : 's'}`]
  if (r.bannedUntil != null) parts.push(`banned for ${formatDuration(r.bannedUntil - Date.now())} more`)
  if (r.lastReason != null) parts.push(`last: ${r.lastReason}`)
  return parts.join('; ')
}

function PeerRow ({ peer }: { peer: PeerEntry }): React.JSX.Element {
  const cap = peer.capacity
  const dropHere = useWgt(s => s.dragging && s.dropPeer === peer.peerId)
  return (
    <tr data-peer-id={peer.peerId} className={dropHere ? 'drop-target' : undefined}>
      <th scope='row'>
        <span className='peer-cell'>
          <PeerName peerId={peer.peerId} pill='never' />
          <CopyButton text={peer.peerId} what={`PeerId ${peer.peerId}`} label='Copy' />
        </span>
      </th>
      <td><PeerTrust peerId={peer.peerId} /></td>
      <td>
        {peer.kind ?? '—'}
        {peer.scope != null && <span className='muted'> · {peer.scope}</span>}
      </td>
      <td>{transports(peer)}</td>
      <td className='agent' title={peer.agent ?? undefined}>{peer.agent ?? <span className='muted'>—</span>}</td>
      <td className='num' data-col='rtt-p50'>{formatMs(peer.rtt?.p50)}</td>
      <td className='num' data-col='rtt-p95'>{formatMs(peer.rtt?.p95)}</td>
      <td className='num'>{formatMs(peer.rtt?.jitter)}</td>
      <td className='num' title={peer.rtt != null ? `${peer.rtt.sent - peer.rtt.samples} of ${peer.rtt.sent} probes unanswered` : undefined}>
        {formatRatio(peer.rtt?.loss)}
      </td>
      <td className='num'>{formatRate(peer.traffic.inBps)}</td>
      <td className='num'>{formatRate(peer.traffic.outBps)}</td>
      <td className='num'>{cap?.cores ?? '—'}</td>
      <td className='num'>{formatPercent(cap?.cpuLoad)}</td>
      <td className='num' title={cap != null ? `${formatBytes(cap.memFree)} free of ${formatBytes(cap.memTotal)}` : undefined}>
        {cap != null ? formatBytes(cap.memFree) : '—'}
      </td>
      <td>
        <span className={`pill ${REPUTATION_CLASS[peer.reputation.state]}`} title={reputationTitle(peer)}>
          {peer.reputation.state}
        </span>
      </td>
    </tr>
  )
}

export function PeersTable (): React.JSX.Element {
  const peersById = useWgt(s => s.peers)
  const peers = useMemo(() => connectedPeers(peersById), [peersById])
  const known = useMemo(() => knownPeers(peersById).length, [peersById])
  return (
    <section className='card' aria-labelledby='peers-title'>
      <div className='section-head'>
        <h2 id='peers-title'>
          Connected peers <span className='count' data-testid='peer-count'>{peers.length}</span>
        </h2>
        <span className='muted'>
          {known > 0 && <>{known} more known, not connected (below) · </>}drop a file onto a peer to send it the link
        </span>
      </div>
      <ConnectBox />
      {peers.length === 0
        ? <p className='empty'>No peers yet — connect by address or wait for discovery.</p>
        : (
          <div className='table-scroll'>
            <table className='table peers'>
              <thead>
                <tr>
                  <th scope='col'>Peer</th>
                  <th scope='col' title='how this node stands with the peer'>Trust</th>
                  <th scope='col'>Link</th>
                  <th scope='col'>Transport</th>
                  <th scope='col'>Agent</th>
                  <th scope='col' className='num' title='round-trip time, median over the probe window'>RTT p50</th>
                  <th scope='col' className='num' title='round-trip time, 95th percentile over the probe window'>p95</th>
                  <th scope='col' className='num'>Jitter</th>
                  <th scope='col' className='num' title='probes unanswered over the window'>Loss</th>
                  <th scope='col' className='num'>In</th>
                  <th scope='col' className='num'>Out</th>
                  <th scope='col' className='num' title='CPU cores the peer advertises'>Cores</th>
                  <th scope='col' className='num' title='CPU load the peer advertises'>Load</th>
                  <th scope='col' className='num' title='free memory the peer advertises'>Mem free</th>
                  <th scope='col'>Reputation</th>
                </tr>
              </thead>
              <tbody>
                {peers.map(p => <PeerRow key={p.peerId} peer={p} />)}
              </tbody>
            </table>
          </div>)}
    </section>
  )
}
