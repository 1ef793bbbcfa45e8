import { useEffect, useState } from 'react'
import type { ChatMessage } from '../../../shared/api/index.js'
import { useApp, useWgt } from '../app/context.js'
import { PeerName } from '../guard/PeerName.js'
import { useNow } from '../hooks.js'
import { describeError, type HumanError } from '../ui/errors.js'
import { ErrorNotice } from '../ui/ErrorNotice.js'
import { listTime, snippetOf } from './state.js'

/** Typing pauses this long before the node is asked. */
const DEBOUNCE_MS = 250
const RESULTS = 50

type Found = { query: string, messages: ChatMessage[] } | null

/** Search every conversation; a result opens its conversation. The results replace the list while there is a query. */
export function ChatSearch ({ query, onQuery }: { query: string, onQuery: (q: string) => void }): React.JSX.Element {
  return (
    <div className='chat-search' role='search'>
      <label htmlFor='chat-search' className='visually-hidden'>Search messages</label>
      <input id='chat-search' className='input' type='search' placeholder='Search messages' autoComplete='off' value={query}
        onChange={e => { onQuery(e.target.value) }}
        onKeyDown={e => { if (e.key === 'Escape' && query !== '') { e.preventDefault(); onQuery('') } }} />
    </div>
  )
}

export function SearchResults ({ query, onOpen }: { query: string, onOpen: () => void }): React.JSX.Element {
  const { api } = useApp()
  const openConversation = useWgt(s => s.openConversation)
  const [found, setFound] = useState<Found>(null)
  const [error, setError] = useState<HumanError | null>(null)
  const now = useNow(60_000)
  const q = query.trim()

  useEffect(() => {
    if (q === '') return
    let current = true
    const timer = setTimeout(() => {
      api.searchChat(q, { limit: RESULTS }).then(
        messages => { if (current) { setFound({ query: q, messages }); setError(null) } },
        (err: unknown) => { if (current) setError(describeError('chat-search', err)) }
      )
    }, DEBOUNCE_MS)
    return () => { current = false; clearTimeout(timer) }
  }, [api, q])

  const results = found?.query === q ? found.messages : null
  return (
    <section aria-label='Search results' data-testid='chat-search-results'>
      {error != null && <ErrorNotice error={error} compact />}
      {results == null && error == null && <p className='muted chat-empty'>Searching…</p>}
      {results?.length === 0 && <p className='muted chat-empty'>No message contains “{q}”.</p>}
      {results != null && results.length > 0 && (
        <ul className='chat-list' aria-label={`Messages containing ${q}`}>
          {results.map(m => {
            const s = snippetOf(m.file != null && m.text === '' ? m.file.name : m.text, q, 60, 12)
            return (
              <li key={`${m.peerId}/${m.cursor}`}>
                <button type='button' className='chat-item' data-testid='search-result' data-peer-id={m.peerId}
                  onClick={() => { openConversation(m.peerId); onOpen() }}>
                  <span className='chat-item-top'>
                    <PeerName peerId={m.peerId} pill='never' />
                    <span className='muted chat-item-time'>{listTime(m.sentAt, now)}</span>
                  </span>
                  <span className='chat-item-preview chat-snippet'>
                    {m.outgoing && <span className='muted'>You: </span>}{s.before}{s.match !== '' && <mark>{s.match}</mark>}{s.after}
                  </span>
                </button>
              </li>
            )
          })}
        </ul>
      )}
    </section>
  )
}
