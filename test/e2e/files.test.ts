/**
 * Files through the UI, in Debian's Chromium against real `wgt daemon`
 * processes on 127.0.0.1: a file dropped on A's window is uploaded and shared
 * as an operation with its progress and its link; B fetches the link, finds
 * it under Received, downloads its bytes, and fetching it again opens the
 * copy it has; a share cancelled half-way leaves nothing; a file dropped onto
 * B's row lands in B's inbox, which survives a reload and a restart of B.
 */
import { createHash, randomBytes } from 'node:crypto'
import { readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { connectWs, wsUrlFor } from '../../src/main/cli/client.js'
import type { Policies } from '../../src/shared/api/index.js'
import { dataTransferWith, launch, openUi, SCREENSHOT_DIR, showView } from '../helpers/browser.js'
import { Daemons, loopbackTcp, wgtJson, type Daemon } from '../helpers/daemons.js'

const daemons = new Daemons()
let browser: Browser
let a: Daemon
let b: Daemon
let c: Daemon
let pageA: Page
let pageB: Page
const errors: string[] = []
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')

/**
 * A file for the page's file picker, by path: Chromium reads it from disk. Handed
 * over as a buffer, 40 MiB went through the DevTools protocol as base64 and once
 * took more than setInputFiles' 30 s on this machine.
 */
async function fileToPick (name: string, bytes: Uint8Array): Promise<string> {
  const path = join(await daemons.tempDir('pick'), name)
  await writeFile(path, bytes)
  return path
}

async function storageOf (d: Daemon): Promise<{ shards: number }> {
  const conn = await connectWs(wsUrlFor(d.info.apiUrl), d.info.token)
  try { return await conn.api.getStorage() } finally { conn.close() }
}

beforeAll(async () => {
  a = await daemons.start('a')
  ;[b, c] = await Promise.all([daemons.start('b', { bootstrap: loopbackTcp(a) }), daemons.start('c', { bootstrap: loopbackTcp(a) })])
  browser = await launch()
  pageA = await openUi(browser, a, errors)
  // placement needs the other daemons as peers
  for (const other of [b, c]) await pageA.locator(`tr[data-peer-id="${other.info.peerId}"]`).waitFor({ state: 'visible', timeout: 60_000 })
})

afterAll(async () => {
  await browser?.close()
  for (const d of daemons.all) {
    // a daemon removes browser uploads when their share ends
    expect(await readdir(join(d.dataDir, 'uploads')).catch(() => [])).toEqual([])
  }
  await daemons.stopAll()
})

describe('files in the UI', () => {
  const dropped = randomBytes(5 * 1024 * 1024 + 12345) // two segments at the default 4 MiB
  let link = ''
  let id = ''

  it('shares a file dropped anywhere on A\'s window, with its progress, its link and its health', async () => {
    await showView(pageA, 'files')
    const dataTransfer = await dataTransferWith(pageA, 'dropped report.bin', dropped)
    await pageA.dispatchEvent('main', 'drop', { dataTransfer })
    const op = pageA.getByTestId('operation').filter({ hasText: 'dropped report.bin' })
    await op.locator('[data-state=done], [data-testid=share-link]').first().waitFor({ timeout: 120_000 })
    expect(await op.getAttribute('data-state')).toBe('done')
    link = (await op.getByTestId('share-link').textContent()) ?? ''
    expect(link).toMatch(/^wgt:\/\/b[a-z2-7]+#[A-Za-z0-9_-]{43}$/)
    id = link.slice('wgt://'.length).split('#')[0]

    const row = pageA.locator(`tr[data-file-id="${id}"]`)
    await row.waitFor({ state: 'visible', timeout: 15_000 })
    expect(await row.locator('.file-name').textContent()).toBe('dropped report.bin')
    await expect.poll(async () => await row.locator('[data-health]').getAttribute('data-health').catch(() => null), { timeout: 60_000 }).toBe('complete')
    expect(await row.locator('.health-cell').count()).toBe(2)
  })

  it('fetches the link on B, lists it under Received, downloads its bytes, and opens the copy it has instead of fetching twice', async () => {
    pageB = await openUi(browser, b, errors)
    await showView(pageB, 'files')
    const input = pageB.getByLabel('wgt:// link')
    await input.fill(link)
    await input.press('Enter')
    // the link prompt says what it is before anything is fetched. It asks connected peers only:
    // B is connected to A (its bootstrap), which holds the root record, so no network search is needed or offered
    await pageB.getByTestId('link-preview-name').filter({ hasText: 'dropped report.bin' }).waitFor({ timeout: 30_000 })
    expect(await pageB.getByTestId('link-preview-served').textContent()).not.toContain('no peer')
    expect(await pageB.getByTestId('link-prompt-search').count()).toBe(0)
    await pageB.getByTestId('link-prompt-fetch').click()
    const op = pageB.getByTestId('operation').filter({ hasText: 'dropped report.bin' })
    await op.getByTestId('fetch-result').waitFor({ timeout: 120_000 })
    expect(await op.getByTestId('fetch-result').getAttribute('data-existing')).toBe('false')
    const row = pageB.locator(`tr[data-file-id="${id}"]`)
    await row.waitFor({ timeout: 15_000 })
    expect(await row.getByTestId('received-from').textContent()).toBe('a link')

    const [download] = await Promise.all([
      pageB.waitForEvent('download', { timeout: 30_000 }),
      row.getByRole('button', { name: 'Download dropped report.bin' }).click()
    ])
    expect(download.suggestedFilename()).toBe('dropped report.bin')
    expect(sha256(await readFile(await download.path()))).toBe(sha256(dropped))

    // the same link again: the copy already here, nothing written
    await input.fill(link)
    await input.press('Enter')
    await pageB.getByTestId('link-preview-existing').waitFor({ timeout: 30_000 })
    await pageB.getByTestId('link-prompt-fetch').click()
    await pageB.locator('[data-testid=fetch-result][data-existing=true]').waitFor({ timeout: 30_000 })
    expect(await readdir(join(b.dataDir, 'received'))).toEqual(['dropped report.bin'])
  })

  it('cancels a share half-way: the operation says so and nothing of it is kept', async () => {
    const before = await Promise.all([a, b, c].map(storageOf))
    const big = randomBytes(40 * 1024 * 1024)
    await pageA.getByTestId('share-input').setInputFiles(await fileToPick('too big.bin', big))
    const op = pageA.getByTestId('operation').filter({ hasText: 'too big.bin' })
    await op.waitFor({ timeout: 60_000 })
    await op.getByTestId('progress-text').filter({ hasText: /\d+%/ }).waitFor({ timeout: 60_000 })
    await op.locator('.transfers, .transfer-status').first().screenshot({ path: join(SCREENSHOT_DIR, 'files-progress.png') }).catch(() => {})
    await op.getByRole('button', { name: /^Cancel/ }).click()
    await pageA.locator('[data-testid=operation][data-state=cancelled]').filter({ hasText: 'too big.bin' }).waitFor({ timeout: 60_000 })
    expect(await op.textContent()).toContain('Cancelled')
    expect(await pageA.locator('tr[data-file-id] .file-name', { hasText: 'too big.bin' }).count()).toBe(0)
    expect(await Promise.all([a, b, c].map(storageOf))).toEqual(before)
  })

  it('sends the link to the peer a file is dropped onto: it waits in the inbox through a reload and a restart, then one click fetches it', async () => {
    // A is a stranger to B: under the default 'contacts' policy its offer would wait as a request
    // (test/e2e/contacts.test.ts); here B takes offers from anyone, so it lands in the inbox proper
    expect((await wgtJson<Policies>(b, ['policy', 'offers', 'anyone'])).offers).toBe('anyone')
    await showView(pageA, 'network')
    const small = randomBytes(200_000)
    const dataTransfer = await dataTransferWith(pageA, 'for-b.bin', small)
    await pageA.dispatchEvent(`tr[data-peer-id="${b.info.peerId}"]`, 'drop', { dataTransfer })
    await pageB.getByTestId('badge-files').filter({ hasText: '1' }).waitFor({ timeout: 120_000 })
    expect(await pageB.title()).toBe('(1) WGT')
    const offer = pageB.getByTestId('offer')
    await offer.waitFor()
    expect(await offer.textContent()).toContain('for-b.bin')
    await showView(pageA, 'files')
    await pageA.getByTestId('operation').filter({ hasText: 'link sent to' }).waitFor({ timeout: 30_000 })

    await pageB.reload()
    await pageB.getByTestId('offer').waitFor({ timeout: 30_000 })
    const port = Number(new URL(b.info.apiUrl).port)
    await daemons.stop(b)
    b = await daemons.start('b', { dataDir: b.dataDir, apiPort: port, bootstrap: loopbackTcp(a) })
    await pageB.getByRole('status').filter({ hasText: 'node connected' }).waitFor({ timeout: 60_000 })
    await pageB.getByTestId('offer').filter({ hasText: 'for-b.bin' }).waitFor({ timeout: 30_000 })
    await pageB.screenshot({ path: join(SCREENSHOT_DIR, 'files-inbox.png'), fullPage: true })

    await pageB.getByTestId('offer').getByRole('button', { name: 'Fetch' }).click()
    await pageB.getByTestId('offer').waitFor({ state: 'detached', timeout: 30_000 })
    await pageB.getByTestId('badge-files').waitFor({ state: 'detached' })
    const row = pageB.locator('tr[data-file-id]').filter({ hasText: 'for-b.bin' })
    await row.waitFor({ timeout: 120_000 })
    expect(await row.getByTestId('received-from').locator('[title]').getAttribute('title')).toBe(a.info.peerId)
    expect(sha256(await readFile(join(b.dataDir, 'received', 'for-b.bin')))).toBe(sha256(small))
  })

  it('shares a file picked with "Share files…" (the keyboard path); `wgt fetch` on a third daemon gets its bytes', async () => {
    const picked = randomBytes(6 * 1024 * 1024)
    await pageA.getByTestId('share-input').setInputFiles(await fileToPick('picked.bin', picked))
    const op = pageA.getByTestId('operation').filter({ hasText: 'picked.bin' })
    await op.getByTestId('share-link').waitFor({ timeout: 120_000 })
    const pickedLink = (await op.getByTestId('share-link').textContent()) ?? ''
    const out = join(c.dataDir, 'cli-fetched.bin')
    const result = await wgtJson<{ path: string, sha256: string, size: number }>(c, ['fetch', pickedLink, '-o', out])
    expect(result).toMatchObject({ path: out, size: picked.length, sha256: sha256(picked) })
    expect(sha256(await readFile(out))).toBe(sha256(picked))
  })

  it('screenshots the files views in light and dark, and the drop overlay', async () => {
    for (const [page, name] of [[pageA, 'files-a'], [pageB, 'files-b']] as const) {
      await showView(page, 'files')
      for (const scheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: scheme })
        await expect.poll(async () => await page.evaluate(() => document.documentElement.dataset.theme)).toBe(scheme)
        await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}${scheme === 'dark' ? '-dark' : ''}.png`), fullPage: true })
      }
    }
    await pageA.emulateMedia({ colorScheme: 'light' })
    await showView(pageA, 'network')
    const dataTransfer = await dataTransferWith(pageA, 'hover.bin', Buffer.from('x'))
    await pageA.dispatchEvent(`tr[data-peer-id="${c.info.peerId}"]`, 'dragenter', { dataTransfer })
    await pageA.dispatchEvent(`tr[data-peer-id="${c.info.peerId}"]`, 'dragover', { dataTransfer })
    await pageA.locator('.drop-overlay').waitFor({ state: 'visible' })
    expect(await pageA.locator('tr.drop-target').getAttribute('data-peer-id')).toBe(c.info.peerId)
    await pageA.screenshot({ path: join(SCREENSHOT_DIR, 'files-drop-overlay.png') })
    await pageA.dispatchEvent('main', 'dragleave', { dataTransfer })
    await pageA.locator('.drop-overlay').waitFor({ state: 'detached' })
    expect(errors.filter(e => !/WebSocket|ERR_CONNECTION_REFUSED|Failed to load resource/.test(e))).toEqual([])
  })
})
