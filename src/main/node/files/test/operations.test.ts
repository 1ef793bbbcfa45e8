/**
 * Long file work as operations between real nodes on 127.0.0.1: cancelling a
 * share or a fetch leaves nothing behind, a fetched file is served from the
 * fetcher too, unsharing takes the shards back, and the inbox and settings
 * survive a restart.
 */
import { existsSync } from 'node:fs'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_DESKTOP_SETTINGS, type OperationInfo, type OperationRef } from '../../../../shared/api/index.js'
import type { WgtNode } from '../../index.js'
import { fetchLink, randomFile, run, share, Swarm, until, untilShardPeers } from './helpers.js'

let root: string
let swarm: Swarm

beforeAll(async () => { root = await mkdtemp(join(tmpdir(), 'wgt-ops-')) })
afterEach(async () => { await swarm.stopAll() })
afterAll(async () => { await rm(root, { recursive: true, force: true }) })

/** Start an operation and cancel it from inside its first update in `phase`: mid-way, deterministically. */
async function cancelDuring (node: WgtNode, phase: string, start: () => Promise<OperationRef>): Promise<OperationInfo> {
  let id: string | null = null
  const off = node.api.on('operation:update', op => {
    if (op.id === id && op.phase === phase && op.state === 'running') void node.api.cancelOperation(op.id)
  })
  try {
    id = (await start()).operation
    return await node.api.waitOperation(id)
  } finally {
    off()
  }
}

const shardsOn = async (nodes: WgtNode[]): Promise<number[]> => await Promise.all(nodes.map(async n => (await n.api.getStorage()).shards))

