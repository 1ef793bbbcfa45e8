/** The chat slice of the API on the chat core. Arguments arrive validated by dispatch(). */
import type { SliceApi, chat } from '../../../shared/api/index.js'
import { parsePeerId } from '../net/peer-id.js'
import type { Chat } from './chat.js'

export function chatApi (c: Chat): SliceApi<typeof chat> {
  const id = (peerId: string): string => parsePeerId(peerId).toString()
  return {
    listConversations: async () => c.list(),
    sendMessage: async (peerId, message) => await c.send(id(peerId), message),
    chatHistory: async (peerId, opts) => await c.history(id(peerId), opts?.before, opts?.limit ?? 50),
    markRead: async (peerId) => await c.markRead(id(peerId)),
    searchChat: async (text, opts) => await c.search(text, opts?.limit ?? 50),
    acceptChat: async (peerId) => await c.accept(id(peerId)),
    declineChat: async (peerId) => { await c.decline(id(peerId)) },
    deleteConversation: async (peerId) => { await c.remove(id(peerId)) }
  }
}
