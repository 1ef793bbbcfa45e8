/**
 * Chat across processes: `wgt daemon`s on 127.0.0.1 driven through their
 * WebSocket API. Messages both ways with delivered and read receipts; history
 * that survives a restart; the outbox delivering after the peer comes back,
 * with no duplicate from a replayed send; the mailbox carrying a message
 * while sender and recipient are never online together; a stranger's
 * message landing as a request; a blocked peer that cannot open the stream;
 * malformed and oversized frames counted against their sender.
 */
import { randomBytes } from 'node:crypto'
import type { Libp2p } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { afterAll, describe, expect, it } from 'vitest'
import type { ChatMessage, Contact, Conversation, PeerEntry, WgtApi } from '../../src/shared/api/index.js'
import { connectWs, wsUrlFor } from '../../src/main/cli/client.js'
import { CHAT_PROTOCOL, ChatFrame, ChatReply } from '../../src/main/node/chat/chat-service.js'
import { Daemons, loopbackTcp, sleep, type Daemon } from '../helpers/daemons.js'
import { hostilePeer, sendRaw, untilEnded } from '../helpers/hostile.js'

const daemons = new Daemons()
const clients: Array<() => void> = []
afterAll(async () => {
  for (const close of clients) close()
  await daemons.stopAll()
})

async function until<T> (what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const v = await fn()
    if (v != null && v !== false) return v
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(150)
  }
}

async function apiOf (d: Daemon): Promise<WgtApi> {
  const { api, close } = await connectWs(wsUrlFor(d.info.apiUrl), d.info.token)
  clients.push(close)
  return api
}

/** Start a daemon and connect a client to it. */
async function node (name: string, opts: Parameters<Daemons['start']>[1] = {}): Promise<{ d: Daemon, api: WgtApi }> {
  const d = await daemons.start(name, opts)
  return { d, api: await apiOf(d) }
}

async function makeContacts (a: { d: Daemon, api: WgtApi }, b: { d: Daemon, api: WgtApi }): Promise<void> {
  await a.api.addContact(loopbackTcp(b.d))
  await until('the request at b', async () => (await b.api.listContacts()).find((c: Contact) => c.peerId === a.d.info.peerId)?.trust === 'request-received')
  await b.api.acceptContact(a.d.info.peerId)
  await until('contacts at a', async () => (await a.api.listContacts()).find((c: Contact) => c.peerId === b.d.info.peerId)?.trust === 'contact')
}

const historyOf = async (api: WgtApi, peerId: string): Promise<ChatMessage[]> => (await api.chatHistory(peerId, { limit: 500 })).messages
const conversationOf = async (api: WgtApi, peerId: string): Promise<Conversation | undefined> => (await api.listConversations()).find(c => c.peerId === peerId)

describe('chat between contacts', () => {
  it('messages both ways, with delivered and read receipts, and history that survives a restart', async () => {
    const a = await node('a')
    const b = await node('b')
    await makeContacts(a, b)
    const arrived: ChatMessage[] = []
    b.api.on('chat:message', m => { arrived.push(m) })

    const sent = await a.api.sendMessage(b.d.info.peerId, { text: 'hello from a' })
    expect(sent).toMatchObject({ outgoing: true, text: 'hello from a', peerId: b.d.info.peerId })
    await until('b gets it', async () => arrived.find(m => m.id === sent.id))
    await until('delivered at a', async () => (await historyOf(a.api, b.d.info.peerId)).find(m => m.id === sent.id && m.state === 'delivered'))
    expect(await conversationOf(b.api, a.d.info.peerId)).toMatchObject({ unread: 1, request: false })

    await b.api.markRead(a.d.info.peerId)
    expect(await conversationOf(b.api, a.d.info.peerId)).toMatchObject({ unread: 0 })
    await until('read at a', async () => (await historyOf(a.api, b.d.info.peerId)).find(m => m.id === sent.id && m.state === 'read'))

    const reply = await b.api.sendMessage(a.d.info.peerId, { text: 'hi a, this is b' })
    await until('a gets the reply', async () => (await historyOf(a.api, b.d.info.peerId)).find(m => m.id === reply.id))
    const atA = await historyOf(a.api, b.d.info.peerId)
    const atB = await historyOf(b.api, a.d.info.peerId)
    // both sides order the conversation alike
    expect(atA.map(m => m.id)).toEqual([sent.id, reply.id])
    expect(atB.map(m => m.id)).toEqual([sent.id, reply.id])
    expect((await a.api.searchChat('THIS IS B')).map(m => m.id)).toEqual([reply.id])

    await daemons.stop(b.d)
    const b2 = await node('b', { dataDir: b.d.dataDir })
    const again = await historyOf(b2.api, a.d.info.peerId)
    expect(again.map(m => [m.id, m.text, m.outgoing])).toEqual([[sent.id, 'hello from a', false], [reply.id, 'hi a, this is b', true]])
    expect(again[0].state).toBe('read')
  })
})

