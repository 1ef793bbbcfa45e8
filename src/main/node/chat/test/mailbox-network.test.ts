/**
 * The mailbox between real libp2p nodes on 127.0.0.1 (in this process): a
 * sender leaves a message with holders and goes away; the recipient comes
 * and collects it. And what holders and askers do with hostile peers.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { Libp2p, Stream } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import { MemoryDatastore } from 'datastore-core'
import { afterEach, describe, expect, it } from 'vitest'
import { hostilePeer, sendRaw, untilEnded } from '../../../../../test/helpers/hostile.js'
import { ViolationLog, makeNode } from '../../metrics/test/nodes.js'
import { MAILBOX_PROTOCOL, MailboxReply, MailboxRequest, MailboxService, mailboxService } from '../mailbox/mailbox-service.js'
import { MailboxStore, type MailboxStoreInit } from '../mailbox/mailbox-store.js'
import { Mailbox } from '../mailbox/mailbox.js'
import { MAX_SEALED, mailboxKeys, seal, tagFor } from '../mailbox/seal.js'

interface Peer {
  node: Libp2p<{ mailbox: MailboxService }>
  id: string
  store: MailboxStore
  violations: ViolationLog
  mailbox: Mailbox
  keys: ReturnType<typeof mailboxKeys>
}

const running: Libp2p[] = []
afterEach(async () => { await Promise.all(running.splice(0).map(async n => { await n.stop() })) })

async function peer (opts: { mayDeposit?: (peerId: string) => boolean, contacts?: string[], depositBurst?: number, store?: MailboxStoreInit } = {}): Promise<Peer> {
  const key = await generateKeyPair('Ed25519')
  const violations = new ViolationLog()
  const store = await MailboxStore.open(new MemoryDatastore(), opts.store)
  const node = await makeNode({ mailbox: mailboxService({ reputation: violations, store, mayDeposit: opts.mayDeposit ?? (() => true), depositBurst: opts.depositBurst }) }, { privateKey: key }) as unknown as Libp2p<{ mailbox: MailboxService }>
  running.push(node)
  const id = node.peerId.toString()
  const keys = mailboxKeys(key)
  const mailbox = new Mailbox({ keys, selfId: id, service: node.services.mailbox, libp2p: node, isContact: p => opts.contacts?.includes(p) ?? false })
  return { node, id, store, violations, mailbox, keys }
}

async function until (what: string, cond: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 20))
  }
}

/** Connect and wait until identify has told `from` that `to` speaks the mailbox protocol. */
async function connect (from: Peer, to: Peer): Promise<void> {
  await from.node.dial(to.node.getMultiaddrs()[0])
  await until(`${to.id} known to speak the mailbox`, async () =>
    await from.node.peerStore.get(to.node.peerId).then(p => p.protocols.includes(MAILBOX_PROTOCOL), () => false))
}

const text = (s: string): Uint8Array => new TextEncoder().encode(s)
const read = (b: Uint8Array): string => new TextDecoder().decode(b)

