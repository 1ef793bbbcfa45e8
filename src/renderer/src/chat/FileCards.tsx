import type { ChatMessage, OperationInfo } from '../../../shared/api/index.js'
import { useApp, useWgt } from '../app/context.js'
import { FileOpenActions } from '../files/FileOpenActions.js'
import { progressText } from '../files/OperationRow.js'
import { formatBytes } from '../format.js'
import { describeWire } from '../ui/errors.js'
import { ErrorNotice } from '../ui/ErrorNotice.js'
import { ProgressBar } from '../ui/ProgressBar.js'
import { useAction } from '../ui/useAction.js'
import { fetchChatFile, sendShared } from './actions.js'
import { PaperclipIcon } from './icons.js'
import { linkFileId, type ChatUpload } from './state.js'

function FileHead ({ name, size }: { name: string, size: number }): React.JSX.Element {
  return (
    <span className='chat-file-head'>
      <PaperclipIcon />
      <span className='chat-file-name' title={name}>{name}</span>
      <span className='muted'>{formatBytes(size)}</span>
    </span>
  )
}

/** A running operation on a card: its bar, the node's figures and Cancel. */
function Running ({ op, what }: { op: OperationInfo, what: string }): React.JSX.Element {
  const { api } = useApp()
  return (
    <>
      <ProgressBar fraction={op.progress.fraction} label={`${what} ${op.label}`} />
      <span className='chat-file-status'>
        <span>{what}<span className='muted' data-testid='progress-text'> · {progressText(op)}</span></span>
        <button type='button' className='btn btn-small' onClick={() => { void api.cancelOperation(op.id).catch(() => {}) }} aria-label={`Cancel: ${what.toLowerCase()} ${op.label}`}>Cancel</button>
      </span>
    </>
  )
}

/** The fetch of this message's file: the one started here, else one running for the same file (started elsewhere). */
function useFetchOf (m: ChatMessage, fileId: string | null): OperationInfo | null {
  return useWgt(s => {
    const mine = s.chatFetches[m.id]
    if (mine != null && s.operations[mine] != null) return s.operations[mine]
    if (fileId == null) return null
    return Object.values(s.operations).find(o => o.kind === 'fetch' && o.fileId === fileId && o.state === 'running') ?? null
  })
}

/** A file in a message: incoming ones are fetched from here, with their progress, then opened. */
export function FileMessage ({ m }: { m: ChatMessage & { file: NonNullable<ChatMessage['file']> } }): React.JSX.Element {
  const { api, store } = useApp()
  const fileId = linkFileId(m.file.link)
  const saved = useWgt(s => fileId != null && s.files[fileId]?.direction === 'received' ? s.files[fileId] : null)
  const op = useFetchOf(m, fileId)
  const { busy, error, run, clear } = useAction()
  const fetch = (): void => { void run('fetch', async () => { await fetchChatFile(api, store, m) }) }

  let body: React.JSX.Element | null = null
  if (m.outgoing) {
    body = null
  } else if (op?.state === 'running') {
    body = <Running op={op} what='Fetching' />
  } else if (op?.state === 'done' && op.kind === 'fetch' && op.result != null) {
    body = <span className='chat-file-status'><span className='ok' data-testid='fetched'>Saved, verified</span><FileOpenActions id={op.result.id} name={m.file.name} /></span>
  } else if (saved != null) {
    body = <span className='chat-file-status'><span className='ok' data-testid='fetched'>Saved here</span><FileOpenActions id={saved.id} name={m.file.name} /></span>
  } else {
    body = (
      <>
        {op?.state === 'failed' && op.error != null && <ErrorNotice error={describeWire('fetch', op.error)} compact />}
        {op?.state === 'cancelled' && <span className='muted chat-file-status'>Fetch cancelled.</span>}
        <span className='chat-file-status'>
          <button type='button' className='btn btn-small btn-primary' disabled={busy} onClick={fetch} aria-label={`Fetch ${m.file.name}`}>
            {op?.state === 'failed' ? 'Try again' : 'Fetch'}
          </button>
        </span>
      </>
    )
  }
  return (
    <div className='chat-file' data-testid='chat-file'>
      <FileHead name={m.file.name} size={m.file.size} />
      {body}
      {error != null && <ErrorNotice error={error} compact onDismiss={clear} />}
    </div>
  )
}

/** A file this window is sharing into the conversation: upload, share with its progress, then the message. */
export function UploadCard ({ upload }: { upload: ChatUpload }): React.JSX.Element {
  const { api, store } = useApp()
  const drop = useWgt(s => s.drops.find(d => d.key === upload.key))
  const op = useWgt(s => drop?.operation != null ? s.operations[drop.operation] ?? null : null)
  const dismiss = (): void => { store.getState().uploadRemoved(upload.key); store.getState().dropDismissed(upload.key) }
  const shareFailed = op?.state === 'failed' && op.error != null ? describeWire('share', op.error) : null
  const error = upload.error ?? drop?.error ?? shareFailed
  const canResend = upload.stage === 'failed' && op?.state === 'done'

  let body: React.JSX.Element
  if (error != null) {
    body = <ErrorNotice error={error} compact />
  } else if (op?.state === 'cancelled') {
    body = <span className='muted chat-file-status'>Cancelled; nothing was sent.</span>
  } else if (upload.stage === 'sending' || op?.state === 'done') {
    body = <span className='muted chat-file-status'>Shared · sending the message…</span>
  } else if (op != null) {
    body = <Running op={op} what='Sharing' />
  } else {
    const uploaded = drop?.uploaded ?? 0
    body = (
      <>
        <ProgressBar fraction={upload.size > 0 ? uploaded / upload.size : null} label={`Uploading ${upload.name} to the node`} />
        <span className='chat-file-status muted'>Uploading to the node · {Math.floor(upload.size > 0 ? 100 * uploaded / upload.size : 0)}% · {formatBytes(uploaded)} of {formatBytes(upload.size)}</span>
      </>
    )
  }
  return (
    <div className='chat-msg chat-out' data-testid='chat-upload' data-stage={upload.stage}>
      <div className='chat-bubble'>
        <div className='chat-file'>
          <FileHead name={upload.name} size={upload.size} />
          {body}
          {(upload.stage === 'failed' || op?.state === 'cancelled') && (
            <span className='chat-file-status'>
              {canResend && <button type='button' className='btn btn-small btn-primary' onClick={() => { void sendShared(api, store, upload.key) }}>Send again</button>}
              <button type='button' className='btn btn-small btn-ghost' onClick={dismiss} aria-label={`Dismiss ${upload.name}`}>Dismiss</button>
            </span>
          )}
        </div>
      </div>
    </div>
  )
}
