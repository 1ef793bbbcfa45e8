/**
 * Real `wgt daemon` processes for the integration and end-to-end tests: on
 * 127.0.0.1, random ports, a temporary data directory each (unless given),
 * mDNS off; every process is stopped and every directory removed by
 * stopAll(), also when a test failed half-way.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
export const WGT = join(ROOT, 'bin', 'wgt')

export interface ApiInfo { peerId: string, multiaddrs: string[], apiUrl: string, token: string, pid: number }

export interface Daemon {
  name: string
  dataDir: string
  proc: ChildProcess
  info: ApiInfo
  exited: Promise<number | null>
  output: () => string
}

export interface CliResult { code: number | null, stdout: string, stderr: string }

export const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

export class Daemons {
  readonly all = new Set<Daemon>()
  private readonly dirs: string[] = []

  async tempDir (name: string): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), `wgt-test-${name}-`))
    this.dirs.push(dir)
    return dir
  }

  /** Start a daemon and wait until its api.json is written (it is ready then). */
  async start (name: string, opts: { dataDir?: string, bootstrap?: string, apiPort?: number, listen?: string, args?: string[] } = {}): Promise<Daemon> {
    const dataDir = opts.dataDir ?? await this.tempDir(name)
    await rm(join(dataDir, 'api.json'), { force: true })
    const args = ['daemon', '--data-dir', dataDir, '--listen', opts.listen ?? '/ip4/127.0.0.1/tcp/0', '--api-port', String(opts.apiPort ?? 0), '--no-mdns', ...(opts.args ?? [])]
    if (opts.bootstrap != null) args.push('--bootstrap', opts.bootstrap)
    const proc = spawn(WGT, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    let log = ''
    proc.stdout?.setEncoding('utf8').on('data', (d: string) => { log += d })
    proc.stderr?.setEncoding('utf8').on('data', (d: string) => { log += d })
    const exited = new Promise<number | null>(resolve => { proc.once('exit', code => { resolve(code) }) })
    const d: Daemon = { name, dataDir, proc, exited, output: () => log, info: undefined as unknown as ApiInfo }
    this.all.add(d)
    const deadline = Date.now() + 60_000
    while (Date.now() < deadline) {
      if (proc.exitCode != null) throw new Error(`daemon ${name} exited with ${proc.exitCode} before it was ready:\n${log}`)
      const info = await readInfo(dataDir)
      if (info != null && info.pid === proc.pid && /#token=\S+/.test(log)) { d.info = info; return d }
      await sleep(100)
    }
    throw new Error(`daemon ${name} was not ready within 60 s:\n${log}`)
  }

  /** SIGTERM, and a clean exit within 20 s; SIGKILL and an error otherwise. */
  async stop (d: Daemon, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (d.proc.exitCode == null && d.proc.signalCode == null) {
      d.proc.kill(signal)
      const timedOut = await Promise.race([d.exited.then(() => false), sleep(20_000).then(() => true)])
      if (timedOut) {
        d.proc.kill('SIGKILL')
        await d.exited
        this.all.delete(d)
        throw new Error(`daemon ${d.name} ignored ${signal} for 20 s:\n${d.output()}`)
      }
    }
    await d.exited
    this.all.delete(d)
  }

  async stopAll (): Promise<void> {
    for (const d of this.all) if (d.proc.exitCode == null && d.proc.signalCode == null) d.proc.kill('SIGKILL')
    await Promise.all([...this.all].map(async d => await d.exited))
    this.all.clear()
    await Promise.all(this.dirs.splice(0).map(async dir => { await rm(dir, { recursive: true, force: true }) }))
  }
}

async function readInfo (dataDir: string): Promise<ApiInfo | null> {
  const file = join(dataDir, 'api.json')
  if (!existsSync(file)) return null
  try {
    const info = JSON.parse(await readFile(file, 'utf8')) as ApiInfo
    return typeof info.token === 'string' && typeof info.apiUrl === 'string' && info.multiaddrs.length > 0 ? info : null
  } catch {
    return null // caught mid-write
  }
}

export function loopbackTcp (d: Daemon): string {
  const addr = d.info.multiaddrs.find(a => /^\/ip4\/127\.0\.0\.1\/tcp\/\d+\/p2p\//.test(a))
  if (addr == null) throw new Error(`no loopback TCP address in ${JSON.stringify(d.info.multiaddrs)}`)
  return addr
}

/** Run the `wgt` command; never throws for a non-zero exit. */
export async function wgt (args: string[]): Promise<CliResult> {
  const child = spawn(WGT, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout?.setEncoding('utf8').on('data', (d: string) => { stdout += d })
  child.stderr?.setEncoding('utf8').on('data', (d: string) => { stderr += d })
  return await new Promise(resolve => { child.once('close', code => { resolve({ code, stdout, stderr }) }) })
}

/** Poll `fn` every 200 ms until it holds; an error naming `what` after `timeoutMs`. */
export async function until (what: string, fn: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!await fn()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(200)
  }
}

/** How `d` trusts `peerId` ('stranger' when it has no record of it). */
export async function trustAt (d: Daemon, peerId: string): Promise<string> {
  return (await wgtJson<Array<{ peerId: string, trust: string }>>(d, ['contacts'])).find(x => x.peerId === peerId)?.trust ?? 'stranger'
}

/** Make `a` and `b` contacts through the CLI: A asks B at `address`, B accepts; each names the other. */
export async function makeContacts (a: Daemon, b: Daemon, address: string, names: { a: string, b: string }): Promise<void> {
  const add = await wgt(['contacts', 'add', address, '--name', names.b, '--data-dir', a.dataDir])
  if (add.code !== 0) throw new Error(`wgt contacts add on ${a.name} exited ${add.code}: ${add.stderr}`)
  await until(`the request at ${b.name}`, async () => await trustAt(b, a.info.peerId) === 'request-received')
  const accept = await wgt(['contacts', 'accept', a.info.peerId, '--name', names.a, '--data-dir', b.dataDir])
  if (accept.code !== 0) throw new Error(`wgt contacts accept on ${b.name} exited ${accept.code}: ${accept.stderr}`)
  await until(`the contact at ${a.name}`, async () => await trustAt(a, b.info.peerId) === 'contact')
}

export async function wgtJson<T> (d: Daemon, args: string[]): Promise<T> {
  const r = await wgt([...args, '--data-dir', d.dataDir, '--json'])
  if (r.code !== 0) throw new Error(`wgt ${args.join(' ')} on ${d.name} exited ${r.code}: ${r.stderr}`)
  return JSON.parse(r.stdout) as T
}
