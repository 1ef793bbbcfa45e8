/**
 * A hostile sharer across processes: a bare libp2p peer plants files on a
 * holder daemon as any stranger can (PUTs), and another daemon fetches their
 * links with `wgt fetch`. A root record declaring a manifest over the cap, a
 * manifest that lies about its segment size (a 1 GiB sparse file, once called
 * verified), and a zstd bomb (1 GiB from ~34 KB in a segment declaring
 * 4 MiB) are each refused with INTEGRITY, leave no file, and the fetching
 * daemon's peak RSS stays bounded (a 30 KB planted manifest once took it from
 * 164 to 1,711 MiB).
 */
import { randomBytes } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Libp2p } from '@libp2p/interface'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { PeerEntry } from '../../src/shared/api/index.js'
import { MAX_SEGMENT_SIZE } from '../../src/main/node/ces/index.js'
import { ShardRequest, ShardResponse } from '../../src/main/node/files/pb/shard.js'
import { memoryFiles, plant, plantBomb, plantOversizedManifest, sha256, type MemoryFiles } from '../../src/main/node/files/test/memory-files.js'
import { Daemons, loopbackTcp, sleep, wgt, wgtJson, type Daemon } from '../helpers/daemons.js'
import { hostilePeer, shardRequest } from '../helpers/hostile.js'
import { EXIT_CODES } from '../../src/main/cli/exit-codes.js'

const MIB = 2 ** 20
const daemons = new Daemons()
afterAll(async () => { await daemons.stopAll() })

/** VmHWM: the process's peak resident set so far, in bytes. */
async function peakRss (pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1])
  return kb * 1024
}

/** Store every planted shard on `holder` as a stranger would. */
async function upload (node: Libp2p, addr: string, files: MemoryFiles): Promise<void> {
  for (const [cid, data] of files.shards) {
    const res = await shardRequest(node, addr, { kind: ShardRequest.Kind.PUT, cid, data: data as Uint8Array<ArrayBuffer>, leaseMs: 3600_000 }, 30_000)
    if (res.status !== ShardResponse.Status.OK) throw new Error(`PUT ${cid}: ${res.status} ${res.message}`)
  }
}

describe('fetching from a hostile sharer, across processes', () => {
  let holder: Daemon
  let fetcher: Daemon
  let hostile: Libp2p
  let out: string
  const links: Record<string, string> = {}

  beforeAll(async () => {
    holder = await daemons.start('holder')
    fetcher = await daemons.start('fetcher', { bootstrap: loopbackTcp(holder) })
    out = await daemons.tempDir('hostile-out')
    hostile = await hostilePeer()
    await hostile.start()
    const files = memoryFiles(out)

    // a root record that declares a manifest over the cap, with a table consistent with it
    links.oversized = (await plantOversizedManifest(files)).link

    // whole 4 KiB segments under a declared segment size of 16 MiB: written where they claim, a sparse file
    const data = randomBytes(3 * 4096)
    const declared = MAX_SEGMENT_SIZE
    links.sparse = (await plant(files, data, { k: 2, m: 1, segmentSize: 4096 }, {
      name: 'sparse.bin',
      lie: m => ({ ...m, params: { ...m.params, segmentSize: declared }, sha256: sha256(data) })
    })).link

    links.bomb = (await plantBomb(files, 4 * MIB)).link
    await upload(hostile, loopbackTcp(holder), files)
  }, 180_000)

  /** `wgt fetch`, again while the root or shards are not found yet: the holder announces what it stores once its stores are quiet */
  const fetchLink = async (link: string, path: string): Promise<Awaited<ReturnType<typeof wgt>>> => {
    const deadline = Date.now() + 60_000
    for (;;) {
      const r = await wgt(['fetch', link, '-o', path, '--data-dir', fetcher.dataDir])
      if ((r.code !== EXIT_CODES.NOT_FOUND && r.code !== EXIT_CODES.UNAVAILABLE) || Date.now() > deadline) return r
      await sleep(500)
    }
  }
  afterAll(async () => { await hostile?.stop() })

  for (const [name, why] of [['oversized', /over the \d+ a node reads/], ['sparse', /3 segments, but 12288 bytes/], ['bomb', /decompression bomb|more than its declared/]] as const) {
    it(`refuses the ${name} file with INTEGRITY, leaves no file, and keeps its memory`, async () => {
      const before = await peakRss(fetcher.info.pid)
      const r = await fetchLink(links[name], join(out, `${name}.bin`))
      expect(r.code, r.stdout + r.stderr).toBe(EXIT_CODES.INTEGRITY)
      expect(r.stderr).toMatch(why)
      expect((await readdir(out)).filter(f => f.startsWith(name))).toEqual([])
      const grew = await peakRss(fetcher.info.pid) - before
      expect(grew).toBeLessThan(256 * MIB)
    })
  }

  it('the fetcher is still healthy and the holder still serves', async () => {
    const peers = await wgtJson<PeerEntry[]>(fetcher, ['peers'])
    expect(peers.find(p => p.peerId === holder.info.peerId)?.connected).toBe(true)
  })
})
