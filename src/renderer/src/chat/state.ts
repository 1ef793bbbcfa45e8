/**
 * The chat part of the UI state as pure functions over plain data: the
 * conversations by PeerId, each open thread's messages in the node's order,
 * the days between them, what the composer may send, search snippets and the
 * in-page notices. Pure, so they are unit-tested.
 */
import { MAX_CHAT_TEXT_BYTES, type Call, type ChatMessage, type ChatNotice, type Conversation, type PeerIdString } from '../../../shared/api/index.js'
import type { HumanError } from '../ui/errors.js'

export type Conversations = Readonly<Record<PeerIdString, Conversation>>

/** One conversation's messages as far as this window has loaded them (oldest first). */
export interface Thread {
  messages: readonly ChatMessage[]
  /** older messages exist on the node */
  more: boolean
  loading: 'latest' | 'older' | null
  error: HumanError | null
}

export const EMPTY_THREAD: Thread = { messages: [], more: false, loading: null, error: null }

/** Messages asked for per history page: a screenful or two, not the whole history. */
export const PAGE_SIZE = 50

export function conversationsFromList (list: readonly Conversation[]): Conversations {
  const out: Record<PeerIdString, Conversation> = {}
  for (const c of list) out[c.peerId] = c
  return out
}

export function withConversation (convs: Conversations, c: Conversation): Conversations {
  return { ...convs, [c.peerId]: c }
}

export function withoutKey<T> (record: Readonly<Record<string, T>>, key: string): Readonly<Record<string, T>> {
  if (!Object.hasOwn(record, key)) return record
  const next = { ...record }
  delete next[key]
  return next
}

/** Requests (strangers waiting for an answer) apart from the conversations; both most recent first. */
export function groupConversations (convs: Conversations): { requests: Conversation[], chats: Conversation[] } {
  const all = Object.values(convs).sort((a, b) => b.updatedAt - a.updatedAt || (a.peerId < b.peerId ? -1 : 1))
  return { requests: all.filter(c => c.request), chats: all.filter(c => !c.request) }
}

/** Unread messages plus requests waiting: the Chat badge (a request counts once, whatever it holds). */
export function chatBadge (s: { conversations: Conversations }): number {
  let n = 0
  for (const c of Object.values(s.conversations)) n += c.request ? 1 : c.unread
  return n
}

/**
 * The node's order, the same on both sides whatever their clocks say: a
 * message's cursor is its place (Lamport order, then the sending side, then
 * its number), and cursors sort as strings.
 */
export function compareMessages (_self: PeerIdString | null): (a: ChatMessage, b: ChatMessage) => number {
  return (a, b) => (a.cursor < b.cursor ? -1 : a.cursor > b.cursor ? 1 : 0)
}

/**
 * Merge messages into a thread by cursor (a later copy replaces an earlier
 * one: its state moved on), in order. Not by id: ids are the sender's choice,
 * so a peer's message must not be able to stand in for another one.
 */
export function withMessages (list: readonly ChatMessage[], more: readonly ChatMessage[], self: PeerIdString | null): readonly ChatMessage[] {
  if (more.length === 0) return list
  const byPlace = new Map(list.map(m => [m.cursor, m]))
  for (const m of more) byPlace.set(m.cursor, m)
  return [...byPlace.values()].sort(compareMessages(self))
}

/** A thread after a history page: `older` pages go before what is loaded, the latest page replaces what was loaded. */
export function withPage (thread: Thread, page: { messages: readonly ChatMessage[], more: boolean }, older: boolean, self: PeerIdString | null): Thread {
  if (older) return { messages: withMessages(thread.messages, page.messages, self), more: page.more, loading: null, error: null }
  // messages newer than the page that arrived while it was asked for stay
  const newest = page.messages.at(-1)
  const cmp = compareMessages(self)
  const later = newest == null ? thread.messages : thread.messages.filter(m => cmp(m, newest) > 0)
  return { messages: withMessages(page.messages, later, self), more: page.more, loading: null, error: null }
}

