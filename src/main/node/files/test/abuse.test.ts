/**
 * Hostile or broken peers: oversized and malformed shard-protocol messages are
 * violations that close the stream and leave the node serving others; a
 * holder whose stored shard rotted is reported and routed around; a fetch
 * killed half-way resumes from its sidecar.
 */
import { createHash } from 'node:crypto'
import { mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import { lpStream } from '@libp2p/utils'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { makeNode } from '../../metrics/test/nodes.js'
import { shardPath } from '../../storage/cid-path.js'
import { FILES } from '../module.js'
import { readSidecar } from '../output.js'
import { cidOf } from '../../ces/index.js'
import { ShardResponse } from '../pb/shard.js'
import { SHARD_PROTOCOL, putRequest } from '../shard-service.js'
import { fetchLink, randomFile, readManifest, share, Swarm, until, untilShardPeers } from './helpers.js'

let root: string
let swarm: Swarm

beforeAll(async () => { root = await mkdtemp(join(tmpdir(), 'wgt-files-abuse-')) })
afterEach(async () => { await swarm.stopAll() })
afterAll(async () => { await rm(root, { recursive: true, force: true }) })

describe('shard protocol abuse', () => {
  it('records a violation and closes the stream on oversized and malformed messages, and keeps serving', async () => {
    swarm = new Swarm(join(root, 'a1'))
    const a = await swarm.start('a')
    const attacker = await makeNode({})
    try {
      await attacker.start()
      const addr = multiaddr(a.multiaddrs()[0])
      const violations = async (): Promise<number> => (await a.api.getPeer(attacker.peerId.toString())).reputation.violations

      // a length prefix of 64 MiB: refused from the prefix alone, nothing allocated
      const s1 = await attacker.dialProtocol(addr, SHARD_PROTOCOL)
      await s1.send(Uint8Array.from([0x80, 0x80, 0x80, 0x20]))
      await until('violation for the oversized frame', async () => (await violations()) >= 1)
      await until('stream closed', async () => s1.status !== 'open' || s1.readStatus === 'closed')

      // a frame of garbage that is not a ShardRequest
      const s2 = await attacker.dialProtocol(addr, SHARD_PROTOCOL)
      const lp = lpStream(s2)
      await lp.write(Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2, 3]))
      await until('violation for the malformed frame', async () => (await violations()) >= 2)
      await expect(lp.read({ signal: AbortSignal.timeout(3000) })).rejects.toThrow()

      // a well-formed GET with a CID that is not a shard address
      const s3 = await attacker.dialProtocol(addr, SHARD_PROTOCOL)
      await lpStream(s3).write(Uint8Array.from([0x08, 0x01, 0x12, 0x03, 0x61, 0x62, 0x63]))
      await until('violation for the bad CID', async () => (await violations()) >= 3)

      // still serving: another node shares through it
      const b = await swarm.start('b')
      await untilShardPeers(b, 1)
      const src = join(root, 'a1', 'x.bin')
      const digest = await randomFile(src, 50_000)
      const shared = await share(b, src, { k: 1, m: 1 })
      expect((await fetchLink(a, shared.link)).sha256).toBe(digest)
    } finally {
      await attacker.stop()
    }
  })

  it("refuses a peer's PUT whose bytes do not hash to its CID and stores nothing (only a node's own puts skip the hash)", async () => {
    swarm = new Swarm(join(root, 'p1'))
    const a = await swarm.start('a')
    const attacker = await makeNode({})
    try {
      await attacker.start()
      const named = Uint8Array.from({ length: 4096 }, (_, i) => i & 0xff)
      const sent = named.slice()
      sent[100] ^= 1
      const put = async (bytes: Uint8Array): Promise<string> => {
        const lp = lpStream(await attacker.dialProtocol(multiaddr(a.multiaddrs()[0]), SHARD_PROTOCOL))
        await lp.write(putRequest(cidOf(named), bytes, 60_000))
        try {
          return ShardResponse.Status[ShardResponse.decode(await lp.read({ signal: AbortSignal.timeout(10_000) })).status]
        } catch (err) {
          return (err as Error).name
        }
      }
      const stored = async (): Promise<boolean[]> => await a.part(FILES).shards.has(a.peerId.toString(), [cidOf(named)])
      expect(await put(sent)).toBe('StreamResetError')
      expect(await stored()).toEqual([false])
      // the same peer, the same CID, the right bytes: stored
      expect(await put(named)).toBe('OK')
      expect(await stored()).toEqual([true])
    } finally {
      await attacker.stop()
    }
  })

  it('drops a request from the queue for a slot as soon as its stream is reset', async () => {
    swarm = new Swarm(join(root, 'q1'))
    const a = await swarm.start('a')
    const attacker = await makeNode({})
    try {
      await attacker.start()
      const addr = multiaddr(a.multiaddrs()[0])
      const shards = a.part(FILES).shards
      // a peer's three slots, each held by a request that never finishes its length prefix
      const open = async (): Promise<Awaited<ReturnType<typeof attacker.dialProtocol>>> => {
        const s = await attacker.dialProtocol(addr, SHARD_PROTOCOL)
        await s.send(Uint8Array.from([0x80]))
        return s
      }
      const holding = [await open(), await open(), await open()]
      // in the slots before the fourth arrives: streams reach the handler in no set order
      await until('three requests served', async () => shards.slotUse.serving === 3)
      const queued = await open()
      await until('a request queued for a slot', async () => shards.slotUse.queued === 1)
      queued.abort(new Error('gone'))
      await until('the queue empty', async () => shards.slotUse.queued === 0)
      // it left because its stream closed, not because a slot came free (the three are cut ~5 s after they were served)
      expect(shards.slotUse.serving).toBe(3)
      for (const s of holding) s.abort(new Error('done'))
    } finally {
      await attacker.stop()
    }
  })

  it('routes around a holder serving a corrupted shard and reports it', async () => {
    swarm = new Swarm(join(root, 'c1'))
    const a = await swarm.start('a')
    const b = await swarm.start('b')
    await untilShardPeers(a, 1)
    const src = join(root, 'c1', 'y.bin')
    const digest = await randomFile(src, 3 * 2 ** 20)
    // no sharer copy and one peer: b holds all three shards of the one data segment, so
    // the fetcher asks b for the two data shards first (same holder: index order) and
    // must get the bad bytes before it can route around them to the parity shard
    const shared = await share(a, src, { k: 2, m: 1, keepLocalCopy: false })
    await swarm.stop(a)
    const d = await swarm.start('d', { bootstrap: [b.multiaddrs()[0]] })
    await untilShardPeers(d, 1)
    const bStore = join(root, 'c1', 'b', 'shards')
    const [seg] = (await readManifest(bStore, shared.link)).segments
    expect(seg.holders).toEqual([[b.peerId], [b.peerId], [b.peerId]])
    expect(new Set(seg.shards).size).toBe(3)
    const path = shardPath(bStore, seg.shards[0])
    const bytes = await readFile(path)
    bytes[10] ^= 0xff
    await writeFile(path, bytes)

    const got = await fetchLink(d, shared.link)
    expect(got.sha256).toBe(digest)
    expect(createHash('sha256').update(await readFile(got.path)).digest('hex')).toBe(digest)
    expect(got.badHolders).toEqual([b.peerId])
    expect((await d.api.getPeer(b.peerId)).reputation.violations).toBeGreaterThanOrEqual(1)
  })

  it('resumes an interrupted fetch without fetching finished segments again', async () => {
    swarm = new Swarm(join(root, 'r1'))
    const a = await swarm.start('a')
    const b = await swarm.start('b')
    await b.api.setPolicy('storage', 'nobody')
    await untilShardPeers(b, 1)
    const src = join(root, 'r1', 'big.bin')
    // 5 whole segments and a short last one whose shard is the only one of its size
    const digest = await randomFile(src, 5 * 4 * 2 ** 20 + 1000)
    const shared = await share(a, src, { k: 1, m: 0 })
    const aDir = join(root, 'r1', 'a', 'shards')
    const last = await findShardFile(aDir, size => size > 1000 && size < 2000)
    await rename(last, last + '.away')

    const out = join(root, 'r1', 'out.bin')
    await expect(fetchLink(b, shared.link, out)).rejects.toMatchObject({ code: 'UNAVAILABLE' })
    await expect(readFile(out)).rejects.toThrow()
    const done = (await readSidecar(out))!.done
    expect(done.length).toBeGreaterThanOrEqual(1)
    expect(done).not.toContain(5)

    await rename(last + '.away', last)
    const got = await fetchLink(b, shared.link, out)
    expect(got.resumedSegments).toBe(done.length)
    expect(got.sha256).toBe(digest)
    expect(createHash('sha256').update(await readFile(out)).digest('hex')).toBe(digest)
    await expect(readFile(out + '.wgt-partial.json')).rejects.toThrow()
    await expect(readFile(out + '.wgt-partial')).rejects.toThrow()
  }, 40_000)
})

async function findShardFile (dir: string, fits: (size: number) => boolean): Promise<string> {
  for (const fan of await readdir(dir)) {
    for (const f of await readdir(join(dir, fan))) {
      const p = join(dir, fan, f)
      if (fits((await stat(p)).size)) return p
    }
  }
  throw new Error('no such shard file')
}
