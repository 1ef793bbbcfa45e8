/**
 * Settings and the link prompt, in Debian's Chromium against real `wgt
 * daemon` processes on 127.0.0.1: every section renders and the in-page list
 * reaches them; notification choices and do-not-disturb are kept by the node
 * (a second tab follows them live through settings:update, and they outlive
 * a daemon restart); a link pasted in Files is described (name, size, who
 * serves it) before anything is fetched, Cancel and Esc fetch nothing, Fetch
 * fetches; a link no connected peer serves says so and searches the network
 * only when asked; 800×600 in light and dark.
 */
import { randomBytes } from 'node:crypto'
import { mkdir, readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { connectWs, wsUrlFor } from '../../src/main/cli/client.js'
import type { LinkPreview, NodeSettings, ShareResult } from '../../src/shared/api/index.js'
import { formatBytes } from '../../src/renderer/src/format.js'
import { launch, openUi, showView } from '../helpers/browser.js'
import { Daemons, loopbackTcp, ROOT, wgtJson, type Daemon } from '../helpers/daemons.js'

const SHOTS = join(ROOT, 'out', 'screenshots')
const daemons = new Daemons()
let browser: Browser
let a: Daemon
let b: Daemon
let page: Page
let shared: ShareResult
const errors: string[] = []
const SIZE = 300_000

async function settingsOf (d: Daemon): Promise<NodeSettings> {
  const conn = await connectWs(wsUrlFor(d.info.apiUrl), d.info.token)
  try { return await conn.api.getSettings() } finally { conn.close() }
}

beforeAll(async () => {
  await mkdir(SHOTS, { recursive: true })
  a = await daemons.start('a')
  b = await daemons.start('b', { bootstrap: loopbackTcp(a) })
  browser = await launch()
  page = await openUi(browser, a, errors)
  await page.locator(`tr[data-peer-id="${b.info.peerId}"]`).waitFor({ state: 'visible', timeout: 60_000 })
  const path = join(await daemons.tempDir('share'), 'field notes.bin')
  await writeFile(path, randomBytes(SIZE))
  shared = await wgtJson<ShareResult>(b, ['share', path, '--k', '1', '--m', '1'])
})

afterAll(async () => {
  await browser?.close()
  await daemons.stopAll()
})

const SECTIONS = ['Appearance', 'Notifications', 'Desktop app', 'Files', 'Storage', 'Policies', 'Calls', 'Contribute', 'About']

describe('Settings', () => {
  it('gathers every section, reachable from the list at the top', async () => {
    await showView(page, 'settings')
    for (const name of SECTIONS) await page.getByRole('heading', { name, exact: true, level: 2 }).waitFor()
    // a browser tab says the desktop choices are the desktop app's
    expect(await page.getByTestId('desktop-only').count()).toBe(2)
    expect(await page.getByTestId('data-dir').textContent()).toBe(a.dataDir)
    const about = await page.getByTestId('about').textContent()
    expect(about).toMatch(/Node\.js\s*v?\d+\.\d+/)
    expect(about).toContain('libp2p')

    const nav = page.getByRole('navigation', { name: 'Settings sections' })
    await nav.getByRole('button', { name: 'About' }).click()
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('About')
    await nav.getByRole('button', { name: 'Notifications' }).click()
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Notifications')
    await page.screenshot({ path: join(SHOTS, 'settings-1280.png') })
  })

  it('fits 800×600 in light and dark', async () => {
    const small = await openUi(browser, a, errors, { width: 800, height: 600 })
    for (const scheme of ['light', 'dark'] as const) {
      await small.emulateMedia({ colorScheme: scheme })
      await showView(small, 'settings')
      await small.getByRole('heading', { name: 'About' }).waitFor()
      expect(await small.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(800)
      await small.screenshot({ path: join(SHOTS, `settings-800-${scheme}.png`) })
      await small.getByRole('navigation', { name: 'Settings sections' }).getByRole('button', { name: 'Notifications' }).click()
      await small.screenshot({ path: join(SHOTS, `settings-notifications-800-${scheme}.png`) })
      for (const section of ['Files', 'About']) {
        await small.getByRole('navigation', { name: 'Settings sections' }).getByRole('button', { name: section }).click()
        await small.screenshot({ path: join(SHOTS, `settings-${section.toLowerCase()}-800-${scheme}.png`) })
      }

      await showView(small, 'files')
      await small.getByLabel('wgt:// link').fill(shared.link)
      await small.getByLabel('wgt:// link').press('Enter')
      await small.getByTestId('link-preview-name').waitFor({ timeout: 30_000 })
      await small.screenshot({ path: join(SHOTS, `link-prompt-800-${scheme}.png`) })
      await small.keyboard.press('Escape')
      await small.getByTestId('link-prompt').waitFor({ state: 'detached' })
    }
    await small.close()
  })
})

describe('the link prompt', () => {
  async function paste (link: string): Promise<void> {
    await showView(page, 'files')
    const input = page.getByLabel('wgt:// link')
    await input.fill(link)
    await input.press('Enter')
    await page.getByTestId('link-prompt').waitFor()
  }

  it('shows what a pasted link leads to before fetching; Cancel and Esc fetch nothing', async () => {
    // b placed the file's shards a moment ago: retried until a peer serves its root record
    await expect.poll(async () => {
      await paste(shared.link)
      const got = await Promise.race([
        page.getByTestId('link-preview-name').waitFor({ timeout: 30_000 }).then(() => 'preview'),
        page.getByTestId('link-prompt').getByTestId('error').waitFor({ timeout: 30_000 }).then(() => 'error')
      ])
      if (got === 'error') await page.getByRole('button', { name: 'Cancel' }).click()
      return got
    }, { timeout: 90_000, interval: 1000 }).toBe('preview')
    const prompt = page.getByTestId('link-prompt')
    expect(await prompt.getByTestId('link-preview-name').textContent()).toBe('field notes.bin')
    expect(await prompt.getByTestId('link-preview-size').textContent()).toContain(formatBytes(SIZE))
    expect(await prompt.getByRole('heading').textContent()).toBe('Fetch field notes.bin?')
    expect(await prompt.getByTestId('link-preview-served').textContent()).not.toContain('no peer')
    expect(await prompt.getByTestId('link-preview-existing').count()).toBe(0)
    // a modal: focus stays inside it, whatever Tab does
    for (let i = 0; i < 6; i++) {
      await page.keyboard.press('Tab')
      expect(await page.evaluate(() => document.activeElement?.closest('dialog') != null)).toBe(true)
    }
    await prompt.getByRole('button', { name: 'Cancel' }).click()
    await prompt.waitFor({ state: 'detached' })

    await paste(shared.link)
    await page.getByTestId('link-preview-name').waitFor({ timeout: 30_000 })
    await page.keyboard.press('Escape')
    await page.getByTestId('link-prompt').waitFor({ state: 'detached' })

    expect(await page.getByTestId('operation').count()).toBe(0)
    expect((await wgtJson<Array<{ id: string }>>(a, ['files'])).map(f => f.id)).not.toContain(shared.id)
    expect(await readdir(join(a.dataDir, 'received')).catch(() => [])).toEqual([])
    // the CLI reads the same preview
    const viaCli = await wgtJson<LinkPreview>(a, ['files', 'inspect', shared.link])
    expect(viaCli).toMatchObject({ id: shared.id, name: 'field notes.bin', size: SIZE, segments: 1, k: 1, m: 1, existing: null })
    expect(viaCli.servedBy.length).toBeGreaterThan(0)
  })

  it('fetches on Fetch, and the transfer shows in Files', async () => {
    await paste(shared.link)
    await page.getByTestId('link-prompt-fetch').click()
    await page.getByTestId('link-prompt').waitFor({ state: 'detached' })
    const op = page.getByTestId('operation').filter({ hasText: 'field notes.bin' })
    await op.getByTestId('fetch-result').waitFor({ timeout: 120_000 })
    expect((await wgtJson<Array<{ id: string, direction: string }>>(a, ['files'])).find(f => f.id === shared.id)?.direction).toBe('received')

    // the same link again: the prompt says it is here already
    await paste(shared.link)
    await page.getByTestId('link-preview-existing').waitFor({ timeout: 30_000 })
    await page.getByRole('button', { name: 'Cancel' }).click()
    expect((await wgtJson<LinkPreview>(a, ['files', 'inspect', shared.link])).existing?.direction).toBe('received')
  })

  it('asks only connected peers first; a link none of them serves says so, and the network is searched only on the button', async () => {
    // a well-formed link to a file nobody has: deterministic, whoever is connected
    const nobody = `wgt://bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy#${'k'.repeat(43)}`
    await paste(nobody)
    const prompt = page.getByTestId('link-prompt')
    await prompt.getByTestId('link-prompt-unserved').waitFor({ timeout: 30_000 })
    expect(await prompt.getByTestId('link-prompt-search-note').textContent()).toContain('Peers serving this file will learn your address')
    expect(await prompt.getByTestId('link-prompt-fetch').isDisabled()).toBe(true)
    await page.screenshot({ path: join(SHOTS, 'link-prompt-unserved.png') })
    await prompt.getByTestId('link-prompt-search').click()
    // searched: the node's answer now names the DHT, and there is nothing further to search
    const error = prompt.getByTestId('error')
    await error.waitFor({ timeout: 60_000 })
    expect(await error.getAttribute('data-code')).toBe('NOT_FOUND')
    expect(await error.textContent()).toContain('the DHT')
    expect(await prompt.getByTestId('link-prompt-search').count()).toBe(0)
    await prompt.getByRole('button', { name: 'Cancel' }).click()
    await prompt.waitFor({ state: 'detached' })
    // the CLI: connected peers only unless --network
    await expect(wgtJson(a, ['files', 'inspect', nobody])).rejects.toThrow(/no connected peer holds file/)
    await expect(wgtJson(a, ['files', 'inspect', nobody, '--network'])).rejects.toThrow(/and the DHT/)
  })

  it('says what is wrong with a link that is not one, and what to do', async () => {
    await paste('wgt://not-a-link')
    const error = page.getByTestId('link-prompt').getByTestId('error')
    await error.waitFor({ timeout: 15_000 })
    expect(await error.getAttribute('data-code')).toBe('INVALID_INPUT')
    expect(await error.textContent()).toContain('Could not read the link')
    await page.getByRole('button', { name: 'Cancel' }).click()
    expect(errors.filter(e => !/WebSocket|Failed to load resource/.test(e))).toEqual([])
  })
})

describe('notification choices', () => {
  it('keeps notification choices: a second tab follows them live, and they outlive a daemon restart', async () => {
    await showView(page, 'settings')
    const other = await openUi(browser, a, errors)
    await showView(other, 'settings')
    expect(await other.getByTestId('dnd').isChecked()).toBe(false)
    expect(await other.getByTestId('notify-offers').isChecked()).toBe(true)

    // controlled boxes: they show the change once the node has taken it
    await page.getByTestId('dnd').click()
    await expect.poll(async () => await page.getByTestId('dnd').isChecked()).toBe(true)
    await page.getByTestId('notify-offers').click()
    await expect.poll(async () => await page.getByTestId('notify-offers').isChecked()).toBe(false)
    await expect.poll(async () => (await settingsOf(a)).desktop).toMatchObject({ doNotDisturb: true, notifications: { offers: false, messages: true } })
    // the other tab was told (settings:update), with no reload
    await expect.poll(async () => await other.getByTestId('dnd').isChecked()).toBe(true)
    await expect.poll(async () => await other.getByTestId('notify-offers').isChecked()).toBe(false)
    await other.close()
    // start hidden only means something when starting at login
    expect(await page.getByTestId('start-hidden').isDisabled()).toBe(true)

    await daemons.stop(a)
    a = await daemons.start('a', { dataDir: a.dataDir })
    const again = await openUi(browser, a, errors)
    await showView(again, 'settings')
    await expect.poll(async () => await again.getByTestId('dnd').isChecked()).toBe(true)
    expect(await again.getByTestId('notify-offers').isChecked()).toBe(false)
    expect(await again.getByTestId('notify-messages').isChecked()).toBe(true)
    await again.getByTestId('dnd').click()
    await expect.poll(async () => (await settingsOf(a)).desktop.doNotDisturb).toBe(false)
    await page.close()
    page = again
  })
})
