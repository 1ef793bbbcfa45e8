/**
 * Peer map figures (issue 11, item 1): the map's real scene code
 * (src/renderer/src/map/scene.ts, bundled here with the rolldown that vite
 * brings) drawing 500 peers on an 800×600 canvas at device pixel ratio 1
 * and 2 in Debian's Chromium (headless, software raster: --disable-gpu), in requestAnimationFrame loops as the view runs it:
 *  - settle: a fresh layout of 500 peers (400 connected on RTT rings, 20 of
 *    them relayed, 100 known and faded), one simulation tick and one draw per
 *    frame until the layout is still;
 *  - animate: the settled map with a 'files:placed' pulse started every
 *    100 ms (a repair in progress), for ANIMATE_MS;
 *  - idle: the settled map with nothing running: how many frames it asks for
 *    (the view schedules none);
 *  - live: the settled map fed new figures once a second as a live network
 *    does (setPeers with every connected peer's RTT jittered by a log-normal
 *    factor, sigma 0.15, and its traffic by ±50%), for LIVE_MS, the loop
 *    stepping and drawing only when the scene asks (needsFrame), as the view
 *    does: frames/s of the page, and the share of frames the scene drew;
 * beside an empty requestAnimationFrame loop in the same page (baseline fps),
 * rounds interleaved. Per frame: the scene's step + draw, ms (CPU time on the
 * main thread; rasterisation happens after, and shows in the fps).
 */
// the functions passed to page.evaluate run in the page
/* global window, document, requestAnimationFrame */
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import { rolldown } from 'rolldown'
import { median, percentile, round } from './lib/stats.js'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--no-first-run', '--disable-quic', '--disable-sync'
]
const PEERS = 500
const BASELINE_MS = 2000
const ANIMATE_MS = 3000
const IDLE_MS = 1000
const LIVE_MS = 6000
const LIVE_EVERY_MS = 1000

async function bundleScene () {
  const bundle = await rolldown({ input: join(ROOT, 'src/renderer/src/map/scene.ts'), logLevel: 'silent' })
  try {
    const { output } = await bundle.generate({ format: 'iife', name: 'PeerMap' })
    return output[0].code
  } finally {
    await bundle.close()
  }
}

