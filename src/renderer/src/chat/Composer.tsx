import { useEffect, useMemo, useRef, useState } from 'react'
import { MAX_CHAT_TEXT_BYTES, type PeerIdString } from '../../../shared/api/index.js'
import { useApp } from '../app/context.js'
import { formatCount } from '../format.js'
import { ErrorNotice } from '../ui/ErrorNotice.js'
import { useAction } from '../ui/useAction.js'
import { sendFiles, sendText } from './actions.js'
import { PaperclipIcon } from './icons.js'
import { checkComposer, newMessageId } from './state.js'

/** What was typed but not sent, per conversation, for as long as this window lives. */
const drafts = new Map<PeerIdString, string>()

/** Lines the field grows to before it scrolls. */
const MAX_ROWS = 6

/**
 * Enter sends, Shift+Enter starts a new line; the paperclip shares files into
 * the conversation. `disabled` says why nothing can be sent (a request not
 * accepted, a blocked peer).
 */
export function Composer ({ peerId, name, disabled }: { peerId: PeerIdString, name: string, disabled: string | null }): React.JSX.Element {
  const deps = useApp()
  const [text, setText] = useState(() => drafts.get(peerId) ?? '')
  const check = useMemo(() => checkComposer(text), [text])
  const { busy, error, run, clear } = useAction()
  const field = useRef<HTMLTextAreaElement>(null)
  const picker = useRef<HTMLInputElement>(null)
  // the id of a send that failed, with its text: sending the same text again is the same message
  const retry = useRef<{ text: string, id: string } | null>(null)

  useEffect(() => { drafts.set(peerId, text) }, [peerId, text])

  // grow with the text up to MAX_ROWS lines
  useEffect(() => {
    const el = field.current
    if (el == null) return
    el.style.height = 'auto'
    const line = parseFloat(getComputedStyle(el).lineHeight) || 18
    el.style.height = `${Math.min(el.scrollHeight, line * MAX_ROWS + 14)}px`
  }, [text])

  const send = (): void => {
    if (disabled != null || !check.sendable || busy) return
    const id = retry.current?.text === text ? retry.current.id : newMessageId()
    retry.current = { text, id }
    void run('chat-send', async () => {
      await sendText(deps.api, deps.store, peerId, text, id)
      retry.current = null
      setText('')
    })
  }

  const counterId = `composer-count-${peerId}`
  return (
    <form className='composer' aria-label={`Write to ${name}`} onSubmit={e => { e.preventDefault(); send() }}>
      {error != null && <ErrorNotice error={error} compact onDismiss={clear} />}
      {disabled != null && <p className='muted composer-reason' data-testid='composer-reason'>{disabled}</p>}
      <div className='composer-row'>
        <input ref={picker} type='file' multiple hidden data-testid='chat-file-input'
          onChange={e => {
            const files = Array.from(e.target.files ?? [])
            e.target.value = '' // the same file can be picked again
            if (files.length > 0) void sendFiles(deps, peerId, files)
          }} />
        <button type='button' className='btn composer-attach' disabled={disabled != null} onClick={() => { picker.current?.click() }}
          aria-label={`Share files with ${name}`} title='Share files into this conversation'>
          <PaperclipIcon size={16} />
        </button>
        <textarea ref={field} className='input composer-field' rows={1} value={text} disabled={disabled != null}
          placeholder={disabled != null ? '' : 'Write a message — Enter sends, Shift+Enter for a new line'}
          aria-label={`Message to ${name}`} aria-invalid={check.over} aria-describedby={check.showCounter ? counterId : undefined}
          onChange={e => { setText(e.target.value); clear() }}
          onKeyDown={e => {
            if (e.key !== 'Enter' || e.shiftKey || e.nativeEvent.isComposing) return
            e.preventDefault()
            send()
          }} />
        <button type='submit' className='btn btn-primary' disabled={disabled != null || !check.sendable || busy}>{busy ? 'Sending…' : 'Send'}</button>
      </div>
      {check.showCounter && (
        <p id={counterId} className={`composer-count ${check.over ? 'error-text' : 'muted'}`} data-testid='composer-count' aria-live='polite'>
          {formatCount(check.bytes)} of {formatCount(MAX_CHAT_TEXT_BYTES)} bytes{check.over ? ' — too long to send: shorten it, or share it as a file' : ''}
        </p>
      )}
    </form>
  )
}
