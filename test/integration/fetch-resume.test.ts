/**
 * A fetch survives SIGKILL of its daemon at any point. Four `wgt daemon`
 * processes hold a 24 MiB file (six 4 MiB segments, 2+1: the segment size is
 * not a CLI option, so a small file means few segments); a fifth fetches it
 * and is killed three times: as soon as its partial file exists, then each
 * time one more segment is recorded done. Restarted on the same data
 * directory, the same fetch to the same output resumes: it completes, the
 * bytes verify, and it fetched only the segments the sidecar did not record.
 */
import { createHash, randomBytes } from 'node:crypto'
import { createReadStream, existsSync } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FetchResult, PeerEntry, ShareResult } from '../../src/shared/api/index.js'
import { Daemons, ROOT, loopbackTcp, sleep, until, wgt, wgtJson, type Daemon } from '../helpers/daemons.js'

const SIZE = 24 * 2 ** 20
const SEGMENTS = 6
const SHARD = '/wgt/shard/1.0.0'

const daemons = new Daemons()

async function shardPeers (d: Daemon): Promise<number> {
  const peers = await wgtJson<PeerEntry[]>(d, ['peers'])
  return peers.filter(p => p.connected && p.protocols.includes(SHARD)).length
}

async function sha256Of (path: string): Promise<string> {
  const h = createHash('sha256')
  for await (const c of createReadStream(path)) h.update(c as Buffer)
  return h.digest('hex')
}

interface SidecarJson { manifestId: string, size: number, done: number[], crc?: number[] }
async function sidecar (path: string): Promise<SidecarJson | null> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as SidecarJson
  } catch {
    return null
  }
}

describe('a fetch whose daemon is SIGKILLed at any point resumes', () => {
  let boot: string
  let shared: ShareResult
  let digest: string
  let work: string

  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'out', 'daemon', 'daemon.js'))) throw new Error('out/daemon is missing: run npm run build:node first')
    const a = await daemons.start('A')
    boot = loopbackTcp(a)
    const [b] = await Promise.all(['B', 'C', 'D'].map(async n => await daemons.start(n, { bootstrap: boot })))
    work = await daemons.tempDir('work')
    const bytes = randomBytes(SIZE)
    digest = createHash('sha256').update(bytes).digest('hex')
    await writeFile(join(work, 'input.bin'), bytes)
    await until('B sees three shard peers', async () => await shardPeers(b) >= 3, 90_000)
    shared = await wgtJson<ShareResult>(b, ['share', join(work, 'input.bin'), '--k', '2', '--m', '1'])
  }, 180_000)

  afterAll(async () => { await daemons.stopAll() })

  it('completes after three kills, the bytes verify, and the last run fetched only what was not recorded', async () => {
    const fetcherDir = await daemons.tempDir('F')
    const out = join(work, 'out.bin')
    const side = out + '.wgt-partial.json'
    let f = await daemons.start('F', { dataDir: fetcherDir, bootstrap: boot })
    let recorded = 0
    const kills = [
      // the partial file exists (its sidecar is written with it): killed before or while its first segment arrives
      (s: SidecarJson | null) => s != null && existsSync(out + '.wgt-partial'),
      (s: SidecarJson | null) => (s?.done.length ?? 0) >= 1,
      (s: SidecarJson | null) => (s?.done.length ?? 0) >= recorded + 1
    ]
    for (const [n, due] of kills.entries()) {
      await until(`F sees shard peers (run ${n + 1})`, async () => await shardPeers(f) >= 3, 60_000)
      const run = wgt(['fetch', shared.link, '-o', out, '--data-dir', fetcherDir, '--json'])
      const deadline = Date.now() + 120_000
      while (!due(await sidecar(side))) {
        if (Date.now() > deadline) throw new Error(`kill ${n + 1} never became due:\n${f.output()}`)
        await sleep(5)
      }
      f.proc.kill('SIGKILL')
      await daemons.stop(f)
      const cut = await run
      expect(cut.code, `fetch ${n + 1} was expected to be cut off`).not.toBe(0)
      expect(existsSync(out)).toBe(false)
      const s = await sidecar(side)
      expect(s?.manifestId).toBe(shared.id)
      expect(s?.crc).toHaveLength(s?.done.length ?? -1)
      expect(s?.done.length).toBeLessThan(SEGMENTS)
      expect(s?.done.length).toBeGreaterThanOrEqual(recorded)
      recorded = s?.done.length ?? 0
      f = await daemons.start('F', { dataDir: fetcherDir, bootstrap: boot })
    }
    expect(recorded).toBeGreaterThanOrEqual(2)

    await until('F sees shard peers (last run)', async () => await shardPeers(f) >= 3, 60_000)
    const got = await wgtJson<FetchResult>(f, ['fetch', shared.link, '-o', out])
    expect(got.path).toBe(out)
    // what the sidecar recorded before the last restart was not fetched again
    expect(got.resumedSegments).toBe(recorded)
    expect(got.sha256).toBe(digest)
    expect(await sha256Of(out)).toBe(digest)
    expect(existsSync(out + '.wgt-partial')).toBe(false)
    expect(existsSync(side)).toBe(false)
  }, 600_000)
})