/** Runs in the page: one round of every phase. */
async function round1 ({ peers, baselineMs, animateMs, idleMs, liveMs, liveEveryMs }) {
  const { MapScene } = window.PeerMap
  const canvas = document.querySelector('canvas')
  const dpr = window.devicePixelRatio
  const view = { width: 800, height: 600, dpr }
  canvas.width = view.width * dpr
  canvas.height = view.height * dpr
  canvas.style.width = `${view.width}px`
  canvas.style.height = `${view.height}px`
  const ctx = canvas.getContext('2d')
  const palette = {
    text: '#1d2330', muted: '#5f6b7d', grid: '#e2e5ea', edge: '#b4bcc8', self: '#2458d6', contact: '#127a4a', stranger: '#7d8797',
    request: '#0e7c86', blocked: '#3a3f48', purgatory: '#8a5a00', banned: '#b42318', holder: '#2458d6', lost: '#b42318', pulse: '#2458d6', focus: '#2f6fed', surface: '#fff'
  }
  // a seeded generator: every round draws the same map
  let seed = 42
  const rand = () => { seed = (seed * 1664525 + 1013904223) >>> 0; return seed / 2 ** 32 }
  const trusts = ['stranger', 'stranger', 'stranger', 'contact', 'request-sent', 'blocked']
  const list = Array.from({ length: peers }, (_, i) => {
    const id = `12D3KooW${i.toString(36).padStart(6, '0')}${Math.floor(rand() * 1e9).toString(36)}`
    const connected = i < peers * 0.8
    return {
      id, label: id, tag: id.slice(-6), connected,
      rttMs: connected ? 0.2 * 10 ** (rand() * 3.6) : null,
      bps: connected ? 10 ** (rand() * 7) : 0,
      trust: trusts[i % trusts.length],
      reputation: i % 50 === 0 ? 'purgatory' : i % 97 === 0 ? 'banned' : 'active',
      relay: null,
      mark: i % 40 === 0 ? 'holder' : i % 83 === 0 ? 'lost' : null
    }
  })
  // 20 connected peers reached through a relay that is itself a connected peer
  for (let i = 0; i < 20; i++) list[100 + i].relay = list[i].id

  const frames = (ms, body) => new Promise(resolve => {
    const work = []
    let count = 0
    const start = performance.now()
    const frame = now => {
      if (now - start >= ms || body.done?.()) {
        resolve({ frames: count, seconds: (performance.now() - start) / 1000, work })
        return
      }
      count++
      if (body.run != null) {
        const t0 = performance.now()
        body.run(now)
        work.push(performance.now() - t0)
      }
      requestAnimationFrame(frame)
    }
    requestAnimationFrame(frame)
  })

  const baseline = await frames(baselineMs, {})

  const scene = new MapScene()
  scene.setPeers(list)
  let settledAfter = 0
  const settle = await frames(60_000, {
    run: now => { scene.step(now); scene.draw(ctx, view, palette, now); settledAfter++ },
    done: () => !scene.needsFrame(performance.now())
  })

  let lastPulse = 0
  const animate = await frames(animateMs, {
    run: now => {
      if (now - lastPulse >= 100) { scene.pulse(list[Math.floor(rand() * 400)].id, now); lastPulse = now }
      scene.step(now)
      scene.draw(ctx, view, palette, now)
    }
  })

  // idle: the view's loop asks for a frame only when needsFrame says so
  const idle = await new Promise(resolve => {
    let asked = 0
    const start = performance.now()
    const check = () => {
      if (scene.needsFrame(performance.now())) { asked++; scene.step(performance.now()); scene.draw(ctx, view, palette, performance.now()) }
      if (performance.now() - start < idleMs) requestAnimationFrame(check)
      else resolve(asked)
    }
    // let the last pulse finish first
    setTimeout(() => requestAnimationFrame(check), 1500)
  })

  // live: new figures every second; the loop draws only what the scene asks for
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand())
  let current = list
  let lastUpdate = -Infinity
  let drawn = 0
  const live = await frames(liveMs, {
    run: now => {
      if (now - lastUpdate >= liveEveryMs) {
        current = list.map(p => p.connected ? { ...p, rttMs: p.rttMs * Math.exp(0.15 * gauss()), bps: p.bps * (0.5 + rand()) } : p)
        scene.setPeers(current)
        lastUpdate = now
      }
      if (scene.needsFrame(now)) { drawn++; scene.step(now); scene.draw(ctx, view, palette, now) }
    }
  })
  return { baseline, settle, settledAfter, animate, idle, live, liveDrawn: drawn }
}

