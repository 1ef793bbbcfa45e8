/**
 * A share or fetch this node ran has finished: one OS notification when its
 * operation ends done or failed ('operation:update'; the node's operations
 * are this node's own). A cancelled one is not announced: the person
 * cancelled it. A click opens the Files view at that file. The label is a
 * file name (a peer's text, for a fetch): made inert, escaped on Linux. A
 * failure is told by its error code only: the message can carry what a
 * remote peer wrote, which has no place in a system notification.
 */
import type { NodeApi, OperationInfo } from '../shared/api/index.js'
import type { ErrorCode } from '../shared/errors.js'
import type { ShellCommand } from '../shared/shell.js'
import { MAX_LIVE, openOrShow, plain, truncate, type KindNotifierOptions, type NotificationLike, type NotificationOptionsLike } from './notifications.js'
import { formatSize } from './offer-notifications.js'

/** Operations remembered as announced, so a repeated final event does not notify twice. */
const ANNOUNCED_KEPT = 256

export interface TransferNotificationOptions extends KindNotifierOptions {
  api: Pick<NodeApi, 'on'>
}

/** What a failed share or fetch says, by error code: words of ours, never the error's message. */
const FAILURE_TEXT: Record<ErrorCode, string> = {
  INVALID_INPUT: 'The file or link was not valid.',
  NOT_FOUND: 'No peer had the file.',
  PEER_UNREACHABLE: 'The peers holding it could not be reached.',
  POLICY_DENIED: 'A peer refused it.',
  INTEGRITY: 'What arrived did not match the file; nothing was saved.',
  QUOTA_EXCEEDED: 'There was not enough storage.',
  TIMEOUT: 'It took too long; try again.',
  UNAUTHORIZED: 'It was not allowed.',
  NOT_RUNNING: 'The node stopped.',
  PROTOCOL: 'A peer answered in a way this version does not understand.',
  UNAVAILABLE: 'Not enough peers were available.',
  CANCELLED: 'It was cancelled.',
  INTERNAL: 'Something went wrong inside WGT; see its log.'
}

/** The failure's sentence for an error code (any code: the node's, or one it does not know yet). */
export function failureText (code: string | undefined): string {
  return code != null && Object.hasOwn(FAILURE_TEXT, code) ? FAILURE_TEXT[code as ErrorCode] : 'It failed; the Files view has the details.'
}

/** What the notification says about an ended share or fetch. */
export function describeTransfer (op: OperationInfo, platform: string): NotificationOptionsLike | null {
  if ((op.kind !== 'share' && op.kind !== 'fetch') || (op.state !== 'done' && op.state !== 'failed')) return null
  const name = plain(truncate(op.kind === 'fetch' && op.result != null ? op.result.name : op.label), platform)
  if (op.state === 'failed') {
    return {
      title: op.kind === 'share' ? `Sharing ${name} failed` : `Fetching ${name} failed`,
      body: failureText(op.error?.code)
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
