/**
 * Call figures (issue 9, item 8), between two real `wgt daemon` processes on
 * loopback that are contacts, each with its UI open in Debian's Chromium with
 * the fake camera (640×480) and microphone; A calls B from the conversation's
 * video button and B accepts as soon as its ring shows, as a person would:
 *  - set-up: from the caller's click to the first video frame A's page
 *    decodes from B (getStats framesDecoded polled every 20 ms in the page),
 *    beside the probe RTT between the same daemons (api.ping) measured between
 *    the calls, rounds interleaved;
 *  - steady call: receiver fps and inbound video bitrate (getStats
 *    framesDecoded and bytesReceived of inbound video, both pages) over
 *    `seconds` once the call has settled for WARMUP_MS, beside what the
 *    pages sent (framesEncoded, bytesSent of outbound video);
 * each on the direct path (ICE between the pages, the default) and on the
 * libp2p path (calls settings mediaPath 'libp2p' on both nodes: the media
 * rides the libp2p connection between the two daemons), rounds alternating.
 */
// the functions passed to page.evaluate and addInitScript run in the page
/* global window, document, RTCPeerConnection */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import { connectWs, wsUrlFor } from '../out/node/main/cli/client.js'
import { onInterrupt } from './lib/children.js'
import { sleep, startDaemon, stopDaemons } from './lib/daemons.js'
import { median, percentile, round } from './lib/stats.js'

// test/helpers/browser.ts CHROMIUM_FLAGS, and Chromium's fake devices granted without a prompt
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--no-first-run', '--disable-quic', '--disable-sync',
  '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'
]
const PATHS = { direct: 'direct', libp2p: 'libp2p' }
const SETTINGS = { direct: 'auto', libp2p: 'libp2p' }
const WARMUP_MS = 3000
const PROBES = 20
const WAIT_MS = 60_000

export async function measureCalls ({ rounds = 5, seconds = 10, log = () => {} } = {}) {
  const base = await mkdtemp(join(tmpdir(), 'wgt-bench-calls-'))
  const clients = []
  let browser = null
  const cleanup = async () => {
    for (const c of clients) c.close()
    await browser?.close()
    await stopDaemons()
    await rm(base, { recursive: true, force: true })
  }
  const unregister = onInterrupt(cleanup)
  try {
    log('calls: starting two daemons and Chromium')
    const [da, db] = await Promise.all([startDaemon('A', join(base, 'a')), startDaemon('B', join(base, 'b'))])
    const connect = async d => {
      const c = await connectWs(wsUrlFor(d.api.apiUrl), d.api.token)
      clients.push(c)
      return c.api
    }
    const [a, b] = await Promise.all([connect(da), connect(db)])
    const [peerA, peerB] = [da.api.peerId, db.api.peerId]
    await makeContacts(a, b, peerA, peerB, db)
    // Playwright's own signal handlers would exit the process before the cleanup above has stopped the daemons
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false })
    const errors = []
    const [pageA, pageB] = await Promise.all([openUi(browser, da, errors), openUi(browser, db, errors)])
    await openConversation(pageA, 'Bob', peerB)

    const call = async path => {
      await Promise.all([a, b].map(api => api.updateCallSettings({ mediaPath: SETTINGS[path] })))
      const setup = await ringToFrame(pageA, pageB)
      await until(`a call on the ${path} path`, async () => (await a.listCalls({ peer: peerB, limit: 1 }))[0]?.quality?.path === PATHS[path])
      await sleep(WARMUP_MS)
      const steady = await receive([pageA, pageB], seconds)
      await hangUp(pageA, pageB)
      return { setup, ...steady }
    }
    const probe = async () => {
      const rtts = (await a.ping(peerB, PROBES)).rtts.filter(r => r != null)
      if (rtts.length === 0) throw new Error('calls: every probe in a round was lost')
      return percentile(rtts, 50)
    }

    log('calls: warm-up call on each path')
    for (const path of Object.keys(PATHS)) await call(path)
    await probe()
    const samples = { direct: [], libp2p: [], probe: [] }
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? ['direct', 'libp2p'] : ['libp2p', 'direct']
      for (const path of order) samples[path].push(await call(path))
      samples.probe.push(await probe())
      const line = path => `${path} set-up ${round(samples[path].at(-1).setup, 0)} ms, ${round(samples[path].at(-1).fps, 1)} fps, ${round(samples[path].at(-1).kbps, 0)} kbit/s`
      log(`calls: round ${r + 1}/${rounds} ${line('direct')}; ${line('libp2p')}; probe RTT p50 ${round(samples.probe.at(-1), 2)} ms`)
    }

    const probeMs = median(samples.probe)
    const summary = path => {
      const s = samples[path]
      const setupMs = median(s.map(x => x.setup))
      return {
        setupMs: round(setupMs, 0),
        setupMsPerRound: s.map(x => round(x.setup, 0)),
        setupVsProbeRtt: round(setupMs / probeMs, 0),
        receiverFps: round(median(s.map(x => x.fps)), 1),
        receiverFpsPerRound: s.map(x => round(x.fps, 1)),
        inboundVideoKbps: round(median(s.map(x => x.kbps)), 0),
        inboundVideoKbpsPerRound: s.map(x => round(x.kbps, 0)),
        sent: { fps: round(median(s.map(x => x.sentFps)), 1), videoKbps: round(median(s.map(x => x.sentKbps)), 0) },
        frameSizes: [...new Set(s.flatMap(x => x.sizes))]
      }
    }
    const direct = summary('direct')
    const libp2p = summary('libp2p')
    if (errors.length > 0) log(`calls: page errors: ${errors.join('; ')}`)
    return {
      rounds,
      secondsPerRound: seconds,
      warmupMs: WARMUP_MS,
      probeRtt: { p50Ms: round(probeMs, 3), probesPerRound: PROBES },
      direct,
      libp2p,
      libp2pVsDirect: { fps: round(libp2p.receiverFps / direct.receiverFps, 2), kbps: round(libp2p.inboundVideoKbps / direct.inboundVideoKbps, 2) },
      pageErrors: errors.length
    }
  } finally {
    unregister()
    await cleanup()
  }
}

