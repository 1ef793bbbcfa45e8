import { useEffect, useRef } from 'react'
import { useWgt } from '../app/context.js'
import { PeerName } from '../guard/PeerName.js'
import type { NoticeItem } from './state.js'

/** How long a notice stays, while the pointer or the focus is not on it. */
const SHOW_MS = 8000

function Notice ({ n }: { n: NoticeItem }): React.JSX.Element {
  const dismiss = useWgt(s => s.noticeDismissed)
  const openConversation = useWgt(s => s.openConversation)
  const showView = useWgt(s => s.showView)
  const held = useRef(false)

  useEffect(() => {
    const timer = setInterval(() => { if (!held.current && Date.now() - n.at > SHOW_MS) dismiss(n.key) }, 500)
    return () => { clearInterval(timer) }
  }, [n.key, n.at, dismiss])

  const open = (): void => { showView('chat'); openConversation(n.peerId); dismiss(n.key) }
  const hold = (on: boolean) => () => { held.current = on }
  return (
    <li className='toast' data-testid='chat-notice' data-peer-id={n.peerId}
      onMouseEnter={hold(true)} onMouseLeave={hold(false)} onFocus={hold(true)} onBlur={hold(false)}
      onKeyDown={e => { if (e.key === 'Escape') { e.preventDefault(); dismiss(n.key) } }}>
      <button type='button' className='toast-body' onClick={open}>
        <span className='toast-title'>
          {n.kind === 'request' ? <>Chat request from <PeerName peerId={n.peerId} pill='never' /></> : <>Message from <PeerName peerId={n.peerId} pill='never' /></>}
        </span>
        {n.preview !== '' && <span className='toast-preview'>{n.preview}</span>}
      </button>
      <button type='button' className='btn btn-small btn-ghost' onClick={() => { dismiss(n.key) }} aria-label='Dismiss this notice' title='Dismiss (Esc)'>✕</button>
    </li>
  )
}

/**
 * New messages and requests in conversations not on screen, as a small stack
 * in the corner of every view: a click opens the conversation, Escape or ✕
 * dismisses, and each goes by itself after a few seconds.
 */
export function ChatNotices (): React.JSX.Element | null {
  const notices = useWgt(s => s.chatNotices)
  return (
    <ol className='toasts' aria-live='polite' aria-label='Chat notices'>
      {notices.map(n => <Notice key={n.key} n={n} />)}
    </ol>
  )
}
