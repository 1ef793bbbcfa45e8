/**
 * The chat core between two nodes whose wire is a test double the test
 * controls: it can be cut (the peer is away), and it can replay or reorder
 * frames, as a network and a hostile sender can. What is asserted is what a
 * person sees: order, receipts, no duplicates, no loss, requests held.
 */
import { MemoryDatastore } from 'datastore-core'
import { describe, expect, it } from 'vitest'
import { EventHub } from '../../../../shared/rpc.js'
import type { ChatMessage, ChatNotice } from '../../../../shared/api/index.js'
import { ContactBook } from '../../guard/contact-book.js'
import { Guard } from '../../guard/guard.js'
import { PolicyBook } from '../../guard/policy-book.js'
import { ReputationBook } from '../../guard/reputation.js'
import { Chat } from '../chat.js'
import { ChatReply, checkMessage, type ChatService, type IncomingMessage, type Receipt } from '../chat-service.js'
import type { ChatFrame } from '../pb/chat.js'
import { ChatStore } from '../store.js'

interface Side {
  id: string
  chat: Chat
  store: ChatStore
  guard: Guard
  events: EventHub
  messages: ChatMessage[]
  notices: ChatNotice[]
  datastore: MemoryDatastore
}

/** A wire between sides: `up` says whether a peer can be reached; `frames` records every frame sent. */
class Wire {
  readonly sides = new Map<string, Side>()
  readonly down = new Set<string>()
  readonly frames: Array<{ from: string, to: string, frame: ChatFrame }> = []

  service (self: string): ChatService {
    return {
      receiver: null,
      send: async (to: string, frame: ChatFrame) => {
        if (this.down.has(to) || this.down.has(self)) throw new Error(`${to} is unreachable`)
        this.frames.push({ from: self, to, frame })
        return await this.deliver(self, to, frame)
      }
    } as unknown as ChatService
  }

  async deliver (from: string, to: string, frame: ChatFrame): Promise<{ status: ChatReply.Status, receipt: Receipt | null }> {
    const side = this.sides.get(to)
    if (side == null) throw new Error('no such peer')
    const messages: IncomingMessage[] = frame.messages.map(checkMessage)
    return await side.chat.receive(from, messages, frame.receipt ?? null, frame.acked, 'direct')
  }
}

const PEER_A = '12D3KooWAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'
const PEER_B = '12D3KooWBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB'
const PEER_C = '12D3KooWCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC'

async function side (wire: Wire, id: string, opts: { now?: () => number, datastore?: MemoryDatastore } = {}): Promise<Side> {
  const datastore = opts.datastore ?? new MemoryDatastore()
  const contacts = new ContactBook(datastore)
  const policies = new PolicyBook(datastore)
  const reputation = new ReputationBook({}, datastore)
  await Promise.all([contacts.load(), policies.load(), reputation.load()])
  const guard = new Guard(reputation, contacts, policies)
  const store = new ChatStore(datastore, id)
  await store.load()
  const events = new EventHub()
  const libp2p = new EventTarget()
  const chat = new Chat({ selfId: id, store, service: wire.service(id), guard, libp2p: libp2p as never, events, mailbox: null, tickMs: 3_600_000, now: opts.now })
  const s: Side = { id, chat, store, guard, events, messages: [], notices: [], datastore }
  events.on('chat:message', m => { s.messages.push(m) })
  events.on('chat:notice', n => { s.notices.push(n) })
  wire.sides.set(id, s)
  return s
}

async function pair (opts: { nowA?: () => number, nowB?: () => number } = {}): Promise<{ wire: Wire, a: Side, b: Side }> {
  const wire = new Wire()
  const a = await side(wire, PEER_A, { now: opts.nowA })
  const b = await side(wire, PEER_B, { now: opts.nowB })
  await a.guard.contacts.set(PEER_B, { trust: 'contact' })
  await b.guard.contacts.set(PEER_A, { trust: 'contact' })
  return { wire, a, b }
}

const texts = async (s: Side, peer: string): Promise<string[]> => (await s.chat.history(peer, undefined, 500)).messages.map(m => m.text)
const states = async (s: Side, peer: string): Promise<string[]> => (await s.chat.history(peer, undefined, 500)).messages.filter(m => m.outgoing).map(m => m.state)

