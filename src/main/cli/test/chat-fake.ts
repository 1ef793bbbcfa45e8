/**
 * The chat surface of a stand-in node, for the CLI tests: conversations and
 * messages the test sets, a send that stores a 'pending' message (by its id,
 * once), history pages by order, a substring search, and the file sharing of
 * files-fake.ts for `chat send --file`. Every call is recorded.
 */
import { randomBytes } from 'node:crypto'
import type { ChatMessage, Contact, Conversation } from '../../../shared/api/index.js'
import { WgtError } from '../../../shared/errors.js'
import { fakeFilesApi, type FakeFiles } from './files-fake.js'

export const ALICE = '12D3KooWRBy97UB99e3J6hiPesre1MZeuNQvfan4gBziswrRJsNK'
export const BOB = '12D3KooWJWoaqZhDaoEFshF7Rh1bpY9ohihFhzcW6d69Lr2NASuq'

export interface FakeChat extends FakeFiles {
  conversations: Conversation[]
  messages: ChatMessage[]
  contacts: Contact[]
}

export function message (fields: Partial<ChatMessage> & Pick<ChatMessage, 'peerId' | 'order'>): ChatMessage {
  return {
    id: randomBytes(16).toString('hex'),
    outgoing: false,
    text: '',
    file: null,
    sentAt: 0,
    storedAt: 0,
    state: 'received',
    via: 'direct',
    error: null,
    // the node's place of a message: order, side, number (here the order again)
    cursor: `${String(fields.order).padStart(15, '0')}-${fields.outgoing === true ? 1 : 0}-${String(fields.order).padStart(15, '0')}`,
    ...fields
  }
}

export function conversation (fields: Partial<Conversation> & Pick<Conversation, 'peerId'>): Conversation {
  return { last: null, unread: 0, request: false, requestCount: 0, pending: 0, updatedAt: 0, ...fields }
}

export function fakeChatApi (downloadDir: string): FakeChat {
  const find = (peerId: string): Conversation => {
    const c = fake.conversations.find(c => c.peerId === peerId)
    if (c == null) throw new WgtError('NOT_FOUND', `no conversation with ${peerId}`)
    return c
  }
  const node = fakeFilesApi(downloadDir, {
    listContacts: async () => fake.contacts,
    listConversations: async () => fake.conversations,
    sendMessage: async (peerId, { text, file, id }) => {
      const known = fake.messages.find(m => m.id === id)
      if (known != null) return known
      const order = Math.max(0, ...fake.messages.filter(m => m.peerId === peerId).map(m => m.order)) + 1
      const sent = message({ peerId, order, outgoing: true, text, file: file ?? null, state: 'pending', sentAt: Date.now(), via: null, ...(id != null ? { id } : {}) })
      fake.messages.push(sent)
      return sent
    },
    chatHistory: async (peerId, options) => {
      const older = fake.messages
        .filter(m => m.peerId === peerId && (options?.before == null || m.cursor < options.before))
        .sort((a, b) => a.order - b.order)
      const limit = options?.limit ?? 50
      return { messages: older.slice(-limit), more: older.length > limit }
    },
    searchChat: async (text, options) => fake.messages
      .filter(m => m.text.toLowerCase().includes(text.toLowerCase()))
      .sort((a, b) => b.order - a.order)
      .slice(0, options?.limit ?? 50),
    markRead: async (peerId) => ({ ...find(peerId), unread: 0 }),
    acceptChat: async (peerId) => ({ ...find(peerId), request: false, requestCount: 0 }),
    declineChat: async (peerId) => { find(peerId) }
  })
  // the same object files-fake.ts reads its own fields from
  const fake: FakeChat = Object.assign(node, { conversations: [], messages: [], contacts: [] })
  return fake
}
