/**
 * Guard across processes: the contact request flow between `wgt daemon`s
 * through the CLI (accept, decline, block), a blocked peer that cannot
 * connect even after the blocker restarts, and a hostile peer whose
 * malformed messages get it banned: its open connection is closed and it
 * stays refused after the victim restarts. An endless length prefix is
 * refused on a WGT protocol and on the DHT, and counted.
 */
import type { Libp2p } from '@libp2p/interface'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Contact, PeerEntry, Policies } from '../../src/shared/api/index.js'
import { Daemons, loopbackTcp, sleep, wgt, wgtJson, type Daemon } from '../helpers/daemons.js'
import { cidOf } from '../../src/main/node/ces/index.js'
import { ShardRequest } from '../../src/main/node/files/pb/shard.js'
import { hostilePeer, sendRaw, shardRequest, untilEnded } from '../helpers/hostile.js'

const daemons = new Daemons()
afterAll(async () => { await daemons.stopAll() })

async function until (what: string, fn: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(200)
  }
}
const trustOf = async (d: Daemon, peerId: string): Promise<string> =>
  (await wgtJson<Contact[]>(d, ['contacts'])).find(c => c.peerId === peerId)?.trust ?? 'stranger'
const portOf = (d: Daemon): string => loopbackTcp(d).replace(/\/p2p\/.*/, '')

/**
 * `from` tries to reach `to` and is refused: `to` never lists it as connected,
 * and no probe gets through. (`wgt connect`'s exit code alone does not say it:
 * libp2p selects the muxer optimistically, so the dialer may see a connection
 * for the moment before the refusing side closes it.)
 */
async function refused (from: Daemon, to: Daemon): Promise<void> {
  await wgt(['connect', loopbackTcp(to), '--data-dir', from.dataDir])
  const ping = await wgt(['ping', to.info.peerId, '-c', '1', '--data-dir', from.dataDir])
  expect(ping.code, ping.stdout).not.toBe(0)
  const seen = (await wgtJson<PeerEntry[]>(to, ['peers'])).find(p => p.peerId === from.info.peerId)
  expect(seen?.connected ?? false).toBe(false)
}

describe('contacts between daemons', () => {
  let a: Daemon, b: Daemon, c: Daemon
  beforeAll(async () => {
    [a, b, c] = await Promise.all([daemons.start('a'), daemons.start('b'), daemons.start('c')])
  })

  it('a request, accepted: both show the contact, and the peer list shows trust and nickname', async () => {
    const add = await wgt(['contacts', 'add', loopbackTcp(b), '--name', 'Bob', '--data-dir', a.dataDir])
    expect(add.code, add.stderr).toBe(0)
    expect(add.stdout).toContain('request sent')
    await until('the request at b', async () => await trustOf(b, a.info.peerId) === 'request-received')
    const list = await wgt(['contacts', '--data-dir', b.dataDir])
    expect(list.stdout).toContain(`${a.info.peerId}  request received`)

    const accept = await wgt(['contacts', 'accept', a.info.peerId, '--name', 'Alice', '--data-dir', b.dataDir])
    expect(accept.code, accept.stderr).toBe(0)
    await until('contact at a', async () => await trustOf(a, b.info.peerId) === 'contact')
    const peer = (await wgtJson<PeerEntry[]>(a, ['peers'])).find(p => p.peerId === b.info.peerId)
    expect(peer).toMatchObject({ trust: 'contact', nickname: 'Bob' })
    const text = await wgt(['peers', '--data-dir', a.dataDir])
    expect(text.stdout).toContain(`Bob ${b.info.peerId}`)
    expect(text.stdout).toMatch(/\[contact\]/)
  })

  it('a declined request leaves both strangers; a blocked peer cannot connect, also after the blocker restarts', async () => {
    expect((await wgt(['contacts', 'add', loopbackTcp(b), '--data-dir', c.dataDir])).code).toBe(0)
    await until('the request at b', async () => await trustOf(b, c.info.peerId) === 'request-received')
    expect((await wgt(['contacts', 'decline', c.info.peerId, '--data-dir', b.dataDir])).code).toBe(0)
    await until('the decline at c', async () => await trustOf(c, b.info.peerId) === 'stranger')

    const block = await wgt(['contacts', 'block', c.info.peerId, '--data-dir', b.dataDir])
    expect(block.code, block.stderr).toBe(0)
    // b closed the connection; c learns it when the close reaches it (until then a dial reuses it)
    await until('c sees the connection closed', async () => (await wgtJson<PeerEntry[]>(c, ['peers'])).find(p => p.peerId === b.info.peerId)?.connected !== true)
    await refused(c, b)

    const listen = portOf(b)
    await daemons.stop(b)
    b = await daemons.start('b', { dataDir: b.dataDir, listen })
    expect(await trustOf(b, c.info.peerId)).toBe('blocked')
    await refused(c, b)
    // the contact made before the restart is still there, on both sides
    expect(await trustOf(b, a.info.peerId)).toBe('contact')
  })

  it('policies are shown and set through the CLI, and a bad value is a usage error', async () => {
    expect(await wgtJson<Policies>(a, ['policy'])).toMatchObject({ storage: 'anyone', offers: 'contacts', compute: 'contacts' })
    expect(await wgtJson<Policies>(a, ['policy', 'offers', 'nobody'])).toMatchObject({ offers: 'nobody' })
    expect(await wgtJson<Policies>(a, ['policy', 'calls', 'contacts-only'])).toMatchObject({ calls: 'contacts-only' })
    const bad = await wgt(['policy', 'offers', 'everyone', '--data-dir', a.dataDir])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/anyone, contacts, contacts-only, nobody/)
  })
})

