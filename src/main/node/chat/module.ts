/**
 * The chat capability (DESIGN.md §7): /wgt/chat/1.0.0, history in the
 * datastore, the outbox, receipts, and the mailbox (/wgt/mailbox/1.0.0),
 * where messages to an absent contact wait sealed on other peers. Guard's
 * chat policy decides who may write (a stranger's messages under 'contacts'
 * arrive as a request); its storage policy decides who may leave sealed
 * messages with this node, within the mailbox store's quotas.
 */
import { part, type NodeModule } from '../module.js'
import { GUARD, REPUTATION } from '../guard/module.js'
import { chatApi } from './api.js'
import { Chat } from './chat.js'
import { chatService, type ChatService } from './chat-service.js'
import { Mailbox, mailboxKeys, mailboxService, MailboxStore, type MailboxService } from './mailbox/index.js'
import { ChatStore } from './store.js'

export const CHAT_STORE = part<ChatStore>('chat.store')
const MAILBOX_STORE = part<MailboxStore>('chat.mailbox-store')

export const chatModule: NodeModule = {
  name: 'chat',
  open: async ctx => {
    const guard = ctx.need(GUARD)
    const [store, held] = await Promise.all([
      (async () => { const s = new ChatStore(ctx.datastore, ctx.peerId); await s.load(); return s })(),
      MailboxStore.open(ctx.datastore, { isContact: peer => guard.contacts.trust(peer) === 'contact' })
    ])
    ctx.provide(CHAT_STORE, store)
    ctx.provide(MAILBOX_STORE, held)
  },
  libp2p: ctx => {
    const guard = ctx.need(GUARD)
    const reputation = ctx.need(REPUTATION)
    return {
      services: {
        chat: chatService({ reputation }),
        mailbox: mailboxService({ reputation, store: ctx.need(MAILBOX_STORE), mayDeposit: peer => guard.may(peer, 'storage') })
      }
    }
  },
  start: ctx => {
    const guard = ctx.need(GUARD)
    const mailbox = new Mailbox({
      keys: mailboxKeys(ctx.privateKey),
      selfId: ctx.peerId,
      service: ctx.service<MailboxService>('mailbox'),
      libp2p: ctx.libp2p,
      isContact: peer => guard.contacts.trust(peer) === 'contact'
    })
    const chat = new Chat({
      selfId: ctx.peerId,
      store: ctx.need(CHAT_STORE),
      service: ctx.service<ChatService>('chat'),
      guard,
      libp2p: ctx.libp2p,
      events: ctx.events,
      mailbox,
      mailboxAfterMs: ctx.config.mailboxAfterMs
    })
    chat.start()
    return { api: chatApi(chat), stop: async () => { await chat.stop() } }
  }
}
