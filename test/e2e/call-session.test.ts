/**
 * CallSession in Debian's Chromium with its fake camera and microphone, and
 * no node: two sessions in one page at http://127.0.0.1 (a secure context,
 * so getUserMedia works) wired to each other through an in-page stand-in for
 * the signalling (src/renderer/test/calls-harness.tsx). A call connects and
 * both sides decode video; the screen share replaces the sent track and the
 * far side decodes it; the libp2p-only setting drops direct candidates and
 * connects through a stand-in for the nodes' tunnel sockets (reported "libp2p"),
 * while "auto" still prefers the direct pair; loss on that link steps the
 * sent resolution down (setParameters) and its end steps it back up;
 * hang-up leaves no open RTCPeerConnection and no live track. Then the call
 * UI at 800×600, light and dark, for the screenshots in scratch/ and the
 * keyboard. The two-daemon test of calls is test/e2e/calls.test.ts.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { rolldown } from 'rolldown'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CHROMIUM_FLAGS, SCREENSHOT_DIR } from '../helpers/browser.js'
import { frames, instrument, leftovers, MEDIA_FLAGS } from '../helpers/calls.js'
import { ROOT } from '../helpers/daemons.js'

let server: Server
let browser: Browser
let origin: string
const errors: string[] = []

/** The harness as one script: CSS imports become nothing (the page gets the style sheets as they are). */
async function bundle (): Promise<string> {
  const build = await rolldown({
    input: join(ROOT, 'src/renderer/test/calls-harness.tsx'),
    platform: 'browser',
    logLevel: 'warn',
    transform: { define: { 'process.env.NODE_ENV': '"production"' } },
    plugins: [{
      name: 'no-css',
      resolveId: (id) => id.endsWith('.css') ? '\0no-css' : null,
      load: (id) => id === '\0no-css' ? 'export {}' : null
    }]
  })
  const { output } = await build.generate({ format: 'iife', name: 'wgtCallsHarness' })
  await build.close()
  return output[0].code
}

beforeAll(async () => {
  const [script, css, callsCss] = await Promise.all([
    bundle(),
    readFile(join(ROOT, 'src/renderer/src/styles.css'), 'utf8'),
    readFile(join(ROOT, 'src/renderer/src/calls/calls.css'), 'utf8')
  ])
  const page = `<!doctype html><html><head><meta charset="utf-8"><style>${css}\n${callsCss}</style></head><body><script src="/harness.js"></script></body></html>`
  server = createServer((req, res) => {
    if (req.url === '/harness.js') { res.writeHead(200, { 'content-type': 'text/javascript' }); res.end(script); return }
    res.writeHead(200, { 'content-type': 'text/html' })
    res.end(page)
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: [...CHROMIUM_FLAGS, ...MEDIA_FLAGS] })
})

afterAll(async () => {
  await browser?.close()
  if (server != null) {
    server.closeAllConnections()
    await new Promise(resolve => server.close(resolve))
  }
})

async function open (viewport = { width: 800, height: 600 }): Promise<Page> {
  const page = await browser.newPage({ viewport })
  page.on('pageerror', err => errors.push(err.message))
  await page.addInitScript(instrument)
  await page.goto(origin)
  await page.waitForFunction(() => 'wgtCalls' in window)
  return page
}

/**
 * The two nodes' tunnel sockets, as the media path joins them (DESIGN.md §8)
 * but with the libp2p stream between them left out: each socket latches the
 * renderer that last wrote to it and passes its datagrams to the other
 * side's renderer. Enough to see that Chromium takes the candidate and
 * decodes what comes through it.
 */
