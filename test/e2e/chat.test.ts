/**
 * Chat through the UI, in Debian's Chromium against two real `wgt daemon`
 * processes on 127.0.0.1 that are contacts (made so with the CLI): A writes
 * and presses Enter; B is told (a count in the navigation and the title, a
 * notice in the page) and opens the conversation, which reads it; A sees the
 * read ticks; B replies; a file dropped on A's thread is shared and sent as a
 * message that B fetches from its card; A finds a word with the search, and
 * the result opens the conversation; a stranger's messages wait as a request
 * until B accepts. Screenshots of the Chat view at 800×600
 * in light and dark; no errors in either console.
 */
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import type { Contact } from '../../src/shared/api/index.js'
import { connectWs, wsUrlFor } from '../../src/main/cli/client.js'
import { dataTransferWith, launch, openUi, SCREENSHOT_DIR } from '../helpers/browser.js'
import { Daemons, loopbackTcp, sleep, wgt, wgtJson, type Daemon } from '../helpers/daemons.js'

const daemons = new Daemons()
let browser: Browser
let a: Daemon
let b: Daemon
let pageA: Page
let pageB: Page
const errors: string[] = []

const trustAt = async (d: Daemon, peerId: string): Promise<string> =>
  (await wgtJson<Contact[]>(d, ['contacts'])).find(x => x.peerId === peerId)?.trust ?? 'stranger'

async function until (what: string, fn: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!await fn()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(200)
  }
}

/** The Chat view; ViewId 'chat' is not in the helpers' list of views yet. */
async function showChat (page: Page): Promise<void> {
  await page.locator('[data-view=chat]').click()
  await page.locator('[data-view=chat][aria-current=page]').waitFor()
}

const thread = (page: Page, peerId: string) => page.locator(`[data-testid=chat-thread][data-peer-id="${peerId}"]`)
const messageWith = (page: Page, text: string) => page.getByTestId('chat-message').filter({ hasText: text })

beforeAll(async () => {
  ;[a, b] = await Promise.all([daemons.start('a'), daemons.start('b')])
  // contacts through the CLI: A asks B at its address, B accepts
  const add = await wgt(['contacts', 'add', loopbackTcp(b), '--name', 'Bob', '--data-dir', a.dataDir])
  expect(add.code, add.stderr).toBe(0)
  await until('the request at B', async () => await trustAt(b, a.info.peerId) === 'request-received')
  const accept = await wgt(['contacts', 'accept', a.info.peerId, '--name', 'Alice', '--data-dir', b.dataDir])
  expect(accept.code, accept.stderr).toBe(0)
  await until('contacts at A', async () => await trustAt(a, b.info.peerId) === 'contact')
  browser = await launch()
  ;[pageA, pageB] = await Promise.all([openUi(browser, a, errors), openUi(browser, b, errors)])
})

afterAll(async () => {
  await browser?.close()
  await daemons.stopAll()
})

