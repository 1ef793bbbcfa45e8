/**
 * A call between two nodes that reach each other only through a WGT relay:
 * R is a `wgt daemon --relay-server`; A and B listen on nothing but
 * /p2p-circuit (a slot on R), so there is no direct libp2p connection
 * between them, and the one they have (a circuit through R) carries the
 * circuit relay's 2 min / 128 KiB limits. Both pages use the libp2p media
 * path (no direct ICE), so the media can only go A → R → B over R's
 * /wgt/call-relay/1.0.0: both decode video and receive audio, both call
 * views say "via relay", and hanging up leaves nothing open.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromium, type Browser, type Page } from 'playwright-core'
import { CHROMIUM_FLAGS } from '../helpers/browser.js'
import { hangUpAndCheck, MEDIA_FLAGS, mediaFlows, openCallUi, openConversation } from '../helpers/calls.js'
import { type Daemon, Daemons, loopbackTcp, makeContacts, wgtJson } from '../helpers/daemons.js'

const daemons = new Daemons()
let browser: Browser
let a: Daemon
let b: Daemon
let pageA: Page
let pageB: Page
const errors: string[] = []

beforeAll(async () => {
  const r = await daemons.start('r', { args: ['--relay-server'] })
  // only a slot on R: no address anyone can dial directly
  ;[a, b] = await Promise.all(['a', 'b'].map(async name => await daemons.start(name, { listen: '/p2p-circuit', bootstrap: loopbackTcp(r) })))
  const circuitOfB = b.info.multiaddrs.find(m => m.includes('/p2p-circuit/'))
  expect(circuitOfB, 'B has a relayed address').toBeDefined()
  await makeContacts(a, b, circuitOfB!, { a: 'Alice', b: 'Bob' })
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: [...CHROMIUM_FLAGS, ...MEDIA_FLAGS] })
  ;[pageA, pageB] = await Promise.all([a, b].map(async d => await openCallUi(browser, d, errors)))
})

afterAll(async () => {
  await browser?.close()
  await daemons.stopAll()
})

describe('a call through a WGT relay', () => {
  it('decodes video both ways with no direct connection between the nodes, and says "via relay"', async () => {
    for (const page of [pageA, pageB]) {
      await page.locator('[data-view=settings]').click()
      // a controlled radio: it shows checked once the node has taken the setting
      await page.getByTestId('media-path-libp2p').click()
      await expect.poll(async () => await page.getByTestId('media-path-libp2p').isChecked()).toBe(true)
    }
    await openConversation(pageA, 'Bob', b.info.peerId)
    try {
      await pageA.getByTestId('call-video').click()
      await pageB.getByTestId('call-incoming').waitFor({ timeout: 30_000 })
      await pageB.getByTestId('accept-video').click()
      await mediaFlows(pageA, pageB)
    } catch (err) {
      // what each node knew of the call: its state, tunnel and error (a window that gave the call up says why)
      const calls = await Promise.all([a, b].map(async d => JSON.stringify(await wgtJson(d, ['call', 'list']))))
      throw new Error(`the call through the relay did not ring, connect or carry media: ${(err as Error).message}\nA: ${calls[0]}\nB: ${calls[1]}\n${a.output().slice(-2000)}\n${b.output().slice(-2000)}`)
    }
    for (const page of [pageA, pageB]) await expect.poll(async () => await page.getByTestId('call-path').textContent(), { timeout: 30_000 }).toBe('via relay')
    await hangUpAndCheck(pageA, pageB)
  })

  it('raised no page errors', () => {
    expect(errors).toEqual([])
  })
})