async function fakeTunnel (): Promise<{ ports: { a: number, b: number }, datagrams: () => number, dropEvery: (n: number) => void, close: () => void }> {
  const bind = async (): Promise<Socket> => await new Promise(resolve => { const s = createSocket('udp4'); s.bind(0, '127.0.0.1', () => { resolve(s) }) })
  const [sa, sb] = await Promise.all([bind(), bind()])
  const latched: { a: RemoteInfo | null, b: RemoteInfo | null } = { a: null, b: null }
  let count = 0
  // a lossy link, deterministically: every n-th datagram is dropped (0: none)
  let every = 0
  const join = (from: Socket, to: Socket, self: 'a' | 'b', other: 'a' | 'b'): void => {
    from.on('message', (msg, rinfo) => {
      latched[self] = rinfo
      const dest = latched[other]
      count++
      if (every > 0 && count % every === 0) return
      if (dest != null) to.send(msg, dest.port, dest.address)
    })
  }
  join(sa, sb, 'a', 'b')
  join(sb, sa, 'b', 'a')
  return {
    ports: { a: sa.address().port, b: sb.address().port },
    datagrams: () => count,
    dropEvery: (n) => { every = n },
    close: () => { sa.close(); sb.close() }
  }
}

const growing = async (page: Page, timeout = 30_000): Promise<void> => {
  const before = await frames(page)
  await expect.poll(async () => {
    const now = await frames(page)
    return now.length === 2 && now.every((n, i) => n > (before[i] ?? 0) + 10)
  }, { timeout }).toBe(true)
}

