/**
 * Contacts and bans between real nodes on 127.0.0.1 (in this process; the
 * cross-process versions are in test/integration/guard.test.ts).
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { WgtNode } from '../../index.js'
import { randomFile, share, Swarm, until, untilShardPeers } from '../../files/test/helpers.js'
import { GUARD } from '../module.js'

let root: string
let swarm: Swarm | undefined
beforeAll(async () => { root = await mkdtemp(join(tmpdir(), 'wgt-guard-')); return async () => { await rm(root, { recursive: true, force: true }) } })
afterEach(async () => { await swarm?.stopAll(); swarm = undefined })

const trustAt = async (node: WgtNode, peerId: string): Promise<string> => (await node.api.listContacts()).find(c => c.peerId === peerId)?.trust ?? 'stranger'
/**
 * `from` tries to reach `to` and is refused: `to` never lists it as connected
 * and no probe gets through. (The dial alone may seem to work: libp2p selects
 * the muxer optimistically, before the refusing side closes the connection.)
 */
async function refusedBy (to: WgtNode, from: WgtNode): Promise<void> {
  await from.api.connect(to.multiaddrs()[0]).catch(() => {})
  const answered = await from.api.ping(to.peerId, 1).then(r => r.rtts.filter(x => x != null).length, () => 0)
  expect(answered).toBe(0)
  expect(await refreshPeers(to)).not.toContain(from.peerId)
}

async function refreshPeers (node: WgtNode): Promise<string[]> {
  return (await node.api.listPeers()).filter(p => p.connected).map(p => p.peerId)
}

