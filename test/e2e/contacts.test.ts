/**
 * Contacts and policies through the UI, in Debian's Chromium against real
 * `wgt daemon` processes on 127.0.0.1: A adds B by the contact link B's
 * window shows, B sees the request (with a count in the navigation and the
 * title) and accepts it, and both windows show the other as a contact under
 * the name they gave, in Contacts and in the Network view; a stranger's file
 * offer waits apart as a request, and "Block sender" refuses it; a policy
 * changed in Settings is kept by the node (a reload shows it, the CLI sees
 * it), and one changed elsewhere reaches the open window.
 */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import type { Contact, Policies } from '../../src/shared/api/index.js'
import { connectWs, wsUrlFor } from '../../src/main/cli/client.js'
import { launch, openUi, SCREENSHOT_DIR, showView } from '../helpers/browser.js'
import { Daemons, loopbackTcp, wgt, wgtJson, type Daemon } from '../helpers/daemons.js'

const daemons = new Daemons()
let browser: Browser
let a: Daemon
let b: Daemon
let c: Daemon
let pageA: Page
let pageB: Page
const errors: string[] = []

beforeAll(async () => {
  // A and B do not know each other: A reaches B only through the address in B's contact link
  ;[a, b] = await Promise.all([daemons.start('a'), daemons.start('b')])
  c = await daemons.start('c', { bootstrap: loopbackTcp(b) })
  browser = await launch()
  ;[pageA, pageB] = await Promise.all([openUi(browser, a, errors), openUi(browser, b, errors)])
})

afterAll(async () => {
  await browser?.close()
  await daemons.stopAll()
})

const trustAt = async (d: Daemon, peerId: string): Promise<string> =>
  (await wgtJson<Contact[]>(d, ['contacts'])).find(x => x.peerId === peerId)?.trust ?? 'stranger'

