import { createHash } from 'node:crypto'
import { readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { WgtError } from '../../../../shared/errors.js'
import { fanoutDir, shardPath } from '../cid-path.js'
import type { ShardStore } from '../index.js'
import { cidOf, listFiles, openStore, randomShard, workspace } from './helpers.js'

type Ws = Awaited<ReturnType<typeof workspace>>

async function codeOf (p: Promise<unknown>): Promise<string> {
  try {
    await p
  } catch (err) {
    expect(err).toBeInstanceOf(WgtError)
    return (err as WgtError).code
  }
  throw new Error('expected a rejection')
}

async function leaseKeys (ws: Ws): Promise<string[]> {
  const keys: string[] = []
  for await (const key of ws.datastore.queryKeys({ prefix: '/wgt/storage/lease/' })) keys.push(key.toString())
  return keys.sort()
}

describe('ShardStore', () => {
  let ws: Ws
  let store: ShardStore | undefined
  let now: number
  const clock = (): number => now

  beforeEach(async () => {
    ws = await workspace()
    now = 1_700_000_000_000
  })

  afterEach(async () => {
    await store?.stop()
    store = undefined
    await ws.dispose()
  })

  it('stores and returns the exact bytes under the CID, in a fan-out directory', async () => {
    store = await openStore(ws, { now: clock })
    const { cid, bytes } = randomShard(100_000)
    expect(await store.put(cid, bytes, { owner: 'peerA', expiresAt: now + 60_000 })).toBe('stored')
    const back = await store.get(cid)
    expect(back).toBeInstanceOf(Uint8Array)
    expect(Buffer.from(back as Uint8Array).equals(bytes)).toBe(true)
    expect(await store.has(cid)).toBe(true)
    expect(await listFiles(ws.shardDir)).toEqual([`${fanoutDir(cid)}/${cid}`])
    expect(store.stats()).toMatchObject({ used: 100_000, quota: 64 * 1024 * 1024, shards: 1, own: { bytes: 0, shards: 0 } })
    expect(store.cids()).toEqual([cid])

    const missing = randomShard(10).cid
    expect(await store.get(missing)).toBeNull()
    expect(await store.hasMany([cid, missing, cid])).toEqual([true, false, true])
  })

  it('makes a fan-out directory again when it was removed after a put into it', async () => {
    store = await openStore(ws, { now: clock })
    const first = randomShard(1000)
    // a second shard in the same fan-out directory (1 in 1024 per try)
    let second = randomShard(1000)
    while (fanoutDir(second.cid) !== fanoutDir(first.cid)) second = randomShard(1000)
    const lease = { owner: 'peerA', expiresAt: now + 60_000 }
    expect(await store.put(first.cid, first.bytes, lease)).toBe('stored')
    await rm(join(ws.shardDir, fanoutDir(first.cid)), { recursive: true })
    expect(await store.put(second.cid, second.bytes, lease)).toBe('stored')
    expect(Buffer.from(await store.get(second.cid) as Uint8Array).equals(second.bytes)).toBe(true)
  })

  it('stores an empty shard', async () => {
    store = await openStore(ws, { now: clock })
    const empty = new Uint8Array(0)
    expect(await store.put(cidOf(empty), empty, { owner: 'peerA', expiresAt: Infinity })).toBe('stored')
    expect((await store.get(cidOf(empty)))?.length).toBe(0)
  })

  it('rejects bytes that do not hash to the CID and stores nothing', async () => {
    store = await openStore(ws, { now: clock })
    const a = randomShard(1000)
    const b = randomShard(1000)
    expect(await codeOf(store.put(a.cid, b.bytes, { owner: 'peerA', expiresAt: now + 1000 }))).toBe('INTEGRITY')
    const flipped = a.bytes.slice()
    flipped[500] ^= 1
    expect(await codeOf(store.put(a.cid, flipped, { owner: 'peerA', expiresAt: now + 1000 }))).toBe('INTEGRITY')
    expect(await store.has(a.cid)).toBe(false)
    expect(store.stats().used).toBe(0)
    expect(await leaseKeys(ws)).toEqual([])
  })

  it('rejects malicious CID strings with INVALID_INPUT on every method, touching nothing outside its dir', async () => {
    store = await openStore(ws, { now: clock })
    const { bytes } = randomShard(10)
    const bad = ['../x', '../../etc/passwd', '/etc/passwd', join(ws.root, 'escape'), cidOf(bytes).toUpperCase(), 'b' + 'a'.repeat(1_000_000),
      'bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi' /* dag-pb */]
    for (const cid of bad) {
      expect(await codeOf(store.put(cid, bytes, { owner: 'peerA', expiresAt: now + 1000 }))).toBe('INVALID_INPUT')
      expect(await codeOf(store.get(cid))).toBe('INVALID_INPUT')
      expect(await codeOf(store.has(cid))).toBe('INVALID_INPUT')
      expect(await codeOf(store.delete(cid))).toBe('INVALID_INPUT')
    }
    expect(await codeOf(store.hasMany([cidOf(bytes), '../x']))).toBe('INVALID_INPUT')
    expect(await listFiles(ws.root).then(f => f.filter(p => !p.startsWith('datastore/')))).toEqual([])
  })

  it('rejects malformed leases', async () => {
    store = await openStore(ws, { now: clock })
    const { cid, bytes } = randomShard(10)
    for (const lease of [{ owner: 'a/b', expiresAt: now + 1 }, { owner: '', expiresAt: now + 1 }, { owner: 'peerA', expiresAt: Number.NaN },
      { owner: 'peerA', expiresAt: now }, { owner: 'peerA', expiresAt: -Infinity }, null]) {
      expect(await codeOf(store.put(cid, bytes, lease as never))).toBe('INVALID_INPUT')
    }
    expect(await store.has(cid)).toBe(false)
  })

  it('enforces the quota across parallel puts without ever overshooting', async () => {
    store = await openStore(ws, { now: clock, quotaBytes: 10_000 })
    const shards = Array.from({ length: 25 }, () => randomShard(1000))
    const results = await Promise.allSettled(shards.map(s => store!.put(s.cid, s.bytes, { owner: 'peerA', expiresAt: now + 1000 })))
    const stored = results.filter(r => r.status === 'fulfilled')
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')
    expect(stored.length).toBe(10)
    expect(refused.length).toBe(15)
    for (const r of refused) expect((r.reason as WgtError).code).toBe('QUOTA_EXCEEDED')
    // all were in flight together: the refusals count the reserved bytes
    expect((refused.at(-1)!.reason as WgtError).message).toBe('storage quota exceeded: 0 of 10000 bytes used (+10000 being written), this shard needs 1000')
    expect(store.stats()).toMatchObject({ used: 10_000, quota: 10_000, shards: 10, own: { bytes: 0, shards: 0 } })
    const late = randomShard(1)
    const err = await store.put(late.cid, late.bytes, { owner: 'peerA', expiresAt: now + 1000 }).catch((e: unknown) => e)
    expect((err as WgtError).message).toBe('storage quota exceeded: 10000 of 10000 bytes used, this shard needs 1')
    expect((await listFiles(ws.shardDir)).length).toBe(10)

    // Renewing a shard already held needs no room.
    const held = shards[results.findIndex(r => r.status === 'fulfilled')]
    expect(await store.put(held.cid, held.bytes, { owner: 'peerB', expiresAt: now + 5000 })).toBe('renewed')

    store.setQuota(10_500)
    store.setLimits({ pool: 10_500, perPeerBytes: 10_500 })
    expect(await codeOf(store.put(shards[24].cid, randomShard(1000).bytes.fill(0), { owner: 'peerA', expiresAt: now + 1 }))).toBe('INTEGRITY')
    const small = randomShard(500)
    expect(await store.put(small.cid, small.bytes, { owner: 'peerA', expiresAt: now + 1000 })).toBe('stored')
    expect(store.stats().used).toBe(10_500)
    expect(() => store!.setQuota(-1)).toThrow(WgtError)
    expect(() => store!.setQuota(1.5)).toThrow(WgtError)
    expect(store.stats().quota).toBe(10_500)
  })

  it('collects shards whose every lease expired; renewal and pinning keep them', async () => {
    store = await openStore(ws, { now: clock })
    const shortLived = randomShard(1000)
    const renewed = randomShard(2000)
    const twoOwners = randomShard(3000)
    const pinned = randomShard(4000)
    await store.put(shortLived.cid, shortLived.bytes, { owner: 'peerA', expiresAt: now + 1000 })
    await store.put(renewed.cid, renewed.bytes, { owner: 'peerA', expiresAt: now + 1000 })
    await store.put(twoOwners.cid, twoOwners.bytes, { owner: 'peerA', expiresAt: now + 1000 })
    expect(await store.put(twoOwners.cid, twoOwners.bytes, { owner: 'peerB', expiresAt: now + 10_000 })).toBe('renewed')
    await store.put(pinned.cid, pinned.bytes, { owner: 'self', expiresAt: Infinity })

    now += 500
    expect(await store.put(renewed.cid, renewed.bytes, { owner: 'peerA', expiresAt: now + 5000 })).toBe('renewed')
    // an earlier expiry does not shorten the lease
    expect(await store.put(renewed.cid, renewed.bytes, { owner: 'peerA', expiresAt: now + 1 })).toBe('renewed')
    expect(await store.gc()).toEqual({ removed: 0, freed: 0 })

    now += 1000 // shortLived and peerA's lease on twoOwners are over
    expect(await store.gc()).toEqual({ removed: 1, freed: 1000 })
    expect(await store.has(shortLived.cid)).toBe(false)
    expect(await store.get(shortLived.cid)).toBeNull()
    expect(await store.has(twoOwners.cid)).toBe(true)
    expect(await leaseKeys(ws)).toEqual([
      `/wgt/storage/lease/${pinned.cid}/self`,
      `/wgt/storage/lease/${renewed.cid}/peerA`,
      `/wgt/storage/lease/${twoOwners.cid}/peerB`
    ].sort())

    now += 5000 // renewed is over
    expect(await store.gc()).toEqual({ removed: 1, freed: 2000 })
    now += 1e12
    expect(await store.gc()).toEqual({ removed: 1, freed: 3000 })
    expect(await store.has(pinned.cid)).toBe(true)
    expect(store.stats()).toMatchObject({ used: 4000, quota: 64 * 1024 * 1024, shards: 1, own: { bytes: 0, shards: 0 } })
    expect(await listFiles(ws.shardDir)).toEqual([`${fanoutDir(pinned.cid)}/${pinned.cid}`])
    expect(await leaseKeys(ws)).toEqual([`/wgt/storage/lease/${pinned.cid}/self`])
  })

  it('collects a shard file with no lease record and drops lease records with no shard', async () => {
    store = await openStore(ws, { now: clock })
    const orphan = randomShard(700)
    await store.put(orphan.cid, orphan.bytes, { owner: 'peerA', expiresAt: Infinity })
    for await (const key of ws.datastore.queryKeys({ prefix: '/wgt/storage/lease/' })) await ws.datastore.delete(key)
    const dangling = randomShard(10)
    await store.put(dangling.cid, dangling.bytes, { owner: 'peerA', expiresAt: Infinity })
    await import('node:fs/promises').then(fs => fs.unlink(shardPath(ws.shardDir, dangling.cid)))
    store = await openStore(ws, { now: clock }) // rescan: the dangling shard's file is gone
    expect(await store.gc()).toEqual({ removed: 1, freed: 700 })
    expect(await leaseKeys(ws)).toEqual([])
    expect(store.stats().shards).toBe(0)
  })

  it('delete removes the shard and its leases; deleting an absent shard is fine', async () => {
    store = await openStore(ws, { now: clock })
    const s = randomShard(100)
    await store.put(s.cid, s.bytes, { owner: 'peerA', expiresAt: Infinity })
    await store.delete(s.cid)
    await store.delete(s.cid)
    expect(await store.has(s.cid)).toBe(false)
    expect(await store.get(s.cid)).toBeNull()
    expect(await leaseKeys(ws)).toEqual([])
    expect(store.stats().used).toBe(0)
    expect(await store.put(s.cid, s.bytes, { owner: 'peerA', expiresAt: Infinity })).toBe('stored')
  })

  it('keeps shards, leases and usage across a restart', async () => {
    store = await openStore(ws, { now: clock })
    const expiring = randomShard(1500)
    const pinned = randomShard(2500)
    await store.put(expiring.cid, expiring.bytes, { owner: 'peerA', expiresAt: now + 1000 })
    await store.put(pinned.cid, pinned.bytes, { owner: 'self', expiresAt: Infinity })
    await store.stop()
    await ws.reopenDatastore()

    store = await openStore(ws, { now: clock, quotaBytes: 5000 })
    expect(store.stats()).toMatchObject({ used: 4000, quota: 5000, shards: 2, own: { bytes: 0, shards: 0 } })
    // what the node keeps for its own files is counted apart, from its leases
    await store.ownedBy('self')
    expect(store.stats().own).toEqual({ bytes: 2500, shards: 1 })
    const mine = randomShard(300)
    await store.put(mine.cid, mine.bytes, { owner: 'self', expiresAt: Infinity })
    await store.put(expiring.cid, expiring.bytes, { owner: 'self', expiresAt: Infinity })
    expect(store.stats().own).toEqual({ bytes: 4300, shards: 3 })
    await store.release(mine.cid, 'self')
    await store.release(expiring.cid, 'self')
    expect(store.stats().own).toEqual({ bytes: 2500, shards: 1 })
    expect(Buffer.from((await store.get(pinned.cid))!).equals(pinned.bytes)).toBe(true)
    // usage from the scan counts against the quota
    const big = randomShard(1001)
    expect(await codeOf(store.put(big.cid, big.bytes, { owner: 'peerA', expiresAt: now + 1000 }))).toBe('QUOTA_EXCEEDED')
    now += 2000
    expect(await store.gc()).toEqual({ removed: 1, freed: 1500 })
    expect(await store.has(pinned.cid)).toBe(true)
  })

  it('never serves a leftover or truncated temp file, and deletes them at open', async () => {
    const whole = randomShard(50_000)
    const sub = join(ws.shardDir, fanoutDir(whole.cid))
    await import('node:fs/promises').then(fs => fs.mkdir(sub, { recursive: true }))
    // What a crash mid-write leaves: the temp file of a shard never renamed, truncated or complete.
    await writeFile(join(sub, `${whole.cid}.0a1b2c3d4e5f.tmp`), whole.bytes.subarray(0, 20_000))
    await writeFile(join(sub, `${whole.cid}.ffeeddccbbaa.tmp`), whole.bytes)
    store = await openStore(ws, { now: clock })
    expect(await store.has(whole.cid)).toBe(false)
    expect(await store.get(whole.cid)).toBeNull()
    expect(store.stats()).toMatchObject({ used: 0, quota: 64 * 1024 * 1024, shards: 0, own: { bytes: 0, shards: 0 } })
    expect(await listFiles(ws.shardDir)).toEqual([])
    expect(await store.put(whole.cid, whole.bytes, { owner: 'peerA', expiresAt: Infinity })).toBe('stored')
  })

  it('scrub finds a corrupted shard, deletes it and stops serving it', async () => {
    store = await openStore(ws, { now: clock })
    const shards = [randomShard(3000), randomShard(4000), randomShard(5000)]
    for (const s of shards) await store.put(s.cid, s.bytes, { owner: 'peerA', expiresAt: Infinity })
    const victim = shards[1]
    const path = shardPath(ws.shardDir, victim.cid)
    const onDisk = await readFile(path)
    onDisk[1234] ^= 0x40 // one flipped bit, same size
    await writeFile(path, onDisk)
    expect(await store.scrub()).toEqual({ checked: 3, corrupt: [victim.cid] })
    expect(await store.has(victim.cid)).toBe(false)
    expect(await store.get(victim.cid)).toBeNull()
    expect(store.stats()).toMatchObject({ used: 8000, quota: 64 * 1024 * 1024, shards: 2, own: { bytes: 0, shards: 0 } })
    expect(await leaseKeys(ws)).not.toContain(`/wgt/storage/lease/${victim.cid}/peerA`)
    expect(await store.scrub()).toEqual({ checked: 2, corrupt: [] })
  })

  it('runs gc periodically after start() and not after stop()', async () => {
    store = await openStore(ws, { now: clock, gcIntervalMs: 20 })
    const first = randomShard(100)
    const second = randomShard(100)
    await store.put(first.cid, first.bytes, { owner: 'peerA', expiresAt: now + 1000 })
    store.start()
    store.start() // idempotent: a second timer would keep running after stop()
    now += 2000
    const deadline = Date.now() + 5000
    while (await store.has(first.cid)) {
      if (Date.now() > deadline) throw new Error('periodic gc never ran')
      await new Promise(resolve => setTimeout(resolve, 10))
    }
    await store.stop()
    await store.put(second.cid, second.bytes, { owner: 'peerA', expiresAt: now + 1000 })
    now += 2000
    await new Promise(resolve => setTimeout(resolve, 200))
    expect(await store.has(second.cid)).toBe(true)
  })

  it('stop() waits for a gc round in progress', async () => {
    store = await openStore(ws, { now: clock })
    const shards = Array.from({ length: 20 }, () => randomShard(1000))
    for (const s of shards) await store.put(s.cid, s.bytes, { owner: 'peerA', expiresAt: now + 1000 })
    now += 2000
    const round = store.gc()
    await store.stop()
    expect(store.stats().shards).toBe(0)
    expect(await round).toEqual({ removed: 20, freed: 20_000 })
  })
})

describe('ShardStore pools', () => {
  let ws: Awaited<ReturnType<typeof workspace>>
  let store: ShardStore | undefined
  beforeEach(async () => { ws = await workspace() })
  afterEach(async () => { await store?.stop(); store = undefined; await ws.dispose() })

  it('counts every shard rounded up to the block, holds others to their pool and each peer to its quotas, and never lets them take the own pool', async () => {
    const now = 1_000_000
    store = await openStore(ws, { quotaBytes: 64 * 4096, now: () => now, blockSize: 4096, pools: { pool: 16 * 4096, perPeerBytes: 8 * 4096, perPeerShards: 6 } })
    await store.ownedBy('self')
    const lease = (owner: string): { owner: string, expiresAt: number } => ({ owner, expiresAt: now + 1000 })

    // tiny shards cost a block each, and one peer gets 6 of them at most
    for (let i = 0; i < 6; i++) { const s = randomShard(16); await store.put(s.cid, s.bytes, lease('flooder')) }
    const seventh = randomShard(16)
    await expect(store.put(seventh.cid, seventh.bytes, lease('flooder'))).rejects.toMatchObject({ code: 'QUOTA_EXCEEDED', message: expect.stringMatching(/6 of 6 shards/) })
    expect(store.usageOf('flooder')).toEqual({ bytes: 6 * 4096, shards: 6 })

    // a big peer stops at its byte quota
    const big = randomShard(8 * 4096)
    await store.put(big.cid, big.bytes, lease('big'))
    const more = randomShard(16)
    await expect(store.put(more.cid, more.bytes, lease('big'))).rejects.toMatchObject({ code: 'QUOTA_EXCEEDED', message: expect.stringMatching(/quota on this node/) })
    // the pool: 14 of 16 blocks used; a third peer gets 2 more, then the pool is full
    const two = randomShard(2 * 4096)
    await store.put(two.cid, two.bytes, lease('third'))
    const over = randomShard(16)
    await expect(store.put(over.cid, over.bytes, lease('fourth'))).rejects.toMatchObject({ code: 'QUOTA_EXCEEDED', message: expect.stringMatching(/storage for others is full/) })

    // our own files still have the rest of the quota
    const own = randomShard(40 * 4096)
    expect(await store.put(own.cid, own.bytes, lease('self'))).toBe('stored')
    expect(store.stats()).toMatchObject({ used: 56 * 4096, own: { bytes: 40 * 4096, shards: 1 }, others: { bytes: 16 * 4096, shards: 8, peers: 3 }, blockSize: 4096 })

    // releasing frees the peer's quota
    await store.release(big.cid, 'big')
    expect(store.usageOf('big')).toEqual({ bytes: 0, shards: 0 })
    expect(await store.put(more.cid, more.bytes, lease('big'))).toBe('stored')
  })

  it('rebuilds what each peer keeps after a restart, forgets expired leases at gc, and renews only a lease the peer holds', async () => {
    let now = 1_000_000
    store = await openStore(ws, { now: () => now, blockSize: 4096 })
    await store.ownedBy('self')
    const a = randomShard(5000)
    await store.put(a.cid, a.bytes, { owner: 'p', expiresAt: now + 1000 })
    await store.put(a.cid, a.bytes, { owner: 'q', expiresAt: now + 5000 })
    expect(await store.renew(a.cid, 'p', now + 2000)).toBe(true)
    expect(await store.renew(a.cid, 'stranger', now + 2000)).toBe(false)
    await store.stop()

    store = await openStore(ws, { now: () => now, blockSize: 4096 })
    await store.ownedBy('self')
    expect(store.usageOf('p')).toEqual({ bytes: 8192, shards: 1 })
    expect(store.usageOf('q')).toEqual({ bytes: 8192, shards: 1 })
    now += 3000
    await store.gc()
    expect(store.usageOf('p')).toEqual({ bytes: 0, shards: 0 })
    expect(store.usageOf('q')).toEqual({ bytes: 8192, shards: 1 })
    const nonce = new Uint8Array(16).fill(7)
    const proof = await store.prove(a.cid, nonce)
    expect(Buffer.from(proof!).toString('hex')).toBe(createHash('sha256').update(nonce).update(a.bytes).digest('hex'))
    expect(await store.prove(randomShard(10).cid, nonce)).toBeNull()
  })
})
