/**
 * The peer map in Debian's Chromium against a swarm of 8 real `wgt daemon`
 * processes on 127.0.0.1: A's map draws its 7 peers; a file A shared, picked
 * on the map, lights up the peers that prove its shards; a holder killed
 * turns red at the next health check (Check now); Repair re-creates its
 * shards elsewhere. Screenshots at 800×600 in light and dark go to
 * out/screenshots/. No fixed sleeps: every wait is on a DOM state, and
 * nothing about a holder's mark is asserted at a single instant (a check may
 * be running, and a holder slow within its budget is marked lost until the
 * next one).
 */
import { randomBytes } from 'node:crypto'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { connectWs, wsUrlFor } from '../../src/main/cli/client.js'
import type { FileHealth, ShareResult } from '../../src/shared/api/index.js'
import { followOperation } from '../../src/shared/follow.js'
import { launch, openUi } from '../helpers/browser.js'
import { Daemons, loopbackTcp, ROOT, type Daemon } from '../helpers/daemons.js'

const SHOTS = join(ROOT, 'out', 'screenshots')
const daemons = new Daemons()
const errors: string[] = []
let browser: Browser
let a: Daemon
const others: Daemon[] = []
let page: Page

async function withApi<T> (d: Daemon, fn: (api: Awaited<ReturnType<typeof connectWs>>['api']) => Promise<T>): Promise<T> {
  const conn = await connectWs(wsUrlFor(d.info.apiUrl), d.info.token)
  try { return await fn(conn.api) } finally { conn.close() }
}

const peerButton = (p: Page, peerId: string): ReturnType<Page['locator']> => p.locator(`[data-testid=map-peer][data-peer-id="${peerId}"]`)

/** Until two canvas snapshots a few frames apart are the same: the layout has settled and nothing animates. */
async function untilMapStill (p: Page): Promise<void> {
  await expect.poll(async () => await p.evaluate(async () => {
    const canvas = document.querySelector('[data-testid=map-canvas]') as HTMLCanvasElement
    const frames = async (n: number): Promise<void> => { for (let i = 0; i < n; i++) await new Promise(requestAnimationFrame) }
    const before = canvas.toDataURL()
    await frames(5)
    return before === canvas.toDataURL()
  }), { timeout: 60_000, interval: 100 }).toBe(true)
}

async function screenshots (name: string): Promise<void> {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme })
    await page.locator(`html[data-theme=${scheme}]`).waitFor()
    await untilMapStill(page)
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(800)
    await page.screenshot({ path: join(SHOTS, `${name}-800-${scheme}.png`) })
  }
}

beforeAll(async () => {
  await mkdir(SHOTS, { recursive: true })
  a = await daemons.start('a')
  // two at a time: eight daemons starting at once on two cores only slows each one down
  for (let i = 0; i < 7; i += 2) {
    const batch = [i, i + 1].filter(j => j < 7)
    others.push(...await Promise.all(batch.map(async j => await daemons.start(`p${j}`, { bootstrap: loopbackTcp(a) }))))
  }
  browser = await launch()
  page = await openUi(browser, a, errors, { width: 800, height: 600 })
  await page.locator('[data-view=map]').click()
  await page.locator('[data-view=map][aria-current=page]').waitFor()
})

afterAll(async () => {
  await browser?.close()
  await daemons.stopAll()
})