describe('chat core', () => {
  it('orders a conversation alike on both sides whatever the clocks say', async () => {
    // a's clock is a day ahead of b's
    const { a, b } = await pair({ nowA: () => Date.now() + 86_400_000, nowB: () => Date.now() })
    await a.chat.send(PEER_B, { text: 'one' })
    await a.chat.flush(PEER_B)
    await b.chat.send(PEER_A, { text: 'two' })
    await b.chat.flush(PEER_A)
    await a.chat.send(PEER_B, { text: 'three' })
    await a.chat.flush(PEER_B)
    expect(await texts(a, PEER_B)).toEqual(['one', 'two', 'three'])
    expect(await texts(b, PEER_A)).toEqual(['one', 'two', 'three'])
  })

  it('sends what waited while the peer was away, in order, once', async () => {
    const { wire, a, b } = await pair()
    wire.down.add(PEER_B)
    for (const t of ['1', '2', '3']) await a.chat.send(PEER_B, { text: t })
    await a.chat.flush(PEER_B)
    expect(await states(a, PEER_B)).toEqual(['pending', 'pending', 'pending'])
    wire.down.delete(PEER_B)
    await a.chat.flush(PEER_B)
    expect(await texts(b, PEER_A)).toEqual(['1', '2', '3'])
    expect(await states(a, PEER_B)).toEqual(['delivered', 'delivered', 'delivered'])
    // every frame replayed: nothing new, no second notice
    const notices = b.notices.length
    for (const f of [...wire.frames]) await wire.deliver(f.from, f.to, f.frame)
    expect(await texts(b, PEER_A)).toEqual(['1', '2', '3'])
    expect(b.notices.length).toBe(notices)
    expect(b.chat.list()[0]).toMatchObject({ unread: 3 })
  })

  it('"delivered up to here" waits for a gap to fill; read follows the user', async () => {
    const { wire, a, b } = await pair()
    wire.down.add(PEER_B)
    for (const t of ['1', '2', '3']) await a.chat.send(PEER_B, { text: t })
    await a.chat.flush(PEER_B)
    wire.down.delete(PEER_B)
    // a frame with message 1 is lost; 2 and 3 arrive first (reordered)
    const store = a.store
    const all = await store.outgoing(PEER_B, 1, 3, 10)
    const wireOf = (i: number): ChatFrame['messages'][number] => ({ id: Buffer.from(all[i].id, 'hex'), n: all[i].n, order: all[i].order, sentAt: all[i].sentAt, text: all[i].text })
    const r1 = await wire.deliver(PEER_A, PEER_B, { messages: [wireOf(1), wireOf(2)], acked: 0 })
    expect(r1.receipt).toEqual({ delivered: 0, read: 0 })
    const r2 = await wire.deliver(PEER_A, PEER_B, { messages: [wireOf(0)], acked: 0 })
    expect(r2.receipt).toEqual({ delivered: 3, read: 0 })
    expect(await texts(b, PEER_A)).toEqual(['1', '2', '3'])

    await a.chat.flush(PEER_B)
    expect(await states(a, PEER_B)).toEqual(['delivered', 'delivered', 'delivered'])
    await b.chat.markRead(PEER_A)
    await b.chat.flush(PEER_A)
    expect(await states(a, PEER_B)).toEqual(['read', 'read', 'read'])
    expect(a.messages.filter(m => m.state === 'read').map(m => m.text)).toEqual(['1', '2', '3'])
  })

  it('a retried send with the same id is the same message', async () => {
    const { a, b } = await pair()
    const id = 'ab'.repeat(16)
    const one = await a.chat.send(PEER_B, { text: 'once', id })
    const two = await a.chat.send(PEER_B, { text: 'once', id })
    expect(two.order).toBe(one.order)
    await a.chat.flush(PEER_B)
    expect(await texts(b, PEER_A)).toEqual(['once'])
  })

  it('holds a stranger as a request of at most 20 messages; declining drops it', async () => {
    const { wire, b } = await pair()
    const c = await side(wire, PEER_C)
    for (let i = 0; i < 25; i++) await c.chat.send(PEER_B, { text: `spam ${i}` })
    await c.chat.flush(PEER_B)
    const req = b.chat.list().find(x => x.peerId === PEER_C)
    expect(req).toMatchObject({ request: true, requestCount: 20, last: null, unread: 0 })
    expect(b.notices.filter(n => n.peerId === PEER_C)).toEqual([{ peerId: PEER_C, kind: 'request', preview: '' }])
    expect(b.messages.filter(m => m.peerId === PEER_C)).toEqual([])
    // the five that did not fit wait with the sender
    expect(c.chat.list()[0]).toMatchObject({ pending: 5 })
    await b.chat.decline(PEER_C)
    expect(b.chat.list().find(x => x.peerId === PEER_C)).toBeUndefined()
  })

  it('keeps at most 100 requests, dropping the oldest, and never a conversation with a contact; new requests are rate-limited', async () => {
    let t = Date.now()
    const clock = (): number => t
    const { wire, a, b } = await pair({ nowB: clock })
    await a.chat.send(PEER_B, { text: 'a contact' })
    await a.chat.flush(PEER_B)
    for (let i = 0; i < 101; i++) {
      const id = `12D3KooWS${String(i).padStart(43, '0')}`
      const s = await side(wire, id)
      await s.chat.send(PEER_B, { text: 'hi' })
      await s.chat.flush(PEER_B)
      t += 6_000 // ten new requests a minute
    }
    const list = b.chat.list()
    expect(list.filter(c => c.request)).toHaveLength(100)
    expect(list.find(c => c.peerId === `12D3KooWS${'0'.repeat(43)}`)).toBeUndefined()
    expect(list.find(c => c.peerId === PEER_A)).toMatchObject({ request: false, unread: 1 })
    // 25 fresh identities at once: 20 get in, the rest are told BUSY and wait with their senders
    for (let i = 0; i < 25; i++) {
      const s = await side(wire, `12D3KooWT${String(i).padStart(43, '0')}`)
      await s.chat.send(PEER_B, { text: 'flood' })
      await s.chat.flush(PEER_B)
    }
    expect(b.chat.list().filter(c => c.peerId.startsWith('12D3KooWT'))).toHaveLength(20)
  })

  it('refuses everyone under the "nobody" policy, and the sender shows why', async () => {
    const { a, b } = await pair()
    await b.guard.policies.set('chat', 'nobody')
    await a.chat.send(PEER_B, { text: 'anyone there?' })
    await a.chat.flush(PEER_B)
    const [m] = (await a.chat.history(PEER_B, undefined, 10)).messages
    expect(m).toMatchObject({ state: 'failed', error: expect.stringMatching(/takes no chat from you/) })
    expect(b.chat.list()).toEqual([])
  })

  it('pages history back by order and keeps it across a restart', async () => {
    const { wire, a, b } = await pair()
    for (let i = 0; i < 120; i++) await a.chat.send(PEER_B, { text: `m${i}` })
    await a.chat.flush(PEER_B)
    const restarted = await side(wire, PEER_B, { datastore: b.datastore })
    const last = await restarted.chat.history(PEER_A, undefined, 50)
    expect(last.messages.map(m => m.text)).toEqual(Array.from({ length: 50 }, (_, i) => `m${i + 70}`))
    expect(last.more).toBe(true)
    const older = await restarted.chat.history(PEER_A, last.messages[0].cursor, 50)
    expect(older.messages.at(-1)?.text).toBe('m69')
    const oldest = await restarted.chat.history(PEER_A, older.messages[0].cursor, 50)
    expect(oldest).toMatchObject({ more: false })
    expect(oldest.messages.map(m => m.text)).toEqual(Array.from({ length: 20 }, (_, i) => `m${i}`))
    // case-insensitive, newest first, at most the limit
    expect((await restarted.chat.search('M11', 10)).map(m => m.text)).toEqual(Array.from({ length: 10 }, (_, i) => `m${119 - i}`))
    expect((await restarted.chat.search('m11', 50)).map(m => m.text).at(-1)).toBe('m11')
  })

  it('after a conversation is deleted, the next messages either way are neither lost nor duplicates, and old copies stay gone', async () => {
    const { a, b } = await pair()
    for (const t of ['old 1', 'old 2']) await a.chat.send(PEER_B, { text: t })
    await a.chat.flush(PEER_B)
    await b.chat.send(PEER_A, { text: 'old reply' })
    await b.chat.flush(PEER_A)
    await a.chat.remove(PEER_B)
    await b.chat.remove(PEER_A)
    expect(a.chat.list()).toEqual([])
    await a.chat.send(PEER_B, { text: 'new from a' })
    await a.chat.flush(PEER_B)
    await b.chat.send(PEER_A, { text: 'new from b' })
    await b.chat.flush(PEER_A)
    expect(await texts(b, PEER_A)).toEqual(['new from a', 'new from b'])
    expect(await texts(a, PEER_B)).toEqual(['new from a', 'new from b'])
    expect(await states(a, PEER_B)).toEqual(['delivered'])
  })

  it('a declined stranger stays refused, and its sender is told', async () => {
    const { wire, b } = await pair()
    const c = await side(wire, PEER_C)
    await c.chat.send(PEER_B, { text: 'hello?' })
    await c.chat.flush(PEER_B)
    await b.chat.decline(PEER_C)
    await c.chat.send(PEER_B, { text: 'hello again?' })
    await c.chat.flush(PEER_B)
    expect(b.chat.list()).toEqual([])
    expect((await c.chat.history(PEER_B, undefined, 10)).messages.at(-1)).toMatchObject({ state: 'failed' })
    expect(b.notices.filter(n => n.peerId === PEER_C)).toHaveLength(1)
  })

  it('drops a peer\'s message that reuses an id of the conversation, and clamps an order no honest clock reaches', async () => {
    const { wire, b } = await pair()
    const mine = await b.chat.send(PEER_A, { text: 'mine' })
    await b.chat.flush(PEER_A)
    const id = Buffer.from(mine.id, 'hex')
    const reply = await wire.deliver(PEER_A, PEER_B, { messages: [{ id, n: 1, order: 5, sentAt: 0, text: 'impostor' }], acked: 0 })
    expect(reply.receipt).toMatchObject({ delivered: 1 })
    await wire.deliver(PEER_A, PEER_B, { messages: [{ id: Buffer.alloc(16, 7), n: 2, order: 1e15 - 1, sentAt: 0, text: 'far ahead' }], acked: 0 })
    const page = (await b.chat.history(PEER_A, undefined, 10)).messages
    expect(page.map(m => m.text)).toEqual(['mine', 'far ahead'])
    expect(page[1].order).toBeLessThan(10)
    // b's next message still comes after it, on both sides' order
    expect((await b.chat.send(PEER_A, { text: 'next' })).order).toBeGreaterThan(page[1].order)
  })

  it('catches up with a sender whose messages we lost, however many', async () => {
    const { wire, b } = await pair()
    const reply = await wire.deliver(PEER_A, PEER_B, { messages: [{ id: Buffer.alloc(16, 1), n: 5001, order: 9000, sentAt: 0, text: 'after 5000 we lost' }], acked: 5000 })
    expect(reply.receipt).toMatchObject({ delivered: 5001 })
    expect(await texts(b, PEER_A)).toEqual(['after 5000 we lost'])
  })

  it('refuses a message time no date can show', () => {
    expect(() => checkMessage({ id: Buffer.alloc(16), n: 1, order: 1, sentAt: 8.64e15 + 1, text: 'x' })).toThrow(/time out of range/)
    expect(() => checkMessage({ id: Buffer.alloc(16), n: 1, order: 1, sentAt: 0, text: '', file: { link: 'wgt://x', name: 'a', size: 1 } })).toThrow(/link/)
  })

  it('a request becomes a conversation once its sender is a contact', async () => {
    const { wire, b } = await pair()
    const c = await side(wire, PEER_C)
    await c.chat.send(PEER_B, { text: 'first' })
    await c.chat.flush(PEER_B)
    expect(b.chat.list()[0]).toMatchObject({ request: true })
    await b.guard.contacts.set(PEER_C, { trust: 'contact' })
    await c.chat.send(PEER_B, { text: 'second' })
    await c.chat.flush(PEER_B)
    expect(b.chat.list()[0]).toMatchObject({ request: false, unread: 2 })
    expect(await texts(b, PEER_C)).toEqual(['first', 'second'])
  })
})
