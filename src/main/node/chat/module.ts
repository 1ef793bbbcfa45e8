/**
 * The chat capability (DESIGN.md §7): /wgt/chat/1.0.0, history in the
 * datastore, the outbox, receipts, and the mailbox, where messages to an
 * absent contact wait sealed on other peers. Guard's chat policy decides who
 * may write; a stranger's messages under 'contacts' arrive as a request.
 */
import { part, type NodeModule } from '../module.js'
import { GUARD, REPUTATION } from '../guard/module.js'
import { chatApi } from './api.js'
import { Chat } from './chat.js'
import { chatService, type ChatService } from './chat-service.js'
import { ChatStore } from './store.js'

export const CHAT_STORE = part<ChatStore>('chat.store')

export const chatModule: NodeModule = {
  name: 'chat',
  open: async ctx => {
    const store = new ChatStore(ctx.datastore, ctx.peerId)
    await store.load()
    ctx.provide(CHAT_STORE, store)
  },
  libp2p: ctx => ({
    services: { chat: chatService({ reputation: ctx.need(REPUTATION) }) }
  }),
  start: ctx => {
    const chat = new Chat({
      selfId: ctx.peerId,
      store: ctx.need(CHAT_STORE),
      service: ctx.service<ChatService>('chat'),
      guard: ctx.need(GUARD),
      libp2p: ctx.libp2p,
      events: ctx.events,
      mailbox: null
    })
    chat.start()
    return { api: chatApi(chat), stop: async () => { await chat.stop() } }
  }
}