describe('CallSession in Chromium', () => {
  it('connects a video call, both sides decode frames and report quality, hang-up leaves nothing open', async () => {
    const page = await open()
    await page.evaluate(() => {
      const w = window as any
      w.call = w.wgtCalls.pair({ video: true })
      w.call.accept()
    })
    await expect.poll(async () => await page.evaluate(() => [(window as any).call.a.snapshot().phase, (window as any).call.b.snapshot().phase]), { timeout: 30_000 })
      .toEqual(['connected', 'connected'])
    await growing(page)
    // measured, reported, and the path seen as it is: two renderers on one machine connect directly
    await expect.poll(async () => await page.evaluate(() => { const r = (window as any).call.reports; return r.a > 0 && r.b > 0 }), { timeout: 10_000 }).toBe(true)
    const q = await page.evaluate(() => { const c = (window as any).call; return [c.a.snapshot().quality.at(-1), c.reports] })
    expect(q[0]).toMatchObject({ path: 'direct', width: expect.any(Number) })
    expect(q[0].fps).toBeGreaterThan(0)
    expect(q[0].recvKbps).toBeGreaterThan(0)
    expect(q[1].a).toBeGreaterThan(0)
    expect(q[1].b).toBeGreaterThan(0)

    // mute and camera off: the mic track is disabled, the camera stopped (its light goes off), and back
    const controls = await page.evaluate(async () => {
      const a = (window as any).call.a
      a.setMuted(true)
      await a.setCamera(false)
      const off = { muted: a.snapshot().muted, camera: a.snapshot().cameraOn, local: a.snapshot().local }
      await a.setCamera(true)
      a.setMuted(false)
      return { off, on: a.snapshot().cameraOn }
    })
    expect(controls).toEqual({ off: { muted: true, camera: false, local: null }, on: true })
    await growing(page)

    // another device (here the same fake one, opened afresh) replaces the track on the same sender; the old one is stopped
    const switched = await page.evaluate(async () => {
      const w = window as any
      const a = w.call.a
      const { mics, cams } = await a.devices()
      const before = (w.tracks as MediaStreamTrack[]).length
      await a.chooseDevice('cam', cams[0].deviceId)
      await a.chooseDevice('mic', mics[0].deviceId)
      const live = (w.tracks as MediaStreamTrack[]).filter(t => t.readyState === 'live').length
      return { mics: mics.length, cams: cams.length, opened: (w.tracks as MediaStreamTrack[]).length - before, live, error: a.snapshot().error }
    })
    // two tracks for each side's call, plus the two new ones minus the two replaced
    expect(switched).toEqual({ mics: expect.any(Number), cams: expect.any(Number), opened: 2, live: 4, error: null })
    await growing(page)

    await page.evaluate(async () => { await (window as any).call.a.hangup() })
    await expect.poll(async () => await page.evaluate(() => (window as any).call.b.snapshot().phase)).toBe('closed')
    expect(await leftovers(page)).toEqual({ pcs: 2, open: 0, live: 0 })
    await page.close()
  })

  it('shares the screen in place of the camera, the far side decodes it, and stopping brings the camera back', async () => {
    const page = await open()
    await page.evaluate(() => { const w = window as any; w.call = w.wgtCalls.pair({ video: true }); w.call.accept() })
    await growing(page)
    const size = async (): Promise<string> => await page.evaluate(() => { const q = (window as any).call.b.snapshot().quality.at(-1); return `${q?.width}x${q?.height}` })
    // the fake camera's 640×480, as asked for
    const cameraSize = '640x480'
    await expect.poll(size, { timeout: 20_000 }).toBe(cameraSize)
    // getDisplayMedia wants a user gesture: a click in the page gives it
    await page.evaluate(() => {
      const b = document.createElement('button')
      b.id = 'share'
      b.textContent = 'share'
      b.onclick = () => { void (window as any).call.a.startShare() }
      document.body.append(b)
    })
    await page.click('#share')
    await expect.poll(async () => await page.evaluate(() => (window as any).call.a.snapshot().sharing), { timeout: 15_000 }).toBe(true)
    // the screen's track is what the caller's connection sends now, on the same sender (no renegotiation)
    const sent = await page.evaluate(() => {
      const w = window as any
      const screen = w.screens[0] as MediaStreamTrack
      return (w.pcs as RTCPeerConnection[]).some(pc => pc.getSenders().some(s => s.track === screen))
    })
    expect(sent).toBe(true)
    await growing(page)
    // the far side decodes the screen: its size is the screen's, not the camera's 640×480
    await expect.poll(size, { timeout: 20_000 }).toMatch(/^\d+x\d+$/)
    await expect.poll(size, { timeout: 20_000 }).not.toBe(cameraSize)

    await page.evaluate(async () => { await (window as any).call.a.stopShare() })
    await expect.poll(size, { timeout: 20_000 }).toBe(cameraSize)
    await page.evaluate(async () => { await (window as any).call.b.hangup() })
    await expect.poll(async () => await leftovers(page)).toEqual({ pcs: 2, open: 0, live: 0 })
    await page.close()
  })

  it('offers no direct candidate on the libp2p-only path, so without the node\'s tunnel it fails with a reason and closes', async () => {
    const page = await open()
    await page.evaluate(() => { const w = window as any; w.call = w.wgtCalls.pair({ video: false, settings: { mediaPath: 'libp2p' }, connectTimeoutMs: 4000 }); w.call.accept() })
    await expect.poll(async () => await page.evaluate(() => (window as any).call.a.snapshot().phase), { timeout: 20_000 }).toBe('closed')
    const r = await page.evaluate(() => {
      const c = (window as any).call
      return { error: c.a.snapshot().error ?? c.b.snapshot().error, sent: [...c.signals.a, ...c.signals.b].filter((s: any) => s.kind === 'candidate' && s.candidate !== '').length }
    })
    expect(r.sent).toBe(0)
    expect(r.error).toMatch(/No media path connected within 4 s/)
    await expect.poll(async () => await leftovers(page)).toEqual({ pcs: 2, open: 0, live: 0 })
    await page.close()
  })

  it('on the libp2p-only path, connects through the node\'s tunnel candidate and says so', async () => {
    const tunnel = await fakeTunnel()
    try {
      const page = await open()
      await page.evaluate((ports) => {
        const w = window as any
        w.call = w.wgtCalls.pair({ video: true, settings: { mediaPath: 'libp2p' } })
        w.call.accept()
        w.call.tunnels(ports)
      }, tunnel.ports)
      await growing(page)
      await expect.poll(async () => await page.evaluate(() => { const c = (window as any).call; return [c.a.snapshot().quality.at(-1)?.path, c.b.snapshot().quality.at(-1)?.path] }), { timeout: 10_000 })
        .toEqual(['libp2p', 'libp2p'])
      expect(tunnel.datagrams()).toBeGreaterThan(100)
      // no candidate of either renderer crossed the signalling: the tunnel was the only way
      expect(await page.evaluate(() => { const c = (window as any).call; return [...c.signals.a, ...c.signals.b].filter((s: any) => s.kind === 'candidate' && s.candidate !== '').length })).toBe(0)
      await page.evaluate(async () => { await (window as any).call.a.hangup() })
      await expect.poll(async () => await leftovers(page)).toEqual({ pcs: 2, open: 0, live: 0 })
      await page.close()
    } finally {
      tunnel.close()
    }
  })

  it('steps the sent resolution down when the peer reports loss, and back up when it stops', async () => {
    const tunnel = await fakeTunnel()
    try {
      const page = await open()
      await page.evaluate((ports) => {
        const w = window as any
        w.call = w.wgtCalls.pair({ video: true, settings: { mediaPath: 'libp2p' } })
        w.call.accept()
        w.call.tunnels(ports)
      }, tunnel.ports)
      await growing(page)
      const scale = async (): Promise<number> => await page.evaluate(() => (window as any).call.a.snapshot().scale)
      const sentScale = async (): Promise<number[]> => await page.evaluate(() => {
        const pcs = (window as any).pcs as RTCPeerConnection[]
        return pcs.flatMap(pc => pc.getSenders().filter(s => s.track?.kind === 'video').map(s => s.getParameters().encodings[0]?.scaleResolutionDownBy ?? 1))
      })
      expect(await scale()).toBe(1)
      // a fifth of the datagrams lost both ways: well over the 5 % threshold
      tunnel.dropEvery(5)
      await expect.poll(scale, { timeout: 30_000 }).toBeGreaterThanOrEqual(2)
      expect(await sentScale()).toContain(await scale())
      tunnel.dropEvery(0)
      await expect.poll(scale, { timeout: 90_000, interval: 1000 }).toBe(1)
      await page.evaluate(async () => { await (window as any).call.a.hangup() })
      await expect.poll(async () => await leftovers(page)).toEqual({ pcs: 2, open: 0, live: 0 })
      await page.close()
    } finally {
      tunnel.close()
    }
  })

  it('in auto, with the tunnel offered too, still prefers the direct path', async () => {
    const tunnel = await fakeTunnel()
    try {
      const page = await open()
      await page.evaluate((ports) => {
        const w = window as any
        w.call = w.wgtCalls.pair({ video: false })
        w.call.accept()
        w.call.tunnels(ports, 'relay')
      }, tunnel.ports)
      await expect.poll(async () => await page.evaluate(() => { const c = (window as any).call; return [c.a.snapshot().quality.at(-1)?.path, c.b.snapshot().quality.at(-1)?.path] }), { timeout: 30_000 })
        .toEqual(['direct', 'direct'])
      await page.evaluate(async () => { await (window as any).call.b.hangup() })
      await expect.poll(async () => await leftovers(page)).toEqual({ pcs: 2, open: 0, live: 0 })
      await page.close()
    } finally {
      tunnel.close()
    }
  })

  it('goes on without a camera that cannot be opened, saying so, and still receives the peer\'s video', async () => {
    const page = await open()
    await page.evaluate(() => { const w = window as any; w.call = w.wgtCalls.pair({ video: true, callerHasNoCamera: true }); w.call.accept() })
    await expect.poll(async () => await page.evaluate(() => (window as any).call.a.snapshot().phase), { timeout: 30_000 }).toBe('connected')
    const a = await page.evaluate(() => { const s = (window as any).call.a.snapshot(); return { error: s.error, cameraOn: s.cameraOn } })
    expect(a).toEqual({ error: expect.stringMatching(/^No camera was found\..*The call goes on without it\.$/), cameraOn: false })
    await expect.poll(async () => await page.evaluate(() => (window as any).call.a.snapshot().quality.at(-1)?.fps ?? 0), { timeout: 20_000 }).toBeGreaterThan(0)
    await page.evaluate(async () => { await (window as any).call.a.hangup() })
    await expect.poll(async () => await leftovers(page)).toEqual({ pcs: 2, open: 0, live: 0 })
    await page.close()
  })

  it('ignores signals it should not take: a second offer, an answer to the callee, garbage candidates', async () => {
    const page = await open()
    await page.evaluate(() => { const w = window as any; w.call = w.wgtCalls.pair({ video: false }); w.call.accept() })
    await expect.poll(async () => await page.evaluate(() => (window as any).call.a.snapshot().phase), { timeout: 30_000 }).toBe('connected')
    await page.evaluate(() => {
      const { a, b } = (window as any).call
      b.signal({ kind: 'offer', sdp: 'v=0\r\nnonsense' })
      b.signal({ kind: 'answer', sdp: 'v=0\r\nnonsense' })
      a.signal({ kind: 'offer', sdp: 'v=0\r\nnonsense' })
      for (let i = 0; i < 200; i++) a.signal({ kind: 'candidate', candidate: `candidate:x ${i} garbage`, sdpMid: '0', sdpMLineIndex: 0 })
    })
    // still up, still measured
    const before = await page.evaluate(() => (window as any).call.a.snapshot().quality.length)
    await expect.poll(async () => await page.evaluate(() => (window as any).call.a.snapshot().quality.length), { timeout: 10_000 }).toBeGreaterThan(before + 1)
    expect(await page.evaluate(() => [(window as any).call.a.snapshot().phase, (window as any).call.b.snapshot().phase])).toEqual(['connected', 'connected'])
    await page.evaluate(async () => { await (window as any).call.a.hangup() })
    await expect.poll(async () => await leftovers(page)).toEqual({ pcs: 2, open: 0, live: 0 })
    await page.close()
  })
})