describe('delivery while a side is away', () => {
  it('the outbox delivers after the peer restarts; a replayed send is one message', async () => {
    const a = await node('a')
    const b = await node('b')
    await makeContacts(a, b)
    await daemons.stop(b.d)
    const id = randomBytes(16).toString('hex')
    const first = await a.api.sendMessage(b.d.info.peerId, { text: 'while you were away', id })
    expect(first.state).toBe('pending')
    // the client did not see the answer and sends again: the same message, not a second one
    const replay = await a.api.sendMessage(b.d.info.peerId, { text: 'while you were away', id })
    expect(replay).toMatchObject({ id, order: first.order })
    expect(await conversationOf(a.api, b.d.info.peerId)).toMatchObject({ pending: 1 })

    const b2 = await node('b', { dataDir: b.d.dataDir })
    await b2.api.connect(loopbackTcp(a.d))
    await until('delivered at a', async () => (await historyOf(a.api, b.d.info.peerId)).find(m => m.id === id && m.state === 'delivered'))
    const atB = await historyOf(b2.api, a.d.info.peerId)
    expect(atB.filter(m => m.text === 'while you were away')).toHaveLength(1)
    expect(atB[0]).toMatchObject({ id, via: 'direct', state: 'received' })
    expect(await conversationOf(a.api, b.d.info.peerId)).toMatchObject({ pending: 0 })
  })
})

describe('the mailbox', () => {
  it('carries a message while sender and recipient are never online together, sealed, and it is delivered once', async () => {
    const holder = await node('holder')
    const args = ['--mailbox-after', '1']
    const a = await node('a', { bootstrap: loopbackTcp(holder.d), args })
    const b = await node('b', { bootstrap: loopbackTcp(holder.d), args })
    await makeContacts(a, b)
    await daemons.stop(b.d)

    const sent = await a.api.sendMessage(b.d.info.peerId, { text: 'sealed for later' })
    // left with the holder: "sent", not yet delivered
    await until('left in a mailbox', async () => (await historyOf(a.api, b.d.info.peerId)).find(m => m.id === sent.id && m.state === 'sent'), 60_000)
    await daemons.stop(a.d)

    const b2 = await node('b', { dataDir: b.d.dataDir, args })
    const got = await until('b collects it', async () => (await historyOf(b2.api, a.d.info.peerId)).find(m => m.id === sent.id), 60_000)
    expect(got).toMatchObject({ text: 'sealed for later', via: 'mailbox', outgoing: false })
    expect(await conversationOf(b2.api, a.d.info.peerId)).toMatchObject({ unread: 1, request: false })
    // the holder never saw the text: nothing on its side names it
    expect(await holder.api.searchChat('sealed for later')).toEqual([])
    expect(await holder.api.listConversations()).toEqual([])

    // a comes back: its outbox and b's receipt meet; still one message, now delivered
    const a2 = await node('a', { dataDir: a.d.dataDir, args })
    await a2.api.connect(loopbackTcp(b2.d))
    await until('delivered at a', async () => (await historyOf(a2.api, b.d.info.peerId)).find(m => m.id === sent.id && m.state === 'delivered'), 60_000)
    await sleep(500)
    expect((await historyOf(b2.api, a.d.info.peerId)).filter(m => m.id === sent.id)).toHaveLength(1)
  })
})

/** One frame on /wgt/chat/1.0.0 as a bare libp2p node sends it; answers the reply. */
async function sendFrame (from: Libp2p, to: Daemon, frame: Partial<ChatFrame>): Promise<ChatReply> {
  const stream = await from.dialProtocol(multiaddr(loopbackTcp(to)), CHAT_PROTOCOL, { signal: AbortSignal.timeout(10_000) })
  const lp = lpStream(stream, { maxDataLength: 1024 })
  await lp.write(ChatFrame.encode({ messages: [], acked: 0, ...frame }), { signal: AbortSignal.timeout(10_000) })
  const reply = ChatReply.decode(await lp.read({ signal: AbortSignal.timeout(10_000) }))
  await stream.close().catch(() => {})
  return reply
}

