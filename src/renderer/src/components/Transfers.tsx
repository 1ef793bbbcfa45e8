import { useMemo } from 'react'
import type { TransferPhase, TransferProgress } from '../../../shared/types.js'
import { useApp, useWgt } from '../context.js'
import { progressFraction, transferRows, type DropJob } from '../files-state.js'
import { formatBytes, shortPeerId } from '../format.js'
import { CopyButton } from './CopyButton.js'
import { ProgressBar } from './ProgressBar.js'

const PHASE: Record<TransferPhase, string> = {
  encode: 'Encoding',
  place: 'Placing shards',
  locate: 'Locating shards',
  fetch: 'Fetching',
  verify: 'Verifying',
  repair: 'Repairing',
  done: 'Done',
  failed: 'Failed'
}

const KIND = { share: 'Share', fetch: 'Fetch', repair: 'Repair' } as const

function amount (p: TransferProgress): string {
  if (p.unit === 'bytes') return `${formatBytes(p.done)} of ${formatBytes(p.total)}`
  return `${p.done} of ${p.total} shards`
}

function barState (p: TransferProgress | null, failed = false): 'active' | 'done' | 'failed' {
  if (failed || p?.phase === 'failed') return 'failed'
  return p?.phase === 'done' ? 'done' : 'active'
}

function NodeProgress ({ p }: { p: TransferProgress }): React.JSX.Element {
  return (
    <>
      <ProgressBar fraction={p.phase === 'done' ? 1 : progressFraction(p)} label={`${KIND[p.kind]} ${p.label}: ${PHASE[p.phase]}`} state={barState(p)} />
      <span className='transfer-status'>
        {PHASE[p.phase]}{p.phase !== 'done' && p.phase !== 'failed' && <span className='muted'> · {amount(p)}</span>}
        {p.error != null && <span className='error-text'> — {p.error.message}</span>}
      </span>
    </>
  )
}

function DropRow ({ drop, progress }: { drop: DropJob, progress: TransferProgress | null }): React.JSX.Element {
  const { store } = useApp()
  const finished = drop.stage === 'done' || drop.stage === 'failed'
  let body: React.JSX.Element
  if (drop.stage === 'upload') {
    body = (
      <>
        <ProgressBar fraction={drop.size > 0 ? drop.uploaded / drop.size : null} label={`Uploading ${drop.name} to the node`} />
        <span className='transfer-status'>Uploading to the node<span className='muted'> · {formatBytes(drop.uploaded)} of {formatBytes(drop.size)}</span></span>
      </>
    )
  } else if (drop.stage === 'share') {
    body = progress != null
      ? <NodeProgress p={progress} />
      : <><ProgressBar fraction={null} label={`Sharing ${drop.name}`} /><span className='transfer-status'>Starting the share…</span></>
  } else if (drop.stage === 'failed') {
    body = (
      <>
        <ProgressBar fraction={1} label={`${drop.name}: failed`} state='failed' />
        <span className='transfer-status error-text' role='alert'>{drop.error}</span>
      </>
    )
  } else {
    body = (
      <>
        <ProgressBar fraction={1} label={`${drop.name}: shared`} state='done' />
        <span className='transfer-status'>
          {drop.stage === 'offer' ? <>Sending the link to <span className='mono'>{shortPeerId(drop.toPeer ?? '')}</span>…</> : drop.toPeer != null ? <>Shared; link sent to <span className='mono' title={drop.toPeer}>{shortPeerId(drop.toPeer)}</span></> : 'Shared'}
        </span>
      </>
    )
  }
  return (
    <li className='transfer' data-testid='drop' data-stage={drop.stage}>
      <div className='transfer-head'>
        <span className='pill pill-neutral'>Share</span>
        <span className='transfer-name' title={drop.name}>{drop.name}</span>
        <span className='muted'>{formatBytes(drop.size)}</span>
        {finished && <button type='button' className='btn btn-small btn-ghost' onClick={() => { store.getState().dropDismissed(drop.key) }} aria-label={`Dismiss ${drop.name}`}>Dismiss</button>}
      </div>
      {body}
      {drop.link != null && (
        <div className='link-row'>
          <code className='mono break' data-testid='share-link'>{drop.link}</code>
          <CopyButton text={drop.link} what={`link to ${drop.name}`} label='Copy link' />
        </div>
      )}
    </li>
  )
}

function TransferRow ({ p }: { p: TransferProgress }): React.JSX.Element {
  const { store } = useApp()
  const finished = p.phase === 'done' || p.phase === 'failed'
  const label = p.kind === 'fetch' && p.label.startsWith('wgt://') ? `${p.label.slice(0, 24)}…` : p.label
  return (
    <li className='transfer' data-testid='transfer' data-kind={p.kind} data-phase={p.phase}>
      <div className='transfer-head'>
        <span className='pill pill-neutral'>{KIND[p.kind]}</span>
        <span className='transfer-name mono-if-link' title={p.label}>{label}</span>
        {finished && <button type='button' className='btn btn-small btn-ghost' onClick={() => { store.getState().transferDismissed(p.transfer) }} aria-label={`Dismiss ${p.label}`}>Dismiss</button>}
      </div>
      <NodeProgress p={p} />
    </li>
  )
}

export function Transfers (): React.JSX.Element | null {
  const drops = useWgt(s => s.drops)
  const transfers = useWgt(s => s.transfers)
  const rows = useMemo(() => transferRows(drops, transfers), [drops, transfers])
  if (rows.length === 0) return null
  return (
    <div className='files-block'>
      <h3>Transfers</h3>
      <ul className='transfers' aria-label='Transfers'>
        {rows.map(r => r.kind === 'drop'
          ? <DropRow key={r.key} drop={r.drop} progress={r.progress} />
          : <TransferRow key={r.key} p={r.progress} />)}
      </ul>
    </div>
  )
}
