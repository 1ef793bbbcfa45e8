/**
 * A share or fetch this node ran has finished: one OS notification when its
 * operation ends done or failed ('operation:update'; the node's operations
 * are this node's own). A cancelled one is not announced: the person
 * cancelled it. A click opens the Files view at that file. The label is a
 * file name (a peer's text, for a fetch): made inert, escaped on Linux.
 */
import type { NodeApi, OperationInfo } from '../shared/api/index.js'
import type { ShellCommand } from '../shared/shell.js'
import { MAX_LIVE, openOrShow, plain, truncate, type NotificationBudgets, type NotificationLike, type NotificationOptionsLike } from './notifications.js'
import { formatSize } from './offer-notifications.js'

/** Operations remembered as announced, so a repeated final event does not notify twice. */
const ANNOUNCED_KEPT = 256

export interface TransferNotificationOptions {
  api: Pick<NodeApi, 'on'>
  isSupported: () => boolean
  create: (options: NotificationOptionsLike) => NotificationLike
  isFocused: () => boolean
  showWindow: () => void
  open?: (cmd: ShellCommand) => void
  platform: string
  budgets: NotificationBudgets
  /** the transfers switch and do-not-disturb; always when absent */
  allowed?: () => boolean
}

/** What the notification says about an ended share or fetch. */
export function describeTransfer (op: OperationInfo, platform: string): NotificationOptionsLike | null {
  if ((op.kind !== 'share' && op.kind !== 'fetch') || (op.state !== 'done' && op.state !== 'failed')) return null
  const name = plain(truncate(op.kind === 'fetch' && op.result != null ? op.result.name : op.label), platform)
  if (op.state === 'failed') {
    return {
      title: op.kind === 'share' ? `Sharing ${name} failed` : `Fetching ${name} failed`,
      body: plain(truncate(op.error?.message ?? 'the operation failed'), platform)
    }
  }
  if (op.kind === 'share') {
    const size = op.result == null ? '' : ` (${formatSize(op.result.size)})`
    return { title: `Shared ${name}`, body: `Its link is ready to send${size}` }
  }
  const size = op.result == null ? '' : ` (${formatSize(op.result.size)})`
  return { title: `Fetched ${name}`, body: `Verified and saved${size}` }
}

/** Start; returns the function that stops (idempotent), closing what is still shown. */
export function startTransferNotifications (opts: TransferNotificationOptions): () => void {
  const announced = new Set<string>()
  const live = new Map<string, NotificationLike>()
  let stopped = false

  const off = opts.api.on('operation:update', op => {
    if (stopped || announced.has(op.id)) return
    const options = describeTransfer(op, opts.platform)
    if (options == null) return
    announced.add(op.id)
    if (announced.size > ANNOUNCED_KEPT) announced.delete(announced.values().next().value as string)
    if (opts.isFocused() || !opts.isSupported() || opts.allowed?.() === false || !opts.budgets.known()) return
    const n = opts.create(options)
    const forget = (): void => { if (live.get(op.id) === n) live.delete(op.id) }
    const cmd: ShellCommand = { kind: 'open-view', view: 'files', ...(op.fileId == null ? {} : { fileId: op.fileId }) }
    n.on('click', () => {
      forget()
      if (!stopped) openOrShow(opts, cmd)
    })
    n.on('close', forget)
    live.set(op.id, n)
    while (live.size > MAX_LIVE) {
      const oldest = live.keys().next().value as string
      live.get(oldest)?.close()
      live.delete(oldest)
    }
    n.show()
  })

  return () => {
    if (stopped) return
    stopped = true
    off()
    for (const n of [...live.values()]) n.close()
    live.clear()
  }
}
