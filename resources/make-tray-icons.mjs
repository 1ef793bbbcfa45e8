// Draws the tray icons, one per state, as resources/tray-<state>.png (32x32
// colour, Windows and Linux) and resources/tray-<state>Template.png with its
// @2x (16x16 and 32x32, black and alpha: macOS menu bar template images, which
// the system tints for light and dark menu bars; the name ends in "Template"
// as Electron's nativeImage docs ask). The states tell apart by shape as well
// as colour, since templates have no colour:
//   online   the three joined peers of the app icon
//   offline  the peers as empty rings, not joined
//   paused   joined peers with a pause badge
// Plain Node, no dependencies: run `node resources/make-tray-icons.mjs`.
import { writeFileSync } from 'node:fs'
import { png } from './png.mjs'

const clamp = (v) => Math.max(0, Math.min(1, v))
const segDist = (x, y, ax, ay, bx, by) => {
  const dx = bx - ax, dy = by - ay
  const t = clamp(((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy))
  return Math.hypot(x - ax - t * dx, y - ay - t * dy)
}

// in units of the icon's side
const NODES = [[0.5, 0.22], [0.2, 0.74], [0.8, 0.74]]
const NODE_R = 0.15
const RING = 0.055
const EDGE = 0.045
const BADGE = { x: 0.76, y: 0.76, r: 0.24 }

const TEAL = [20, 184, 166]
const LIGHT = [240, 253, 250]
const GREY = [139, 149, 161]
const AMBER = [245, 158, 11]
const BLACK = [0, 0, 0]
const WHITE = [255, 255, 255]

function draw (size, state, template) {
  const px = new Uint8Array(size * size * 4)
  const over = (i, [r, g, b], a) => {
    const da = px[i + 3] / 255, oa = a + da * (1 - a)
    if (oa === 0) return
    for (const [k, c] of [[0, r], [1, g], [2, b]]) px[i + k] = Math.round((c * a + px[i + k] * da * (1 - a)) / oa)
    px[i + 3] = Math.round(oa * 255)
  }
  const erase = (i, a) => { px[i + 3] = Math.round(px[i + 3] * (1 - a)) }
  // coverage of a shape whose signed distance (in units) is d, at this size
  const cover = (d) => clamp(0.5 - d * size)
  const edgeColour = template ? BLACK : TEAL
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = (y * size + x) * 4
      const u = (x + 0.5) / size, v = (y + 0.5) / size
      if (state !== 'offline') {
        for (let n = 0; n < 3; n++) {
          const [ax, ay] = NODES[n], [bx, by] = NODES[(n + 1) % 3]
          over(i, edgeColour, cover(segDist(u, v, ax, ay, bx, by) - EDGE))
        }
      }
      for (const [nx, ny] of NODES) {
        const d = Math.hypot(u - nx, v - ny)
        if (state === 'offline') {
          // a ring: inside the outer circle, outside the inner one
          over(i, template ? BLACK : GREY, Math.min(cover(d - NODE_R), 1 - cover(d - (NODE_R - RING))))
        } else if (template) {
          over(i, BLACK, cover(d - NODE_R))
        } else {
          over(i, TEAL, cover(d - NODE_R))
          over(i, LIGHT, cover(d - (NODE_R - RING)))
        }
      }
      if (state === 'paused') {
        const d = Math.hypot(u - BADGE.x, v - BADGE.y)
        // the badge sits in a gap cut around it, so it reads apart from the peer under it
        erase(i, cover(d - BADGE.r - 0.05))
        const inBars = Math.max(
          Math.min(cover(Math.abs(u - (BADGE.x - 0.075)) - 0.04), cover(Math.abs(v - BADGE.y) - 0.12)),
          Math.min(cover(Math.abs(u - (BADGE.x + 0.075)) - 0.04), cover(Math.abs(v - BADGE.y) - 0.12))
        )
        if (template) {
          // a black disc with the bars cut out
          over(i, BLACK, cover(d - BADGE.r))
          erase(i, inBars)
        } else {
          over(i, AMBER, cover(d - BADGE.r))
          over(i, WHITE, inBars * cover(d - BADGE.r))
        }
      }
    }
  }
  return png(size, px)
}


for (const state of ['online', 'offline', 'paused']) {
  const files = {
    [`tray-${state}.png`]: draw(32, state, false),
    [`tray-${state}Template.png`]: draw(16, state, true),
    [`tray-${state}Template@2x.png`]: draw(32, state, true)
  }
  for (const [name, data] of Object.entries(files)) {
    writeFileSync(new URL(`./${name}`, import.meta.url), data)
    console.log(`${name}: ${data.length} bytes`)
  }
}
