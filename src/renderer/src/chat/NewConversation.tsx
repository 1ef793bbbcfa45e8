import { useMemo, useState } from 'react'
import { useWgt } from '../app/context.js'
import { shortPeerId } from '../format.js'
import { contactsWith, parseAddTarget } from '../guard/state.js'

/**
 * Start a conversation: pick a contact, or paste a PeerId (an address or a
 * contact link works too: the PeerId in it is taken). It opens empty; it
 * exists on the node from the first message.
 */
export function NewConversation ({ onDone }: { onDone: () => void }): React.JSX.Element {
  const contacts = useWgt(s => s.contacts)
  const self = useWgt(s => s.identity?.peerId ?? null)
  const openConversation = useWgt(s => s.openConversation)
  const list = useMemo(() => contactsWith(contacts, 'contact'), [contacts])
  const [text, setText] = useState('')
  const target = useMemo(() => parseAddTarget(text, self), [text, self])

  const open = (peerId: string): void => { openConversation(peerId); onDone() }

  return (
    <div className='chat-new' data-testid='chat-new'>
      {list.length > 0 && (
        <ul className='chat-list' aria-label='Your contacts'>
          {list.map(c => (
            <li key={c.peerId}>
              <button type='button' className='chat-item chat-item-compact' onClick={() => { open(c.peerId) }} title={c.peerId}>
                {c.nickname != null ? <span className='peer-nick'>{c.nickname}</span> : null} <span className='mono muted'>{shortPeerId(c.peerId)}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      <form className='chat-new-form' onSubmit={e => { e.preventDefault(); if (target.kind === 'ok') open(target.peerId) }} aria-label='Write to a PeerId'>
        <label htmlFor='chat-new-peer' className='visually-hidden'>PeerId to write to</label>
        <input id='chat-new-peer' className='input mono' type='text' spellCheck={false} autoComplete='off' placeholder='or a PeerId (12D3KooW…)'
          value={text} onChange={e => { setText(e.target.value) }} aria-invalid={target.kind === 'invalid'}
          onKeyDown={e => { if (e.key === 'Escape') { e.preventDefault(); onDone() } }} autoFocus={list.length === 0} />
        <button type='submit' className='btn btn-small btn-primary' disabled={target.kind !== 'ok'}>Open</button>
        {target.kind === 'invalid' && <p className='error-text chat-new-error'>{target.reason}</p>}
      </form>
    </div>
  )
}
