/**
 * The Compute view in Debian's Chromium against real `wgt daemon` processes
 * on 127.0.0.1, A and B contacts (B's compute policy takes tasks from
 * contacts): a 64×64 matmul at redundancy 2 submitted from A's form runs on
 * both to done with its progress, its workers and verification figures, and
 * the result's SHA-256, which the downloaded bytes (GET /compute/<id>/result)
 * match; B's view lists the task it ran for A, by name; contributing
 * switched off and on from the view is kept by the node, through a reload
 * and a restart; and the view fits 800×600 in light and dark.
 */
import { createHash } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import type { ComputeJob, ComputeSettings } from '../../src/shared/api/index.js'
import { launch, openUi, SCREENSHOT_DIR, showView } from '../helpers/browser.js'
import { Daemons, loopbackTcp, makeContacts, ROOT, until, wgtJson, type Daemon } from '../helpers/daemons.js'

const daemons = new Daemons()
let browser: Browser
let a: Daemon
let b: Daemon
let page: Page
const errors: string[] = []
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')

beforeAll(async () => {
  a = await daemons.start('a')
  b = await daemons.start('b', { bootstrap: loopbackTcp(a) })
  await makeContacts(a, b, loopbackTcp(b), { a: 'Alice', b: 'Bob' })
  browser = await launch()
  page = await openUi(browser, a, errors)
  await page.locator(`tr[data-peer-id="${b.info.peerId}"]`).waitFor({ state: 'visible', timeout: 60_000 })
})

afterAll(async () => {
  await browser?.close()
  await daemons.stopAll()
})

async function settingsOf (d: Daemon): Promise<ComputeSettings> {
  return await wgtJson<ComputeSettings>(d, ['compute', 'settings'])
}

