import { useState } from 'react'
import { useWgt } from '../app/context.js'
import { ChatSearch, SearchResults } from './ChatSearch.js'
import { ConversationList } from './ConversationList.js'
import { NewConversation } from './NewConversation.js'
import { ThreadPane } from './ThreadPane.js'

/** Conversations on the left (or search results, or the new-conversation picker), the open one on the right. */
export function ChatView (): React.JSX.Element {
  const open = useWgt(s => s.chatOpen)
  const [query, setQuery] = useState('')
  const [picking, setPicking] = useState(false)
  return (
    <div className='card chat' data-testid='chat'>
      <aside className='chat-side' aria-label='Conversations'>
        <div className='chat-side-head'>
          <h2>Chat</h2>
          <button type='button' className='btn btn-small' aria-expanded={picking} onClick={() => { setPicking(p => !p) }}>
            {picking ? 'Close' : 'New'}
          </button>
        </div>
        <ChatSearch query={query} onQuery={setQuery} />
        {picking && <NewConversation onDone={() => { setPicking(false) }} />}
        {query.trim() !== '' ? <SearchResults query={query} onOpen={() => { setQuery('') }} /> : <ConversationList />}
      </aside>
      {open != null
        ? <ThreadPane key={open} peerId={open} />
        : (
          <section className='chat-thread chat-none'>
            <p className='muted'>Pick a conversation, or start one with New.</p>
            <p className='muted'>Messages to a peer that is away wait here until it is back; to a contact they are also left sealed with other peers, so they arrive even if you are offline by then.</p>
          </section>)}
    </div>
  )
}