/** Contacts at 800×600 in light and dark, as a person with a small screen sees it. */
async function screenshots (d: Daemon, name: string, prepare: (p: Page) => Promise<void>): Promise<void> {
  const small = await openUi(browser, d, errors, { width: 800, height: 600 })
  try {
    for (const scheme of ['light', 'dark'] as const) {
      await small.emulateMedia({ colorScheme: scheme })
      await prepare(small)
      await small.waitForTimeout(300)
      expect(await small.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(800)
      await small.screenshot({ path: join(SCREENSHOT_DIR, `${name}-800-${scheme}.png`) })
    }
  } finally {
    await small.close()
  }
}

describe('contacts in the UI', () => {
  it('A adds B by B\'s contact link; B sees the request and accepts; both show a contact under the name they gave', async () => {
    await showView(pageB, 'contacts')
    const link = (await pageB.getByTestId('my-contact-link').textContent()) ?? ''
    expect(link.startsWith(`wgt://contact/${b.info.peerId}?a=`)).toBe(true)

    await showView(pageA, 'contacts')
    await pageA.getByLabel('PeerId, address or contact link').fill(link)
    // what will be sent, before anything is
    expect(await pageA.getByTestId('add-preview').textContent()).toContain('/ip4/127.0.0.1/tcp/')
    await pageA.getByLabel('Name for this contact (optional)').fill('Bob')
    await pageA.getByRole('button', { name: 'Send request' }).click()
    await pageA.getByRole('status').filter({ hasText: /Request (sent to|to) Bob/ }).waitFor({ timeout: 30_000 })
    const sent = pageA.locator(`[data-testid=contact-sent][data-peer-id="${b.info.peerId}"]`)
    await sent.waitFor()
    expect(await sent.getByTestId('peer-name').textContent()).toContain('Bob')

    // B: a count in the navigation and the title, and the request at the top of Contacts
    await pageB.getByTestId('badge-contacts').filter({ hasText: '1' }).waitFor({ timeout: 60_000 })
    expect(await pageB.title()).toBe('(1) WGT')
    const request = pageB.locator(`[data-testid=contact-request][data-peer-id="${a.info.peerId}"]`)
    await request.waitFor()
    await request.getByLabel(/^Name for /).fill('Alice')
    await request.getByRole('button', { name: 'Accept' }).click()
    await request.waitFor({ state: 'detached', timeout: 30_000 })
    await pageB.getByTestId('badge-contacts').waitFor({ state: 'detached' })
    expect(await pageB.title()).toBe('WGT')

    const atB = pageB.locator(`[data-testid=contact][data-peer-id="${a.info.peerId}"]`)
    await atB.waitFor()
    expect(await atB.getByTestId('nickname').textContent()).toBe('Alice')
    const atA = pageA.locator(`[data-testid=contact][data-peer-id="${b.info.peerId}"]`)
    await atA.waitFor({ timeout: 30_000 })
    expect(await atA.getByTestId('nickname').textContent()).toBe('Bob')
    await sent.waitFor({ state: 'detached' })
    expect(await trustAt(a, b.info.peerId)).toBe('contact')
    expect(await trustAt(b, a.info.peerId)).toBe('contact')

    // the Network view names the peer and shows the trust
    await showView(pageA, 'network')
    const row = pageA.locator(`tr[data-peer-id="${b.info.peerId}"]`)
    await row.waitFor({ timeout: 30_000 })
    expect(await row.getByTestId('peer-name').textContent()).toContain('Bob')
    await row.locator('[data-testid=trust][data-trust=contact]').waitFor()
    expect(await row.locator('[title]').first().getAttribute('title')).toBe(b.info.peerId)

    // renamed inline: Enter saves, and every place that names the peer follows
    await showView(pageA, 'contacts')
    await atA.getByRole('button', { name: 'Rename Bob' }).click()
    const field = atA.getByLabel(/^Name for /)
    await field.fill('Bobby')
    await field.press('Enter')
    await atA.getByTestId('nickname').filter({ hasText: 'Bobby' }).waitFor()
    await showView(pageA, 'network')
    await row.getByTestId('peer-name').filter({ hasText: 'Bobby' }).waitFor()
    await screenshots(a, 'network-contact', async p => {
      await showView(p, 'network')
      await p.locator(`tr[data-peer-id="${b.info.peerId}"] [data-testid=trust][data-trust=contact]`).waitFor()
    })
  })

  it('holds a stranger\'s file offer apart as a request, and "Block sender" refuses the stranger', async () => {
    // C, a stranger to B, asks to be a contact and offers a file
    const add = await wgt(['contacts', 'add', loopbackTcp(b), '--data-dir', c.dataDir])
    expect(add.code, add.stderr).toBe(0)
    const path = join(await daemons.tempDir('offer'), 'from-a-stranger.txt')
    await writeFile(path, 'hello from c\n')
    const conn = await connectWs(wsUrlFor(c.info.apiUrl), c.info.token)
    try {
      const { operation } = await conn.api.shareFile(path)
      const op = await conn.api.waitOperation(operation)
      if (op.state !== 'done' || op.kind !== 'share' || op.result == null) throw new Error(`share on c ended ${op.state}: ${JSON.stringify(op.error)}`)
      await conn.api.offerFile(b.info.peerId, op.result.link)
    } finally {
      conn.close()
    }

    await pageB.getByTestId('badge-contacts').filter({ hasText: '2' }).waitFor({ timeout: 60_000 })
    await showView(pageB, 'contacts')
    await pageB.locator(`[data-testid=contact-request][data-peer-id="${c.info.peerId}"]`).waitFor()
    await pageB.getByTestId('offer-request').filter({ hasText: 'from-a-stranger.txt' }).waitFor()

    await screenshots(b, 'contacts', async p => {
      await showView(p, 'contacts')
      await p.getByTestId('offer-request').waitFor()
    })
    await pageB.screenshot({ path: join(SCREENSHOT_DIR, 'contacts.png'), fullPage: true })
    await screenshots(b, 'files-requests', async p => {
      await showView(p, 'files')
      await p.getByTestId('offer-request').waitFor()
    })

    // in Files it is apart from the offers of peers let straight in, which count on Files
    await showView(pageB, 'files')
    expect(await pageB.getByTestId('badge-files').count()).toBe(0)
    expect(await pageB.getByTestId('offer').count()).toBe(0)
    const offer = pageB.getByTestId('offer-request').filter({ hasText: 'from-a-stranger.txt' })
    expect(await pageB.getByRole('heading', { name: /File requests from strangers/ }).count()).toBe(1)
    expect(await offer.getByTestId('peer-name').getAttribute('data-trust')).toBe('request-received')
    await offer.getByRole('button', { name: /^Block sender/ }).click()
    await offer.getByRole('button', { name: 'Block', exact: true }).click()
    await offer.waitFor({ state: 'detached', timeout: 30_000 })
    await pageB.getByTestId('badge-contacts').waitFor({ state: 'detached', timeout: 30_000 })

    await showView(pageB, 'contacts')
    const blocked = pageB.locator(`[data-testid=blocked][data-peer-id="${c.info.peerId}"]`)
    await blocked.waitFor()
    expect(await pageB.locator('[data-testid=contact-request]').count()).toBe(0)
    expect(await trustAt(b, c.info.peerId)).toBe('blocked')
    await pageB.screenshot({ path: join(SCREENSHOT_DIR, 'contacts-blocked.png'), fullPage: true })
  })

  it('keeps a policy chosen in Settings (a reload shows it, the CLI sees it), and follows one changed elsewhere', async () => {
    await showView(pageB, 'settings')
    const offers = pageB.locator('[data-capability=offers]')
    expect(await offers.getByLabel('Contacts', { exact: true }).isChecked()).toBe(true)
    expect(await offers.textContent()).toContain('arrives as a request')
    await offers.getByLabel('Nobody').check()
    await expect.poll(async () => (await wgtJson<Policies>(b, ['policy'])).offers, { timeout: 15_000 }).toBe('nobody')
    await pageB.reload()
    await pageB.locator('[data-view=settings][aria-current=page]').waitFor()
    await pageB.locator('[data-capability=offers][data-value=nobody]').waitFor({ timeout: 15_000 })
    expect(await pageB.locator('[data-capability=offers]').getByLabel('Nobody').isChecked()).toBe(true)

    // the keyboard walks the choices
    const chat = pageB.locator('[data-capability=chat]')
    await chat.getByLabel('Contacts', { exact: true }).focus()
    await pageB.keyboard.press('ArrowLeft')
    await expect.poll(async () => (await wgtJson<Policies>(b, ['policy'])).chat, { timeout: 15_000 }).toBe('anyone')

    // set from the CLI: the open window follows the 'policy' event
    expect((await wgt(['policy', 'compute', 'nobody', '--data-dir', b.dataDir])).code).toBe(0)
    await pageB.locator('[data-capability=compute][data-value=nobody]').waitFor({ timeout: 15_000 })

    await screenshots(b, 'settings-policies', async p => {
      await showView(p, 'settings')
      await p.getByTestId('policies').scrollIntoViewIfNeeded()
    })
    expect(errors.filter(e => !/WebSocket|Failed to load resource/.test(e))).toEqual([])
  })
})
