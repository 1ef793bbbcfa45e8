import { describe, expect, it } from 'vitest'
import type { ChatMessage, Conversation, HistoryPage, WgtApi, WgtEventMap, WgtEventName } from '../../shared/api/index.js'
import { EventHub } from '../../shared/rpc.js'
import { chatSlice } from '../src/chat/slice.js'
import { createWgtStore } from '../src/app/slices.js'
import { syncStore } from '../src/app/sync.js'
import { VIEWS } from '../src/app/views.js'
import { conv, msg } from './chat-fixtures.js'

const BOB = '12D3KooWGzh6Vt6gn7c7bF8m7pCq3rXb4xvLb1kT5c2NwQe9RkYZ'
const ZED = '12D3KooWZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ'

function fakeChatApi (list: Conversation[], pages: Record<string, HistoryPage>) {
  const hub = new EventHub()
  const calls: Array<[string, unknown]> = []
  const api = {
    on: <E extends WgtEventName>(e: E, l: (d: WgtEventMap[E]) => void) => hub.on(e, l),
    listConversations: async () => list,
    chatHistory: async (peerId: string, opts: unknown) => { calls.push([peerId, opts]); return pages[peerId] ?? { messages: [], more: false } }
  } as unknown as WgtApi
  return { api, hub, calls }
}

describe('the chat slice', () => {
  it('loads the conversations and the open thread\'s newest page, then follows message and conversation events', async () => {
    const f = fakeChatApi([conv(BOB, { unread: 2 }), conv(ZED, { request: true, requestCount: 1 })], { [BOB]: { messages: [msg('1', 1), msg('2', 2)], more: true } })
    const store = createWgtStore()
    store.getState().openConversation(BOB)
    const sync = syncStore(f.api, store, [chatSlice])
    await sync.resync()
    let s = store.getState()
    expect(f.calls).toEqual([[BOB, { limit: 50 }]])
    expect(s.threads[BOB].messages.map(m => m.order)).toEqual([1, 2])
    expect(VIEWS.find(v => v.id === 'chat')?.badge?.(s)).toBe(3)

    // a message for a loaded thread goes in; one for a thread not loaded waits for its first page
    const next: ChatMessage = msg('3', 3)
    f.hub.emit('chat:message', next)
    f.hub.emit('chat:message', msg('9', 9, { peerId: ZED }))
    f.hub.emit('chat:message', { ...msg('2', 2), state: 'read' })
    s = store.getState()
    expect(s.threads[BOB].messages.map(m => [m.order, m.state])).toEqual([[1, 'received'], [2, 'read'], [3, 'received']])
    expect(s.threads[ZED]).toBeUndefined()

    f.hub.emit('chat:conversation', conv(BOB, { unread: 0 }))
    expect(VIEWS.find(v => v.id === 'chat')?.badge?.(store.getState())).toBe(1)
    f.hub.emit('chat:conversation-removed', { peerId: ZED })
    expect(Object.keys(store.getState().conversations)).toEqual([BOB])
    sync.stop()
  })

  it('shows a notice unless that conversation is the one on screen; opening it clears its notice', async () => {
    const f = fakeChatApi([], {})
    const store = createWgtStore()
    const sync = syncStore(f.api, store, [chatSlice])
    await sync.resync()
    // no document here: the page never has the person's attention, so even the open conversation is noticed
    store.getState().showView('chat')
    store.getState().openConversation(BOB)
    f.hub.emit('chat:notice', { peerId: BOB, kind: 'message', preview: 'hi' })
    f.hub.emit('chat:notice', { peerId: ZED, kind: 'request', preview: '' })
    expect(store.getState().chatNotices.map(n => [n.peerId, n.kind])).toEqual([[ZED, 'request'], [BOB, 'message']])
    store.getState().openConversation(ZED)
    expect(store.getState().chatNotices.map(n => n.peerId)).toEqual([BOB])
    store.getState().noticeDismissed(store.getState().chatNotices[0].key)
    expect(store.getState().chatNotices).toEqual([])
    sync.stop()
  })
})
