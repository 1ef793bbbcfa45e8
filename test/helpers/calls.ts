/** What the calls tests check in a page: the connections and tracks it opened, and the frames it decodes. */
import type { Page } from 'playwright-core'

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

