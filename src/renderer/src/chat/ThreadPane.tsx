import { useEffect, useMemo, useRef, useState } from 'react'
import type { PeerIdString } from '../../../shared/api/index.js'
import { useApp, useWgt } from '../app/context.js'
import { CallButtons } from '../calls/CallButtons.js'
import { PeerName } from '../guard/PeerName.js'
import { peerLabel, standingOf } from '../guard/state.js'
import { plural } from '../format.js'
import { ConfirmButton } from '../ui/ConfirmButton.js'
import { describeError, type HumanError } from '../ui/errors.js'
import { ErrorNotice } from '../ui/ErrorNotice.js'
import { useAction } from '../ui/useAction.js'
import { markRead, sendFiles } from './actions.js'
import { usePageAttention } from './attention.js'
import { Composer } from './Composer.js'
import { UploadCard } from './FileCards.js'
import { Messages } from './Messages.js'
import { RequestActions } from './RequestActions.js'

/** Marks the conversation read while it is on screen and the window has the focus, as messages arrive. */
function useMarkRead (peerId: PeerIdString, unread: number): HumanError | null {
  const { api, store } = useApp()
  const attentive = usePageAttention()
  const [error, setError] = useState<HumanError | null>(null)
  const asked = useRef<string | null>(null)
  useEffect(() => {
    // read: the next unread message is asked for again, whatever the count
    if (unread === 0) { asked.current = null; return }
    if (!attentive) return
    // once per (conversation, count) until it is read: a failure is shown, not retried in a loop
    const mark = `${peerId}:${unread}`
    if (asked.current === mark) return
    asked.current = mark
    markRead(api, store, peerId).then(() => { setError(null) }, (err: unknown) => { setError(describeError('chat-read', err)) })
  }, [api, store, peerId, unread, attentive])
  return error
}

function ThreadHead ({ peerId, request }: { peerId: PeerIdString, request: boolean }): React.JSX.Element {
  const { api, store } = useApp()
  const connected = useWgt(s => s.peers[peerId]?.connected === true)
  const name = useWgt(s => peerLabel(s.contacts, peerId))
  const exists = useWgt(s => s.conversations[peerId] != null)
  const { busy, error, run, clear } = useAction()
  return (
    <div className='chat-head'>
      <h2 className='chat-title' data-testid='thread-peer'><PeerName peerId={peerId} /></h2>
      <span className={connected ? 'ok chat-presence' : 'muted chat-presence'}>{connected ? 'connected' : 'not connected'}</span>
      <span className='row-actions'>
        <CallButtons peerId={peerId} name={name} disabled={request ? 'Accept the request first to call this peer.' : null} />
        {request
          ? <RequestActions peerId={peerId} />
          : exists && (
            <ConfirmButton label='Delete' what={`the conversation with ${name}`} busy={busy} question='Delete it and its history here?'
              onConfirm={async () => await run('chat-delete', async () => {
                await api.deleteConversation(peerId)
                store.getState().conversationRemoved(peerId)
                store.getState().openConversation(null)
              })} />)}
      </span>
      {error != null && <ErrorNotice error={error} compact onDismiss={clear} />}
    </div>
  )
}

/** The open conversation: who, its messages, and the composer; files dropped on it are shared into it. */
export function ThreadPane ({ peerId }: { peerId: PeerIdString }): React.JSX.Element {
  const deps = useApp()
  const conv = useWgt(s => s.conversations[peerId])
  const trust = useWgt(s => standingOf(s, peerId).trust)
  const name = useWgt(s => peerLabel(s.contacts, peerId))
  const allUploads = useWgt(s => s.chatUploads)
  const uploads = useMemo(() => allUploads.filter(u => u.peerId === peerId), [allUploads, peerId])
  const request = conv?.request === true
  const readError = useMarkRead(peerId, request ? 0 : conv?.unread ?? 0)
  const disabled = request
    ? 'This peer is not your contact: accept the request to read its messages and answer.'
    : trust === 'blocked' ? 'You blocked this peer: unblock it under Contacts to write to it.' : null

  const onDrop = (e: React.DragEvent): void => {
    const files = Array.from(e.dataTransfer.files)
    if (files.length === 0) return
    e.preventDefault()
    if (disabled == null) void sendFiles(deps, peerId, files)
  }

  return (
    <section className='chat-thread' aria-label={`Conversation with ${name}`} data-testid='chat-thread' data-peer-id={peerId}
      data-drop-zone={disabled == null ? `Drop to send it to ${name} in this conversation` : 'Files cannot be sent here until the request is accepted'}
      onDragOver={e => { e.preventDefault() }} onDrop={onDrop}>
      <ThreadHead peerId={peerId} request={request} />
      {request
        ? (
          <div className='chat-messages chat-request-body' data-testid='chat-request'>
            <p><PeerName peerId={peerId} pill='never' /> is not your contact and wrote you {plural(conv?.requestCount ?? 0, 'message')}.</p>
            <p className='muted'>What they wrote stays hidden until you accept. Decline drops it; Block also refuses anything more from them.</p>
          </div>)
        : <Messages peerId={peerId} footer={uploads.length > 0 ? uploads.map(u => <UploadCard key={u.key} upload={u} />) : undefined} />}
      {readError != null && <ErrorNotice error={readError} compact />}
      <Composer key={peerId} peerId={peerId} name={name} disabled={disabled} />
    </section>
  )
}
