/**
 * Three `wgt daemon` processes on 127.0.0.1, driven only through the `wgt` CLI
 * (and the daemon's HTTP port), as a user or another tool would.
 * A is the bootstrap node; B and C are only told about A, so B and C finding
 * each other proves discovery through WGT's DHT (mDNS is off).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { request } from 'node:http'
import { connect as netConnect } from 'node:net'
import { cpus, freemem, tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const WGT = join(ROOT, 'bin', 'wgt')
const FIND_TIMEOUT_MS = 90_000

interface ApiJson { peerId: string, multiaddrs: string[], apiUrl: string, token: string, pid: number }

interface Daemon {
  name: string
  dir: string
  child: ChildProcess
  exited: Promise<number | null>
  stdout: () => string
  stderr: () => string
  api: ApiJson
}

interface CliResult { code: number | null, stdout: string, stderr: string }

const daemons = new Set<Daemon>()
const tmpDirs: string[] = []

async function tempDir (name: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `wgt-it-${name}-`))
  tmpDirs.push(dir)
  return dir
}

const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

function tcpAddr (api: ApiJson): string {
  const addr = api.multiaddrs.find(a => /^\/ip4\/127\.0\.0\.1\/tcp\/\d+\/p2p\//.test(a))
  if (addr == null) throw new Error(`no loopback TCP address in ${JSON.stringify(api.multiaddrs)}`)
  return addr
}

function tcpPort (addr: string): number {
  return Number(/\/tcp\/(\d+)/.exec(addr)?.[1])
}

async function startDaemon (name: string, dir: string, extra: string[] = []): Promise<Daemon> {
  const child = spawn(WGT, [
    'daemon', '--data-dir', dir, '--listen', '/ip4/127.0.0.1/tcp/0', '--api-port', '0', '--no-mdns', ...extra
  ], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stdout?.setEncoding('utf8').on('data', (d: string) => { out += d })
  child.stderr?.setEncoding('utf8').on('data', (d: string) => { err += d })
  const exited = new Promise<number | null>(resolve => { child.once('exit', code => { resolve(code) }) })
  const daemon: Daemon = { name, dir, child, exited, stdout: () => out, stderr: () => err, api: undefined as unknown as ApiJson }
  daemons.add(daemon)

  const deadline = Date.now() + 60_000
  let exitCode: number | null | undefined
  void exited.then(code => { exitCode = code })
  while (Date.now() < deadline) {
    if (exitCode !== undefined) throw new Error(`daemon ${name} exited with ${exitCode} before it was ready: ${err}`)
    if (/http:\/\/127\.0\.0\.1:\d+\/#token=\S+/.test(out) && existsSync(join(dir, 'api.json'))) {
      daemon.api = JSON.parse(await readFile(join(dir, 'api.json'), 'utf8'))
      return daemon
    }
    await sleep(100)
  }
  throw new Error(`daemon ${name} not ready within 60 s: ${err}`)
}

async function stopDaemon (daemon: Daemon, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  // one signal only: a second one while stopping means "exit now" to the daemon
  if (daemon.child.exitCode == null && daemon.child.signalCode == null) daemon.child.kill(signal)
  const code = await Promise.race([daemon.exited, sleep(20_000).then(() => 'timeout' as const)])
  if (code === 'timeout') {
    daemon.child.kill('SIGKILL')
    await daemon.exited
    throw new Error(`daemon ${daemon.name} did not stop within 20 s of SIGTERM: ${daemon.stderr()}`)
  }
  daemons.delete(daemon)
  return code
}

async function wgt (args: string[]): Promise<CliResult> {
  const child = spawn(WGT, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d })
  child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d })
  const code = await new Promise<number | null>(resolve => { child.once('close', c => { resolve(c) }) })
  return { code, stdout, stderr }
}

async function wgtJson<T> (dir: string, args: string[]): Promise<T> {
  const result = await wgt([...args, '--data-dir', dir, '--json'])
  if (result.code !== 0) throw new Error(`wgt ${args.join(' ')} exited ${result.code}: ${result.stderr}`)
  return JSON.parse(result.stdout) as T
}

async function connectedPeers (daemon: Daemon): Promise<string[]> {
  const peers = await wgtJson<Array<{ peerId: string, connected: boolean }>>(daemon.dir, ['peers'])
  return peers.filter(p => p.connected).map(p => p.peerId)
}

async function portRefused (port: number): Promise<boolean> {
  return await new Promise(resolve => {
    const socket = netConnect(port, '127.0.0.1')
    socket.once('connect', () => { socket.destroy(); resolve(false) })
    socket.once('error', (err: NodeJS.ErrnoException) => { resolve(err.code === 'ECONNREFUSED') })
  })
}

function pidGone (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return false
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH'
  }
}

async function memAvailable (): Promise<number> {
  const meminfo = await readFile('/proc/meminfo', 'utf8').catch(() => '')
  const kb = /^MemAvailable:\s+(\d+) kB/m.exec(meminfo)?.[1]
  return kb != null ? Number(kb) * 1024 : freemem()
}

/** GET on a connection of its own, with exactly these headers (fetch would not send a forged Host) */
async function httpGet (port: number, path: string, headers: Record<string, string>): Promise<{ status: number, body: string }> {
  return await new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers, agent: false }, res => {
      let body = ''
      res.setEncoding('utf8').on('data', (c: string) => { body += c })
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, body }) })
    })
    req.on('error', reject)
    req.end()
  })
}