describe('contacts between two nodes', () => {
  it('a request is accepted on the other side and both show the contact, with nickname and trust in the peer directory', async () => {
    swarm = new Swarm(join(root, 'c1'))
    const a = await swarm.start('a')
    const b = await swarm.start('b')
    const sent = await a.api.addContact(`${b.multiaddrs()[0]}`, 'Bob')
    expect(sent).toMatchObject({ peerId: b.peerId, trust: 'request-sent', nickname: 'Bob', undelivered: false })
    await until('the request at b', async () => await trustAt(b, a.peerId) === 'request-received')
    expect((await b.api.getPeer(a.peerId)).trust).toBe('request-received')

    const accepted = await b.api.acceptContact(a.peerId, 'Alice')
    expect(accepted).toMatchObject({ trust: 'contact', nickname: 'Alice', undelivered: false })
    await until('the acceptance at a', async () => await trustAt(a, b.peerId) === 'contact')
    expect(await a.api.getPeer(b.peerId)).toMatchObject({ trust: 'contact', nickname: 'Bob' })

    // remove tells the other side
    await a.api.removeContact(b.peerId)
    await until('the removal at b', async () => await trustAt(b, a.peerId) === 'stranger')
  })

  it('a declined request goes back to stranger on both sides; two requests that cross are an agreement', async () => {
    swarm = new Swarm(join(root, 'c2'))
    const a = await swarm.start('a')
    const b = await swarm.start('b')
    await a.api.addContact(b.multiaddrs()[0])
    await until('the request at b', async () => await trustAt(b, a.peerId) === 'request-received')
    await b.api.declineContact(a.peerId)
    await until('the decline at a', async () => await trustAt(a, b.peerId) === 'stranger')
    await expect(b.api.acceptContact(a.peerId)).rejects.toMatchObject({ code: 'NOT_FOUND' })

    await a.api.addContact(b.peerId)
    await until('the request at b', async () => await trustAt(b, a.peerId) === 'request-received')
    // b adding a (instead of accepting) is consent too
    expect(await b.api.addContact(a.peerId)).toMatchObject({ trust: 'contact' })
    await until('contact at a', async () => await trustAt(a, b.peerId) === 'contact')
  })

  it('a request to a peer that is offline is delivered when it comes back', async () => {
    swarm = new Swarm(join(root, 'c3'))
    const a = await swarm.start('a')
    let b = await swarm.start('b')
    const bAddr = b.multiaddrs()[0]
    const bId = b.peerId
    await swarm.stop(b)
    const sent = await a.api.addContact(bAddr, 'Bob')
    expect(sent).toMatchObject({ trust: 'request-sent', undelivered: true })
    b = await swarm.start('b', { listen: [bAddr.replace(/\/p2p\/.*/, '')] })
    expect(b.peerId).toBe(bId)
    await a.api.connect(bAddr)
    await until('the request at b', async () => await trustAt(b, a.peerId) === 'request-received', 20_000)
    expect((await a.api.listContacts())[0]).toMatchObject({ trust: 'request-sent', undelivered: false })
  })

  it('blocking closes the connection and refuses the peer in both directions, also after a restart; unblock lets it back', async () => {
    swarm = new Swarm(join(root, 'c4'))
    const a = await swarm.start('a')
    const b = await swarm.start('b')
    await until('connected', async () => (await refreshPeers(a)).includes(b.peerId))
    expect(await a.api.blockPeer(b.peerId)).toMatchObject({ trust: 'blocked' })
    // both ends see the close (until then a dial from b reuses the old connection)
    await until('disconnected', async () => !(await refreshPeers(a)).includes(b.peerId) && !(await refreshPeers(b)).includes(a.peerId))
    await expect(a.api.connect(b.multiaddrs()[0])).rejects.toMatchObject({ code: 'PEER_UNREACHABLE' })
    await refusedBy(a, b)
    expect(await refreshPeers(b)).not.toContain(a.peerId)

    const aAddr = a.multiaddrs()[0]
    await swarm.stop(a)
    const a2 = await swarm.start('a', { listen: [aAddr.replace(/\/p2p\/.*/, '')] })
    expect(await trustAt(a2, b.peerId)).toBe('blocked')
    await refusedBy(a2, b)
    await a2.api.unblockPeer(b.peerId)
    await b.api.connect(aAddr)
    await until('connected again', async () => (await refreshPeers(a2)).includes(b.peerId))
  })

  it('a ban closes the open connection at once and lasts across a restart; the user can lift it', async () => {
    swarm = new Swarm(join(root, 'c5'))
    const a = await swarm.start('a')
    const b = await swarm.start('b')
    await until('connected', async () => (await refreshPeers(a)).includes(b.peerId))
    const reputation = a.part(GUARD).reputation
    for (let i = 0; i < 10; i++) reputation.recordViolation(b.peerId, 'test: malformed')
    expect((await a.api.getPeer(b.peerId)).reputation.state).toBe('banned')
    await until('disconnected', async () => !(await refreshPeers(a)).includes(b.peerId) && !(await refreshPeers(b)).includes(a.peerId))
    await refusedBy(a, b)

    const aAddr = a.multiaddrs()[0]
    await swarm.stop(a)
    const a2 = await swarm.start('a', { listen: [aAddr.replace(/\/p2p\/.*/, '')] })
    expect((await a2.api.listBans()).map(x => x.peerId)).toEqual([b.peerId])
    await refusedBy(a2, b)
    await a2.api.unbanPeer(b.peerId)
    await b.api.connect(aAddr)
    expect(await a2.api.listBans()).toEqual([])
  })
})

describe('policies', () => {
  it('persist, and a stranger offer under "contacts" arrives as a request while "nobody" refuses it', async () => {
    swarm = new Swarm(join(root, 'p1'))
    const a = await swarm.start('a')
    const b = await swarm.start('b')
    expect(await b.api.getPolicies()).toEqual({ storage: 'anyone', offers: 'contacts', chat: 'contacts', calls: 'contacts', compute: 'contacts' })
    await untilShardPeers(a, 1)
    const src = join(root, 'p1', 'x.txt')
    await randomFile(src, 1000)
    const { link } = await share(a, src)
    await a.api.offerFile(b.peerId, link)
    const offers = await b.api.listOffers()
    expect(offers).toHaveLength(1)
    expect(offers[0]).toMatchObject({ from: a.peerId, request: true })

    // blocking the sender takes its offers out of the inbox
    await b.api.blockPeer(a.peerId)
    await until('the offer gone', async () => (await b.api.listOffers()).length === 0)
    await b.api.unblockPeer(a.peerId)
    await a.api.connect(b.multiaddrs()[0])
    await b.api.setPolicy('offers', 'nobody')
    await expect(a.api.offerFile(b.peerId, link)).rejects.toMatchObject({ code: 'POLICY_DENIED' })
    const bAddr = b.multiaddrs()[0]
    await swarm.stop(b)
    const b2 = await swarm.start('b', { listen: [bAddr.replace(/\/p2p\/.*/, '')] })
    expect((await b2.api.getPolicies()).offers).toBe('nobody')
  })
})
