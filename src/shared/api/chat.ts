/**
 * chat: conversations between peers (DESIGN.md §7), as Jami, Briar and
 * Matrix clients keep them. A conversation is named by the other peer's
 * PeerId. Messages have a random id chosen by the sender (sending the same id
 * twice is one message), the sender's clock for display, and a Lamport
 * `order` that sorts the conversation the same way on both sides whatever
 * their clocks say. Receipts are "up to here" markers, delivered and read.
 * A message to a peer that is away waits in the outbox and, for a contact,
 * is also sealed to the peer's key and left with a few other peers (the
 * mailbox), so it arrives even if the sender is gone by then. Under the
 * 'contacts' chat policy a stranger's messages arrive as a request: the user
 * sees who asks, not what they wrote, until they accept.
 */
import { carries, method, returns } from './define.js'
import type { PeerIdString } from './net.js'
import { linkSchema, peerIdSchema } from './schemas.js'

/** Longest message text, in UTF-8 bytes (the wire checks the same bound). */
export const MAX_CHAT_TEXT_BYTES = 8192
/** Most messages one history page returns. */
export const MAX_HISTORY_PAGE = 500

/** A file shared into a conversation: the link fetches it. */
export interface ChatFile {
  link: string
  name: string
  size: number
}

/**
 * Where a message stands:
 * - outgoing: 'pending' (in the outbox), 'sent' (left in peers' mailboxes, not
 *   yet confirmed by the recipient), 'delivered', 'read', or 'failed' (the
 *   peer refuses chat from us; `error` says why);
 * - incoming: 'received' or 'read' (by us).
 */
export type ChatMessageState = 'pending' | 'sent' | 'delivered' | 'read' | 'failed' | 'received'

export interface ChatMessage {
  /** 32 hex characters, chosen by the sender */
  id: string
  /** the conversation: the other peer */
  peerId: PeerIdString
  outgoing: boolean
  text: string
  file: ChatFile | null
  /** the sender's clock, ms since epoch (shown, never used for order) */
  sentAt: number
  /** this node's clock when it stored the message */
  storedAt: number
  /** Lamport order within the conversation (both sides sort by it, then by sender, then by number) */
  order: number
  /** the message's place in the conversation: give it as `before` to page back from it */
  cursor: string
  state: ChatMessageState
  /** how an incoming message came: straight from the sender, or from a mailbox */
  via: 'direct' | 'mailbox' | null
  error: string | null
}

export interface Conversation {
  peerId: PeerIdString
  /** the newest message (null for a request, whose content stays hidden until accepted) */
  last: ChatMessage | null
  /** incoming messages not read yet */
  unread: number
  /** a stranger's messages held as a request: accept to read them, decline to drop them */
  request: boolean
  /** messages from that stranger waiting (requests only) */
  requestCount: number
  /** outgoing messages not confirmed delivered */
  pending: number
  updatedAt: number
}

export interface HistoryPage {
  /** oldest first */
  messages: ChatMessage[]
  /** older messages exist: ask again with before = messages[0].cursor */
  more: boolean
}

export interface ChatNotice {
  peerId: PeerIdString
  kind: 'message' | 'request'
  /** the message text for a message (a file's name for a file); empty for a request */
  preview: string
}

const textSchema = (z: Parameters<typeof peerIdSchema>[0]) => z.string().max(MAX_CHAT_TEXT_BYTES)
  .refine(s => new TextEncoder().encode(s).byteLength <= MAX_CHAT_TEXT_BYTES, `a message is at most ${MAX_CHAT_TEXT_BYTES} bytes`)
const fileSchema = (z: Parameters<typeof peerIdSchema>[0]) => z.object({
  link: linkSchema(z),
  name: z.string().min(1).max(255).refine(s => !/[\p{Cc}/\\\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u.test(s), 'not a file name'),
  size: z.number().int().min(0).max(2 ** 53 - 1)
}).strict()
export const CURSOR_PATTERN = /^\d{15}-[01]-\d{15}$/
const cursorSchema = (z: Parameters<typeof peerIdSchema>[0]) => z.string().regex(CURSOR_PATTERN, 'not a message cursor')
export const messageIdSchema = (z: Parameters<typeof peerIdSchema>[0]) => z.string().regex(/^[0-9a-f]{32}$/, 'a message id is 32 lowercase hex characters')

export const chat = {
  name: 'chat',
  methods: {
    /** every conversation, most recent first */
    listConversations: method({ args: z => z.tuple([]), result: returns<Conversation[]>() }),
    /**
     * Store the message and send it (answers at once with state 'pending').
     * Give `id` to make a retried call idempotent: a message with that id is
     * answered as it stands, never sent twice.
     */
    sendMessage: method({
      args: z => z.tuple([peerIdSchema(z), z.object({ text: textSchema(z), file: fileSchema(z).optional(), id: messageIdSchema(z).optional() }).strict()
        .refine(m => m.text.trim().length > 0 || m.file != null, 'a message needs text or a file')]),
      result: returns<ChatMessage>()
    }),
    /** a page of one conversation, newest last; `before` (a message's cursor) pages back from that message */
    chatHistory: method({
      args: z => z.tuple([peerIdSchema(z), z.object({
        before: cursorSchema(z).optional(),
        limit: z.number().int().min(1).max(MAX_HISTORY_PAGE).optional()
      }).strict().optional()]),
      result: returns<HistoryPage>()
    }),
    /** mark the conversation read up to its newest message and tell the peer */
    markRead: method({ args: z => z.tuple([peerIdSchema(z)]), result: returns<Conversation>() }),
    /** messages whose text or file name contains `text` (case-insensitive), newest first */
    searchChat: method({
      args: z => z.tuple([z.string().trim().min(1).max(256), z.object({ limit: z.number().int().min(1).max(MAX_HISTORY_PAGE).optional() }).strict().optional()]),
      result: returns<ChatMessage[]>()
    }),
    /** take a stranger's request: its messages become a conversation, and the peer may go on writing */
    acceptChat: method({ args: z => z.tuple([peerIdSchema(z)]), result: returns<Conversation>() }),
    /** drop a stranger's request and the messages it held */
    declineChat: method({ args: z => z.tuple([peerIdSchema(z)]), result: returns<void>() }),
    /** delete a conversation and its history on this node */
    deleteConversation: method({ args: z => z.tuple([peerIdSchema(z)]), result: returns<void>() })
  },
  events: {
    /** a message arrived, or one of ours changed state */
    'chat:message': carries<ChatMessage>(),
    'chat:conversation': carries<Conversation>(),
    'chat:conversation-removed': carries<{ peerId: PeerIdString }>(),
    /** something a person should be told about (an OS notification, an in-page notice) */
    'chat:notice': carries<ChatNotice>()
  }
} as const
