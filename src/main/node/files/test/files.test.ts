/**
 * Share, fetch, health and repair between real nodes on 127.0.0.1 (one
 * process; test/integration/files.test.ts covers separate daemons).
 */
import { createHash } from 'node:crypto'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { FileOffer, FilePlaced, OperationInfo } from '../../../../shared/api/index.js'
import { fetchLink, randomFile, repairFile, run, share, Swarm, untilShardPeers } from './helpers.js'

let root: string
let swarm: Swarm

beforeAll(async () => { root = await mkdtemp(join(tmpdir(), 'wgt-files-')) })
afterEach(async () => { await swarm.stopAll() })
afterAll(async () => { await rm(root, { recursive: true, force: true }) })

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex')

describe('files between nodes', () => {
  it('shares on one node, spreads each segment over distinct peers, and fetches identical bytes on another', async () => {
    swarm = new Swarm(join(root, 't1'))
    const a = await swarm.start('a')
    const peers = [await swarm.start('b'), await swarm.start('c'), await swarm.start('d')]
    await untilShardPeers(a, 3)
    const src = join(root, 't1', 'input.bin')
    const digest = await randomFile(src, 9 * 2 ** 20 + 12345)
    const events: OperationInfo[] = []

    const shared = await share(a, src, { k: 2, m: 1 }, events)
    expect(shared.link).toMatch(/^wgt:\/\/b[a-z2-7]+#[A-Za-z0-9_-]{43}$/)
    expect(shared).toMatchObject({ name: 'input.bin', size: 9 * 2 ** 20 + 12345, k: 2, m: 1 })
    // one operation, phases in order, one fraction that never goes back, ending done at 100%
    expect(new Set(events.map(e => e.id)).size).toBe(1)
    expect(events.some(e => e.phase === 'sending' && e.progress.bytesTotal === 9 * 2 ** 20 + 12345)).toBe(true)
    const phases = ['preparing', 'sending', 'finishing']
    for (let i = 1; i < events.length; i++) {
      expect(events[i].progress.fraction).toBeGreaterThanOrEqual(events[i - 1].progress.fraction)
      expect(phases.indexOf(events[i].phase)).toBeGreaterThanOrEqual(phases.indexOf(events[i - 1].phase))
    }
    expect(events.at(-1)).toMatchObject({ state: 'done', progress: { fraction: 1 } })

    // 3 shards per segment on 3 distinct peers, plus the sharer's own copy
    const health = await a.api.fileHealth(shared.id)
    expect(health.segments).toHaveLength(3)
    for (const s of health.segments) {
      expect(s.reachable).toBe(3)
      expect(new Set(s.holders)).toEqual(new Set([a.peerId, ...peers.map(p => p.peerId)]))
    }
    expect(health.recoverable).toBe(true)
    for (const p of peers) expect((await p.api.getStorage()).shards).toBeGreaterThanOrEqual(3)
    // the sharer's own copy: each segment's k data shards (they rebuild the parity), the manifest's k + m shards, the
    // root; a parity shard is kept here only if no peer took it, which three idle peers always do, but not for certain
    const own = (await a.api.getStorage()).own.shards
    expect(own).toBeGreaterThanOrEqual(3 * 2 + 3 + 1)
    expect(own).toBeLessThan(3 * 3 + 3 + 1)

    const c = peers[1]
    const got = await fetchLink(c, shared.link)
    expect(got.sha256).toBe(digest)
    expect(got.path).toBe(join((await c.api.getSettings()).downloadDir, 'input.bin'))
    expect(sha(await readFile(got.path))).toBe(digest)
    expect(got.badHolders).toEqual([])
    const listed = await c.api.listFiles()
    expect(listed).toEqual([expect.objectContaining({ id: shared.id, direction: 'received', path: got.path })])

    // a second fetch of the same link finds the copy already here and writes nothing
    const again = await fetchLink(c, shared.link)
    expect(again).toMatchObject({ existing: true, path: got.path })
    expect(await readdir((await c.api.getSettings()).downloadDir)).toEqual(['input.bin'])
    // asked for another place, it does fetch there
    const elsewhere = await fetchLink(c, shared.link, join(root, 't1', 'copy.bin'))
    expect(elsewhere).toMatchObject({ existing: false, sha256: digest })

    // with every holder and the fetcher gone, the sharer's data shards alone give a new peer the file
    for (const p of peers) await swarm.stop(p)
    const e = await swarm.start('e')
    await untilShardPeers(e, 1)
    const alone = await fetchLink(e, shared.link)
    expect(alone.sha256).toBe(digest)
    expect(sha(await readFile(alone.path))).toBe(digest)
  })

  it('refuses a wrong key with INTEGRITY and leaves no file; a node that does not store for others gets none', async () => {
    swarm = new Swarm(join(root, 't2'))
    const a = await swarm.start('a')
    const b = await swarm.start('b')
    await b.api.setPolicy('storage', 'nobody')
    await untilShardPeers(a, 1)
    const src = join(root, 't2', 'small.txt')
    const digest = await randomFile(src, 100_000)
    const shared = await share(a, src)
    expect((await b.api.getStorage()).shards).toBe(0)

    const wrong = shared.link.replace(/#.*/, '#' + Buffer.alloc(32, 7).toString('base64url'))
    await expect(fetchLink(b, wrong)).rejects.toMatchObject({ code: 'INTEGRITY', message: expect.stringMatching(/wrong key/) })
    const dl = (await b.api.getSettings()).downloadDir
    expect(await readdir(dl).catch(() => [])).toEqual([])
    // nothing of a file it could not open is kept either
    expect((await b.api.getStorage()).shards).toBe(0)

    const got = await fetchLink(b, shared.link)
    expect(got.sha256).toBe(digest)
  })

  it('credits the sharer only with the shards it keeps, so a repair never lists it as holding parity', async () => {
    swarm = new Swarm(join(root, 't4'))
    const a = await swarm.start('a')
    const peers = [await swarm.start('b'), await swarm.start('c'), await swarm.start('d')]
    await untilShardPeers(a, 3)
    const src = join(root, 't4', 'input.bin')
    await randomFile(src, 9 * 2 ** 20)
    const shared = await share(a, src, { k: 2, m: 1 })
    // all healthy: nothing to rebuild, and the placement becomes what each holder proved
    const repaired = await repairFile(a, shared.id)
    expect(repaired.recreated).toBe(0)
    for (const p of peers) await swarm.stop(p)
    // every holder gone: the sharer still proves its data shards (k of each segment) and is lost nowhere
    const health = await a.api.fileHealth(shared.id)
    expect(health.segments).toHaveLength(3)
    for (const s of health.segments) {
      expect(s.reachable).toBe(2)
      expect(s.holders).toEqual([a.peerId])
      expect(s.lost).not.toContain(a.peerId)
    }
    expect(health.recoverable).toBe(true)
  })

  it('reports lost shards after a holder leaves, repairs them onto other peers, and sends offers', async () => {
    swarm = new Swarm(join(root, 't3'))
    const a = await swarm.start('a')
    const others = [await swarm.start('b'), await swarm.start('c'), await swarm.start('d'), await swarm.start('e')]
    await untilShardPeers(a, 4)
    const src = join(root, 't3', 'doc.bin')
    await randomFile(src, 5 * 2 ** 20)
    const placed: FilePlaced[] = []
    a.api.on('files:placed', e => placed.push(e))
    const shared = await share(a, src, { k: 2, m: 1, keepLocalCopy: false })
    const before = await a.api.fileHealth(shared.id)
    expect(before.minReachable).toBe(3)
    expect(before.segments.every(s => s.lost.length === 0)).toBe(true)
    // the share named every peer it put shards on, once each
    const sharedTo = new Set(before.segments.flatMap(s => s.holders))
    expect(new Set(placed.map(p => p.peerId))).toEqual(sharedTo)
    expect(placed).toHaveLength(sharedTo.size)
    expect(placed.every(p => p.fileId === shared.id)).toBe(true)
    placed.length = 0
    // stop a peer that holds a data shard
    const victim = others.find(o => before.segments[0].holders.includes(o.peerId))!
    await swarm.stop(victim)
    const hurt = await a.api.fileHealth(shared.id)
    expect(hurt.minReachable).toBe(2)
    expect(hurt.recoverable).toBe(true)
    // the stopped holder is named as lost where the placement put it, and nowhere holds
    expect(hurt.segments[0].lost).toEqual([victim.peerId])
    expect(hurt.segments.every(s => !s.holders.includes(victim.peerId))).toBe(true)

    const progress: OperationInfo[] = []
    const repaired = await repairFile(a, shared.id, progress)
    expect(repaired.recreated).toBeGreaterThanOrEqual(1)
    expect(repaired.health.minReachable).toBe(3)
    expect(repaired.health.segments.every(s => !s.holders.includes(victim.peerId))).toBe(true)
    expect(progress.map(p => p.phase)).toContain('rebuilding')
    // every rebuilt shard was announced as it landed, on a peer that now holds it
    const newHolders = new Set(repaired.health.segments.flatMap(s => s.holders))
    expect(placed.length).toBeGreaterThanOrEqual(repaired.recreated)
    expect(placed.every(p => p.fileId === shared.id && p.operation === progress[0].id && newHolders.has(p.peerId))).toBe(true)

    const target = others.find(o => o !== victim)!
    const offers: FileOffer[] = []
    target.api.on('offer:new', o => offers.push(o))
    await a.api.offerFile(target.peerId, shared.link)
    expect(offers).toEqual([expect.objectContaining({ from: a.peerId, link: shared.link, name: 'doc.bin', size: 5 * 2 ** 20 })])
    // the offer waits in the inbox; accepting it fetches the file and remembers who sent it
    expect(await target.api.listOffers()).toEqual([expect.objectContaining({ id: offers[0].id })])
    await run(target, async () => await target.api.acceptOffer(offers[0].id))
    expect(await target.api.listOffers()).toEqual([])
    expect(await target.api.listFiles()).toEqual([expect.objectContaining({ id: shared.id, direction: 'received', from: a.peerId })])
  })
})
