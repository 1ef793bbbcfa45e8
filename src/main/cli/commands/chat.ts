/** wgt chat list | send | history | search | read | accept | decline: conversations with peers. */
import {
  CURSOR_PATTERN, MAX_CHAT_TEXT_BYTES, MAX_HISTORY_PAGE,
  type ChatMessage, type ChatMessageState, type Contact, type Conversation, type HistoryPage, type ShareResult, type WgtApi
} from '../../../shared/api/index.js'
import { clientCommand } from '../client-command.js'
import { bytes, printable } from '../format.js'
import { absolute, checkPeerId, integer, stringValue, usage } from '../options.js'
import { runOperation } from '../progress.js'
import type { CommandSpec } from './command.js'

/** How much of a message a one-line preview shows, in characters. */
const PREVIEW_CHARS = 60
const MESSAGE_ID = /^[0-9a-f]{32}$/

/** The ticks a chat app draws, in words. */
const STATE_WORDS: Record<ChatMessageState, string> = {
  pending: 'pending',
  sent: 'sent',
  delivered: 'delivered',
  read: 'read',
  failed: 'failed',
  received: 'unread'
}

type Names = ReadonlyMap<string, string>

const list: CommandSpec = clientCommand({
  name: 'chat list',
  summary: 'conversations, newest first',
  usage: '[--data-dir DIR] [--json]',
  description: `List every conversation, most recent first: the peer (with your nickname for it), unread
and pending counts, and a preview of the newest message. A stranger's messages wait as a
request: \`wgt chat accept PEER\` shows them, \`wgt chat decline PEER\` drops them.`,
  parse: ({ dataDir, json }) => ({ kind: 'chat list', dataDir, json }),
  call: async (api) => {
    const [conversations, names] = await Promise.all([api.listConversations(), nicknames(api)])
    return conversations.map(c => ({ ...c, nickname: names.get(c.peerId) ?? null }))
  },
  text: formatConversations
})

const send: CommandSpec = clientCommand({
  name: 'chat send',
  summary: 'send a message (or a file) to a peer',
  usage: 'PEER [TEXT] [--file PATH] [--id ID] [--data-dir DIR] [--json]',
  description: `Send TEXT to PEER and print the message's id and state. The message is stored at once
and goes out when PEER is reachable (state pending, then delivered and read as PEER's
receipts come back; \`wgt chat history PEER\` shows them).
With --file, PATH is shared first (as \`wgt share\` does, with its progress) and the message
carries its link, name and size; TEXT is then optional.
--id makes a retry safe: a message with that id is answered as it stands, never sent twice.`,
  args: [{ name: 'PEER' }, { name: 'TEXT', optional: true }],
  options: [
    { flags: '--file <PATH>', help: 'share this file and send its link' },
    { flags: '--id <ID>', help: 'the message id, 32 lowercase hex characters (default: a new one)' }
  ],
  parse: async ({ args, opts, cwd, dataDir, json }) => {
    await checkPeerId(args[0])
    const text = args[1] ?? ''
    const file = stringValue(opts.file)
    if (file === '') throw usage('--file PATH must not be empty', 'chat send')
    if (text.trim() === '' && file == null) throw usage('a message needs TEXT or --file PATH', 'chat send')
    const size = new TextEncoder().encode(text).byteLength
    if (size > MAX_CHAT_TEXT_BYTES) throw usage(`TEXT is ${size} bytes; a message is at most ${MAX_CHAT_TEXT_BYTES}`, 'chat send')
    const id = stringValue(opts.id)
    if (id != null && !MESSAGE_ID.test(id)) throw usage(`--id must be 32 lowercase hex characters, got ${JSON.stringify(id)}`, 'chat send')
    return { kind: 'chat send', peerId: args[0], text, file: file == null ? undefined : absolute(file, cwd), id, dataDir, json }
  },
  call: async (api, cmd, io) => {
    const path = cmd.file
    let file
    if (path != null) {
      const shared = (await runOperation(api, io, async () => await api.shareFile(path))).result as ShareResult
      file = { link: shared.link, name: shared.name, size: shared.size }
    }
    return await api.sendMessage(cmd.peerId, { text: cmd.text, ...(file != null ? { file } : {}), ...(cmd.id != null ? { id: cmd.id } : {}) })
  },
  text: m => [`${m.id}  ${stateWord(m)}`, ...(m.file != null ? [`file  ${printable(m.file.name)}  ${bytes(m.file.size)}  ${printable(m.file.link)}`] : [])].join('\n')
})

