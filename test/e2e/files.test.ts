/**
 * Share and fetch through the UI, in Debian's Chromium against three real
 * `wgt daemon` processes on 127.0.0.1: a file dropped on daemon A's page is
 * uploaded, shared (its shards placed over the daemons) and gets a link; pasted
 * into daemon B's "Open link" box it is fetched, verified and saved, and its
 * bytes come back through B's /files/<id>/content (the page's Download button)
 * with the SHA-256 of what was dropped. A file dropped onto B's row in A's
 * peers table reaches B as an offer that B fetches with one click.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { promisify } from 'node:util'
import { createHash, randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromium, type Browser, type JSHandle, type Page } from 'playwright-core'

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

const daemons: Daemon[] = []
let browser: Browser | undefined

async function startDaemon (bootstrap?: string): Promise<Daemon> {
  const dataDir = await mkdtemp(join(tmpdir(), 'wgt-e2e-files-'))
  const args = ['daemon', '--data-dir', dataDir, '--listen', '/ip4/127.0.0.1/tcp/0', '--api-port', '0', '--no-mdns', '--quota', '256MiB']
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
const uiUrl = (d: Daemon): string => `${d.info.apiUrl}/#token=${d.info.token}`
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')

/** A DataTransfer in the page holding one File built there from `bytes`, as a drag from the desktop would carry. */
async function dataTransferWith (page: Page, name: string, bytes: Buffer): Promise<JSHandle<DataTransfer>> {
  return await page.evaluateHandle(({ name, b64 }) => {
    const bin = atob(b64)
    const data = new Uint8Array(bin.length)
    for (let i = 0; i < bin.length; i++) data[i] = bin.charCodeAt(i)
    const dt = new DataTransfer()
    dt.items.add(new File([data], name, { type: 'application/octet-stream' }))
    return dt
  }, { name, b64: bytes.toString('base64') })
}

async function openUi (d: Daemon, errors: string[]): Promise<Page> {
  const page = await browser!.newPage({ viewport: { width: 1440, height: 1100 } })
  page.on('pageerror', err => errors.push(`${d.info.peerId.slice(-6)}: ${err.message}`))
  page.on('console', msg => { if (msg.type() === 'error') errors.push(`${d.info.peerId.slice(-6)}: ${msg.text()}`) })
  await page.goto(uiUrl(d))
  await expect.poll(async () => await page.getByTestId('own-peer-id').textContent(), { timeout: 20_000 }).toBe(d.info.peerId)
  return page
}

beforeAll(async () => {
  const first = await startDaemon()
  const bootstrap = first.info.multiaddrs[0]
  await Promise.all([startDaemon(bootstrap), startDaemon(bootstrap)])
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_FLAGS })
  await mkdir(SCREENSHOT_DIR, { recursive: true })
})

afterAll(async () => {
  const problems: unknown[] = []
  await browser?.close().catch(err => problems.push(err))
  const results = await Promise.allSettled(daemons.map(stopDaemon))
  for (const r of results) if (r.status === 'rejected') problems.push(r.reason)
  for (const d of daemons) {
    // the daemon removes browser uploads when it stops
    if (existsSync(join(d.dataDir, 'uploads')) && (await readdir(join(d.dataDir, 'uploads'))).length > 0) problems.push(new Error(`uploads left in ${d.dataDir}`))
    await rm(d.dataDir, { recursive: true, force: true })
  }
  if (problems.length > 0) throw new AggregateError(problems, 'cleanup failed')
})

