/**
 * Chat across processes: `wgt daemon`s on 127.0.0.1 driven through their
 * WebSocket API. Messages both ways with delivered and read receipts; history
 * that survives a restart; the outbox delivering after the peer comes back,
 * with no duplicate from a replayed send; the mailbox carrying a message
 * while sender and recipient are never online together; a stranger's
 * message landing as a request; a blocked peer that cannot open the stream;
 * malformed and oversized frames counted against their sender.
 */
import { afterAll, describe, expect, it } from 'vitest'
import type { ChatMessage, Contact, Conversation, WgtApi } from '../../src/shared/api/index.js'
import { connectWs, wsUrlFor } from '../../src/main/cli/client.js'
import { Daemons, loopbackTcp, sleep, type Daemon } from '../helpers/daemons.js'

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
