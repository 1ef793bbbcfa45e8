/**
 * Real `wgt daemon` processes for the files figures, driven through the `wgt`
 * CLI exactly as a user would. Every daemon is stopped by stopDaemons(), by the
 * bench's interrupt cleanup, and (SIGKILL) when the bench process exits, so a
 * crashed bench leaves none behind.
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync } from 'node:fs'
import { readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const WGT = join(ROOT, 'bin', 'wgt')
const READY_MS = 60_000
const STOP_GRACE_MS = 20_000
const live = new Set()

process.on('exit', () => { for (const d of live) d.child.kill('SIGKILL') })

export async function startDaemon (name, dir, extra = []) {
  await rm(join(dir, 'api.json'), { force: true })
  const child = spawn(WGT, ['daemon', '--data-dir', dir, '--listen', '/ip4/127.0.0.1/tcp/0', '--api-port', '0', '--no-mdns', ...extra],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stdout.setEncoding('utf8').on('data', d => { out += d })
  child.stderr.setEncoding('utf8').on('data', d => { err += d })
  const d = { name, dir, child, exited: once(child, 'exit'), api: null }
  live.add(d)
  const deadline = Date.now() + READY_MS
  while (Date.now() < deadline) {
    if (child.exitCode != null) throw new Error(`daemon ${name} exited early: ${err.trim()}`)
    if (/#token=\S+/.test(out) && existsSync(join(dir, 'api.json'))) {
      d.api = JSON.parse(await readFile(join(dir, 'api.json'), 'utf8'))
      return d
    }
    await sleep(100)
  }
  await stopDaemon(d)
  throw new Error(`daemon ${name} not ready within ${READY_MS} ms: ${err.trim()}`)
}

export async function stopDaemon (d) {
  if (d.child.exitCode == null && d.child.signalCode == null) {
    d.child.kill('SIGTERM')
    const timer = setTimeout(() => { d.child.kill('SIGKILL') }, STOP_GRACE_MS)
    await d.exited
    clearTimeout(timer)
  }
  live.delete(d)
}

export async function stopDaemons () {
  await Promise.all([...live].map(stopDaemon))
}

/** `wgt ARGS --data-dir DIR --json` against daemon d; the parsed output, or an error with its stderr. */
export async function wgtJson (d, args) {
  const child = spawn(WGT, [...args, '--data-dir', d.dir, '--json'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', s => { stdout += s })
  child.stderr.setEncoding('utf8').on('data', s => { stderr += s })
  const [code] = await once(child, 'close')
  if (code !== 0) throw new Error(`wgt ${args.join(' ')} on ${d.name} exited ${code}: ${stderr.trim()}`)
  return JSON.parse(stdout)
}

/** Peak resident set size (VmHWM) of a daemon's process, in bytes. */
export async function peakRss (d) {
  return await statusField(d, 'VmHWM')
}

export async function rss (d) {
  return await statusField(d, 'VmRSS')
}

async function statusField (d, field) {
  const status = await readFile(`/proc/${d.child.pid}/status`, 'utf8')
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)
  if (m == null) throw new Error(`no ${field} in /proc/${d.child.pid}/status`)
  return Number(m[1]) * 1024
}

export async function sleep (ms) {
  await new Promise(resolve => setTimeout(resolve, ms))
}