/** The oldest loaded message's cursor: ask for messages before it. */
export function oldestCursor (thread: Thread): string | null {
  return thread.messages[0]?.cursor ?? null
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

function startOfDay (t: number): number {
  const d = new Date(t)
  return new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime()
}

/** "Today", "Yesterday", "Mon 3 Mar", with the year when it is not this year's. */
export function dayLabel (t: number, now: number): string {
  const days = Math.round((startOfDay(now) - startOfDay(t)) / 86_400_000)
  if (days === 0) return 'Today'
  if (days === 1) return 'Yesterday'
  const d = new Date(t)
  const year = d.getFullYear() === new Date(now).getFullYear() ? '' : ` ${d.getFullYear()}`
  return `${WEEKDAYS[d.getDay()]} ${d.getDate()} ${MONTHS[d.getMonth()]}${year}`
}

export type ThreadItem =
  | { kind: 'day', key: string, label: string }
  | { kind: 'message', key: string, message: ChatMessage }
  | { kind: 'call', key: string, call: Call }

/**
 * The thread as rows: a day separator wherever the sender's date changes
 * (local time), and the conversation's calls among the messages by time.
 */
export function threadItems (messages: readonly ChatMessage[], now: number, calls: readonly Call[] = []): ThreadItem[] {
  const out: ThreadItem[] = []
  let day = Number.NaN
  const byTime = [...calls].sort((a, b) => a.startedAt - b.startedAt)
  let next = 0
  const dayOf = (t: number, key: string): void => {
    const d = startOfDay(t)
    if (d !== day) {
      day = d
      out.push({ kind: 'day', key: `day-${d}-${key}`, label: dayLabel(t, now) })
    }
  }
  const callsUntil = (t: number): void => {
    for (; next < byTime.length && byTime[next].startedAt <= t; next++) {
      const c = byTime[next]
      dayOf(c.startedAt, c.id)
      out.push({ kind: 'call', key: `call-${c.id}`, call: c })
    }
  }
  for (const m of messages) {
    callsUntil(m.sentAt)
    dayOf(m.sentAt, m.cursor)
    out.push({ kind: 'message', key: m.cursor, message: m })
  }
  callsUntil(Infinity)
  return out
}

/** 14:05, in local time. */
export function formatTime (t: number): string {
  const d = new Date(t)
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`
}

/** A conversation's time in the list: the time today, the day otherwise. */
export function listTime (t: number, now: number): string {
  const label = dayLabel(t, now)
  return label === 'Today' ? formatTime(t) : label
}

const encoder = new TextEncoder()

export function utf8Bytes (text: string): number {
  return encoder.encode(text).byteLength
}

export interface ComposerCheck {
  bytes: number
  /** the text is over the limit: sending is refused */
  over: boolean
  /** near the limit: the counter shows */
  showCounter: boolean
  /** there is something to send */
  sendable: boolean
}

/** What the composer may send: the node refuses more than MAX_CHAT_TEXT_BYTES, so the person sees the count first. */
export function checkComposer (text: string, limit = MAX_CHAT_TEXT_BYTES): ComposerCheck {
  const bytes = utf8Bytes(text)
  const over = bytes > limit
  return { bytes, over, showCounter: bytes >= limit * 0.8, sendable: !over && text.trim().length > 0 }
}

/** What the list shows of a conversation's newest message (a file by its name; the list draws the paperclip). */
export function previewOf (m: ChatMessage | null): string {
  if (m == null) return ''
  const body = m.file != null ? `${m.file.name}${m.text.trim() !== '' ? ` ${m.text}` : ''}` : m.text
  const line = body.replace(/\s+/g, ' ').trim()
  return m.outgoing ? `You: ${line}` : line
}

export interface Snippet { before: string, match: string, after: string }

/**
 * The part of a text around the first case-insensitive match of `query`,
 * `radius` characters either side, clipped with an ellipsis. No match (the
 * query matched the file name): the start of the text.
 */
/** `radius` characters around the match, at most `lead` of them before it (a narrow list shows the match, not the text's start). */
export function snippetOf (text: string, query: string, radius = 40, lead = radius): Snippet {
  const flat = text.replace(/\s+/g, ' ')
  const q = query.trim()
  const i = q === '' ? -1 : flat.toLowerCase().indexOf(q.toLowerCase())
  if (i < 0) return { before: flat.length > radius * 2 ? `${flat.slice(0, radius * 2)}…` : flat, match: '', after: '' }
  const start = Math.max(0, i - Math.min(lead, radius))
  const end = Math.min(flat.length, i + q.length + radius)
  return {
    before: (start > 0 ? '…' : '') + flat.slice(start, i),
    match: flat.slice(i, i + q.length),
    after: flat.slice(i + q.length, end) + (end < flat.length ? '…' : '')
  }
}

/** A random message id (32 hex): sending it twice is one message, so a retry never duplicates. */
export function newMessageId (): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16))
  return Array.from(bytes, b => b.toString(16).padStart(2, '0')).join('')
}

/** The manifest id in a wgt://<id>#<key> link: how a file message finds its fetch and its received copy. */
export function linkFileId (link: string): string | null {
  const m = /^wgt:\/\/([^#/?]+)#/.exec(link)
  return m?.[1] ?? null
}

/** A chat notice shown in the page, with a key of its own. */
export interface NoticeItem extends ChatNotice {
  key: string
  at: number
}

/** Notices shown at once; older ones give way. */
export const MAX_NOTICES = 3

/** A new notice on top; one per conversation (the newest), at most MAX_NOTICES. */
export function withNotice (list: readonly NoticeItem[], n: NoticeItem, max = MAX_NOTICES): readonly NoticeItem[] {
  return [n, ...list.filter(x => x.peerId !== n.peerId)].slice(0, max)
}

/** A file being shared into a conversation: upload, share, then the message that carries its link. */
export interface ChatUpload {
  /** the drop's key in the files slice (its upload progress and operation) */
  key: string
  peerId: PeerIdString
  /** chosen up front: a retried send is the same message */
  messageId: string
  name: string
  size: number
  stage: 'sharing' | 'sending' | 'failed'
  error: HumanError | null
}

export function withUpload (list: readonly ChatUpload[], key: string, change: Partial<ChatUpload>): readonly ChatUpload[] {
  const i = list.findIndex(u => u.key === key)
  if (i < 0) return list
  const next = list.slice()
  next[i] = { ...list[i], ...change }
  return next
}
