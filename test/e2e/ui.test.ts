/**
 * The app's frame and the Network and Settings views, in Debian's Chromium
 * against real `wgt daemon` processes on 127.0.0.1: navigation by mouse and
 * keyboard, the node and its peers with measured RTTs, charts as one tab
 * stop each, 800×600 in light and dark, errors a person can act on, known
 * peers with Reconnect, the auth screens, Settings → Storage with both pools
 * and a scrub, and a tab that outlives a daemon
 * restart (the token is kept) but not a token rotation.
 */
import { randomBytes } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { launch, openUi, SCREENSHOT_DIR, showView, uiUrl } from '../helpers/browser.js'
import { Daemons, loopbackTcp, wgt, wgtJson, type Daemon } from '../helpers/daemons.js'

const daemons = new Daemons()
let browser: Browser
let page: Page
let a: Daemon
let b: Daemon
let c: Daemon
const errors: string[] = []

beforeAll(async () => {
  a = await daemons.start('a')
  ;[b, c] = await Promise.all([daemons.start('b', { bootstrap: loopbackTcp(a) }), daemons.start('c', { bootstrap: loopbackTcp(a) })])
  browser = await launch()
  page = await openUi(browser, a, errors)
})

afterAll(async () => {
  await browser?.close()
  await daemons.stopAll()
})

const theme = async (p: Page): Promise<string | undefined> => await p.evaluate(() => document.documentElement.dataset.theme)