describe('the mailbox between nodes', () => {
  it('a message left with two holders reaches the recipient after the sender has gone, once, and the holders let it go', async () => {
    const [a, b, h1, h2] = await Promise.all([peer(), peer(), peer(), peer()])
    await connect(a, h1)
    await connect(a, h2)
    expect(await a.mailbox.leave(b.id, text('see you later'))).toBe(2)
    expect(h1.store.usage()).toMatchObject({ items: 1 })
    expect(h2.store.usage()).toMatchObject({ items: 1 })
    // the holders keep it under a tag, not under either PeerId
    const held = await h1.store.take([tagFor(a.keys, b.id, a.id)], 1 << 20)
    expect(held.items).toHaveLength(1)
    expect(Buffer.from(held.items[0].sealed).includes(Buffer.from('see you later'))).toBe(false)
    await a.node.stop()

    await connect(b, h1)
    await connect(b, h2)
    const got = await b.mailbox.collect([a.id, h1.id])
    expect(got.map(m => ({ from: m.from, text: read(m.plaintext) }))).toEqual([{ from: a.id, text: 'see you later' }])
    expect(h1.store.usage()).toEqual({ items: 0, bytes: 0 })
    expect(h2.store.usage()).toEqual({ items: 0, bytes: 0 })
    expect(await b.mailbox.collect([a.id])).toEqual([])
    expect([...h1.violations.entries, ...h2.violations.entries, ...b.violations.entries]).toEqual([])
  })

  it('collects more than one reply holds, page by page', async () => {
    const [a, b, h] = await Promise.all([peer(), peer(), peer({ depositBurst: 64 })])
    await connect(a, h)
    // 40 messages of 16 KiB: more than the 512 KiB one reply carries
    const sent = Array.from({ length: 40 }, (_, i) => { const m = new Uint8Array(16 * 1024).fill(i); return m })
    for (const m of sent) expect(await a.mailbox.leave(b.id, m)).toBe(1)
    await connect(b, h)
    const got = await b.mailbox.collect([a.id])
    expect(got).toHaveLength(40)
    expect(got.map(m => m.plaintext[0]).sort((x, y) => x - y)).toEqual(sent.map((_, i) => i))
    expect(h.store.usage().items).toBe(0)
  })

  it('garbage left under our tag by someone who learnt it does not bury the real message: collect pages past it', async () => {
    const [a, b, h, m1, m2] = await Promise.all([peer(), peer(), peer({ depositBurst: 1000 }), peer(), peer()])
    // the tag is no secret to a holder: it (with a friend) fills more than a page with junk under it, ahead of the real message
    const tag = tagFor(a.keys, b.id, a.id)
    for (const [mallory, count] of [[m1, 200], [m2, 100]] as const) {
      await connect(mallory, h)
      for (let i = 0; i < count; i++) {
        const junk = Uint8Array.from([1, count, ...new Uint8Array(60).fill(i % 256), i >> 8])
        expect(await mallory.node.services.mailbox.deposit(h.id, tag, junk, new Uint8Array(32).fill(9))).toBe(MailboxReply.Status.OK)
      }
    }
    await connect(a, h)
    expect(await a.mailbox.leave(b.id, text('the real one'))).toBe(1)
    await a.node.stop()
    await connect(b, h)
    const got = await b.mailbox.collect([a.id])
    expect(got.map(g => read(g.plaintext))).toEqual(['the real one'])
    // the real one is released; the junk stays on its depositors' quotas until it expires
    expect(h.store.usage()).toMatchObject({ items: 300 })
    expect(h.store.usage(a.id)).toMatchObject({ items: 0 })
  })

  it('a holder that learnt the tag cannot remove the copies other holders keep', async () => {
    const [a, b, h1, h2] = await Promise.all([peer(), peer(), peer(), peer()])
    await connect(a, h1)
    await connect(a, h2)
    expect(await a.mailbox.leave(b.id, text('keep me'))).toBe(2)
    // h1 knows tag and id from the deposit; without the release token its ACK at h2 removes nothing
    const [item] = (await h1.store.take([tagFor(a.keys, b.id, a.id)], 1 << 20)).items
    await connect(h1, h2)
    expect(await h1.node.services.mailbox.ack(h2.id, [{ tag: item.tag, id: item.id, token: new Uint8Array(32) }])).toBe(MailboxReply.Status.OK)
    expect(h2.store.usage()).toMatchObject({ items: 1 })
    await connect(b, h2)
    expect((await b.mailbox.collect([a.id])).map(g => read(g.plaintext))).toEqual(['keep me'])
    expect(h2.store.usage()).toMatchObject({ items: 0 })
  })

  it('a depositor past its rate gets BUSY', async () => {
    const [a, b, h] = await Promise.all([peer(), peer(), peer({ depositBurst: 2 })])
    await connect(a, h)
    const { tag, sealed, release } = seal(a.keys, a.id, b.id, text('x'))
    const statuses = []
    for (let i = 0; i < 3; i++) statuses.push(await a.node.services.mailbox.deposit(h.id, tag, sealed, release))
    expect(statuses).toEqual([MailboxReply.Status.OK, MailboxReply.Status.OK, MailboxReply.Status.BUSY])
    // the same sealed bytes twice are one item
    expect(h.store.usage().items).toBe(1)
  })

  it('a depositor past its quota gets FULL, and leave() moves on from the full contact to the next holder', async () => {
    const [a, b, h2] = await Promise.all([peer(), peer(), peer()])
    const h1 = await peer({ store: { perDepositorItems: 1 } })
    await connect(a, h1)
    const first = seal(a.keys, a.id, b.id, text('one'))
    const second = seal(a.keys, a.id, b.id, text('two'))
    expect(await a.node.services.mailbox.deposit(h1.id, first.tag, first.sealed, first.release)).toBe(MailboxReply.Status.OK)
    expect(await a.node.services.mailbox.deposit(h1.id, second.tag, second.sealed, second.release)).toBe(MailboxReply.Status.FULL)
    await connect(a, h2)
    expect(await new Mailbox({ keys: a.keys, selfId: a.id, service: a.node.services.mailbox, libp2p: a.node, isContact: p => p === h1.id, holders: 1 }).leave(b.id, text('three'))).toBe(1)
    expect(h1.store.usage().items).toBe(1)
    expect(h2.store.usage().items).toBe(1)
  })

  it('a holder whose policy refuses the sender answers REFUSED, and leave() says no peer could hold it', async () => {
    const [a, b] = await Promise.all([peer(), peer()])
    const h = await peer({ mayDeposit: p => p !== a.id })
    await connect(a, h)
    const { tag, sealed, release } = seal(a.keys, a.id, b.id, text('x'))
    expect(await a.node.services.mailbox.deposit(h.id, tag, sealed, release)).toBe(MailboxReply.Status.REFUSED)
    await expect(a.mailbox.leave(b.id, text('x'))).rejects.toMatchObject({ code: 'PEER_UNREACHABLE', message: expect.stringMatching(/no peer could hold the message.*REFUSED/) })
    expect(h.store.usage().items).toBe(0)
    // and with nobody connected at all
    const lonely = await peer()
    await expect(lonely.mailbox.leave(b.id, text('x'))).rejects.toMatchObject({ code: 'PEER_UNREACHABLE', message: expect.stringMatching(/no connected peer speaks/) })
  })

  it('a hostile depositor\'s malformed or oversized DEPOSIT counts against it and ends the stream', async () => {
    const h = await peer()
    const hostile = await hostilePeer()
    running.push(hostile)
    const addr = h.node.getMultiaddrs()[0].toString()
    const hostileId = hostile.peerId.toString()
    const streams: Stream[] = []
    const send = async (bytes: Uint8Array): Promise<void> => {
      const s = await hostile.dialProtocol(h.node.getMultiaddrs()[0], MAILBOX_PROTOCOL, { signal: AbortSignal.timeout(10_000) })
      await lpStream(s).write(bytes)
      streams.push(s)
    }
    // a 5-byte tag
    await send(MailboxRequest.encode({ kind: MailboxRequest.Kind.DEPOSIT, tag: new Uint8Array(5), sealed: new Uint8Array(100), release: new Uint8Array(32), after: new Uint8Array(0), tags: [], acks: [] }))
    // sealed bytes past the bound, within the frame
    await send(MailboxRequest.encode({ kind: MailboxRequest.Kind.DEPOSIT, tag: new Uint8Array(16), sealed: new Uint8Array(MAX_SEALED + 1), release: new Uint8Array(32), after: new Uint8Array(0), tags: [], acks: [] }))
    // not protobuf at all
    await send(Uint8Array.from([0x0f, 0xff, 0xff, 0x07]))
    // a frame that declares 1 MiB: refused before it is read
    streams.push(await sendRaw(hostile, addr, MAILBOX_PROTOCOL, Uint8Array.from([0x80, 0x80, 0x40])))
    for (const s of streams) await untilEnded(s)
    await until('four violations', () => h.violations.entries.length >= 4)
    expect(h.violations.entries.every(v => v.peerId === hostileId)).toBe(true)
    const reasons = h.violations.entries.map(v => v.reason).join('\n')
    expect(reasons).toMatch(/tag is 5 bytes/)
    expect(reasons).toMatch(/deposit of 16426 sealed bytes/)
    expect(reasons).toMatch(/malformed mailbox request/)
    expect(reasons).toMatch(/length too long - 1048576/)
    for (const s of streams) expect(s.status).not.toBe('open')
    expect(h.store.usage().items).toBe(0)
  })

  it('a holder that answers a fetch with an item it was not asked for is the holder\'s violation', async () => {
    const [a, b] = await Promise.all([peer(), peer()])
    const liar = await hostilePeer()
    running.push(liar)
    const { sealed } = seal(a.keys, a.id, b.id, text('x'))
    await liar.handle(MAILBOX_PROTOCOL, async (stream) => {
      const lp = lpStream(stream)
      await lp.read()
      // an item under a tag nobody asked for
      await lp.write(MailboxReply.encode({ status: MailboxReply.Status.OK, items: [{ id: new Uint8Array(16), tag: new Uint8Array(16).fill(7), sealed }], more: false }))
    }, { runOnLimitedConnection: true })
    await b.node.dial(liar.getMultiaddrs()[0])
    await expect(b.node.services.mailbox.fetch(liar.peerId.toString(), [tagFor(b.keys, b.id, a.id)])).rejects.toMatchObject({ code: 'PROTOCOL' })
    expect(b.violations.entries).toEqual([expect.objectContaining({ peerId: liar.peerId.toString(), reason: expect.stringMatching(/not asked for/) })])
  })
})
