/**
 * Chat history in the datastore, so it survives restarts (DESIGN.md §7).
 *
 *   /wgt/chat/c/<peer>                       the conversation's record (counters, markers, last message)
 *   /wgt/chat/m/<peer>/<order>-<side>-<n>    one message; keys sort in conversation order
 *   /wgt/chat/id/<peer>/<id>                 every message by id: a retried send is answered, not repeated, and a peer cannot reuse an id
 *   /wgt/chat/o/<peer>/<n>                   our messages by number, for the outbox and receipts
 *
 * Numbers are zero-padded so the datastore's key order is the conversation's
 * order: (Lamport order, then the sender's side, then n). <side> is 0 for the
 * peer whose PeerId sorts first, so both ends sort a conversation alike.
 * A page is a reverse range of keys (key-range.ts) and the values of that
 * page alone, so the first page of a long history costs what any page does.
 * Delivered and read states of our messages are not stored per message: they
 * follow from the conversation's markers, so a receipt is one write.
 */
import { randomBytes } from 'node:crypto'
import { Key, type Datastore } from 'interface-datastore'
import type { ChatFile, ChatMessage, ChatMessageState, Conversation } from '../../../shared/api/index.js'
import { keyRange, type KeyRange } from './key-range.js'

const encoder = new TextEncoder()
const decoder = new TextDecoder()
const CONVERSATIONS = '/wgt/chat/c/'
const MESSAGES = '/wgt/chat/m/'
const IDS = '/wgt/chat/id/'
const NUMBERS = '/wgt/chat/o/'

/** What is stored per message; delivered/read come from the markers. */
export interface StoredMessage {
  id: string
  out: boolean
  n: number
  order: number
  sentAt: number
  storedAt: number
  text: string
  file: ChatFile | null
  /** outgoing: pending (outbox), sent (left in mailboxes), failed (refused); incoming: received */
  state: 'pending' | 'sent' | 'failed' | 'received'
  via: 'direct' | 'mailbox' | null
  error: string | null
  /** when it was last left in mailboxes */
  leftAt?: number
}

export interface ConversationRecord {
  peerId: string
  /** highest Lamport order seen in the conversation */
  clock: number
  /** n of our next message */
  nextOut: number
  /** their messages 1..inContig are here */
  inContig: number
  /** their messages here above inContig (sorted; a gap below each) */
  inSeen: number[]
  /** our messages up to here reached them / were read by them (their receipts) */
  peerDelivered: number
  peerRead: number
  /** their messages up to here were read by the user */
  ourRead: number
  /** the markers we last told them */
  deliveredSent: number
  readSent: number
  unread: number
  /** a stranger's messages, held: content hidden until accepted */
  request: boolean
  requestCount: number
  /** the user wrote to them or accepted their request: their messages are welcome whatever the policy says of strangers */
  accepted: boolean
  last: StoredMessage | null
  updatedAt: number
  /** new each time the history is cleared: work that began before (a reply, a deposit) must not write old copies back */
  epoch: string
  /** the user deleted the conversation: not listed until a message comes or goes */
  hidden: boolean
  /** the user declined this stranger's request: while a stranger, it is refused */
  declined: boolean
}

export function newRecord (peerId: string, now: number): ConversationRecord {
  return { peerId, clock: 0, nextOut: 1, inContig: 0, inSeen: [], peerDelivered: 0, peerRead: 0, ourRead: 0, deliveredSent: 0, readSent: 0, unread: 0, request: false, requestCount: 0, accepted: false, last: null, updatedAt: now, epoch: newEpoch(), hidden: false, declined: false }
}

function newEpoch (): string {
  return randomBytes(8).toString('hex')
}

const pad = (x: number, width: number): string => x.toString().padStart(width, '0')

export class ChatStore {
  private readonly records = new Map<string, ConversationRecord>()
  private readonly range: KeyRange

  constructor (private readonly datastore: Datastore, private readonly selfId: string) {
    this.range = keyRange(datastore)
  }

  async load (): Promise<void> {
    for await (const { key, value } of this.datastore.query({ prefix: CONVERSATIONS })) {
      try {
        const r = JSON.parse(decoder.decode(value)) as ConversationRecord
        if (typeof r.peerId !== 'string' || !Number.isSafeInteger(r.nextOut)) throw new Error('not a conversation record')
        this.records.set(r.peerId, { ...r, epoch: typeof r.epoch === 'string' ? r.epoch : newEpoch(), hidden: r.hidden === true, declined: r.declined === true })
      } catch {
        await this.datastore.delete(key)
      }
    }
  }

  record (peerId: string): ConversationRecord | undefined {
    return this.records.get(peerId)
  }

  all (): ConversationRecord[] {
    return [...this.records.values()]
  }

  /** The key of a message, after the conversation's prefix. */
  messageKey (peerId: string, m: Pick<StoredMessage, 'out' | 'order' | 'n'>): string {
    const sender = m.out ? this.selfId : peerId
    const other = m.out ? peerId : this.selfId
    return `${pad(m.order, 15)}-${sender < other ? 0 : 1}-${pad(m.n, 15)}`
  }

  /** Write the record and new or changed messages in one batch. */
  async save (record: ConversationRecord, messages: readonly StoredMessage[] = []): Promise<void> {
    const batch = this.datastore.batch()
    for (const m of messages) {
      const k = this.messageKey(record.peerId, m)
      batch.put(new Key(MESSAGES + record.peerId + '/' + k), encoder.encode(JSON.stringify(m)))
      if (m.out) {
        batch.put(new Key(NUMBERS + record.peerId + '/' + pad(m.n, 15)), encoder.encode(k))
      }
      batch.put(new Key(IDS + record.peerId + '/' + m.id), encoder.encode(k))
    }
    batch.put(new Key(CONVERSATIONS + record.peerId), encoder.encode(JSON.stringify(record)))
    await batch.commit()
    this.records.set(record.peerId, record)
  }

