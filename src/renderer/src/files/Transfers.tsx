import { useMemo } from 'react'
import { useApp, useWgt } from '../app/context.js'
import { formatBytes } from '../format.js'
import { ErrorNotice } from '../ui/ErrorNotice.js'
import { ProgressBar } from '../ui/ProgressBar.js'
import { OperationRow } from './OperationRow.js'
import { sortedOperations, type DropJob } from './state.js'

/** A dropped file before the node has an operation for it: uploading (in a browser), or what stopped it. */
function DropRow ({ drop }: { drop: DropJob }): React.JSX.Element {
  const { store } = useApp()
  return (
    <li className='transfer' data-testid='drop' data-stage={drop.error != null ? 'failed' : 'upload'}>
      <div className='transfer-head'>
        <span className='pill pill-neutral'>Share</span>
        <span className='transfer-name' title={drop.name}>{drop.name}</span>
        <span className='muted'>{formatBytes(drop.size)}</span>
        {drop.error != null && <button type='button' className='btn btn-small btn-ghost' onClick={() => { store.getState().dropDismissed(drop.key) }} aria-label={`Dismiss ${drop.name}`}>Dismiss</button>}
      </div>
      {drop.error != null
        ? <ErrorNotice error={drop.error} compact />
        : (
          <>
            <ProgressBar fraction={drop.size > 0 ? drop.uploaded / drop.size : null} label={`Uploading ${drop.name} to the node`} />
            <span className='transfer-status'>Uploading to the node<span className='muted'> · {Math.floor(drop.size > 0 ? 100 * drop.uploaded / drop.size : 0)}% · {formatBytes(drop.uploaded)} of {formatBytes(drop.size)}</span></span>
          </>)}
    </li>
  )
}

export function Transfers (): React.JSX.Element | null {
  const operations = useWgt(s => s.operations)
  const dismissed = useWgt(s => s.dismissed)
  const drops = useWgt(s => s.drops)
  const ops = useMemo(() => sortedOperations(operations).filter(o => !dismissed.has(o.id)), [operations, dismissed])
  const dropByOp = useMemo(() => new Map(drops.filter(d => d.operation != null).map(d => [d.operation as string, d])), [drops])
  // a drop shows on its own only until its operation does (or when it failed before one started)
  const pending = drops.filter(d => d.error != null ? d.operation == null || !Object.hasOwn(operations, d.operation) : d.operation == null)
  const failedSends = drops.filter(d => d.error != null && d.operation != null && Object.hasOwn(operations, d.operation))
  if (ops.length === 0 && pending.length === 0 && failedSends.length === 0) return null
  return (
    <section className='card' aria-labelledby='transfers-title'>
      <h2 id='transfers-title'>Transfers</h2>
      <ul className='transfers' aria-label='Transfers'>
        {pending.map(d => <DropRow key={d.key} drop={d} />)}
        {failedSends.map(d => <DropRow key={d.key} drop={d} />)}
        {ops.map(op => <OperationRow key={op.id} op={op} drop={dropByOp.get(op.id)} />)}
      </ul>
    </section>
  )
}
