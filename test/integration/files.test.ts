/**
 * Six `wgt daemon` processes on 127.0.0.1 share and fetch a 64 MiB file with
 * 4+2 through the real CLI: survive two stopped holders (the sharer among
 * them), route around a corrupted shard and name its holder, refuse a wrong
 * key without leaving a file, and resume a fetch whose daemon was SIGKILLed.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { createReadStream, existsSync } from 'node:fs'
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FetchResult, FileHealth, PeerEntry, ShareResult } from '../../src/shared/api/index.js'
import { verifyShard } from '../../src/main/node/ces/index.js'
import { readManifest } from '../../src/main/node/files/test/helpers.js'
import { shardPath } from '../../src/main/node/storage/cid-path.js'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const WGT = join(ROOT, 'bin', 'wgt')
const SIZE = 64 * 2 ** 20
const SHARD = '/wgt/shard/1.0.0'

interface ApiJson { peerId: string, multiaddrs: string[] }
interface Daemon { name: string, dir: string, child: ChildProcess, exited: Promise<number | null>, stderr: () => string, api: ApiJson }
interface CliResult { code: number | null, stdout: string, stderr: string }

const daemons = new Set<Daemon>()
const tmpDirs: string[] = []
const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

async function startDaemon (name: string, dir: string, extra: string[] = []): Promise<Daemon> {
  await rm(join(dir, 'api.json'), { force: true })
  const child = spawn(WGT, ['daemon', '--data-dir', dir, '--listen', '/ip4/127.0.0.1/tcp/0', '--api-port', '0', '--no-mdns', ...extra],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stdout?.setEncoding('utf8').on('data', (d: string) => { out += d })
  child.stderr?.setEncoding('utf8').on('data', (d: string) => { err += d })
  const exited = new Promise<number | null>(resolve => { child.once('exit', code => { resolve(code) }) })
  const d: Daemon = { name, dir, child, exited, stderr: () => err, api: undefined as unknown as ApiJson }
  daemons.add(d)
  const deadline = Date.now() + 60_000
  while (Date.now() < deadline) {
    if (child.exitCode != null) throw new Error(`daemon ${name} exited early: ${err}`)
    if (/#token=\S+/.test(out) && existsSync(join(dir, 'api.json'))) {
      d.api = JSON.parse(await readFile(join(dir, 'api.json'), 'utf8'))
      return d
    }
    await sleep(100)
  }
  throw new Error(`daemon ${name} not ready: ${err}`)
}

async function stopDaemon (d: Daemon, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (d.child.exitCode == null && d.child.signalCode == null) d.child.kill(signal)
  await Promise.race([d.exited, sleep(20_000).then(() => { d.child.kill('SIGKILL') })])
  await d.exited
  daemons.delete(d)
}

function wgt (args: string[]): { child: ChildProcess, done: Promise<CliResult> } {
  const child = spawn(WGT, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout?.setEncoding('utf8').on('data', (d: string) => { stdout += d })
  child.stderr?.setEncoding('utf8').on('data', (d: string) => { stderr += d })
  return { child, done: new Promise(resolve => { child.once('close', code => { resolve({ code, stdout, stderr }) }) }) }
}

async function wgtJson<T> (d: Daemon, args: string[]): Promise<T> {
  const r = await wgt([...args, '--data-dir', d.dir, '--json']).done
  if (r.code !== 0) throw new Error(`wgt ${args.join(' ')} on ${d.name} exited ${r.code}: ${r.stderr}`)
  return JSON.parse(r.stdout) as T
}

async function sha256Of (path: string): Promise<string> {
  const h = createHash('sha256')
  for await (const c of createReadStream(path)) h.update(c as Buffer)
  return h.digest('hex')
}

async function shardPeers (d: Daemon): Promise<string[]> {
  const peers = await wgtJson<PeerEntry[]>(d, ['peers'])
  return peers.filter(p => p.connected && p.protocols.includes(SHARD)).map(p => p.peerId)
}

describe('six daemons share and fetch 64 MiB with 4+2', () => {
  const ds: Daemon[] = []
  let input: string
  let digest: string
  let shared: ShareResult

  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'out', 'daemon', 'daemon.js'))) throw new Error('out/daemon is missing: run npm run build:node first')
    const base = await mkdtemp(join(tmpdir(), 'wgt-it-files-'))
    tmpDirs.push(base)
    ds.push(await startDaemon('A', join(base, 'a')))
    const boot = ds[0].api.multiaddrs.find(a => a.startsWith('/ip4/127.0.0.1/tcp/'))!
    ds.push(...await Promise.all(['B', 'C', 'D', 'E', 'F'].map(async n => await startDaemon(n, join(base, n.toLowerCase()), ['--bootstrap', boot]))))
    input = join(base, 'input.bin')
    const bytes = randomBytes(SIZE)
    digest = createHash('sha256').update(bytes).digest('hex')
    await writeFile(input, bytes)
    // B, the sharer, must see all five others (found through A and the DHT)
    const deadline = Date.now() + 90_000
    while ((await shardPeers(ds[1])).length < 5) {
      if (Date.now() > deadline) throw new Error('B did not find 5 shard peers')
      await sleep(500)
    }
  })

  afterAll(async () => {
    for (const d of daemons) if (d.child.exitCode == null && d.child.signalCode == null) d.child.kill('SIGKILL')
    await Promise.all([...daemons].map(async d => await d.exited))
    daemons.clear()
    await Promise.all(tmpDirs.map(async dir => { await rm(dir, { recursive: true, force: true }) }))
  })

  it('shares from B and spreads every segment over distinct peers', async () => {
    const t0 = performance.now()
    shared = await wgtJson<ShareResult>(ds[1], ['share', input, '--k', '4', '--m', '2'])
    const secs = (performance.now() - t0) / 1000
    console.log(`share 64 MiB 4+2 over 5 peers: ${secs.toFixed(2)} s, ${(SIZE / 2 ** 20 / secs).toFixed(1)} MiB/s (CLI round trip included)`)
    expect(Object.keys(shared).sort()).toEqual(['id', 'k', 'link', 'm', 'size'])
    expect(shared).toMatchObject({ size: SIZE, k: 4, m: 2 })
    const manifest = await readManifest(join(ds[1].dir, 'shards'), shared.link)
    expect(manifest.segments).toHaveLength(16)
    for (const seg of manifest.segments) {
      const remote = seg.holders.map(h => h.filter(p => p !== ds[1].api.peerId))
      expect(remote.every(h => h.length === 1)).toBe(true)
      // 6 shards over 5 peers: all 5 used, so no peer has more than 2
      expect(new Set(remote.flat()).size).toBe(5)
    }
  })

  it('refuses a link with another key: INTEGRITY, non-zero exit, no file left', async () => {
    const f = ds[5]
    const wrong = shared.link.replace(/#.*/, '#' + randomBytes(32).toString('base64url'))
    const r = await wgt(['fetch', wrong, '--data-dir', f.dir]).done
    expect(r.code).toBe(11)
    expect(r.stderr).toMatch(/wrong key/)
    expect(await readdir(join(f.dir, 'received')).catch(() => [])).toEqual([])
  })

  it('resumes a fetch whose daemon was SIGKILLed mid-way', async () => {
    let f = ds[5]
    const received = join(f.dir, 'received')
    const sidecar = join(received, 'input.bin.wgt-partial.json')
    const run = wgt(['fetch', shared.link, '--data-dir', f.dir, '--json'])
    let done = 0
    const deadline = Date.now() + 60_000
    while (done < 1 && Date.now() < deadline) {
      done = JSON.parse(await readFile(sidecar, 'utf8').catch(() => '{"done":[]}')).done.length
      if (done < 1) await sleep(5)
    }
    f.child.kill('SIGKILL')
    await f.exited
    daemons.delete(f)
    const first = await run.done
    expect(first.code).not.toBe(0)
    expect(existsSync(join(received, 'input.bin'))).toBe(false)
    const recorded = JSON.parse(await readFile(sidecar, 'utf8')).done.length as number
    expect(recorded).toBeGreaterThanOrEqual(1)
    expect(recorded).toBeLessThan(16)

    f = await startDaemon('F', f.dir, ['--bootstrap', ds[0].api.multiaddrs.find(a => a.startsWith('/ip4/127.0.0.1/tcp/'))!])
    ds[5] = f
    while ((await shardPeers(f)).length < 1) await sleep(200)
    const got = await wgtJson<FetchResult>(f, ['fetch', shared.link])
    expect(got.resumedSegments).toBe(recorded)
    expect(got.path).toBe(join(received, 'input.bin'))
    expect(await sha256Of(got.path)).toBe(digest)
    expect(existsSync(sidecar)).toBe(false)
  })

  it('fetches with two holders stopped and corrupted shards, and names only holders that served bad bytes', async () => {
    const [a, b, c, d, e, f] = ds
    const manifest = await readManifest(join(b.dir, 'shards'), shared.link)
    // In every segment where it still leaves k valid shards once B and C are gone, corrupt
    // one shard, on A, D and F in turn. E fetches with the fastest k first, so a corrupted
    // shard is asked for unless its holder ranks last; with the holders rotating over a
    // dozen segments, some of them are asked whatever the RTTs are.
    const dishonest = [a, d, f]
    const corruptedOn = new Set<string>()
    let corrupted = 0
    for (const seg of manifest.segments) {
      const on = (peer: Daemon): number[] => seg.holders.flatMap((h, i) => (h.includes(peer.api.peerId) ? [i] : []))
      const holder = dishonest[seg.index % dishonest.length]
      if (on(c).length > 1 || on(holder).length === 0) continue
      const path = shardPath(join(holder.dir, 'shards'), seg.shards[on(holder)[0]])
      const bytes = await readFile(path)
      bytes[100] ^= 0x01
      await writeFile(path, bytes)
      expect(verifyShard(seg.shards[on(holder)[0]], bytes)).toBe(false)
      corruptedOn.add(holder.api.peerId)
      corrupted++
    }
    expect(corrupted).toBeGreaterThan(5)
    expect(corruptedOn.size).toBe(3)
    await stopDaemon(b)
    await stopDaemon(c)

    // the fetch first: a health check challenges every holder, and a holder whose shard rotted drops it then
    const t0 = performance.now()
    const got = await wgtJson<FetchResult>(e, ['fetch', shared.link])
    const secs = (performance.now() - t0) / 1000
    console.log(`fetch 64 MiB with 2 holders down and ${corrupted} corrupted shards: ${secs.toFixed(2)} s, ${(SIZE / 2 ** 20 / secs).toFixed(1)} MiB/s`)
    expect(got.sha256).toBe(digest)
    expect(await sha256Of(got.path)).toBe(digest)
    expect(got.badHolders.length).toBeGreaterThan(0)
    expect(got.badHolders.filter(p => !corruptedOn.has(p)), 'honest holders reported as bad').toEqual([])
    const peers = await wgtJson<PeerEntry[]>(e, ['peers'])
    for (const bad of got.badHolders) expect(peers.find(p => p.peerId === bad)?.reputation.violations).toBeGreaterThanOrEqual(1)

    // health counts proven holders only: E (which kept what it fetched) and those that still have the bytes
    const health = await wgtJson<FileHealth>(e, ['health', shared.link])
    expect(health.recoverable).toBe(true)
    expect(health.minReachable).toBeGreaterThanOrEqual(4)
    expect(health.segments.flatMap(s => s.holders)).not.toContain(b.api.peerId)
  })
})