  async message (peerId: string, key: string): Promise<StoredMessage | null> {
    try {
      return JSON.parse(decoder.decode(await this.datastore.get(new Key(MESSAGES + peerId + '/' + key)))) as StoredMessage
    } catch {
      return null
    }
  }

  /** The message with this id (ours or the peer's), if one was stored. */
  async byId (peerId: string, id: string): Promise<StoredMessage | null> {
    try {
      const key = decoder.decode(await this.datastore.get(new Key(IDS + peerId + '/' + id)))
      return await this.message(peerId, key)
    } catch {
      return null
    }
  }

  /** Our messages numbered from..to (inclusive), as many as exist, in order. */
  async outgoing (peerId: string, from: number, to: number, limit: number): Promise<StoredMessage[]> {
    const out: StoredMessage[] = []
    for (let n = from; n <= to && out.length < limit; n++) {
      let key: string
      try {
        key = decoder.decode(await this.datastore.get(new Key(NUMBERS + peerId + '/' + pad(n, 15))))
      } catch {
        continue
      }
      const m = await this.message(peerId, key)
      if (m != null) out.push(m)
    }
    return out
  }

  /** Up to `limit` messages before the cursor `before` (a message's key), oldest first, and whether older ones exist. */
  async page (peerId: string, before: string | undefined, limit: number): Promise<{ messages: StoredMessage[], more: boolean }> {
    const keys = await this.range({ prefix: MESSAGES + peerId + '/', lt: before, reverse: true, limit: limit + 1 })
    const more = keys.length > limit
    const page = keys.slice(0, limit).reverse()
    const messages = (await Promise.all(page.map(async k => await this.message(peerId, k))))
      .filter((m): m is StoredMessage => m != null)
    return { messages, more }
  }

  /**
   * Messages whose text or file name contains `needle` (lowercased), newest
   * first, at most `limit`; conversations in `skip` (requests) are left out.
   * A scan of the history: ~10⁵ messages a second on this machine kind.
   */
  async search (needle: string, limit: number, skip: (peerId: string) => boolean): Promise<Array<{ peerId: string, message: StoredMessage }>> {
    const found: Array<{ peerId: string, message: StoredMessage }> = []
    for await (const { key, value } of this.datastore.query({ prefix: MESSAGES })) {
      const peerId = key.toString().slice(MESSAGES.length).split('/')[0]
      if (skip(peerId)) continue
      let m: StoredMessage
      try { m = JSON.parse(decoder.decode(value)) as StoredMessage } catch { continue }
      if (!m.text.toLowerCase().includes(needle) && m.file?.name.toLowerCase().includes(needle) !== true) continue
      found.push({ peerId, message: m })
      if (found.length > limit * 2) {
        found.sort(newestFirst)
        found.length = limit
      }
    }
    return found.sort(newestFirst).slice(0, limit)
  }

  /**
   * The history goes, the counters stay: our next message is not numbered
   * as one the peer already has, and theirs is neither lost nor taken twice.
   */
  async clear (r: ConversationRecord, fields: { declined: boolean }): Promise<void> {
    await this.deleteMessages(r.peerId)
    await this.save({ ...r, inSeen: [...r.inSeen], last: null, unread: 0, request: false, requestCount: 0, hidden: true, declined: fields.declined, epoch: newEpoch() })
  }

  /** Everything of a conversation, counters too (a stranger's request pushed out by newer ones). */
  async delete (peerId: string): Promise<void> {
    await this.deleteMessages(peerId, true)
    this.records.delete(peerId)
  }

  private async deleteMessages (peerId: string, record = false): Promise<void> {
    const batch = this.datastore.batch()
    for (const prefix of [MESSAGES + peerId + '/', IDS + peerId + '/', NUMBERS + peerId + '/']) {
      for await (const key of this.datastore.queryKeys({ prefix })) batch.delete(key)
    }
    if (record) batch.delete(new Key(CONVERSATIONS + peerId))
    await batch.commit()
  }

  /** What the API shows of a stored message: delivered and read follow from the markers. */
  view (peerId: string, r: ConversationRecord, m: StoredMessage): ChatMessage {
    const key = this.messageKey(peerId, m)
    let state: ChatMessageState = m.state
    if (m.out) {
      if (m.n <= r.peerRead) state = 'read'
      else if (m.n <= r.peerDelivered) state = 'delivered'
    } else if (m.n <= r.ourRead) state = 'read'
    return {
      id: m.id,
      peerId,
      outgoing: m.out,
      text: m.text,
      file: m.file,
      sentAt: m.sentAt,
      storedAt: m.storedAt,
      order: m.order,
      cursor: key,
      state,
      via: m.via,
      error: state === 'failed' ? m.error : null
    }
  }

  conversation (r: ConversationRecord): Conversation {
    return {
      peerId: r.peerId,
      last: r.request || r.last == null ? null : this.view(r.peerId, r, r.last),
      unread: r.request ? 0 : r.unread,
      request: r.request,
      requestCount: r.request ? r.requestCount : 0,
      pending: Math.max(0, r.nextOut - 1 - r.peerDelivered),
      updatedAt: r.updatedAt
    }
  }
}

function newestFirst (a: { message: StoredMessage }, b: { message: StoredMessage }): number {
  return b.message.storedAt - a.message.storedAt || b.message.order - a.message.order
}