/** The HTTP status a WebSocket upgrade to /api gets: 101 when it opens (then closed at once). */
async function upgradeStatus (port: number, options: { host?: string, origin?: string }): Promise<number> {
  return await new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api`, { headers: options.host == null ? {} : { Host: options.host }, origin: options.origin })
    ws.once('open', () => { ws.terminate(); resolve(101) })
    ws.once('unexpected-response', (_req, res) => { res.resume(); resolve(res.statusCode ?? 0) })
    ws.on('error', reject)
  })
}

function oneLine (stderr: string): void {
  expect(stderr.trim().split('\n')).toHaveLength(1)
  expect(stderr).toMatch(/^wgt: /)
}

describe('three wgt daemons on loopback', () => {
  let a: Daemon
  let b: Daemon
  let c: Daemon

  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'out', 'daemon', 'daemon.js'))) {
      throw new Error('out/daemon is missing: run npm run build first')
    }
    a = await startDaemon('A', await tempDir('a'))
    const bootstrap = tcpAddr(a.api)
    ;[b, c] = await Promise.all([
      startDaemon('B', await tempDir('b'), ['--bootstrap', bootstrap]),
      startDaemon('C', await tempDir('c'), ['--bootstrap', bootstrap])
    ])
  })

  afterAll(async () => {
    for (const d of daemons) {
      if (d.child.exitCode == null && d.child.signalCode == null) d.child.kill('SIGKILL')
    }
    await Promise.all([...daemons].map(async d => await d.exited))
    daemons.clear()
    await Promise.all(tmpDirs.map(async dir => { await rm(dir, { recursive: true, force: true }) }))
  })

  it('writes api.json with mode 0600 and the documented fields', async () => {
    const { stat } = await import('node:fs/promises')
    for (const d of [a, b, c]) {
      expect((await stat(join(d.dir, 'api.json'))).mode & 0o777).toBe(0o600)
      expect(d.api.pid).toBe(d.child.pid)
      expect(d.api.apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      expect(d.api.token).toMatch(/^[A-Za-z0-9_-]{43}$/)
      expect(d.stdout()).toContain(`${d.api.apiUrl}/#token=${d.api.token}`)
      const id = await wgtJson<{ peerId: string }>(d.dir, ['id'])
      expect(id.peerId).toBe(d.api.peerId)
    }
  })

  it('each daemon finds the other two; B and C only through the DHT', async () => {
    const all = [a, b, c]
    const want = (d: Daemon): string[] => all.filter(o => o !== d).map(o => o.api.peerId).sort()
    const deadline = Date.now() + FIND_TIMEOUT_MS
    let seen = new Map<string, string[]>()
    while (Date.now() < deadline) {
      seen = new Map(await Promise.all(all.map(async d => [d.name, (await connectedPeers(d)).sort()] as const)))
      if (all.every(d => want(d).every(p => seen.get(d.name)?.includes(p)))) break
      await sleep(1000)
    }
    for (const d of all) expect(seen.get(d.name), `peers of ${d.name}`).toEqual(expect.arrayContaining(want(d)))
  })

  it('wgt ping reports 20 measured RTTs that vary, with their summary', async () => {
    const result = await wgtJson<{ rtts: Array<number | null>, sent: number, received: number, min: number, max: number }>(
      b.dir, ['ping', c.api.peerId, '--count', '20'])
    const rtts = result.rtts
    console.log(`wgt ping B → C: ${rtts.map(r => r?.toFixed(2)).join(' ')} ms`)
    // outcomes only: how fast loopback is belongs to npm run bench (tests never assert speed)
    expect(rtts).toHaveLength(20)
    expect(rtts.every(r => typeof r === 'number' && r > 0), `rtts ${JSON.stringify(rtts)}`).toBe(true)
    expect(new Set(rtts).size).toBeGreaterThan(1)
    expect(result.received).toBe(20)
    expect(result.min).toBe(Math.min(...(rtts as number[])))
    expect(result.max).toBe(Math.max(...(rtts as number[])))

    const text = await wgt(['ping', c.api.peerId, '--count', '3', '--data-dir', b.dir])
    expect(text.code).toBe(0)
    expect(text.stdout).toMatch(/3 probes sent, 3 answered, 0% loss/)
    expect(text.stdout).toMatch(/rtt min\/avg\/max = [\d.]+\/[\d.]+\/[\d.]+ ms/)
  })

  it('reports capacity that matches the OS', async () => {
    type Metrics = { capacity: { cores: number, memFree: number, memTotal: number } | null }
    let metrics: Metrics = { capacity: null }
    const deadline = Date.now() + 30_000
    while (metrics.capacity == null && Date.now() < deadline) {
      metrics = await wgtJson<Metrics>(a.dir, ['metrics'])
      if (metrics.capacity == null) await sleep(500)
    }
    expect(metrics.capacity).not.toBeNull()
    expect(metrics.capacity?.cores).toBe(cpus().length)
    const available = await memAvailable()
    // free memory moves while we look; allow 15% or 512 MiB, whichever is larger
    const tolerance = Math.max(available * 0.15, 512 * 1024 * 1024)
    expect(Math.abs((metrics.capacity?.memFree ?? 0) - available)).toBeLessThanOrEqual(tolerance)
  })

  it('serves Prometheus text at /metrics with the token only', async () => {
    const url = `${a.api.apiUrl}/metrics`
    expect((await fetch(url)).status).toBe(401)
    const res = await fetch(url, { headers: { Authorization: `Bearer ${a.api.token}` } })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('text/plain; version=0.0.4')
    const text = await res.text()
    expect(text).toMatch(new RegExp(`peer="${b.api.peerId}"`))
  })

  it('refuses a forged Host and a foreign Origin over HTTP and WebSocket, and serves its own page and the wgt command', async () => {
    const port = Number(new URL(a.api.apiUrl).port)
    const bearer = { Authorization: `Bearer ${a.api.token}` }
    const rebound = `rebound.attacker.example:${port}`
    expect(await httpGet(port, '/metrics', { ...bearer, Host: rebound })).toEqual({ status: 403, body: 'forbidden: the Host header does not name this server\n' })
    expect(await upgradeStatus(port, { host: rebound })).toBe(403)
    const foreign = await httpGet(port, '/metrics', { ...bearer, Origin: 'http://evil.example' })
    expect(foreign).toEqual({ status: 403, body: 'forbidden: requests from another site\'s page are refused\n' })
    expect(await upgradeStatus(port, { origin: 'http://evil.example' })).toBe(403)

    expect((await httpGet(port, '/metrics', { ...bearer, Origin: `http://127.0.0.1:${port}` })).status).toBe(200)
    expect(await upgradeStatus(port, { origin: `http://127.0.0.1:${port}` })).toBe(101)
    expect(await upgradeStatus(port, {})).toBe(101)
    expect((await wgtJson<{ peerId: string }>(a.dir, ['id'])).peerId).toBe(a.api.peerId)
  })

  it('fails with one line and a non-zero exit for an unknown peer, a bad multiaddr and no daemon', async () => {
    const stranger = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
    const ping = await wgt(['ping', stranger, '--count', '2', '--data-dir', b.dir])
    expect(ping.code).not.toBe(0)
    oneLine(ping.stderr)

    const connect = await wgt(['connect', 'not-a-multiaddr', '--data-dir', b.dir])
    expect(connect.code).toBe(2)
    oneLine(connect.stderr)

    const empty = await tempDir('empty')
    for (const cmd of [['id'], ['peers'], ['metrics'], ['ping', stranger], ['connect', tcpAddr(a.api)]]) {
      const result = await wgt([...cmd, '--data-dir', empty])
      expect(result.code, `wgt ${cmd[0]}`).toBe(3)
      oneLine(result.stderr)
      expect(result.stderr).toContain('daemon not running')
    }
  })

  it('refuses a second daemon on a data dir in use', async () => {
    const result = await wgt(['daemon', '--data-dir', a.dir, '--listen', '/ip4/127.0.0.1/tcp/0', '--api-port', '0', '--no-mdns'])
    expect(result.code).not.toBe(0)
    oneLine(result.stderr)
    expect(result.stderr).toContain('already running')
    // and the running daemon is untouched
    expect((await wgtJson<{ peerId: string }>(a.dir, ['id'])).peerId).toBe(a.api.peerId)
  })

  it('stops cleanly on SIGTERM, leaving no process and no open port, and keeps its identity across a restart', async () => {
    const old = a.api
    const apiPort = Number(new URL(old.apiUrl).port)
    const p2pPort = tcpPort(tcpAddr(old))
    expect(await stopDaemon(a)).toBe(0)

    expect(pidGone(old.pid)).toBe(true)
    expect(await portRefused(apiPort)).toBe(true)
    expect(await portRefused(p2pPort)).toBe(true)
    expect(existsSync(join(a.dir, 'api.json'))).toBe(false)

    const down = await wgt(['peers', '--data-dir', a.dir])
    expect(down.code).toBe(3)
    oneLine(down.stderr)
    expect(down.stderr).toContain('daemon not running')

    a = await startDaemon('A2', a.dir)
    expect(a.api.peerId).toBe(old.peerId)
    expect((await wgtJson<{ peerId: string }>(a.dir, ['id'])).peerId).toBe(old.peerId)
  })

  it('stops every daemon with SIGINT as well', async () => {
    for (const d of [a, b, c]) {
      expect(await stopDaemon(d, 'SIGINT')).toBe(0)
      expect(pidGone(d.api.pid)).toBe(true)
      expect(await portRefused(Number(new URL(d.api.apiUrl).port))).toBe(true)
    }
  })
})