describe('the Compute view', () => {
  let jobId = ''
  let shown = ''

  it('submits a 64×64 matmul at redundancy 2 and follows it to done, with its workers and the result\'s size and SHA-256', async () => {
    await showView(page, 'compute')
    await page.getByTestId('compute-n').fill('64')
    await page.getByTestId('compute-redundancy').selectOption('2')
    await page.getByTestId('compute-submit-button').click()
    const job = page.getByTestId('compute-job').filter({ hasText: '64' }).first()
    await job.waitFor({ timeout: 30_000 })
    await job.locator('[data-state=done], [data-testid=job-sha256], [data-testid=error]').first().waitFor({ timeout: 120_000 })
    await job.locator('[data-testid=job-sha256]').waitFor({ timeout: 5000 })
    expect(await job.getAttribute('data-state')).toBe('done')
    jobId = (await job.getAttribute('data-job')) ?? ''
    expect(await job.getByTestId('job-progress').textContent()).toMatch(/^100% · (\d+) of \1 tasks?/)
    expect(await job.getByTestId('job-verification').textContent()).toMatch(/Freivalds: \d+ checked at \d+ rounds, 0 failed/)
    // two distinct workers: this node, and Bob by the name A gave it
    expect(await job.getByTestId('job-worker').count()).toBe(2)
    expect(await job.locator('[data-testid=job-worker][data-self=false]').textContent()).toContain('Bob')
    shown = (await job.getByTestId('job-sha256').textContent()) ?? ''
    expect(shown).toMatch(/^[0-9a-f]{64}$/)
    expect(await job.getByTestId('job-result').textContent()).toContain('64×64 matrix, 32.0 KiB')

    const status = await wgtJson<ComputeJob>(a, ['compute', 'status', jobId])
    expect(status.result?.sha256).toBe(shown)
    await job.screenshot({ path: join(SCREENSHOT_DIR, 'compute-job-done.png') })
  })

  it('lists on B the task it ran for A, by name, with its CPU time', async () => {
    const pageB = await openUi(browser, b, errors)
    await showView(pageB, 'compute')
    const row = pageB.locator('[data-testid=contributed-task]').filter({ hasText: 'Alice' }).first()
    await row.waitFor({ timeout: 30_000 })
    expect(await row.getAttribute('data-state')).toBe('done')
    expect(await row.locator('td.num').first().textContent()).toMatch(/^\d+(\.\d+)? (ms|s)$/)
    await pageB.getByTestId('compute-for-others').screenshot({ path: join(SCREENSHOT_DIR, 'compute-for-others.png') })
    await pageB.close()
  })

  it('downloads the result in the browser: the bytes whose SHA-256 the view shows', async () => {
    const job = page.locator(`[data-testid=compute-job][data-job="${jobId}"]`)
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: 30_000 }),
      job.getByTestId('job-save').click()
    ])
    expect(download.suggestedFilename()).toBe(`compute-${jobId}.wgtm`)
    const bytes = await readFile(await download.path())
    expect(sha256(bytes)).toBe(shown)
    // a WGT matrix: the header, then 64×64 float64
    expect(bytes.subarray(0, 4).toString('latin1')).toBe('WGTM')
    expect(bytes.length).toBe(16 + 64 * 64 * 8)
    await job.getByTestId('job-saved').waitFor()
  })

  it('runs the example WASM module on an input file picked in the form; the uploads go when the job ends', async () => {
    await page.getByTestId('kernel-wasm').check()
    await page.getByTestId('compute-module').setInputFiles(join(ROOT, 'examples', 'wasm', 'primes.wasm'))
    await page.getByTestId('compute-input').setInputFiles(join(ROOT, 'examples', 'wasm', 'primes-input.txt'))
    await page.getByTestId('compute-submit-button').click()
    const job = page.getByTestId('compute-job').filter({ hasText: 'primes.wasm' }).first()
    await job.locator('[data-testid=job-sha256], [data-testid=error]').first().waitFor({ timeout: 120_000 })
    expect(await job.getAttribute('data-state')).toBe('done')
    const id = (await job.getAttribute('data-job')) ?? ''
    expect((await wgtJson<ComputeJob>(a, ['compute', 'status', id])).result?.sha256).toBe(await job.getByTestId('job-sha256').textContent())
    await until('the uploads removed', async () => (await readdir(join(a.dataDir, 'uploads')).catch(() => [])).length === 0)
  })

  it('shows a big job\'s progress as it runs, and cancels it', async () => {
    await page.getByTestId('kernel-matmul').check()
    await page.getByTestId('compute-n').fill('2048')
    await page.getByTestId('compute-redundancy').selectOption('1')
    await page.getByTestId('compute-submit-button').click()
    const job = page.getByTestId('compute-job').filter({ hasText: '2048' }).first()
    await job.getByTestId('job-progress').filter({ hasText: /^([1-9]|[1-9]\d)% · [1-9]\d* of \d+ tasks/ }).waitFor({ timeout: 120_000 })
    expect(await job.getAttribute('data-state')).toBe('running')
    await job.screenshot({ path: join(SCREENSHOT_DIR, 'compute-job-running.png') })
    await job.getByRole('button', { name: /^Cancel the job/ }).click()
    await page.locator('[data-testid=compute-job][data-state=cancelled]').filter({ hasText: '2048' }).waitFor({ timeout: 30_000 })
  })

  it('switches contributing off and on; the node keeps it through a reload and a restart', async () => {
    const enabled = page.getByTestId('compute-enabled')
    expect(await enabled.isChecked()).toBe(true)
    await enabled.click()
    await expect.poll(async () => (await settingsOf(a)).enabled).toBe(false)
    expect(await page.getByTestId('contribute-status').textContent()).toBe('off')
    await page.reload()
    await showView(page, 'compute')
    await page.locator('[data-testid=compute-enabled]:not(:checked)').waitFor()

    await page.close()
    await daemons.stop(a)
    a = await daemons.start('a', { dataDir: a.dataDir })
    page = await openUi(browser, a, errors)
    await showView(page, 'compute')
    await page.locator('[data-testid=compute-enabled]:not(:checked)').waitFor({ timeout: 30_000 })
    await page.getByTestId('compute-enabled').click()
    await expect.poll(async () => (await settingsOf(a)).enabled).toBe(true)
    await page.locator('[data-testid=compute-enabled]:checked').waitFor()
    // the pause reason is the node's: reloaded with the change
    await expect.poll(async () => await page.getByTestId('contribute-status').textContent()).toBe('taking tasks')

    // a limit: typed, saved, and shown as the node answers it
    await page.getByTestId('compute-memoryMb').fill('128')
    await page.getByRole('button', { name: 'Save limits' }).click()
    await expect.poll(async () => (await settingsOf(a)).memoryMb).toBe(128)

    // who may submit is guard's policy: the link lands on it in Settings
    await page.getByTestId('compute-policy-link').click()
    await page.locator('[data-view=settings][aria-current=page]').waitFor()
    await expect.poll(async () => await page.evaluate(() => document.activeElement?.closest('[data-capability]')?.getAttribute('data-capability'))).toBe('compute')
  })

  it('fits 800×600 in light and dark', async () => {
    await showView(page, 'compute')
    const small = await openUi(browser, a, errors, { width: 800, height: 600 })
    for (const scheme of ['light', 'dark'] as const) {
      await small.emulateMedia({ colorScheme: scheme })
      await showView(small, 'compute')
      await small.getByTestId('compute-contribute').waitFor()
      await small.waitForTimeout(300)
      expect(await small.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(800)
      await small.screenshot({ path: join(SCREENSHOT_DIR, `compute-800-${scheme}.png`) })
      await page.emulateMedia({ colorScheme: scheme })
      await page.screenshot({ path: join(SCREENSHOT_DIR, `compute-1280-${scheme}.png`), fullPage: true })
    }
    await small.close()
    expect(errors).toEqual([])
  })
})