describe('the peer map', () => {
  let file: ShareResult
  let holders: string[] = []

  it('draws this node\'s 7 connected peers, and shows one\'s details when selected from the list', async () => {
    const connected = page.locator('[data-testid=map-peer][data-connected=true]')
    await expect.poll(async () => await connected.count(), { timeout: 120_000 }).toBe(7)
    expect(new Set(await connected.evaluateAll(els => els.map(e => e.getAttribute('data-peer-id'))))).toEqual(new Set(others.map(o => o.info.peerId)))
    expect(await page.getByTestId('map-canvas').getAttribute('aria-label')).toContain('7 connected peers')
    expect(await page.getByTestId('map-connected').textContent()).toBe('7')
    // the canvas drew them: this node's 7 peers (the scene counts what its last frame drew)
    await expect.poll(async () => await page.getByTestId('map-canvas').getAttribute('data-drawn-nodes'), { timeout: 30_000 }).toBe('7')

    // keyboard: the list is a row of buttons; Enter selects
    const first = others[0].info.peerId
    await peerButton(page, first).focus()
    await page.keyboard.press('Enter')
    const details = page.getByTestId('map-details')
    await details.waitFor()
    expect(await details.getAttribute('data-peer-id')).toBe(first)
    // focus moved to the details' heading, and Close brings it back to the peer's row
    await expect.poll(async () => await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('map-details-heading')
    expect(await details.textContent()).toContain(first)
    await details.getByRole('button', { name: 'Chat' }).waitFor()
    await details.getByRole('button', { name: /^Audio call/ }).waitFor()
    await details.getByRole('button', { name: 'Send a file…' }).waitFor()
    // RTT measured: the details show it once the probe has samples
    await expect.poll(async () => await details.textContent(), { timeout: 60_000 }).toMatch(/RTT\d+(\.\d+)? m?s median/)
    await screenshots('map-peers')
    await details.getByRole('button', { name: 'Close the peer details' }).click()
    await expect.poll(async () => await page.evaluate(() => document.activeElement?.getAttribute('data-peer-id'))).toBe(first)
    expect(await peerButton(page, first).getAttribute('aria-pressed')).toBe('false')
  })

  it('lights up the holders of a file selected on the map', async () => {
    const path = join(await daemons.tempDir('map-file'), 'map report.bin')
    await writeFile(path, randomBytes(300_000))
    // no copy kept on A: a holder lost is then a shard lost, which Repair re-creates on another peer
    file = await withApi(a, async api => (await followOperation(api, async () => await api.shareFile(path, { keepLocalCopy: false })).done).result as ShareResult)
    // the holders are where the placement put the file's shards: holders ∪ lost of a check (a holder slow within that check's budget is
    // lost in it, not missing), so this does not depend on which holders answered in time
    const first: FileHealth = await withApi(a, async api => await api.fileHealth(file.id))
    holders = [...new Set(first.segments.flatMap(s => [...s.holders, ...s.lost]))].filter(p => p !== a.info.peerId)
    expect(holders.length).toBeGreaterThanOrEqual(4)

    const select = page.getByTestId('map-file-select')
    await select.locator(`option[value="${file.id}"]`).waitFor({ state: 'attached', timeout: 30_000 })
    await select.selectOption(file.id)
    const lit = page.locator('[data-testid=map-peer][data-mark=holder]')
    // eventually a check where every holder proved its shards (one slow within a check's budget is lost until the next; Check now asks again)
    await expect.poll(async () => {
      const shown = new Set(await lit.evaluateAll(els => els.map(e => e.getAttribute('data-peer-id'))))
      const check = page.getByRole('button', { name: 'Check now' })
      if (shown.size !== holders.length && await check.isEnabled()) await check.click()
      return shown
    }, { timeout: 120_000, interval: 1000 }).toEqual(new Set(holders))
    await page.getByTestId('map-checked').waitFor()
    if (await peerButton(page, holders[0]).getAttribute('aria-pressed') !== 'true') await peerButton(page, holders[0]).click()
    await screenshots('map-file')
  })

  it('turns a killed holder red at the next health check, and repairs the file onto other peers', async () => {
    const victim = others.find(o => o.info.peerId === holders[0])!
    await daemons.stop(victim, 'SIGKILL')
    const checkedBefore = Number(await page.getByTestId('map-checked').getAttribute('data-checked-at'))
    // one check that starts after the kill: Check now (enabled again once a running check ends)
    await page.getByRole('button', { name: 'Check now' }).click({ timeout: 60_000 })
    await expect.poll(async () => Number(await page.getByTestId('map-checked').getAttribute('data-checked-at')), { timeout: 120_000 }).toBeGreaterThan(checkedBefore)
    await expect.poll(async () => await peerButton(page, victim.info.peerId).getAttribute('data-mark'), { timeout: 120_000 }).toBe('lost')
    await expect.poll(async () => await page.getByTestId('map-file-summary').textContent(), { timeout: 60_000 }).toMatch(/\d+ lost/)
    await screenshots('map-lost')

    await page.getByRole('button', { name: 'Repair' }).click()
    await page.getByTestId('map-repaired').filter({ hasText: /re-created/ }).waitFor({ timeout: 120_000 })
    // the placement now names the peers that took the rebuilt shards: eventually a check where nothing is lost
    await expect.poll(async () => {
      const lost = await page.locator('[data-testid=map-peer][data-mark=lost]').count()
      const check = page.getByRole('button', { name: 'Check now' })
      if (lost > 0 && await check.isEnabled()) await check.click()
      return lost
    }, { timeout: 120_000, interval: 1000 }).toBe(0)
    expect(await peerButton(page, victim.info.peerId).getAttribute('data-mark')).not.toBe('holder')
    expect(errors.filter(e => !/WebSocket|Failed to load resource/.test(e))).toEqual([])
  })
})