describe('a hostile peer', () => {
  let victim: Daemon
  let hostile: Libp2p
  beforeAll(async () => {
    victim = await daemons.start('victim')
    hostile = await hostilePeer()
    await hostile.start()
  })
  afterAll(async () => { await hostile?.stop() })

  /** The victim answers the hostile peer nothing: a valid GET gets no response (a dial alone may seem to work: the muxer is selected optimistically). */
  const refusedHostile = async (addr: string): Promise<boolean> => {
    try {
      await shardRequest(hostile, addr, { kind: ShardRequest.Kind.GET, cid: cidOf(new Uint8Array([1, 2, 3])) }, 10_000)
      return false
    } catch {
      return true
    }
  }

  const violations = async (): Promise<number> => {
    const p = (await wgtJson<PeerEntry[]>(victim, ['peers'])).find(e => e.peerId === hostile.peerId.toString())
    return p?.reputation.violations ?? 0
  }

  it('an endless length prefix is refused and counted, on a WGT protocol and on the DHT', async () => {
    const endless = new Uint8Array(64).fill(0xff)
    for (const protocol of ['/wgt/shard/1.0.0', '/wgt/kad/1.0.0']) {
      const before = await violations()
      const stream = await sendRaw(hostile, loopbackTcp(victim), protocol, endless)
      await untilEnded(stream)
      expect(stream.status, protocol).not.toBe('open')
      await until(`a violation for ${protocol}`, async () => await violations() > before, 10_000)
    }
  })

  it('is banned by its violations: its open connection is closed, and it stays refused after the victim restarts', async () => {
    const addr = loopbackTcp(victim)
    for (let i = 0; i < 12 && hostile.getConnections().length > 0; i++) {
      const stream = await sendRaw(hostile, addr, '/wgt/shard/1.0.0', new Uint8Array([0x05, 1, 2, 3, 4, 5])).catch(() => null)
      if (stream != null) await untilEnded(stream)
    }
    await until('the ban', async () => (await wgtJson<PeerEntry[]>(victim, ['peers'])).find(e => e.peerId === hostile.peerId.toString())?.reputation.state === 'banned')
    await until('the connection closed', async () => hostile.getConnections(victim.info.peerId as never).length === 0 && hostile.getConnections().length === 0)
    expect(await refusedHostile(addr)).toBe(true)

    const listen = portOf(victim)
    await daemons.stop(victim)
    victim = await daemons.start('victim', { dataDir: victim.dataDir, listen })
    expect(await refusedHostile(loopbackTcp(victim))).toBe(true)
    const entry = (await wgtJson<PeerEntry[]>(victim, ['peers'])).find(e => e.peerId === hostile.peerId.toString())
    expect(entry?.reputation).toMatchObject({ state: 'banned', lastReason: expect.stringMatching(/shard/) })
  })
})
