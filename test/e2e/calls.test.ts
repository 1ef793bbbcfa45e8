/**
 * Calls through the UI, in Debian's Chromium with its fake camera and
 * microphone against three real `wgt daemon` processes on 127.0.0.1: A and
 * B are contacts (made so with the CLI), C is a stranger to both. A calls B
 * from the conversation's header; B's page rings and B accepts with video;
 * both sides decode video frames and receive audio packets; the call view
 * shows the path; A shares the screen and B decodes it; A hangs up and
 * neither page keeps an RTCPeerConnection or a live track; the call is in
 * the conversation's history on both sides. B declines a call; C's call to
 * B while B is in a call is answered busy; C's call under B's default policy
 * is a quiet request, and under contacts-only it is refused with a reason;
 * a call on the libp2p media path (Settings → Calls) decodes frames and says
 * "via libp2p". The relay-server route is calls-relay.test.ts.
 */
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromium, type Browser, type Page } from 'playwright-core'
import { CHROMIUM_FLAGS, SCREENSHOT_DIR } from '../helpers/browser.js'
import { hangUpAndCheck, leftovers, MEDIA_FLAGS, mediaFlows, openCallUi, openConversation } from '../helpers/calls.js'
import { type Daemon, Daemons, loopbackTcp, makeContacts, wgt } from '../helpers/daemons.js'

const daemons = new Daemons()
let browser: Browser
let a: Daemon
let b: Daemon
let c: Daemon
let pageA: Page
let pageB: Page
let pageC: Page
const errors: string[] = []

beforeAll(async () => {
  ;[a, b, c] = await Promise.all([daemons.start('a'), daemons.start('b'), daemons.start('c')])
  await makeContacts(a, b, loopbackTcp(b), { a: 'Alice', b: 'Bob' })
  // C only knows B's address: a stranger to it
  const connect = await wgt(['connect', loopbackTcp(b), '--data-dir', c.dataDir])
  expect(connect.code, connect.stderr).toBe(0)
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: [...CHROMIUM_FLAGS, ...MEDIA_FLAGS] })
  ;[pageA, pageB, pageC] = await Promise.all([a, b, c].map(async d => await openCallUi(browser, d, errors)))
})

afterAll(async () => {
  await browser?.close()
  await daemons.stopAll()
})

describe('calls in the UI', () => {
  it('A calls B from the conversation; B rings and accepts; both decode video and hear audio; screen share; hang-up leaves nothing', async () => {
    await openConversation(pageA, 'Bob', b.info.peerId)
    await pageA.getByTestId('call-video').click()
    const ring = pageB.getByTestId('call-incoming')
    await ring.waitFor({ timeout: 30_000 })
    expect(await ring.textContent()).toContain('Alice')
    await pageB.getByTestId('accept-video').click()
    await mediaFlows(pageA, pageB)
    await expect.poll(async () => await pageA.getByTestId('call-path').textContent(), { timeout: 30_000 }).toBe('direct')
    await pageA.screenshot({ path: join(SCREENSHOT_DIR, 'calls-e2e-view.png') })

    const size = async (): Promise<string | null> => await pageB.getByTestId('call-size').textContent()
    await expect.poll(size, { timeout: 30_000 }).toBe('640×480')
    await pageA.getByTestId('call-share').click()
    await expect.poll(size, { timeout: 30_000 }).not.toBe('640×480')
    await mediaFlows(pageB)
    await pageA.getByTestId('call-share').click()

    await hangUpAndCheck(pageA, pageB)
    // in the history of both conversations
    await expect.poll(async () => await pageA.getByTestId('chat-call').first().textContent(), { timeout: 30_000 }).toMatch(/Video call · \d+:\d\d/)
    await openConversation(pageB, 'Alice', a.info.peerId)
    await expect.poll(async () => await pageB.getByTestId('chat-call').first().textContent(), { timeout: 30_000 }).toMatch(/Video call · \d+:\d\d/)
  })

  it('B declines: A is told', async () => {
    await pageA.getByTestId('call-audio').click()
    await pageB.getByTestId('call-incoming').waitFor({ timeout: 30_000 })
    await pageB.getByTestId('decline-call').click()
    await expect.poll(async () => await pageA.getByTestId('call-status').textContent(), { timeout: 30_000 }).toBe('Bob declined the call.')
    await pageA.getByTestId('call-close').click()
    expect(await leftovers(pageA)).toMatchObject({ open: 0, live: 0 })
  })

  it('a stranger\'s call is a quiet request under the default policy, busy while B is in a call, and refused under contacts-only', async () => {
    // C has no conversation with B: it calls from the Chat view's new conversation by PeerId
    await pageC.locator('[data-view=chat]').click()
    await pageC.getByRole('button', { name: 'New' }).click()
    await pageC.getByLabel('PeerId to write to').fill(b.info.peerId)
    await pageC.getByLabel('PeerId to write to').press('Enter')
    await pageC.locator(`[data-testid=chat-thread][data-peer-id="${b.info.peerId}"]`).waitFor()
    await pageC.getByTestId('call-audio').click()
    const request = pageB.getByTestId('call-request')
    await request.waitFor({ timeout: 30_000 })
    expect(await pageB.getByTestId('call-incoming').count()).toBe(0)
    await request.getByTestId('decline-call').click()
    await pageC.getByTestId('call-close').click()

    // busy: B is in a call with A
    await pageA.getByTestId('call-audio').click()
    await pageB.getByTestId('call-incoming').waitFor({ timeout: 30_000 })
    await pageB.getByTestId('accept-audio').click()
    await pageB.getByTestId('call-hangup').waitFor()
    await pageC.getByTestId('call-audio').click()
    await expect.poll(async () => await pageC.getByTestId('call-status').textContent(), { timeout: 30_000 }).toMatch(/is in another call\.$/)
    await pageC.getByTestId('call-close').click()
    await hangUpAndCheck(pageA, pageB)

    const policy = await wgt(['policy', 'calls', 'contacts-only', '--data-dir', b.dataDir])
    expect(policy.code, policy.stderr).toBe(0)
    await pageC.getByTestId('call-audio').click()
    await expect.poll(async () => await pageC.getByTestId('call-status').textContent(), { timeout: 30_000 }).toMatch(/does not take calls from you\./)
    expect(await pageB.getByTestId('call-request').count()).toBe(0)
    await pageC.getByTestId('call-close').click()
  })

  it('on the libp2p media path, frames are decoded and the path says so', async () => {
    for (const page of [pageA, pageB]) {
      await page.locator('[data-view=settings]').click()
      // a controlled radio: it shows checked once the node has taken the setting
      await page.getByTestId('media-path-libp2p').click()
      await expect.poll(async () => await page.getByTestId('media-path-libp2p').isChecked()).toBe(true)
    }
    await openConversation(pageA, 'Bob', b.info.peerId)
    await pageA.getByTestId('call-video').click()
    await pageB.getByTestId('call-incoming').waitFor({ timeout: 30_000 })
    await pageB.getByTestId('accept-video').click()
    await mediaFlows(pageA, pageB)
    for (const page of [pageA, pageB]) await expect.poll(async () => await page.getByTestId('call-path').textContent(), { timeout: 30_000 }).toBe('via libp2p')
    await hangUpAndCheck(pageA, pageB)
  })

  it('raised no page errors', () => {
    expect(errors).toEqual([])
  })
})
