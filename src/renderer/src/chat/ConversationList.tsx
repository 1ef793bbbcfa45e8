import { useMemo } from 'react'
import type { Conversation } from '../../../shared/api/index.js'
import { useWgt } from '../app/context.js'
import { plural } from '../format.js'
import { PeerName } from '../guard/PeerName.js'
import { useNow } from '../hooks.js'
import { ClockIcon, PaperclipIcon } from './icons.js'
import { RequestActions } from './RequestActions.js'
import { groupConversations, listTime, previewOf } from './state.js'

function ConversationItem ({ c, now }: { c: Conversation, now: number }): React.JSX.Element {
  const open = useWgt(s => s.chatOpen === c.peerId)
  const openConversation = useWgt(s => s.openConversation)
  const preview = previewOf(c.last)
  return (
    <li>
      <button type='button' className={`chat-item${open ? ' chat-item-open' : ''}${c.unread > 0 ? ' chat-item-unread' : ''}`} aria-current={open ? 'true' : undefined}
        onClick={() => { openConversation(c.peerId) }} data-testid='conversation' data-peer-id={c.peerId} data-unread={c.unread}>
        <span className='chat-item-top'>
          <PeerName peerId={c.peerId} pill='never' />
          {c.last != null && <span className='muted chat-item-time'>{listTime(c.last.sentAt, now)}</span>}
        </span>
        <span className='chat-item-bottom'>
          <span className='chat-item-preview' title={preview}>
            {c.last?.file != null && <PaperclipIcon size={12} />}
            {preview !== '' ? preview : <span className='muted'>No messages</span>}
          </span>
          {c.pending > 0 && (
            <span className='chat-item-pending' title={`${plural(c.pending, 'message')} not delivered yet`} aria-label={`${plural(c.pending, 'message')} not delivered yet`} data-testid='pending'>
              <ClockIcon size={12} />
            </span>
          )}
          {c.unread > 0 && <span className='badge' aria-label={`${plural(c.unread, 'unread message')}`} data-testid='unread'>{c.unread}</span>}
        </span>
      </button>
    </li>
  )
}

function RequestItem ({ c, now }: { c: Conversation, now: number }): React.JSX.Element {
  const open = useWgt(s => s.chatOpen === c.peerId)
  const openConversation = useWgt(s => s.openConversation)
  return (
    <li className={`chat-request${open ? ' chat-item-open' : ''}`} data-testid='chat-request-item' data-peer-id={c.peerId}>
      <button type='button' className='chat-item' aria-current={open ? 'true' : undefined} onClick={() => { openConversation(c.peerId) }}>
        <span className='chat-item-top'>
          <PeerName peerId={c.peerId} pill='never' />
          <span className='muted chat-item-time'>{listTime(c.updatedAt, now)}</span>
        </span>
        <span className='chat-item-bottom muted'>asks to chat · {plural(c.requestCount, 'message')} waiting</span>
      </button>
      <RequestActions peerId={c.peerId} />
    </li>
  )
}

/** Requests from strangers first, in their own group; then the conversations, most recent first. */
export function ConversationList (): React.JSX.Element {
  const conversations = useWgt(s => s.conversations)
  const loaded = useWgt(s => s.conversationsLoaded)
  const { requests, chats } = useMemo(() => groupConversations(conversations), [conversations])
  const now = useNow(60_000)
  return (
    <div className='chat-lists'>
      {requests.length > 0 && (
        <section aria-labelledby='chat-requests-title'>
          <h3 id='chat-requests-title' className='chat-group'>Requests <span className='count'>{requests.length}</span></h3>
          <ul className='chat-list' aria-label='Chat requests'>{requests.map(c => <RequestItem key={c.peerId} c={c} now={now} />)}</ul>
        </section>
      )}
      <section aria-labelledby='chat-list-title'>
        <h3 id='chat-list-title' className='chat-group'>Conversations</h3>
        {chats.length === 0
          ? <p className='muted chat-empty'>{loaded ? 'No conversations yet. Start one with New.' : 'Loading…'}</p>
          : <ul className='chat-list' aria-label='Conversations'>{chats.map(c => <ConversationItem key={c.peerId} c={c} now={now} />)}</ul>}
      </section>
    </div>
  )
}
