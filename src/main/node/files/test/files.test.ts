/**
 * Share, fetch, health and repair between real nodes on 127.0.0.1 (one
 * process; test/integration/files.test.ts covers separate daemons).
 */
import { createHash } from 'node:crypto'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { TransferProgress } from '../../../../shared/types.js'
import { randomFile, Swarm, untilShardPeers } from './helpers.js'

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
    const events: TransferProgress[] = []
    a.api.on('file:progress', p => events.push(p))

    const shared = await a.api.shareFile(src, { k: 2, m: 1 })
    expect(shared.link).toMatch(/^wgt:\/\/b[a-z2-7]+#[A-Za-z0-9_-]{43}$/)
    expect(shared).toMatchObject({ name: 'input.bin', size: 9 * 2 ** 20 + 12345, k: 2, m: 1 })
    expect(events.some(e => e.kind === 'share' && e.phase === 'encode' && e.unit === 'bytes')).toBe(true)
    expect(events.some(e => e.kind === 'share' && e.phase === 'place' && e.unit === 'shards')).toBe(true)
    expect(events.at(-1)?.phase).toBe('done')

    // 3 shards per segment on 3 distinct peers, plus the sharer's own copy
    const health = await a.api.fileHealth(shared.id)
    expect(health.segments).toHaveLength(3)
    for (const s of health.segments) {
      expect(s.reachable).toBe(3)
      expect(new Set(s.holders)).toEqual(new Set([a.peerId, ...peers.map(p => p.peerId)]))
    }
    expect(health.recoverable).toBe(true)
    for (const p of peers) expect((await p.api.getStorage()).shards).toBeGreaterThanOrEqual(3)

    const c = peers[1]
    const got = await c.api.fetchFile(shared.link)
    expect(got.sha256).toBe(digest)
    expect(got.path).toBe(join((await c.api.getStorage()).downloadDir, 'input.bin'))
    expect(sha(await readFile(got.path))).toBe(digest)
    expect(got.badHolders).toEqual([])
    const listed = await c.api.listFiles()
    expect(listed).toEqual([expect.objectContaining({ id: shared.id, direction: 'received', path: got.path })])

    // a second fetch of the same link does not overwrite: a unique name
    const again = await c.api.fetchFile(shared.link)
    expect(again.path).toBe(join((await c.api.getStorage()).downloadDir, 'input (1).bin'))
  })

  it('refuses a wrong key with INTEGRITY and leaves no file; a node that does not store for others gets none', async () => {
    swarm = new Swarm(join(root, 't2'))
    const a = await swarm.start('a')
    const b = await swarm.start('b', { storeForOthers: false })
    await untilShardPeers(a, 1)
    const src = join(root, 't2', 'small.txt')
    const digest = await randomFile(src, 100_000)
    const shared = await a.api.shareFile(src)
    expect((await b.api.getStorage()).shards).toBe(0)

    const wrong = shared.link.replace(/#.*/, '#' + Buffer.alloc(32, 7).toString('base64url'))
    await expect(b.api.fetchFile(wrong)).rejects.toMatchObject({ code: 'INTEGRITY', message: expect.stringMatching(/wrong key/) })
    const dl = (await b.api.getStorage()).downloadDir
    expect(await readdir(dl).catch(() => [])).toEqual([])

    const got = await b.api.fetchFile(shared.link)
    expect(got.sha256).toBe(digest)
  })

  it('reports lost shards after a holder leaves, repairs them onto other peers, and sends offers', async () => {
    swarm = new Swarm(join(root, 't3'))
    const a = await swarm.start('a')
    const others = [await swarm.start('b'), await swarm.start('c'), await swarm.start('d'), await swarm.start('e')]
    await untilShardPeers(a, 4)
    const src = join(root, 't3', 'doc.bin')
    await randomFile(src, 5 * 2 ** 20)
    const shared = await a.api.shareFile(src, { k: 2, m: 1, keepLocalCopy: false })
    const before = await a.api.fileHealth(shared.id)
    expect(before.minReachable).toBe(3)
    // stop a peer that holds a data shard
    const victim = others.find(o => before.segments[0].holders.includes(o.peerId))!
    await swarm.stop(victim)
    const hurt = await a.api.fileHealth(shared.id)
    expect(hurt.minReachable).toBe(2)
    expect(hurt.recoverable).toBe(true)

    const progress: string[] = []
    a.api.on('file:progress', p => { if (p.kind === 'repair') progress.push(p.phase) })
    const repaired = await a.api.repairFile(shared.id)
    expect(repaired.recreated).toBeGreaterThanOrEqual(1)
    expect(repaired.health.minReachable).toBe(3)
    expect(repaired.health.segments.every(s => !s.holders.includes(victim.peerId))).toBe(true)
    expect(progress).toContain('repair')

    const target = others.find(o => o !== victim)!
    const offers: unknown[] = []
    target.api.on('file:offer', o => offers.push(o))
    await a.api.offerFile(target.peerId, shared.link)
    expect(offers).toEqual([expect.objectContaining({ from: a.peerId, link: shared.link, name: 'doc.bin', size: 5 * 2 ** 20 })])
  })
})
