import { useLayoutEffect, useMemo, useRef } from 'react'
import type { ChatMessage, PeerIdString } from '../../../shared/api/index.js'
import { useApp, useWgt } from '../app/context.js'
import { CallRow, usePeerCalls } from '../calls/CallHistory.js'
import { callsInView } from '../calls/history.js'
import { useNow } from '../hooks.js'
import { ErrorNotice } from '../ui/ErrorNotice.js'
import { loadLatest, loadOlder } from './actions.js'
import { FileMessage } from './FileCards.js'
import { formatTime, threadItems, EMPTY_THREAD } from './state.js'
import { Ticks } from './Ticks.js'

/** Near enough to the top that the older page is asked for. */
const PAGE_AT_PX = 80
/** Near enough to the bottom that a new message keeps the view at the newest. */
const STICK_PX = 48

function Bubble ({ m }: { m: ChatMessage }): React.JSX.Element {
  return (
    <div className={`chat-msg ${m.outgoing ? 'chat-out' : 'chat-in'}`} data-testid='chat-message' data-id={m.id} data-state={m.state} data-outgoing={m.outgoing}>
      <div className='chat-bubble'>
        {m.file != null && <FileMessage m={{ ...m, file: m.file }} />}
        {m.text !== '' && <p className='chat-text'>{m.text}</p>}
        <span className='chat-meta'>
          {/* the node refuses times no Date holds; an invalid one still shows as nothing rather than throwing */}
          {Number.isFinite(new Date(m.sentAt).getTime()) && <time dateTime={new Date(m.sentAt).toISOString()} title={new Date(m.sentAt).toLocaleString()}>{formatTime(m.sentAt)}</time>}
          {m.outgoing && <Ticks state={m.state} />}
        </span>
      </div>
      {m.state === 'failed' && (
        <p className='chat-failed' role='alert' data-testid='chat-failed'>Not sent: {m.error ?? 'the peer refused it'}</p>
      )}
    </div>
  )
}

/**
 * One conversation's messages, oldest at the top: it opens at the newest,
 * stays there as messages arrive (unless the person scrolled up to read),
 * and asks for the older page when scrolled to the top.
 */
export function Messages ({ peerId, footer }: { peerId: PeerIdString, footer?: React.ReactNode }): React.JSX.Element {
  const { api, store } = useApp()
  const thread = useWgt(s => s.threads[peerId]) ?? EMPTY_THREAD
  const loaded = useWgt(s => s.threads[peerId] != null)
  const now = useNow(60_000)
  const { calls, error: callsError } = usePeerCalls(peerId)
  const items = useMemo(() => threadItems(thread.messages, now, callsInView(calls, thread.messages, thread.more)), [thread.messages, now, calls, thread.more])
  const box = useRef<HTMLDivElement>(null)
  const stick = useRef(true)
  const last = useRef<{ peerId: string, first: string | null, height: number }>({ peerId: '', first: null, height: 0 })

  // first time here (or after a reconnect dropped it): the newest page
  useLayoutEffect(() => {
    if (!loaded) void loadLatest(api, store, peerId)
  }, [api, store, peerId, loaded])

  useLayoutEffect(() => {
    const el = box.current
    if (el == null) return
    const first = thread.messages[0]?.id ?? null
    const prev = last.current
    if (prev.peerId !== peerId) {
      stick.current = true
      el.scrollTop = el.scrollHeight
    } else if (prev.first != null && first !== prev.first && el.scrollHeight > prev.height && !stick.current) {
      // an older page went in above: keep the messages being read where they were
      el.scrollTop += el.scrollHeight - prev.height
    } else if (stick.current) {
      el.scrollTop = el.scrollHeight
    }
    last.current = { peerId, first, height: el.scrollHeight }
  })

  const onScroll = (): void => {
    const el = box.current
    if (el == null) return
    stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < STICK_PX
    if (el.scrollTop < PAGE_AT_PX && thread.more && thread.loading == null) void loadOlder(api, store, peerId)
  }

  return (
    <div className='chat-messages' ref={box} onScroll={onScroll} tabIndex={0} role='log' aria-label='Messages' aria-live='polite' data-testid='chat-messages'>
      {thread.more && (
        <div className='chat-older'>
          <button type='button' className='btn btn-small' disabled={thread.loading != null} onClick={() => { void loadOlder(api, store, peerId) }}>
            {thread.loading === 'older' ? 'Loading older messages…' : 'Load older messages'}
          </button>
        </div>
      )}
      {thread.error != null && (
        <div className='chat-older'>
          <ErrorNotice error={thread.error} compact />
          <button type='button' className='btn btn-small' onClick={() => { void (thread.messages.length > 0 ? loadOlder(api, store, peerId) : loadLatest(api, store, peerId)) }}>Try again</button>
        </div>
      )}
      {thread.loading === 'latest' && thread.messages.length === 0 && <p className='muted chat-empty'>Loading messages…</p>}
      {loaded && thread.loading == null && thread.error == null && thread.messages.length === 0 && footer == null && (
        <p className='muted chat-empty'>No messages yet. Write the first one below.</p>
      )}
      {items.map(item => item.kind === 'day'
        ? <div key={item.key} className='chat-day' role='separator'><span>{item.label}</span></div>
        : item.kind === 'call' ? <CallRow key={item.key} call={item.call} /> : <Bubble key={item.key} m={item.message} />)}
      {callsError != null && <ErrorNotice error={callsError} compact />}
      {footer}
    </div>
  )
}