describe('chat in the UI', () => {
  const first = 'Hello Alice here, shall we meet on Tuesday at noon?'

  it('A writes and presses Enter; B is told, opens it and so reads it; A sees the read ticks; B replies', async () => {
    await showChat(pageA)
    await pageA.getByRole('button', { name: 'New' }).click()
    await pageA.getByTestId('chat-new').getByRole('button', { name: /Bob/ }).click()
    await thread(pageA, b.info.peerId).waitFor()
    const field = pageA.getByLabel('Message to Bob')
    await field.fill(first)
    await field.press('Enter')
    // emptied once the node has the message
    await expect.poll(async () => await field.inputValue()).toBe('')
    const sent = messageWith(pageA, first)
    await sent.waitFor()
    expect(await sent.getAttribute('data-outgoing')).toBe('true')
    // Shift+Enter is a new line, not a send
    await field.fill('line one')
    await field.press('Shift+Enter')
    expect(await field.inputValue()).toBe('line one\n')
    await field.fill('')

    // B is on another view: a count in the navigation and the title, and a notice
    await pageB.getByTestId('badge-chat').filter({ hasText: '1' }).waitFor({ timeout: 60_000 })
    expect(await pageB.title()).toBe('(1) WGT')
    const notice = pageB.getByTestId('chat-notice').filter({ hasText: 'Alice' })
    await notice.waitFor()
    expect(await notice.textContent()).toContain('shall we meet')
    await pageB.screenshot({ path: join(SCREENSHOT_DIR, 'chat-notice.png') })
    await showChat(pageB)
    const item = pageB.locator(`[data-testid=conversation][data-peer-id="${a.info.peerId}"]`)
    expect(await item.getByTestId('unread').textContent()).toBe('1')
    expect(await item.textContent()).toContain('shall we meet')
    await item.click()
    await messageWith(pageB, first).waitFor()
    // opening the conversation read it, and took its notice away
    await pageB.getByTestId('badge-chat').waitFor({ state: 'detached', timeout: 30_000 })
    expect(await pageB.title()).toBe('WGT')
    expect(await pageB.getByTestId('chat-notice').count()).toBe(0)
    await sent.locator('[data-testid=ticks][data-state=read]').waitFor({ timeout: 30_000 })

    const reply = 'Tuesday works. See you then!'
    const fieldB = pageB.getByLabel('Message to Alice')
    await fieldB.fill(reply)
    await fieldB.press('Enter')
    await messageWith(pageA, reply).waitFor({ timeout: 30_000 })
    // A has it open and in view: it is read at once, and B sees that
    await messageWith(pageB, reply).locator('[data-testid=ticks][data-state=read]').waitFor({ timeout: 30_000 })
    expect(await pageA.getByTestId('badge-chat').count()).toBe(0)
  })

  it('shares a file dropped on the thread as a message, which B fetches from its card', async () => {
    const bytes = randomBytes(300 * 1024)
    const dataTransfer = await dataTransferWith(pageA, 'minutes.bin', bytes)
    await pageA.dispatchEvent('[data-testid=chat-messages]', 'drop', { dataTransfer })
    const mine = pageA.getByTestId('chat-message').filter({ has: pageA.getByTestId('chat-file').filter({ hasText: 'minutes.bin' }) })
    await mine.waitFor({ timeout: 120_000 })
    expect(await pageA.getByTestId('chat-upload').count()).toBe(0)

    const card = pageB.getByTestId('chat-file').filter({ hasText: 'minutes.bin' })
    await card.waitFor({ timeout: 30_000 })
    expect(await card.textContent()).toContain('300 KiB')
    await card.getByRole('button', { name: 'Fetch minutes.bin' }).click()
    await card.getByTestId('fetched').waitFor({ timeout: 120_000 })
    await card.getByRole('button', { name: 'Download minutes.bin' }).waitFor()
    // B has the conversation on screen: the file message was read as it came, and A sees that
    await pageB.getByTestId('badge-chat').waitFor({ state: 'detached', timeout: 30_000 })
    await mine.locator('[data-testid=ticks][data-state=read]').waitFor({ timeout: 30_000 })
  })

  it('holds a stranger\'s messages as a request: who asks and how many, not what; Accept opens them', async () => {
    const c = await daemons.start('c', { bootstrap: loopbackTcp(b) })
    const conn = await connectWs(wsUrlFor(c.info.apiUrl), c.info.token)
    try {
      await conn.api.sendMessage(b.info.peerId, { text: 'a stranger writes' })
      await conn.api.sendMessage(b.info.peerId, { text: 'twice' })
    } finally {
      conn.close()
    }
    const request = pageB.locator(`[data-testid=chat-request-item][data-peer-id="${c.info.peerId}"]`)
    await request.filter({ hasText: '2 messages waiting' }).waitFor({ timeout: 60_000 })
    await pageB.getByTestId('badge-chat').filter({ hasText: '1' }).waitFor()
    await request.getByRole('button', { name: /asks to chat/ }).click()
    await pageB.getByTestId('chat-request').waitFor()
    expect(await pageB.getByTestId('chat-request').textContent()).not.toContain('a stranger writes')
    expect(await pageB.getByTestId('composer-reason').textContent()).toContain('accept the request')
    const small = await openUi(browser, b, errors, { width: 800, height: 600 })
    try {
      await showChat(small)
      await small.locator(`[data-testid=chat-request-item][data-peer-id="${c.info.peerId}"]`).waitFor()
      await small.screenshot({ path: join(SCREENSHOT_DIR, 'chat-request-800-light.png') })
    } finally {
      await small.close()
    }
    await request.getByRole('button', { name: /^Accept/ }).click()
    await messageWith(pageB, 'a stranger writes').waitFor({ timeout: 30_000 })
    await messageWith(pageB, 'twice').waitFor()
    await request.waitFor({ state: 'detached' })
  })

  it('finds a word with the search; the result opens the conversation; the view at 800×600, light and dark', async () => {
    // a window of its own, with no conversation open yet
    const small = await openUi(browser, a, errors, { width: 800, height: 600 })
    try {
      await showChat(small)
      expect(await small.getByTestId('chat-thread').count()).toBe(0)
      await small.getByLabel('Search messages').fill('tuesday')
      const results = small.getByTestId('search-result')
      await expect.poll(async () => await results.count(), { timeout: 15_000 }).toBe(2)
      expect(await results.first().locator('mark').textContent()).toBe('Tuesday')
      await results.filter({ hasText: 'noon' }).click()
      await thread(small, b.info.peerId).waitFor()
      await messageWith(small, first).waitFor()
      expect(await small.getByLabel('Search messages').inputValue()).toBe('')

      for (const scheme of ['light', 'dark'] as const) {
        await small.emulateMedia({ colorScheme: scheme })
        await small.waitForTimeout(300)
        expect(await small.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(800)
        await small.screenshot({ path: join(SCREENSHOT_DIR, `chat-800-${scheme}.png`) })
      }
      // near the byte limit the composer counts
      await small.getByLabel('Message to Bob').fill('x'.repeat(8000))
      await small.getByTestId('composer-count').filter({ hasText: '8,000 of 8,192 bytes' }).waitFor()
      await small.screenshot({ path: join(SCREENSHOT_DIR, 'chat-count-800-dark.png') })
      await small.getByLabel('Message to Bob').fill('')
      await small.getByLabel('Search messages').fill('tuesday')
      await results.first().waitFor()
      await small.screenshot({ path: join(SCREENSHOT_DIR, 'chat-search-800-dark.png') })
    } finally {
      await small.close()
    }
    await pageB.screenshot({ path: join(SCREENSHOT_DIR, 'chat-b.png') })
    expect(errors.filter(e => !/WebSocket|Failed to load resource/.test(e))).toEqual([])
  })
})
