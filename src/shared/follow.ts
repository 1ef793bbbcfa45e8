/**
 * Start an operation and follow it to its end: the client-side half of
 * operations (api/operations.ts), shared by the CLI and the UI. Events are
 * subscribed before the start call, so none is missed while its answer is on
 * the way; only the started operation's events reach onUpdate.
 */
import type { OperationInfo, OperationRef, WgtApi } from './api/index.js'
import { WgtError, isErrorCode } from './errors.js'

export interface Followed {
  /** the operation's id, once the start call answered */
  id: Promise<string>
  /** the operation's final state: resolves for done, rejects with its WgtError for failed or cancelled */
  done: Promise<OperationInfo>
}

export function followOperation (api: Pick<WgtApi, 'on' | 'waitOperation'>, start: () => Promise<OperationRef>, onUpdate?: (op: OperationInfo) => void): Followed {
  let id: string | null = null
  const early: OperationInfo[] = []
  const off = api.on('operation:update', op => {
    if (id == null) early.push(op)
    else if (op.id === id) onUpdate?.(op)
  })
  const started = start().then(ref => {
    id = ref.operation
    for (const op of early.splice(0)) if (op.id === id) onUpdate?.(op)
    return ref.operation
  })
  started.catch(() => { off() })
  const done = started.then(async opId => {
    try {
      const final = await api.waitOperation(opId)
      onUpdate?.(final)
      return outcome(final)
    } finally {
      off()
    }
  })
  return { id: started, done }
}

/** The operation's result as a value, or its failure as a WgtError. */
export function outcome (op: OperationInfo): OperationInfo {
  if (op.state === 'done') return op
  const code = op.error != null && isErrorCode(op.error.code) ? op.error.code : op.state === 'cancelled' ? 'CANCELLED' : 'INTERNAL'
  throw new WgtError(code, op.error?.message ?? `${op.kind} ${op.state}`)
}
