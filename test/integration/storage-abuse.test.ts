/**
 * Storage for others under attack, across processes: a stranger floods a
 * daemon with 1-byte and 16 MiB PUTs; it hits its per-peer quota with a
 * clear refusal and loses reputation, and the victim still shares and
 * fetches 64 MiB. Then proof of storage: a holder whose shard files are
 * gone (it still has them in its index and would answer "have it") is not
 * counted by health, and repair re-creates its shards elsewhere; and scrub
 * finds a shard rotted on disk and deletes it.
 */
import { createHash, randomBytes } from 'node:crypto'
import { readFile, readdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Libp2p } from '@libp2p/interface'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FetchResult, FileHealth, PeerEntry, ScrubResult, ShareResult, StorageInfo } from '../../src/shared/api/index.js'
import { cidOf } from '../../src/main/node/ces/index.js'
import { ShardRequest, ShardResponse } from '../../src/main/node/files/pb/shard.js'
import { Daemons, loopbackTcp, wgt, wgtJson, type Daemon } from '../helpers/daemons.js'
import { hostilePeer, shardRequest } from '../helpers/hostile.js'

const MIB = 2 ** 20
const daemons = new Daemons()
afterAll(async () => { await daemons.stopAll() })

/** One PUT from the hostile peer; answers the victim's status and message, or the error that ended the stream. */
async function put (node: Libp2p, addr: string, data: Uint8Array): Promise<{ status: string, message: string }> {
  try {
    const res = await shardRequest(node, addr, { kind: ShardRequest.Kind.PUT, cid: cidOf(data), data: data as Uint8Array<ArrayBuffer>, leaseMs: 3600_000 })
    return { status: res.status, message: res.message }
  } catch (err) {
    return { status: 'ERROR', message: (err as Error).message }
  }
}

describe('a stranger flooding PUTs', () => {
  let victim: Daemon
  const helpers: Daemon[] = []
  let hostile: Libp2p
  const dir = { path: '' }

  beforeAll(async () => {
    victim = await daemons.start('victim', { args: ['--quota', '1GiB'] })
    for (const name of ['h1', 'h2', 'h3', 'h4', 'h5']) helpers.push(await daemons.start(name, { bootstrap: loopbackTcp(victim), args: ['--quota', '1GiB'] }))
    dir.path = await daemons.tempDir('storage-abuse')
    hostile = await hostilePeer()
    await hostile.start()
  })
  afterAll(async () => { await hostile?.stop() })

  it('hits its quota with a clear refusal and loses reputation; the victim still shares and fetches 64 MiB', async () => {
    const addr = loopbackTcp(victim)
    const before = (await wgtJson<{ storage: StorageInfo }>(victim, ['storage'])).storage
    // a per-peer quota of 64 MiB (an eighth of the 512 MiB pool): 16 MiB PUTs stop at the fourth or fifth
    const statuses: string[] = []
    let refusal = ''
    for (let i = 0; i < 8; i++) {
      const r = await put(hostile, addr, randomBytes(16 * MIB))
      statuses.push(r.status)
      if (r.status === ShardResponse.Status.QUOTA) { refusal = r.message; break }
    }
    expect(statuses).toContain(ShardResponse.Status.QUOTA)
    expect(refusal).toMatch(/quota on this node is used up/)
    // 1-byte PUTs: each costs a whole block, and the flood is refused and counted
    let refused = 0
    for (let i = 0; i < 400 && hostile.getConnections().length > 0; i++) {
      const r = await put(hostile, addr, randomBytes(1))
      if (r.status !== ShardResponse.Status.OK) refused++
    }
    expect(refused).toBeGreaterThan(0)
    const seen = (await wgtJson<PeerEntry[]>(victim, ['peers'])).find(p => p.peerId === hostile.peerId.toString())
    expect(seen?.reputation.violations ?? 0).toBeGreaterThan(0)
    const after = (await wgtJson<{ storage: StorageInfo }>(victim, ['storage'])).storage
    expect(after.others.bytes - before.others.bytes).toBeLessThanOrEqual(after.others.perPeerBytes)

    // the victim shares and fetches 64 MiB as if nothing happened
    const src = join(dir.path, 'big.bin')
    const bytes = randomBytes(64 * MIB)
    await writeFile(src, bytes)
    const shared = await wgtJson<ShareResult>(victim, ['share', src])
    const fetched = await wgtJson<FetchResult>(helpers[0], ['fetch', shared.link, '-o', join(dir.path, 'out.bin')])
    expect(fetched.sha256).toBe(createHash('sha256').update(bytes).digest('hex'))
  })

  it('health does not count a holder whose shard files are gone, and repair re-creates them elsewhere', async () => {
    const src = join(dir.path, 'small.bin')
    await writeFile(src, randomBytes(3 * MIB))
    const shared = await wgtJson<ShareResult>(helpers[1], ['share', src])
    const health = await wgtJson<FileHealth>(helpers[1], ['health', shared.id])
    const victimHolds = health.segments.some(s => s.holders.includes(victim.info.peerId))
    const target = victimHolds ? victim : helpers.find(h => h !== helpers[1] && health.segments.some(s => s.holders.includes(h.info.peerId)))
    expect(target).toBeDefined()
    // the holder loses its shard files but keeps running (its index still says it has them)
    const shardDir = join(target!.dataDir, 'shards')
    for (const sub of await readdir(shardDir)) await rm(join(shardDir, sub), { recursive: true, force: true })
    const after = await wgtJson<FileHealth>(helpers[1], ['health', shared.id])
    for (const s of after.segments) expect(s.holders).not.toContain(target!.info.peerId)
    const repaired = await wgt(['repair', shared.id, '--data-dir', helpers[1].dataDir, '--json'])
    expect(repaired.code, repaired.stderr).toBe(0)
    const healed = await wgtJson<FileHealth>(helpers[1], ['health', shared.id])
    expect(healed.recoverable).toBe(true)
    for (const s of healed.segments) expect(s.reachable).toBe(s.total)
  })

  it('scrub finds a shard rotted on disk and deletes it', async () => {
    const shardFiles = async (d: Daemon): Promise<string[]> => {
      const shardDir = join(d.dataDir, 'shards')
      const out: string[] = []
      for (const sub of await readdir(shardDir)) for (const f of await readdir(join(shardDir, sub))) out.push(join(shardDir, sub, f))
      return out
    }
    let holder = helpers[0]
    let files: string[] = []
    for (const h of helpers) {
      const mine = await shardFiles(h)
      if (mine.length > files.length) { holder = h; files = mine }
    }
    expect(files.length).toBeGreaterThan(0)
    const victimFile = files[0]
    const bytes = await readFile(victimFile)
    bytes[0] ^= 0xff
    await writeFile(victimFile, bytes)
    const r = await wgtJson<ScrubResult>(holder, ['storage', 'scrub'])
    expect(r.corrupt).toHaveLength(1)
    expect(r.checked).toBe(files.length)
    expect(await shardFiles(holder)).not.toContain(victimFile)
    expect((await wgtJson<ScrubResult>(holder, ['storage', 'scrub'])).corrupt).toEqual([])
  })
})