describe('the call UI', () => {
  for (const theme of ['light', 'dark'] as const) {
    it(`rings, then shows a call at 800×600 (${theme})`, async () => {
      const page = await open()
      await page.evaluate((t) => { (window as any).ui = (window as any).wgtCalls.mountUi(t) }, theme)

      // a contact rings: focus on accept; a stranger's request is listed quietly beside it
      await page.evaluate(() => { const ui = (window as any).ui; ui.ring({ video: true }); ui.ring({ video: false, request: true, peerId: '12D3KooWCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC' }) })
      await page.getByTestId('call-incoming').waitFor()
      await page.getByTestId('call-request').waitFor()
      expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('accept-video')
      expect(await page.getByTestId('call-incoming').getAttribute('role')).toBe('alertdialog')
      await page.screenshot({ path: join(SCREENSHOT_DIR, `calls-ring-${theme}.png`) })
      // Tab reaches audio-only and decline; decline by keyboard ends the ring
      await page.keyboard.press('Tab')
      await page.keyboard.press('Tab')
      expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('decline-call')
      await page.keyboard.press('Enter')
      await page.getByTestId('call-incoming').waitFor({ state: 'detached' })

      // our call to the contact: the far side answers, the view shows both videos and the measured quality
      await page.evaluate(async () => { await (window as any).ui.store.getState().callManager.start((window as any).wgtCalls.PEER_B, true) })
      await page.getByTestId('call-view').waitFor()
      await page.evaluate(() => { (window as any).ui.farAccepts() })
      await expect.poll(async () => await page.getByTestId('call-fps').textContent(), { timeout: 30_000 }).toMatch(/^[1-9]\d* fps$/)
      expect(await page.getByTestId('call-size').textContent()).toBe('640×480')
      expect(await page.getByTestId('call-path').textContent()).toBe('direct')
      await page.waitForTimeout(3000) // a few seconds of the chart, for the picture
      await page.screenshot({ path: join(SCREENSHOT_DIR, `calls-view-${theme}.png`) })

      // every control fits at 800×600 and is reachable
      for (const id of ['call-mute', 'call-camera', 'call-share', 'call-devices', 'call-hangup']) {
        const box = await page.getByTestId(id).boundingBox()
        expect(box != null && box.y + box.height <= 600 && box.x + box.width <= 800).toBe(true)
      }
      await page.getByTestId('call-devices').click()
      await expect.poll(async () => await page.getByTestId('call-mic').locator('option').count()).toBeGreaterThan(0)
      // minimised: a bar at the foot, the rest of the app usable
      await page.getByRole('button', { name: 'Minimise' }).click()
      await page.locator('[data-testid=call-view][data-compact=true]').waitFor()
      await page.screenshot({ path: join(SCREENSHOT_DIR, `calls-bar-${theme}.png`) })
      await page.getByRole('button', { name: 'Show call' }).click()
      await page.getByTestId('call-hangup').click()
      await page.getByTestId('call-view').waitFor({ state: 'detached' })
      await expect.poll(async () => await leftovers(page)).toMatchObject({ open: 0, live: 0 })

      // a call that does not go through says why, and stays until closed
      await page.evaluate(async () => { await (window as any).ui.store.getState().callManager.start((window as any).wgtCalls.PEER_B, false) })
      await page.evaluate(() => { (window as any).ui.farEnds('busy') })
      await expect.poll(async () => await page.getByTestId('call-status').textContent()).toBe('Alice Martin is in another call.')
      await page.screenshot({ path: join(SCREENSHOT_DIR, `calls-ended-${theme}.png`) })
      await page.getByTestId('call-close').click()
      await page.getByTestId('call-view').waitFor({ state: 'detached' })
      await expect.poll(async () => await leftovers(page)).toMatchObject({ open: 0, live: 0 })
      await page.close()
    })
  }

  for (const theme of ['light', 'dark'] as const) {
    it(`puts call buttons in the conversation's header and on contacts, and calls in the history (${theme})`, async () => {
      const page = await open()
      await page.evaluate((t) => { (window as any).wgtCalls.mountThread(t, 'chat') }, theme)
      await expect.poll(async () => await page.getByTestId('chat-call').allTextContents()).toEqual([
        expect.stringMatching(/^Outgoing · Video call · 3:12 · \d\d:\d\d$/),
        expect.stringMatching(/^Missed call · \d\d:\d\d$/),
        expect.stringMatching(/^Outgoing · Audio call · busy · \d\d:\d\d$/)
      ])
      // in time order among the messages
      const order = await page.locator('[data-testid=chat-message], [data-testid=chat-call]').evaluateAll(els => els.map(e => e.getAttribute('data-testid')))
      expect(order).toEqual(['chat-message', 'chat-message', 'chat-call', 'chat-call', 'chat-call', 'chat-message'])
      await page.getByTestId('chat-thread').getByRole('button', { name: 'Video call Alice Martin' }).waitFor()
      await page.screenshot({ path: join(SCREENSHOT_DIR, `calls-thread-${theme}.png`) })
      await page.close()
      const contacts = await open()
      await contacts.evaluate((t) => { (window as any).wgtCalls.mountThread(t, 'contacts') }, theme)
      await contacts.getByTestId('contact').getByRole('button', { name: 'Audio call Alice Martin' }).waitFor()
      await contacts.screenshot({ path: join(SCREENSHOT_DIR, `calls-contacts-${theme}.png`) })
      await contacts.close()

      // Settings → Calls: the media path saves at once; a server that is not a STUN/TURN URL cannot be saved
      const settings = await open()
      await settings.evaluate((t) => { (window as any).wgtCalls.mountThread(t, 'settings') }, theme)
      await settings.getByTestId('media-path-libp2p').check()
      await settings.getByRole('status').filter({ hasText: 'Saved.' }).waitFor()
      await settings.getByRole('button', { name: 'Add a server' }).click()
      await settings.getByLabel('Server 3 URL').fill('http://example.org')
      expect(await settings.getByRole('button', { name: 'Save servers' }).isDisabled()).toBe(true)
      await settings.screenshot({ path: join(SCREENSHOT_DIR, `calls-settings-${theme}.png`) })
      await settings.getByLabel('Server 3 URL').fill('stun:stun2.example.org')
      expect(await settings.getByRole('button', { name: 'Save servers' }).isDisabled()).toBe(false)
      await settings.close()
    })
  }

  it('raised no page errors', () => {
    expect(errors).toEqual([])
  })
})
