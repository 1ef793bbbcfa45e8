/**
 * The built renderer in Debian's Chromium against three real `wgt daemon`
 * processes on 127.0.0.1: the first daemon's UI must show its own identity,
 * the other two as connected peers with measured RTTs, inline connect errors,
 * the auth screen for a bad token, and the reconnect banner when its node stops.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromium, type Browser, type Page } from 'playwright-core'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const WGT = join(ROOT, 'bin', 'wgt')
const SCREENSHOT_DIR = join(ROOT, 'scratch')
const CHROMIUM_FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--no-first-run', '--disable-quic', '--disable-sync'
]

interface ApiInfo { peerId: string, multiaddrs: string[], apiUrl: string, token: string }

interface Daemon {
  proc: ChildProcess
  dataDir: string
  info: ApiInfo
  output: () => string
  exited: Promise<number | null>
}

async function startDaemon (bootstrap?: string): Promise<Daemon> {
  const dataDir = await mkdtemp(join(tmpdir(), 'wgt-e2e-'))
  const args = ['daemon', '--data-dir', dataDir, '--listen', '/ip4/127.0.0.1/tcp/0', '--api-port', '0', '--no-mdns']
  if (bootstrap != null) args.push('--bootstrap', bootstrap)
  const proc = spawn(WGT, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
  let log = ''
  proc.stdout?.on('data', (b: Buffer) => { log += b.toString() })
  proc.stderr?.on('data', (b: Buffer) => { log += b.toString() })
  const exited = new Promise<number | null>(resolve => { proc.once('exit', code => { resolve(code) }) })
  const daemon = { proc, dataDir, output: () => log, exited } as Daemon
  daemons.push(daemon)

  const deadline = Date.now() + 60_000
  while (Date.now() < deadline) {
    if (proc.exitCode != null) throw new Error(`wgt daemon exited with ${proc.exitCode}:\n${log}`)
    const info = await readApiInfo(dataDir)
    if (info != null) { daemon.info = info; return daemon }
    await sleep(100)
  }
  throw new Error(`wgt daemon wrote no api.json within 60 s:\n${log}`)
}

async function readApiInfo (dataDir: string): Promise<ApiInfo | null> {
  const file = join(dataDir, 'api.json')
  if (!existsSync(file)) return null
  try {
    const info = JSON.parse(await readFile(file, 'utf8')) as ApiInfo
    return typeof info.token === 'string' && typeof info.apiUrl === 'string' && info.multiaddrs.length > 0 ? info : null
  } catch {
    return null // caught mid-write
  }
}

async function stopDaemon (d: Daemon): Promise<void> {
  if (d.proc.exitCode == null && d.proc.signalCode == null) {
    d.proc.kill('SIGTERM')
    const timedOut = await Promise.race([d.exited.then(() => false), sleep(20_000).then(() => true)])
    if (timedOut) {
      d.proc.kill('SIGKILL')
      await d.exited
      throw new Error(`daemon ${d.info?.peerId ?? d.dataDir} ignored SIGTERM for 20 s:\n${d.output()}`)
    }
  }
}

const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }
const uiUrl = (d: Daemon, token = d.info.token): string => `${d.info.apiUrl}/#token=${token}`

const daemons: Daemon[] = []
let browser: Browser | undefined
let page: Page

beforeAll(async () => {
  const first = await startDaemon()
  const bootstrap = first.info.multiaddrs[0]
  await Promise.all([startDaemon(bootstrap), startDaemon(bootstrap)])
  // launch() gives Chromium a fresh temporary profile of its own (and refuses --user-data-dir)
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_FLAGS })
  page = await browser.newPage({ viewport: { width: 1440, height: 1000 } })
  await mkdir(SCREENSHOT_DIR, { recursive: true })
})

afterAll(async () => {
  const problems: unknown[] = []
  await browser?.close().catch(err => problems.push(err))
  const results = await Promise.allSettled(daemons.map(stopDaemon))
  for (const r of results) if (r.status === 'rejected') problems.push(r.reason)
  for (const d of daemons) await rm(d.dataDir, { recursive: true, force: true })
  if (problems.length > 0) throw new AggregateError(problems, 'cleanup failed')
})

describe('daemon UI in Chromium', () => {
  it('shows this node\'s PeerId and the other daemons as connected peers with RTTs', async () => {
    const [first, second, third] = daemons
    const pageErrors: string[] = []
    page.on('pageerror', err => pageErrors.push(err.message))
    page.on('console', msg => { if (msg.type() === 'error') pageErrors.push(msg.text()) })

    await page.goto(uiUrl(first))
    await expect.poll(async () => await page.getByTestId('own-peer-id').textContent(), { timeout: 20_000 }).toBe(first.info.peerId)

    for (const other of [second, third]) {
      const row = page.locator(`tr[data-peer-id="${other.info.peerId}"]`)
      await row.waitFor({ state: 'visible', timeout: 60_000 })
      // the full PeerId is one hover away
      await expect.poll(async () => await row.locator('[title]').first().getAttribute('title')).toBe(other.info.peerId)
      const rtt = row.locator('td[data-col="rtt-p50"]')
      await expect.poll(async () => await rtt.textContent(), { timeout: 30_000 }).toMatch(/^\d+(\.\d+)? m?s$/)
    }
    expect(await page.getByTestId('peer-count').textContent()).toMatch(/^[2-9]\d*$/)
    expect(pageErrors).toEqual([])
  })

  it('shows the charts once metrics samples arrive, and screenshots in light and dark themes', async () => {
    await page.locator('.recharts-surface').first().waitFor({ state: 'visible', timeout: 30_000 })
    // a few ticks so the lines have some length
    await sleep(4000)
    await page.emulateMedia({ colorScheme: 'light' })
    await expect.poll(async () => await page.evaluate(() => document.documentElement.dataset.theme)).toBe('light')
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'ui.png'), fullPage: true })
    await page.emulateMedia({ colorScheme: 'dark' })
    // the page follows the system theme through a matchMedia listener, i.e. on its next render
    await expect.poll(async () => await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark')
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'ui-dark.png'), fullPage: true })
    await page.emulateMedia({ colorScheme: 'light' })
    await expect.poll(async () => await page.evaluate(() => document.documentElement.dataset.theme)).toBe('light')
  })

  it('the theme toggle overrides the system theme and is remembered across reloads', async () => {
    const toggle = page.getByRole('button', { name: /theme/i })
    await toggle.click() // system -> light
    await toggle.click() // light -> dark
    await expect.poll(async () => await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark')
    await page.reload()
    await page.getByTestId('own-peer-id').waitFor()
    await expect.poll(async () => await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark')
    await toggle.click() // dark -> system
    expect(await page.evaluate(() => localStorage.getItem('wgt.theme'))).toBeNull()
  })

  it('shows the node\'s error inline when the connect box gets a garbage address', async () => {
    const input = page.getByLabel('Peer multiaddr')
    await input.fill('definitely not a multiaddr')
    await input.press('Enter')
    const error = page.getByTestId('connect-error')
    await error.waitFor({ state: 'visible', timeout: 15_000 })
    expect((await error.textContent())?.trim().length).toBeGreaterThan(5)
    expect(await input.getAttribute('aria-invalid')).toBe('true')

    await input.fill('/ip4/127.0.0.1/tcp/1/p2p/not-a-peer-id')
    await input.press('Enter')
    await expect.poll(async () => await error.textContent(), { timeout: 15_000 }).not.toBe('')
    await error.waitFor({ state: 'visible' })
  })

  it('shows the auth screen for a wrong or missing token', async () => {
    const [first] = daemons
    const other = await browser!.newPage()
    try {
      await other.goto(uiUrl(first, 'wrong-token'))
      await other.getByText('The node rejected the access token').waitFor({ timeout: 15_000 })
      await other.goto('about:blank')
      await other.goto(first.info.apiUrl + '/')
      await other.getByText('This page needs an access token').waitFor({ timeout: 15_000 })
      await other.screenshot({ path: join(SCREENSHOT_DIR, 'ui-auth.png') })
    } finally {
      await other.close()
    }
  })

  it('shows the reconnect banner when its node stops, and keeps calls from hanging', async () => {
    const [first] = daemons
    await stopDaemon(first)
    const banner = page.locator('.banner', { hasText: 'Disconnected from node — reconnecting' })
    await banner.waitFor({ state: 'visible', timeout: 15_000 })
    const input = page.getByLabel('Peer multiaddr')
    await input.fill(daemons[1].info.multiaddrs[0])
    await input.press('Enter')
    await expect.poll(async () => await page.getByTestId('connect-error').textContent(), { timeout: 5000 }).toMatch(/disconnected from node/i)
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'ui-disconnected.png') })
  })
})