async function makeContacts (a, b, peerA, peerB, db) {
  const addr = db.api.multiaddrs.find(m => m.startsWith('/ip4/127.0.0.1/tcp/'))
  await a.addContact(addr.includes('/p2p/') ? addr : `${addr}/p2p/${peerB}`, 'Bob')
  await until('the contact request at B', async () => (await b.listContacts()).some(c => c.peerId === peerA && c.trust === 'request-received'))
  await b.acceptContact(peerA, 'Alice')
  await until('A and B as contacts', async () => (await a.listContacts()).some(c => c.peerId === peerB && c.trust === 'contact'))
}

/** Every RTCPeerConnection the page creates, kept in window.pcs (as test/helpers/calls.ts instruments). */
function instrument () {
  window.pcs = []
  const Real = RTCPeerConnection
  window.RTCPeerConnection = class extends Real {
    constructor (c) { super(c); window.pcs.push(this) }
  }
}

async function openUi (browser, d, errors) {
  const context = await browser.newContext({ viewport: { width: 1024, height: 720 } })
  await context.addInitScript(instrument)
  const page = await context.newPage()
  page.on('pageerror', err => errors.push(`${d.name}: ${err.message}`))
  page.on('console', msg => { if (msg.type() === 'error') errors.push(`${d.name}: ${msg.text()}`) })
  await page.goto(`${d.api.apiUrl}/#token=${d.api.token}`)
  await page.locator('[data-view=network]').click()
  await page.getByTestId('own-peer-id').filter({ hasText: d.api.peerId }).waitFor({ timeout: WAIT_MS })
  return page
}

async function openConversation (page, name, peerId) {
  await page.locator('[data-view=chat]').click()
  await page.getByRole('button', { name: 'New' }).click()
  await page.getByTestId('chat-new').getByRole('button', { name: new RegExp(name) }).click()
  await page.locator(`[data-testid=chat-thread][data-peer-id="${peerId}"]`).waitFor()
}

/** ms from A's click on the video call button to the first frame A's page decodes; B accepts as soon as it rings. */
async function ringToFrame (pageA, pageB) {
  const timed = pageA.evaluate(async waitMs => {
    const next = window.pcs.length // the connection this call creates
    const t0 = performance.now()
    document.querySelector('[data-testid=call-video]').click()
    while (performance.now() - t0 < waitMs) {
      await new Promise(resolve => setTimeout(resolve, 20))
      const pc = window.pcs[next]
      if (pc == null) continue
      let decoded = 0
      ;(await pc.getStats()).forEach(s => { if (s.type === 'inbound-rtp' && s.kind === 'video') decoded += s.framesDecoded ?? 0 })
      if (decoded > 0) return performance.now() - t0
    }
    throw new Error(`no remote frame decoded within ${waitMs} ms of the click`)
  }, WAIT_MS)
  await pageB.getByTestId('accept-video').click({ timeout: WAIT_MS })
  return await timed
}

/**
 * fps and video kbit/s each page receives over `seconds`, averaged over the pages; beside them what the
 * pages sent (framesEncoded, bytesSent), so a figure capped by the fake camera's encoder is told from one capped by the path.
 */
async function receive (pages, seconds) {
  const video = async page => await page.evaluate(async () => {
    const pc = window.pcs.findLast(p => p.signalingState !== 'closed')
    let v = null
    let out = null
    ;(await pc.getStats()).forEach(s => {
      if (s.kind !== 'video') return
      if (s.type === 'inbound-rtp') v = s
      if (s.type === 'outbound-rtp') out = s
    })
    return { t: v.timestamp, frames: v.framesDecoded, bytes: v.bytesReceived, sentFrames: out.framesEncoded, sentBytes: out.bytesSent, size: `${v.frameWidth}×${v.frameHeight}` }
  })
  const first = await Promise.all(pages.map(video))
  await sleep(seconds * 1000)
  const last = await Promise.all(pages.map(video))
  const rate = (k, scale) => last.reduce((sum, l, i) => sum + (l[k] - first[i][k]) * scale / ((l.t - first[i].t) / 1000), 0) / last.length
  return { fps: rate('frames', 1), kbps: rate('bytes', 8 / 1000), sentFps: rate('sentFrames', 1), sentKbps: rate('sentBytes', 8 / 1000), sizes: last.map(l => l.size) }
}

async function hangUp (pageA, pageB) {
  await pageA.getByTestId('call-hangup').click()
  for (const page of [pageA, pageB]) {
    await page.getByTestId('call-view').waitFor({ state: 'detached', timeout: WAIT_MS })
    await until('the connection closed', async () => await page.evaluate(() => window.pcs.every(pc => pc.signalingState === 'closed')))
  }
}

async function until (what, fn) {
  const deadline = Date.now() + WAIT_MS
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`calls: timed out waiting for ${what}`)
    await sleep(100)
  }
}