/** One page at `dpr`: `rounds` rounds, medians. */
async function measureAt (browser, code, dpr, rounds, log) {
  const page = await browser.newPage({ viewport: { width: 800, height: 600 }, deviceScaleFactor: dpr })
  try {
    const errors = []
    page.on('pageerror', err => errors.push(err.message))
    await page.setContent('<!doctype html><html><body style="margin:0"><canvas></canvas></body></html>')
    await page.addScriptTag({ content: code })
    const results = []
    for (let r = 0; r < rounds; r++) {
      const res = await page.evaluate(round1, { peers: PEERS, baselineMs: BASELINE_MS, animateMs: ANIMATE_MS, idleMs: IDLE_MS, liveMs: LIVE_MS, liveEveryMs: LIVE_EVERY_MS })
      if (errors.length > 0) throw new Error(`peer-map page: ${errors.join('; ')}`)
      const fps = p => p.frames / p.seconds
      const x = {
        baselineFps: fps(res.baseline),
        settleFps: fps(res.settle),
        settleFrames: res.settledAfter,
        settleWorkP50: median(res.settle.work),
        settleWorkP95: percentile(res.settle.work, 95),
        animateFps: fps(res.animate),
        animateWorkP50: median(res.animate.work),
        animateWorkP95: percentile(res.animate.work, 95),
        idleFrames: res.idle,
        liveFps: fps(res.live),
        liveDrawnShare: res.liveDrawn / Math.max(1, res.live.frames),
        liveDrawnPerSecond: res.liveDrawn / res.live.seconds,
        liveWorkP50: median(res.live.work),
        liveWorkP95: percentile(res.live.work, 95)
      }
      results.push(x)
      log(`peer-map @${dpr}x round ${r + 1}/${rounds}: baseline ${round(x.baselineFps, 1)} fps; settle ${round(x.settleFps, 1)} fps over ${x.settleFrames} frames, ` +
        `step+draw p50 ${round(x.settleWorkP50, 2)} ms; animate ${round(x.animateFps, 1)} fps, p50 ${round(x.animateWorkP50, 2)} ms; idle frames ${x.idleFrames}; ` +
        `live ${round(x.liveFps, 1)} fps, ${round(x.liveDrawnShare * 100, 1)}% of frames drawn (${round(x.liveDrawnPerSecond, 1)}/s)`)
    }
    const m = key => median(results.map(x => x[key]))
    const baselineFps = m('baselineFps')
    const budgetMs = 1000 / baselineFps
    return {
      viewport: `800×600 @${dpr}x`,
      baselineFps: round(baselineFps, 1),
      settle: {
        fps: round(m('settleFps'), 1),
        fpsVsBaseline: round(m('settleFps') / baselineFps, 3),
        frames: m('settleFrames'),
        stepDrawMsP50: round(m('settleWorkP50'), 2),
        stepDrawMsP95: round(m('settleWorkP95'), 2),
        p95VsFrameBudget: round(m('settleWorkP95') / budgetMs, 3)
      },
      animate: {
        fps: round(m('animateFps'), 1),
        fpsVsBaseline: round(m('animateFps') / baselineFps, 3),
        stepDrawMsP50: round(m('animateWorkP50'), 2),
        stepDrawMsP95: round(m('animateWorkP95'), 2),
        p95VsFrameBudget: round(m('animateWorkP95') / budgetMs, 3)
      },
      idleFramesPerSecond: round(m('idleFrames') / (IDLE_MS / 1000), 1),
      live: {
        updateEveryMs: LIVE_EVERY_MS,
        fps: round(m('liveFps'), 1),
        fpsVsBaseline: round(m('liveFps') / baselineFps, 3),
        drawnShare: round(m('liveDrawnShare'), 3),
        drawnPerSecond: round(m('liveDrawnPerSecond'), 1),
        drawnVsBaselineFrames: round(m('liveDrawnPerSecond') / baselineFps, 3),
        workMsP50: round(m('liveWorkP50'), 3),
        workMsP95: round(m('liveWorkP95'), 3)
      }
    }
  } finally {
    await page.close()
  }
}

export async function measurePeerMap ({ rounds = 3, log = () => {} } = {}) {
  log('peer-map: bundling the scene, starting Chromium')
  const code = await bundleScene()
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS })
  try {
    return {
      peers: PEERS,
      rounds,
      dpr1: await measureAt(browser, code, 1, rounds, log),
      dpr2: await measureAt(browser, code, 2, rounds, log)
    }
  } finally {
    await browser.close()
  }
}

// `node bench/peer-map.js`: this figure alone
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const rounds = Number(process.env.WGT_BENCH_ROUNDS ?? 3)
  const res = await measurePeerMap({ rounds, log: msg => { process.stderr.write(`[bench] ${msg}\n`) } })
  process.stdout.write(JSON.stringify(res, null, 2) + '\n')
}