describe('files in the daemon UI', () => {
  const errors: string[] = []
  let pageA: Page
  let pageB: Page
  const dropped = randomBytes(5 * 1024 * 1024 + 12345) // two segments at the default 4 MiB
  let link = ''

  it('shares a file dropped anywhere on A\'s window and shows its link and health', async () => {
    const [a, b, c] = daemons
    pageA = await openUi(a, errors)
    // placement needs the other daemons as peers
    for (const other of [b, c]) await pageA.locator(`tr[data-peer-id="${other.info.peerId}"]`).waitFor({ state: 'visible', timeout: 60_000 })

    const dataTransfer = await dataTransferWith(pageA, 'dropped report.bin', dropped)
    await pageA.dispatchEvent('main', 'drop', { dataTransfer })
    const linkEl = pageA.getByTestId('share-link')
    await linkEl.waitFor({ state: 'visible', timeout: 120_000 })
    link = (await linkEl.textContent()) ?? ''
    expect(link).toMatch(/^wgt:\/\/b[a-z2-7]+#[A-Za-z0-9_-]{43}$/)
    expect(await pageA.getByTestId('drop').getAttribute('data-stage')).toBe('done')

    // the share shows in My files, and its first health check finds every shard
    const id = link.slice('wgt://'.length).split('#')[0]
    const row = pageA.locator(`tr[data-file-id="${id}"]`)
    await row.waitFor({ state: 'visible', timeout: 15_000 })
    expect(await row.locator('.file-name').textContent()).toBe('dropped report.bin')
    await expect.poll(async () => await row.locator('[data-health]').getAttribute('data-health').catch(() => null), { timeout: 60_000 }).toBe('complete')
    expect(await row.locator('.health-cell').count()).toBe(2)
    // the upload is gone once the share ended
    expect(await readdir(join(a.dataDir, 'uploads'))).toEqual([])
  })

  it('fetches the link pasted into B\'s Open link box; B\'s /files/<id>/content gives back the dropped bytes', async () => {
    const b = daemons[1]
    pageB = await openUi(b, errors)
    const input = pageB.getByLabel('wgt:// link')
    await input.fill(link)
    await input.press('Enter')
    const result = pageB.getByTestId('fetch-result')
    await result.waitFor({ state: 'visible', timeout: 120_000 })
    expect(await result.textContent()).toContain('dropped report.bin')
    const downloadDir = await pageB.getByTestId('download-dir').textContent()
    expect(downloadDir).toBe(join(b.dataDir, 'received'))

    const id = link.slice('wgt://'.length).split('#')[0]
    const row = pageB.locator(`tr[data-file-id="${id}"]`)
    await row.waitFor({ state: 'visible', timeout: 15_000 })
    // the page's Download button: fetch with the token → blob → save
    const [download] = await Promise.all([
      pageB.waitForEvent('download', { timeout: 30_000 }),
      row.getByRole('button', { name: 'Download' }).click()
    ])
    expect(download.suggestedFilename()).toBe('dropped report.bin')
    const saved = await readFile(await download.path())
    expect(saved.length).toBe(dropped.length)
    expect(sha256(saved)).toBe(sha256(dropped))

    // and the route itself, as any client with the token sees it
    const res = await fetch(`${b.info.apiUrl}/files/${id}/content`, { headers: { Authorization: `Bearer ${b.info.token}` } })
    expect(res.status).toBe(200)
    expect(sha256(new Uint8Array(await res.arrayBuffer()))).toBe(sha256(dropped))
    expect((await fetch(`${b.info.apiUrl}/files/${id}/content`)).status).toBe(401)
  })

  it('sends the link to the peer a file is dropped onto; the peer fetches the offer with one click', async () => {
    const b = daemons[1]
    const small = randomBytes(200_000)
    const dataTransfer = await dataTransferWith(pageA, 'for-b.bin', small)
    await pageA.dispatchEvent(`tr[data-peer-id="${b.info.peerId}"]`, 'drop', { dataTransfer })
    const offer = pageB.getByTestId('offer')
    await offer.waitFor({ state: 'visible', timeout: 120_000 })
    expect(await offer.textContent()).toContain('for-b.bin')
    await expect.poll(async () => await pageA.getByTestId('drop').last().getAttribute('data-stage'), { timeout: 30_000 }).toBe('done')
    expect(await pageA.getByTestId('drop').last().textContent()).toContain('link sent to')

    await offer.getByRole('button', { name: 'Fetch' }).click()
    await offer.waitFor({ state: 'detached', timeout: 120_000 })
    const saved = await readFile(join(b.dataDir, 'received', 'for-b.bin'))
    expect(sha256(saved)).toBe(sha256(small))
  })

  it('shares a file picked with "Share a file…" (the keyboard path); `wgt fetch` on a third daemon gets its bytes', async () => {
    const c = daemons[2]
    const picked = randomBytes(12 * 1024 * 1024)
    await pageA.locator('input[type=file]').setInputFiles({ name: 'picked.bin', mimeType: 'application/octet-stream', buffer: picked })
    const row = pageA.getByTestId('drop').filter({ hasText: 'picked.bin' })
    // a look at the bars while the work runs (best effort: on a fast machine it may be over first)
    const deadline = Date.now() + 20_000
    while (Date.now() < deadline && await row.getAttribute('data-stage').catch(() => null) !== 'done') {
      const now = await row.locator('[role=progressbar]').getAttribute('aria-valuenow').catch(() => null)
      if (now != null && Number(now) > 0 && Number(now) < 100) {
        await pageA.locator('.transfers').screenshot({ path: join(SCREENSHOT_DIR, 'files-progress.png') })
        break
      }
      await sleep(50)
    }
    await row.getByTestId('share-link').waitFor({ state: 'visible', timeout: 120_000 })
    const pickedLink = (await row.getByTestId('share-link').textContent()) ?? ''

    const out = join(c.dataDir, 'cli-fetched.bin')
    const { stdout } = await promisify(execFile)(WGT, ['fetch', pickedLink, '-o', out, '--data-dir', c.dataDir, '--json'], { cwd: ROOT })
    const result = JSON.parse(stdout) as { path: string, sha256: string, size: number }
    expect(result).toMatchObject({ path: out, size: picked.length, sha256: sha256(picked) })
    expect(sha256(await readFile(out))).toBe(sha256(picked))
  })

  it('screenshots both pages in light and dark themes', async () => {
    for (const [page, name] of [[pageA, 'files-a'], [pageB, 'files-b']] as const) {
      await page.locator('.table.files').scrollIntoViewIfNeeded()
      for (const scheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: scheme })
        await expect.poll(async () => await page.evaluate(() => document.documentElement.dataset.theme)).toBe(scheme)
        await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}${scheme === 'dark' ? '-dark' : ''}.png`), fullPage: true })
      }
    }
    // the drop overlay, as a user dragging a file over A's peer row sees it
    const dataTransfer = await dataTransferWith(pageA, 'hover.bin', Buffer.from('x'))
    await pageA.emulateMedia({ colorScheme: 'light' })
    await pageA.dispatchEvent(`tr[data-peer-id="${daemons[2].info.peerId}"]`, 'dragenter', { dataTransfer })
    await pageA.dispatchEvent(`tr[data-peer-id="${daemons[2].info.peerId}"]`, 'dragover', { dataTransfer })
    await pageA.locator('.drop-overlay').waitFor({ state: 'visible' })
    expect(await pageA.locator('tr.drop-target').getAttribute('data-peer-id')).toBe(daemons[2].info.peerId)
    await pageA.screenshot({ path: join(SCREENSHOT_DIR, 'files-drop-overlay.png') })
    await pageA.dispatchEvent('main', 'dragleave', { dataTransfer })
    await pageA.locator('.drop-overlay').waitFor({ state: 'detached' })
    expect(errors).toEqual([])
  })
})