const wireMessage = (n: number, text: string): ChatFrame['messages'][number] => ({ id: randomBytes(16), n, order: n, sentAt: Date.now(), text })

describe('strangers and hostile peers', () => {
  let victim: { d: Daemon, api: WgtApi }
  let stranger: Libp2p
  const violations = async (peerId: string): Promise<number> =>
    (await victim.api.listPeers()).find((p: PeerEntry) => p.peerId === peerId)?.reputation.violations ?? 0

  it("a stranger's messages land as a request: who, not what, until accepted; a replayed frame is stored once", async () => {
    victim = await node('victim')
    stranger = await hostilePeer()
    const notices: string[] = []
    victim.api.on('chat:notice', n => { notices.push(n.kind) })
    const frame = { messages: [wireMessage(1, 'buy my stuff'), wireMessage(2, 'really')] }
    const reply = await sendFrame(stranger, victim.d, frame)
    expect(reply.status).toBe(ChatReply.Status.REQUEST)
    expect(reply.receipt).toMatchObject({ delivered: 2, read: 0 })
    // the same frame again (a sender that missed the reply): nothing new
    expect((await sendFrame(stranger, victim.d, frame)).receipt).toMatchObject({ delivered: 2 })

    const peer = stranger.peerId.toString()
    const conv = await conversationOf(victim.api, peer)
    expect(conv).toMatchObject({ request: true, requestCount: 2, unread: 0, last: null })
    expect(await victim.api.chatHistory(peer)).toEqual({ messages: [], more: false })
    expect(await victim.api.searchChat('stuff')).toEqual([])
    await until('one request notice', async () => notices.length === 1 && notices[0] === 'request')
    await expect(victim.api.markRead(peer)).rejects.toMatchObject({ code: 'INVALID_INPUT' })

    await victim.api.acceptChat(peer)
    expect((await historyOf(victim.api, peer)).map(m => m.text)).toEqual(['buy my stuff', 'really'])
    expect(await conversationOf(victim.api, peer)).toMatchObject({ request: false, unread: 2 })
    expect(notices).toEqual(['request'])
  })

  it('malformed and oversized frames count against the sender, and the stream ends', async () => {
    const peer = stranger.peerId.toString()
    const before = await violations(peer)
    const junk = await sendRaw(stranger, loopbackTcp(victim.d), CHAT_PROTOCOL, Uint8Array.from([5, 0xff, 0xff, 0xff, 0xff, 0xff]))
    await untilEnded(junk)
    await until('a violation for the malformed frame', async () => await violations(peer) > before)

    const mid = await violations(peer)
    // a length prefix of 16 MiB: refused before anything is allocated
    const huge = await sendRaw(stranger, loopbackTcp(victim.d), CHAT_PROTOCOL, Uint8Array.from([0x80, 0x80, 0x80, 0x08]))
    await untilEnded(huge)
    await until('a violation for the oversized frame', async () => await violations(peer) > mid)

    const last = await violations(peer)
    // well-formed protobuf, but no honest sender makes it: a 3-byte id, an empty message
    await expect(sendFrame(stranger, victim.d, { messages: [{ id: new Uint8Array(3), n: 3, order: 3, sentAt: 0, text: 'x' }] })).rejects.toThrow()
    await until('a violation for the bad id', async () => await violations(peer) > last)
    const after = await violations(peer)
    await expect(sendFrame(stranger, victim.d, { messages: [{ id: randomBytes(16), n: 3, order: 3, sentAt: 0, text: '   ' }] })).rejects.toThrow()
    await until('a violation for the empty message', async () => await violations(peer) > after)
    expect((await historyOf(victim.api, peer)).map(m => m.text)).toEqual(['buy my stuff', 'really'])
  })

  it('a blocked peer cannot open the stream', async () => {
    const peer = stranger.peerId.toString()
    await victim.api.blockPeer(peer)
    await expect(sendFrame(stranger, victim.d, { messages: [wireMessage(3, 'let me in')] })).rejects.toThrow()
    await victim.api.unblockPeer(peer)
    expect((await historyOf(victim.api, peer)).map(m => m.text)).toEqual(['buy my stuff', 'really'])
    await stranger.stop()
  })
})
