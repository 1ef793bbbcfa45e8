/**
 * Time to a link for a file dropped in the UI (issue 12): A's UI in Debian's
 * Chromium, a 1 MiB file dropped on its window as a drag from the desktop
 * carries it, until the operation shows the link. This covers what a person
 * waits for: the upload of the file from the page to the daemon, the share,
 * and the UI hearing of it. The file is built in the page before the clock
 * starts, so the DevTools transfer of its bytes is not counted.
 */
import { randomBytes } from 'node:crypto'
import { chromium } from 'playwright-core'
import { median, round } from './lib/stats.js'

const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--no-first-run', '--disable-quic', '--disable-sync'
]
const MiB = 2 ** 20
const LINK_TIMEOUT_MS = 120_000

export async function measureDropToLink (sharer, rounds, log) {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS })
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    await page.goto(`${sharer.api.apiUrl}/#token=${sharer.api.token}`)
    await page.locator('[data-view=files]').click()
    await page.locator('[data-view=files][aria-current=page]').waitFor()
    const ms = []
    // one unmeasured drop, as for the API figure: the first sets up what a user pays once
    for (let r = 0; r <= rounds; r++) {
      const name = `drop-${r}.bin`
      const dataTransfer = await page.evaluateHandle(({ name, b64 }) => {
        const bin = atob(b64)
        const data = new Uint8Array(bin.length)
        for (let i = 0; i < bin.length; i++) data[i] = bin.charCodeAt(i)
        const dt = new globalThis.DataTransfer() // the page's: this function runs in Chromium
        dt.items.add(new File([data], name, { type: 'application/octet-stream' }))
        return dt
      }, { name, b64: randomBytes(MiB).toString('base64') })
      const op = page.getByTestId('operation').filter({ hasText: name })
      const t0 = performance.now()
      await page.dispatchEvent('main', 'drop', { dataTransfer })
      await op.getByTestId('share-link').waitFor({ timeout: LINK_TIMEOUT_MS })
      if (r > 0) ms.push(performance.now() - t0)
      const link = await op.getByTestId('share-link').textContent()
      if (!/^wgt:\/\//.test(link ?? '')) throw new Error(`the dropped file's operation shows ${JSON.stringify(link)}, not a link`)
      await dataTransfer.dispose()
    }
    log(`files: time to a link for a dropped file ${round(median(ms), 1)} ms`)
    return { fileBytes: MiB, rounds, linkMs: round(median(ms), 1), linkMsPerRound: ms.map(v => round(v, 1)) }
  } finally {
    await browser.close()
  }
}