const history: CommandSpec = clientCommand({
  name: 'chat history',
  summary: 'the messages of one conversation, oldest first',
  usage: 'PEER [--limit N] [--before CURSOR] [--data-dir DIR] [--json]',
  description: `Print a page of the conversation with PEER, oldest first: when it was sent (local time),
"out" for yours and "in" for theirs, where it stands (pending, sent, delivered, read or
failed for yours; unread or read for theirs), and the text. When older messages exist the
last line says how to page back (--before CURSOR, the place of the oldest message shown).`,
  args: [{ name: 'PEER' }],
  options: [
    { flags: '--limit <N>', help: `messages per page, 1 to ${MAX_HISTORY_PAGE} (default: the node's)` },
    { flags: '--before <CURSOR>', help: 'only messages before this one (the cursor an earlier page printed)' }
  ],
  parse: async ({ args, opts, dataDir, json }) => {
    await checkPeerId(args[0])
    const limit = integer(stringValue(opts.limit), '--limit', 1, MAX_HISTORY_PAGE)
    const before = stringValue(opts.before)
    if (before != null && !CURSOR_PATTERN.test(before)) throw usage(`--before takes a message cursor (like 000000000000012-0-000000000000003), not ${JSON.stringify(before.slice(0, 40))}`, 'chat history')
    return { kind: 'chat history', peerId: args[0], limit, before, dataDir, json }
  },
  call: async (api, cmd) => {
    const page = await api.chatHistory(cmd.peerId, { ...(cmd.limit != null ? { limit: cmd.limit } : {}), ...(cmd.before != null ? { before: cmd.before } : {}) })
    return { page, peerId: cmd.peerId as string }
  },
  json: r => r.page,
  text: r => formatHistory(r.page, r.peerId)
})

const search: CommandSpec = clientCommand({
  name: 'chat search',
  summary: 'find messages by text or file name',
  usage: 'TEXT [--limit N] [--data-dir DIR] [--json]',
  description: 'Find messages in every conversation whose text or file name contains TEXT (ignoring case), newest first.',
  args: [{ name: 'TEXT' }],
  options: [{ flags: '--limit <N>', help: `most results, 1 to ${MAX_HISTORY_PAGE} (default: the node's)` }],
  parse: ({ args, opts, dataDir, json }) => {
    const text = args[0].trim()
    if (text === '' || text.length > 256) throw usage('TEXT must be 1 to 256 characters', 'chat search')
    return { kind: 'chat search', text, limit: integer(stringValue(opts.limit), '--limit', 1, MAX_HISTORY_PAGE), dataDir, json }
  },
  call: async (api, cmd) => {
    const [messages, names] = await Promise.all([api.searchChat(cmd.text, cmd.limit != null ? { limit: cmd.limit } : undefined), nicknames(api)])
    return { messages, names }
  },
  json: r => r.messages,
  text: r => r.messages.length === 0 ? 'no messages found' : r.messages.map(m => `${who(m.peerId, r.names)}\n${messageLine(m).replace(/^/gm, '  ')}`).join('\n')
})

/** read, accept, decline: one PEER, and what became of the conversation */
function peerAction<R> (name: string, summary: string, description: string, act: (api: WgtApi, peerId: string) => Promise<R>, text: (r: R, peerId: string) => string): CommandSpec {
  return clientCommand({
    name: `chat ${name}`,
    summary,
    usage: 'PEER [--data-dir DIR] [--json]',
    description,
    args: [{ name: 'PEER' }],
    parse: async ({ args, dataDir, json }) => {
      await checkPeerId(args[0])
      return { kind: `chat ${name}`, peerId: args[0], dataDir, json }
    },
    call: async (api, cmd) => ({ peerId: cmd.peerId as string, result: await act(api, cmd.peerId) }),
    json: r => r.result ?? { peerId: r.peerId, done: name },
    text: r => text(r.result, r.peerId)
  })
}

