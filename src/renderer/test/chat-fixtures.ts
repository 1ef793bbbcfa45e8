import type { ChatMessage, Conversation } from '../../shared/api/index.js'

export const BOB = '12D3KooWGzh6Vt6gn7c7bF8m7pCq3rXb4xvLb1kT5c2NwQe9RkYZ'

export function msg (id: string, order: number, over: Partial<ChatMessage> = {}): ChatMessage {
  const m: ChatMessage = {
    id: id.padEnd(32, '0'), peerId: BOB, outgoing: false, text: `m${id}`, file: null, sentAt: 1_700_000_000_000 + order * 1000,
    storedAt: 0, order, cursor: '', state: 'received', via: 'direct', error: null, ...over
  }
  // as the node makes it: order, the sending side (Bob's PeerId sorts before ours: his side is 0), a number
  const pad = (x: number): string => String(x).padStart(15, '0')
  return { ...m, cursor: over.cursor ?? `${pad(m.order)}-${m.outgoing ? 1 : 0}-${pad(m.order)}` }
}

export function conv (peerId: string, over: Partial<Conversation> = {}): Conversation {
  return { peerId, last: null, unread: 0, request: false, requestCount: 0, pending: 0, updatedAt: 1, ...over }
}