describe('the app in Chromium', () => {
  it('shows this node and its peers with measured RTTs', async () => {
    for (const other of [b, c]) {
      const row = page.locator(`tr[data-peer-id="${other.info.peerId}"]`)
      await row.waitFor({ state: 'visible', timeout: 60_000 })
      // the full PeerId is one hover away
      expect(await row.locator('[title]').first().getAttribute('title')).toBe(other.info.peerId)
      await expect.poll(async () => await row.locator('td[data-col="rtt-p50"]').textContent(), { timeout: 30_000 }).toMatch(/^\d+(\.\d+)? m?s$/)
    }
    expect(await page.getByTestId('peer-count').textContent()).toMatch(/^[2-9]\d*$/)
  })

  it('moves between views with the mouse, Alt+number and the arrow keys', async () => {
    await showView(page, 'files')
    await page.getByRole('heading', { name: 'Share and fetch' }).waitFor()
    await page.keyboard.press('Alt+7')
    await page.locator('[data-view=settings][aria-current=page]').waitFor()
    await page.getByRole('heading', { name: 'Storage' }).waitFor()
    // focus stays on the navigation: the arrows walk it
    await page.keyboard.press('ArrowUp')
    await page.locator('[data-view=contacts][aria-current=page]').waitFor()
    await page.getByRole('heading', { name: 'Add a contact' }).waitFor()
    await page.keyboard.press('ArrowUp')
    await page.locator('[data-view=compute][aria-current=page]').waitFor()
    await page.keyboard.press('ArrowUp')
    await page.locator('[data-view=chat][aria-current=page]').waitFor()
    await page.keyboard.press('ArrowUp')
    await page.locator('[data-view=files][aria-current=page]').waitFor()
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-view'))).toBe('files')
    await page.keyboard.press('Alt+1')
    await page.locator('[data-view=map][aria-current=page]').waitFor()
    await page.keyboard.press('Alt+2')
    await page.locator('[data-view=network][aria-current=page]').waitFor()
    // the view survives a reload
    await page.keyboard.press('Alt+3')
    await page.reload()
    await page.locator('[data-view=files][aria-current=page]').waitFor()
    await showView(page, 'network')
  })

  it('makes each chart one tab stop that names its latest values', async () => {
    const charts = page.getByTestId('chart')
    await expect.poll(async () => await charts.count()).toBe(3)
    await page.locator('.recharts-surface').first().waitFor({ state: 'visible', timeout: 30_000 })
    const inner = await page.evaluate(() => [...document.querySelectorAll('[data-testid=chart] *')].filter(el => (el as HTMLElement).tabIndex >= 0).length)
    expect(inner).toBe(0)
    await charts.first().focus()
    for (let i = 1; i < 3; i++) {
      await page.keyboard.press('Tab')
      expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('chart')
    }
    expect(await charts.nth(1).getAttribute('aria-label')).toMatch(/^Traffic, all peers: /)
  })

  it('fits 800×600 in light and dark, in every view', async () => {
    const small = await openUi(browser, a, errors, { width: 800, height: 600 })
    for (const scheme of ['light', 'dark'] as const) {
      await small.emulateMedia({ colorScheme: scheme })
      await expect.poll(async () => await theme(small)).toBe(scheme)
      for (const view of ['network', 'files', 'chat', 'compute', 'contacts', 'settings'] as const) {
        await showView(small, view)
        await small.waitForTimeout(300)
        // nothing is wider than the window: tables scroll inside their cards
        expect(await small.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(800)
        await small.screenshot({ path: join(SCREENSHOT_DIR, `ui-${view}-800-${scheme}.png`) })
      }
    }
    await small.close()
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'ui-network.png'), fullPage: true })
  })

  it('keeps the theme chosen in Settings across a reload', async () => {
    await showView(page, 'settings')
    await page.getByLabel('Dark').check()
    await expect.poll(async () => await theme(page)).toBe('dark')
    await page.reload()
    await page.locator('[data-view=settings][aria-current=page]').waitFor()
    await expect.poll(async () => await theme(page)).toBe('dark')
    await page.getByLabel('Follow the system').check()
    expect(await page.evaluate(() => localStorage.getItem('wgt.theme'))).toBeNull()
    await showView(page, 'network')
  })

  it('shows the storage pools of a real node, sets the pool and puts it back, and verifies the stored shards', async () => {
    // shards in both pools: A shares a file (its own), and keeps some of C's
    const dir = await daemons.tempDir('share')
    for (const [d, name] of [[a, 'mine.bin'], [c, 'theirs.bin']] as const) {
      const path = join(dir, name)
      await writeFile(path, randomBytes(3 * 2 ** 20))
      await wgtJson(d, ['share', path])
    }
    await showView(page, 'settings')
    const pools = page.getByTestId('storage-pools')
    const others = pools.getByTestId('storage-others')
    await expect.poll(async () => await pools.getByTestId('storage-own').textContent(), { timeout: 30_000 }).toMatch(/^Your files: [\d.]+ MiB \(\d+ shards\)$/)
    await expect.poll(async () => await others.textContent(), { timeout: 30_000 }).toMatch(/^Kept for others: [\d.]+ [KM]iB of a [\d.]+ [MGT]iB pool, from 1 peer \(\d+ shards?\)$/)
    expect(await pools.getByTestId('storage-per-peer').textContent()).toMatch(/^Each peer may keep at most [\d.]+ [MGT]iB and 4,096 shards\.$/)
    const pool = /of a (.+) pool/.exec((await others.textContent()) ?? '')?.[1]

    await page.getByLabel('Pool for others', { exact: true }).fill('1 GiB')
    await page.getByLabel('Pool for others', { exact: true }).press('Enter')
    await expect.poll(async () => await others.textContent()).toContain('of a 1.00 GiB pool')
    await page.getByRole('button', { name: 'Pool for others: back to the default' }).click()
    await expect.poll(async () => await others.textContent()).toContain(`of a ${pool} pool`)

    await page.getByRole('button', { name: 'Verify stored shards now' }).click()
    await expect.poll(async () => await page.getByTestId('scrub-result').textContent(), { timeout: 60_000 }).toMatch(/^\d[\d,]* shards checked, 0 rotten$/)

    const small = await openUi(browser, a, errors, { width: 800, height: 600 })
    await showView(small, 'settings')
    await small.getByRole('button', { name: 'Verify stored shards now' }).click()
    await small.getByTestId('scrub-result').filter({ hasText: 'checked' }).waitFor({ timeout: 60_000 })
    for (const scheme of ['light', 'dark'] as const) {
      await small.emulateMedia({ colorScheme: scheme })
      await expect.poll(async () => await theme(small)).toBe(scheme)
      expect(await small.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(800)
      await small.screenshot({ path: join(SCREENSHOT_DIR, `settings-storage-800-${scheme}.png`) })
    }
    await small.close()
    await showView(page, 'network')
  })

  it('says what went wrong connecting, and what to do, with the detail one click away', async () => {
    const input = page.getByLabel('Peer multiaddr')
    await input.fill('definitely not a multiaddr')
    await input.press('Enter')
    const notice = page.getByTestId('connect-error').getByTestId('error')
    await notice.waitFor({ state: 'visible', timeout: 15_000 })
    expect(await notice.locator('strong').textContent()).toBe('Could not connect to the peer')
    expect(await notice.textContent()).toContain('It looks like /ip4/')
    const detail = notice.locator('details code')
    expect(await detail.isVisible()).toBe(false)
    await notice.locator('summary').click()
    expect(await detail.textContent()).toMatch(/^INVALID_INPUT: /)
    expect(await input.getAttribute('aria-invalid')).toBe('true')
  })

  it('lists a known peer that went away, with a Reconnect that says why it failed, until the peer is back', async () => {
    // D joins by address through the connect box
    let d = await daemons.start('d')
    const input = page.getByLabel('Peer multiaddr')
    await input.fill(loopbackTcp(d))
    await input.press('Enter')
    await page.locator(`tr[data-peer-id="${d.info.peerId}"]`).waitFor({ timeout: 30_000 })
    const tcp = /\/tcp\/(\d+)/.exec(loopbackTcp(d))?.[1]
    await daemons.stop(d)
    const known = page.locator(`[data-testid=known-peer][data-peer-id="${d.info.peerId}"]`)
    await known.waitFor({ timeout: 30_000 })
    await known.getByRole('button', { name: 'Reconnect' }).click()
    const notice = known.getByTestId('error')
    await notice.waitFor({ timeout: 30_000 })
    expect(await notice.locator('strong').textContent()).toBe('Could not connect to the peer')
    expect(await notice.textContent()).toMatch(/offline/)
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'ui-known-peers.png'), fullPage: true })
    // back on the same address, it is a connected peer again (it redials the peers it remembers)
    d = await daemons.start('d', { dataDir: d.dataDir, listen: `/ip4/127.0.0.1/tcp/${tcp}` })
    await page.locator(`tr[data-peer-id="${d.info.peerId}"]`).waitFor({ timeout: 60_000 })
    await known.waitFor({ state: 'detached' })
  })

  it('shows the auth screen for a wrong or a missing token', async () => {
    const other = await browser.newPage()
    try {
      await other.goto(uiUrl(a, 'wrong-token'))
      await other.getByText('The node rejected the access token').waitFor({ timeout: 15_000 })
      await other.goto('about:blank')
      await other.goto(a.info.apiUrl + '/')
      await other.getByText('This page needs an access token').waitFor({ timeout: 15_000 })
    } finally {
      await other.close()
    }
  })

  it('comes back by itself when its daemon restarts (the token is kept), and says so when the token is rotated', async () => {
    await page.evaluate(() => { (window as unknown as { marker: number }).marker = 42 })
    const port = Number(new URL(a.info.apiUrl).port)
    await daemons.stop(a)
    await page.locator('.banner', { hasText: 'Disconnected from node — reconnecting' }).waitFor({ state: 'visible', timeout: 15_000 })
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'ui-disconnected.png') })
    a = await daemons.start('a', { dataDir: a.dataDir, apiPort: port })
    await page.getByRole('status').filter({ hasText: 'node connected' }).waitFor({ timeout: 60_000 })
    await page.locator('.banner').waitFor({ state: 'detached' })
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42)
    expect(await page.getByTestId('own-peer-id').textContent()).toBe(a.info.peerId)

    const rotated = await wgt(['token', 'rotate', '--data-dir', a.dataDir])
    expect(rotated.code).toBe(0)
    expect(rotated.stdout.trim()).toMatch(new RegExp(`^${a.info.apiUrl}/#token=[A-Za-z0-9_-]{43}$`))
    await page.getByText('The access token was replaced').waitFor({ timeout: 15_000 })
    expect(errors.filter(e => !/WebSocket|4403|ERR_CONNECTION_REFUSED|Failed to load resource/.test(e))).toEqual([])
  })
})