const read = peerAction('read', 'mark a conversation read',
  'Mark the conversation with PEER read up to its newest message; PEER gets a read receipt.',
  async (api, p) => await api.markRead(p), c => `${c.peerId}  read (${c.unread} unread)`)
const accept = peerAction('accept', 'accept a stranger\'s chat request',
  'Accept PEER\'s chat request: the messages it held become a conversation, and PEER may go on writing.',
  async (api, p) => await api.acceptChat(p), c => `${c.peerId}  accepted (${c.unread} unread: \`wgt chat history ${c.peerId}\` shows them)`)
const decline = peerAction('decline', 'decline a stranger\'s chat request',
  'Decline PEER\'s chat request and drop the messages it held.',
  async (api, p) => { await api.declineChat(p) }, (_r, p) => `${p}  declined`)

export const chatCommands: CommandSpec[] = [list, send, history, search, read, accept, decline]

/** Your nickname for each peer that has one (contacts and requests). */
async function nicknames (api: WgtApi): Promise<Names> {
  const contacts: Contact[] = await api.listContacts()
  return new Map(contacts.flatMap(c => c.nickname != null ? [[c.peerId, c.nickname] as const] : []))
}

function who (peerId: string, names: Names): string {
  const name = names.get(peerId)
  return name != null ? `${printable(name)}  ${peerId}` : peerId
}

/** Local time, to the second: a conversation is read as a person lived it. */
export function localTime (ms: number): string {
  const d = new Date(ms)
  const two = (n: number): string => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`
}

function stateWord (m: ChatMessage): string {
  return m.state === 'failed' && m.error != null ? `failed: ${printable(m.error)}` : STATE_WORDS[m.state]
}

/** One line of a message: a file, then its first line of text, shortened. */
function preview (m: ChatMessage): string {
  const first = m.text.split(/\r?\n/, 1)[0]
  const chars = [...first]
  const text = chars.length > PREVIEW_CHARS ? `${chars.slice(0, PREVIEW_CHARS - 1).join('')}…` : first
  const file = m.file != null ? `[file ${m.file.name}]` : ''
  return printable([file, text].filter(s => s !== '').join(' '))
}

export function formatConversations (list: Array<Conversation & { nickname: string | null }>): string {
  if (list.length === 0) return 'no conversations yet: start one with `wgt chat send PEER TEXT`'
  return list.map(c => {
    const counts = c.request
      ? [`REQUEST (${c.requestCount} message${c.requestCount === 1 ? '' : 's'} waiting)`]
      : [c.unread > 0 ? `${c.unread} unread` : '', c.pending > 0 ? `${c.pending} pending` : ''].filter(s => s !== '')
    const head = [c.nickname != null ? `${printable(c.nickname)}  ${c.peerId}` : c.peerId, ...counts, localTime(c.updatedAt)].join('  ')
    const last = c.request
      ? `  wants to chat: \`wgt chat accept ${c.peerId}\` or \`wgt chat decline ${c.peerId}\``
      : c.last != null ? `  ${c.last.outgoing ? 'you: ' : ''}${preview(c.last)}` : ''
    return last !== '' ? `${head}\n${last}` : head
  }).join('\n')
}

/**
 * One message: time, direction, state, then its text. Each line of a
 * many-line message is indented under the first, so a peer's text can
 * never pass for another message; anything else that could break or
 * reorder a line, or drive the terminal, is made visible by printable.
 */
export function messageLine (m: ChatMessage): string {
  const head = `${localTime(m.sentAt)}  ${m.outgoing ? 'out' : 'in '}  ${stateWord(m).padEnd(9)}`
  const indent = ' '.repeat(head.length + 2)
  const lines = m.text === '' ? [] : m.text.split(/\r?\n/).map(printable)
  if (m.file != null) lines.unshift(`[file ${printable(m.file.name)}  ${bytes(m.file.size)}  ${printable(m.file.link)}]`)
  return `${head}  ${lines.join(`\n${indent}`)}`
}

export function formatHistory (page: HistoryPage, peerId: string): string {
  if (page.messages.length === 0) return 'no messages'
  const lines = page.messages.map(messageLine)
  if (page.more) lines.push(`(older messages: wgt chat history ${peerId} --before ${page.messages[0].cursor})`)
  return lines.join('\n')
}
