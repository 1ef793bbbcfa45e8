/** What the calls tests check in a page: the connections and tracks it opened, and the frames it decodes. */
import { expect } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { uiUrl } from './browser.js'
import type { Daemon } from './daemons.js'

/** Chromium's fake camera, microphone and screen, granted without a prompt. */
export const MEDIA_FLAGS = ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', '--auto-select-desktop-capture-source=Entire screen']

/**
 * Counts what the page opened: every RTCPeerConnection and every track a
 * getUserMedia or getDisplayMedia gave, so the test can see they were all closed.
 */
export const instrument = (): void => {
  const w = window as unknown as { pcs: RTCPeerConnection[], tracks: MediaStreamTrack[], screens: MediaStreamTrack[] }
  w.pcs = []
  w.tracks = []
  w.screens = []
  const Real = RTCPeerConnection
  window.RTCPeerConnection = class extends Real {
    constructor (c?: RTCConfiguration) { super(c); w.pcs.push(this) }
  } as typeof RTCPeerConnection
  const md = navigator.mediaDevices
  const gum = md.getUserMedia.bind(md)
  const gdm = md.getDisplayMedia.bind(md)
  md.getUserMedia = async (c) => { const s = await gum(c); w.tracks.push(...s.getTracks()); return s }
  md.getDisplayMedia = async (c) => { const s = await gdm(c); w.tracks.push(...s.getTracks()); w.screens.push(...s.getTracks()); return s }
}

/** framesDecoded of each open connection's inbound video, in creation order. */
export const frames = async (page: Page): Promise<number[]> => await page.evaluate(async () => {
  const pcs = (window as unknown as { pcs: RTCPeerConnection[] }).pcs.filter(pc => pc.signalingState !== 'closed')
  return await Promise.all(pcs.map(async pc => {
    let n = 0
    ;(await pc.getStats()).forEach((s: { type: string, kind?: string, framesDecoded?: number }) => { if (s.type === 'inbound-rtp' && s.kind === 'video') n += s.framesDecoded ?? 0 })
    return n
  }))
})

/** Audio packets each open connection received. */
export const audioPackets = async (page: Page): Promise<number[]> => await page.evaluate(async () => {
  const pcs = (window as unknown as { pcs: RTCPeerConnection[] }).pcs.filter(pc => pc.signalingState !== 'closed')
  return await Promise.all(pcs.map(async pc => {
    let n = 0
    ;(await pc.getStats()).forEach((s: { type: string, kind?: string, packetsReceived?: number }) => { if (s.type === 'inbound-rtp' && s.kind === 'audio') n += s.packetsReceived ?? 0 })
    return n
  }))
})

/** Nothing left: every connection closed, every track ended. */
export const leftovers = async (page: Page): Promise<{ pcs: number, open: number, live: number }> => await page.evaluate(() => {
  const w = window as unknown as { pcs: RTCPeerConnection[], tracks: MediaStreamTrack[] }
  return { pcs: w.pcs.length, open: w.pcs.filter(pc => pc.signalingState !== 'closed').length, live: w.tracks.filter(t => t.readyState === 'live').length }
})

/** The node's UI in a page that counts its RTCPeerConnections and tracks (test/helpers/calls.ts). */
export async function openCallUi (browser: Browser, d: Daemon, errors: string[]): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1024, height: 720 } })
  await context.addInitScript(instrument)
  const page = await context.newPage()
  page.on('pageerror', err => errors.push(`${d.name}: ${err.message}`))
  page.on('console', msg => { if (msg.type() === 'error') errors.push(`${d.name}: ${msg.text()}`) })
  await page.goto(uiUrl(d))
  await page.locator('[data-view=network]').click()
  await page.getByTestId('own-peer-id').filter({ hasText: d.info.peerId }).waitFor({ timeout: 30_000 })
  return page
}

/** Open the conversation with `peerId` from the Chat view (New → the contact). */
export async function openConversation (page: Page, name: string, peerId: string): Promise<void> {
  await page.locator('[data-view=chat]').click()
  await page.getByRole('button', { name: 'New' }).click()
  await page.getByTestId('chat-new').getByRole('button', { name: new RegExp(name) }).click()
  await page.locator(`[data-testid=chat-thread][data-peer-id="${peerId}"]`).waitFor()
}

/** Both pages decode more video (and receive more audio) than a moment ago. */
export async function mediaFlows (...pages: Page[]): Promise<void> {
  for (const page of pages) {
    const [f0, a0] = [(await frames(page))[0] ?? 0, (await audioPackets(page))[0] ?? 0]
    await expect.poll(async () => ((await frames(page))[0] ?? 0) > f0 + 10 && ((await audioPackets(page))[0] ?? 0) > a0 + 10, { timeout: 60_000 }).toBe(true)
  }
}

export async function hangUpAndCheck (caller: Page, callee: Page): Promise<void> {
  await caller.getByTestId('call-hangup').click()
  for (const page of [caller, callee]) {
    await page.getByTestId('call-view').waitFor({ state: 'detached', timeout: 30_000 })
    await expect.poll(async () => await leftovers(page), { timeout: 30_000 }).toMatchObject({ open: 0, live: 0 })
  }
}