describe('operations', () => {
  it('a cancelled share takes back every shard it placed and leaves no file behind', async () => {
    swarm = new Swarm(join(root, 'cancel-share'))
    const a = await swarm.start('a')
    const peers = [await swarm.start('b'), await swarm.start('c'), await swarm.start('d')]
    await untilShardPeers(a, 3)
    const src = join(root, 'cancel-share', 'big.bin')
    await randomFile(src, 24 * 2 ** 20)
    const before = await shardsOn([a, ...peers])
    const op = await cancelDuring(a, 'sending', async () => await a.api.shareFile(src, { k: 2, m: 1 }))
    expect(op).toMatchObject({ state: 'cancelled', error: { code: 'CANCELLED' } })
    expect(await a.api.listFiles()).toEqual([])
    expect(await shardsOn([a, ...peers])).toEqual(before)
  })

  it('a cancelled fetch removes its partial file and the shards it kept; a fetched file is served by its fetcher', async () => {
    swarm = new Swarm(join(root, 'cancel-fetch'))
    const a = await swarm.start('a')
    const b = await swarm.start('b')
    const c = await swarm.start('c')
    await untilShardPeers(a, 2)
    const src = join(root, 'cancel-fetch', 'doc.bin')
    const digest = await randomFile(src, 13 * 2 ** 20)
    const shared = await share(a, src, { k: 2, m: 1 })

    const dl = (await c.api.getSettings()).downloadDir
    const cBefore = (await c.api.getStorage()).shards
    const op = await cancelDuring(c, 'receiving', async () => await c.api.fetchFile(shared.link))
    expect(op.state).toBe('cancelled')
    expect(await readdir(dl).catch(() => [])).toEqual([])
    expect(await c.api.listFiles()).toEqual([])
    expect((await c.api.getStorage()).shards).toBe(cBefore)

    // fetched for real, with keepFetchedShards on (the default): C now holds k shards of every segment
    const got = await fetchLink(c, shared.link)
    expect(got.sha256).toBe(digest)
    const cAfter = await c.api.getStorage()
    expect(cAfter.shards).toBeGreaterThan(cBefore)
    // counted apart: every shard C now keeps for its own copy (some it already held for A)
    expect(cAfter.own.shards).toBeGreaterThanOrEqual(cAfter.shards - cBefore)
    expect(cAfter.own.bytes).toBeLessThanOrEqual(cAfter.used)
    // the sharer and one holder go: the file is still whole, served from C
    await swarm.stop(a)
    await swarm.stop(b)
    const d = await swarm.start('d', { bootstrap: [c.multiaddrs()[0]] })
    await until('d to see c', async () => (await d.api.listPeers()).some(p => p.peerId === c.peerId && p.connected))
    const health = await c.api.fileHealth(shared.id)
    expect(health.recoverable).toBe(true)
    const again = await fetchLink(d, shared.link)
    expect(again.sha256).toBe(digest)
  })

  it('unsharing asks every holder to drop the shards; removing a received file keeps or deletes the copy as asked', async () => {
    swarm = new Swarm(join(root, 'unshare'))
    const a = await swarm.start('a')
    const b = await swarm.start('b')
    const c = await swarm.start('c')
    await untilShardPeers(a, 2)
    const src = join(root, 'unshare', 'gone.bin')
    await randomFile(src, 3 * 2 ** 20)
    const shared = await share(a, src, { k: 1, m: 1 })
    const got = await fetchLink(c, shared.link)
    expect((await b.api.getStorage()).shards).toBeGreaterThan(0)

    const removed: string[] = []
    a.api.on('files:remove', e => removed.push(e.id))
    await a.api.removeFile(shared.id)
    expect(removed).toEqual([shared.id])
    expect(await a.api.listFiles()).toEqual([])
    expect((await a.api.getStorage()).shards).toBe(0)
    // b held shards only for a: they are gone; c keeps what it fetched, under its own lease
    expect((await b.api.getStorage()).shards).toBe(0)
    expect(existsSync(src)).toBe(true)

    await c.api.removeFile(shared.id)
    expect(existsSync(got.path)).toBe(true)
    expect((await c.api.getStorage()).shards).toBe(0)
    await expect(c.api.removeFile(shared.id)).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })

  it('keeps offers in the inbox and the settings across a restart', async () => {
    swarm = new Swarm(join(root, 'inbox'))
    const a = await swarm.start('a')
    let b = await swarm.start('b')
    await untilShardPeers(a, 1)
    const src = join(root, 'inbox', 'note.txt')
    await randomFile(src, 1000)
    const shared = await share(a, src)
    await a.api.offerFile(b.peerId, shared.link)
    await a.api.offerFile(b.peerId, shared.link)
    // a second offer of the same link from the same peer replaces the first
    const offers = await b.api.listOffers()
    expect(offers).toEqual([expect.objectContaining({ from: a.peerId, link: shared.link, name: 'note.txt', size: 1000 })])
    await b.api.updateSettings({ keepFetchedShards: false, downloadDir: join(root, 'inbox', 'dl') })
    await b.api.setStorageQuota(123_456_789)

    // accepting then cancelling loses nothing: the offer is back
    const removed: string[] = []
    const offBack = b.api.on('offer:remove', o => removed.push(o.id))
    const cancelled = await cancelDuring(b, 'receiving', async () => await b.api.acceptOffer(offers[0].id))
    offBack()
    expect(cancelled.state).toBe('cancelled')
    expect(removed).toEqual([offers[0].id])
    await until('the offer back in the inbox', async () => (await b.api.listOffers()).length === 1)

    await swarm.stop(b)
    // no quota from the command line this time: the one set through the API applies
    b = await swarm.start('b', { quotaBytes: null })
    expect(await b.api.listOffers()).toEqual(offers)
    expect(await b.api.getSettings()).toEqual({ keepFetchedShards: false, downloadDir: join(root, 'inbox', 'dl'), desktop: DEFAULT_DESKTOP_SETTINGS })
    expect((await b.api.getStorage()).quota).toBe(123_456_789)
    await b.api.declineOffer(offers[0].id)
    expect(await b.api.listOffers()).toEqual([])
    await expect(b.api.acceptOffer(offers[0].id)).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(b.api.updateSettings({ downloadDir: 'relative/dir' })).rejects.toMatchObject({ code: 'INVALID_INPUT' })
    // with keepFetchedShards off, a fetch keeps nothing (b holds what a placed on it, and only that)
    const held = (await b.api.getStorage()).shards
    await run(b, async () => await b.api.fetchFile(shared.link))
    expect((await b.api.getStorage()).shards).toBe(held)
  })
})
