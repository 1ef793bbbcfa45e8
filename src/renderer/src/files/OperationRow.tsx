import type { OperationInfo, OperationPhase } from '../../../shared/api/index.js'
import { useApp } from '../app/context.js'
import { formatBytes, formatDuration, formatRate } from '../format.js'
import { PeerName } from '../guard/PeerName.js'
import { CopyButton } from '../ui/CopyButton.js'
import { describeWire } from '../ui/errors.js'
import { ErrorNotice } from '../ui/ErrorNotice.js'
import { ProgressBar } from '../ui/ProgressBar.js'
import { FileOpenActions } from './FileOpenActions.js'
import type { DropJob } from './state.js'

const PHASE: Record<OperationPhase, string> = {
  preparing: 'Preparing',
  sending: 'Encrypting and placing shards',
  finishing: 'Storing the manifest',
  locating: 'Finding the file',
  receiving: 'Receiving',
  verifying: 'Verifying',
  checking: 'Checking the shards',
  rebuilding: 'Rebuilding lost shards',
  computing: 'Computing'
}

const KIND = { share: 'Share', fetch: 'Fetch', repair: 'Repair', compute: 'Compute' } as const

/** Percentage, amount, speed and time left, all as the node measured them. */
export function progressText (op: OperationInfo): string {
  const p = op.progress
  const parts = [`${Math.floor(p.fraction * 100)}%`]
  if (p.bytesTotal != null && p.bytesTotal > 0) parts.push(`${formatBytes(p.bytesDone)} of ${formatBytes(p.bytesTotal)}`)
  if (p.rateBps != null) parts.push(formatRate(p.rateBps))
  if (p.etaMs != null) parts.push(`${formatDuration(p.etaMs)} left`)
  return parts.join(' · ')
}

function Outcome ({ op, drop }: { op: OperationInfo, drop: DropJob | undefined }): React.JSX.Element | null {
  if (op.state === 'failed' && op.error != null) return <ErrorNotice error={describeWire(op.kind, op.error)} compact />
  if (op.state === 'cancelled') return <span className='transfer-status muted'>Cancelled; nothing of it was kept.</span>
  if (op.state !== 'done') return null
  if (op.kind === 'share' && op.result != null) {
    return (
      <>
        <span className='transfer-status ok'>
          Shared
          {drop?.toPeer != null && drop.offer === 'sending' && <span className='muted'> · sending the link to <PeerName peerId={drop.toPeer} pill='never' />…</span>}
          {drop?.toPeer != null && drop.offer === 'sent' && <span className='muted'> · link sent to <PeerName peerId={drop.toPeer} pill='never' /></span>}
        </span>
        <div className='link-row'>
          <code className='mono' data-testid='share-link' title={op.result.link}>{op.result.link}</code>
          <CopyButton text={op.result.link} what={`link to ${op.result.name}`} label='Copy link' />
        </div>
      </>
    )
  }
  if (op.kind === 'fetch' && op.result != null) {
    const r = op.result
    return (
      <div className='link-row'>
        <span className='transfer-status ok' data-testid='fetch-result' data-existing={r.existing}>
          {r.existing ? 'Already here (fetched before): ' : 'Saved, SHA-256 verified: '}
          <span className='mono' title={r.path}>{r.path}</span>
          {r.badHolders.length > 0 && <span className='warn-text'> · rejected corrupt shards from {r.badHolders.length} holder{r.badHolders.length === 1 ? '' : 's'}</span>}
        </span>
        <FileOpenActions id={r.id} name={r.name} />
      </div>
    )
  }
  if (op.kind === 'repair' && op.result != null) {
    return <span className='transfer-status ok'>Re-created {op.result.recreated} shard{op.result.recreated === 1 ? '' : 's'}; {op.result.health.recoverable ? 'every segment can be rebuilt' : 'some segments still cannot be rebuilt'}</span>
  }
  return null
}

export function OperationRow ({ op, drop }: { op: OperationInfo, drop?: DropJob }): React.JSX.Element {
  const { api, store } = useApp()
  const running = op.state === 'running'
  const label = op.label.startsWith('wgt://') ? `${op.label.slice(0, 28)}…` : op.label
  return (
    <li className='transfer' data-testid='operation' data-kind={op.kind} data-state={op.state} data-operation={op.id}>
      <div className='transfer-head'>
        <span className='pill pill-neutral'>{KIND[op.kind]}</span>
        <span className='transfer-name' title={op.label}>{label}</span>
        {op.from != null && <span className='muted'>from <PeerName peerId={op.from} pill='never' /></span>}
        {running
          ? <button type='button' className='btn btn-small' onClick={() => { void api.cancelOperation(op.id).catch(() => {}) }} aria-label={`Cancel the ${op.kind} of ${op.label}`}>Cancel</button>
          : <button type='button' className='btn btn-small btn-ghost' onClick={() => { store.getState().operationDismissed(op.id) }} aria-label={`Dismiss ${op.label}`}>Dismiss</button>}
      </div>
      {running && (
        <>
          <ProgressBar fraction={op.progress.fraction} label={`${KIND[op.kind]} ${op.label}: ${PHASE[op.phase]}`} />
          <span className='transfer-status'>{PHASE[op.phase]}<span className='muted' data-testid='progress-text'> · {progressText(op)}</span></span>
        </>
      )}
      {!running && <ProgressBar fraction={1} label={`${KIND[op.kind]} ${op.label}: ${op.state}`} state={op.state === 'done' ? 'done' : 'failed'} />}
      <Outcome op={op} drop={drop} />
    </li>
  )
}
