/** Debian's Chromium for the end-to-end tests, and the UI of a daemon in it. */
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { chromium, type Browser, type JSHandle, type Page } from 'playwright-core'
import { ROOT, type Daemon } from './daemons.js'

export const SCREENSHOT_DIR = join(ROOT, 'scratch')

/** as the probe found works on this machine kind: no background traffic to hosts it cannot reach */
export const CHROMIUM_FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--no-first-run', '--disable-quic', '--disable-sync'
]

export async function launch (): Promise<Browser> {
  await mkdir(SCREENSHOT_DIR, { recursive: true })
  // launch() gives Chromium a fresh temporary profile of its own
  return await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_FLAGS })
}

export const uiUrl = (d: Daemon, token = d.info.token): string => `${d.info.apiUrl}/#token=${token}`

/** Open a daemon's UI and wait until it shows the node's own PeerId; page errors are collected in `errors`. */
export async function openUi (browser: Browser, d: Daemon, errors: string[], viewport = { width: 1280, height: 900 }): Promise<Page> {
  const page = await browser.newPage({ viewport })
  page.on('pageerror', err => errors.push(`${d.name}: ${err.message}`))
  page.on('console', msg => { if (msg.type() === 'error') errors.push(`${d.name}: ${msg.text()}`) })
  await page.goto(uiUrl(d))
  await page.locator('[data-view=network]').click()
  await page.getByTestId('own-peer-id').filter({ hasText: d.info.peerId }).waitFor({ timeout: 30_000 })
  return page
}

/** A DataTransfer in the page holding one File built there from `bytes`, as a drag from the desktop carries. */
export async function dataTransferWith (page: Page, name: string, bytes: Buffer): Promise<JSHandle<DataTransfer>> {
  return await page.evaluateHandle(({ name, b64 }) => {
    const bin = atob(b64)
    const data = new Uint8Array(bin.length)
    for (let i = 0; i < bin.length; i++) data[i] = bin.charCodeAt(i)
    const dt = new DataTransfer()
    dt.items.add(new File([data], name, { type: 'application/octet-stream' }))
    return dt
  }, { name, b64: bytes.toString('base64') })
}

export async function showView (page: Page, view: 'map' | 'network' | 'files' | 'chat' | 'compute' | 'contacts' | 'settings'): Promise<void> {
  await page.locator(`[data-view=${view}]`).click()
  await page.locator(`[data-view=${view}][aria-current=page]`).waitFor()
}
