// Draws the app icon: three peers joined in a triangle on a rounded dark tile.
// Plain Node, no dependencies: run `node resources/make-icon.mjs`. It writes
//   resources/icon.png          256×256, the window icon (src/main/app-paths.ts)
//   build/icon.png              1024×1024, what electron-builder turns into the
//                               macOS .icns and the Windows .ico (it wants ≥ 512)
//   build/icons/NxN.png         16…512, the Linux set installed into hicolor/
// The shape is drawn in a 256-unit design space and rasterised at each size
// (not scaled from one bitmap), so small sizes stay sharp.
import { mkdirSync, writeFileSync } from 'node:fs'
import { png } from './png.mjs'

const D = 256 // design units across

const clamp = (v) => Math.max(0, Math.min(1, v))
const segDist = (x, y, ax, ay, bx, by) => {
  const dx = bx - ax, dy = by - ay
  const t = clamp(((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy))
  return Math.hypot(x - ax - t * dx, y - ay - t * dy)
}
const roundRectDist = (x, y, half, r) => {
  const qx = Math.abs(x - D / 2) - half + r, qy = Math.abs(y - D / 2) - half + r
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r
}

const nodes = [[128, 62], [66, 178], [190, 178]]
const edge = [45, 212, 191]
const peer = [240, 253, 250]

/** RGBA pixels of the icon at S×S */
function draw (S) {
  const px = new Uint8Array(S * S * 4)
  const k = S / D // pixels per design unit
  // paint `color` over the pixel with coverage a (0..1)
  const over = (i, [r, g, b], a) => {
    const da = px[i + 3] / 255, oa = a + da * (1 - a)
    if (oa === 0) return
    for (const [c, v] of [[0, r], [1, g], [2, b]]) px[i + c] = Math.round((v * a + px[i + c] * da * (1 - a)) / oa)
    px[i + 3] = Math.round(oa * 255)
  }
  // coverage of a shape whose signed distance is d design units: half a pixel of anti-aliasing
  const cover = (d) => clamp(0.5 - d * k)
  for (let y = 0; y < S; y++) {
    for (let x = 0; x < S; x++) {
      const i = (y * S + x) * 4
      const cx = (x + 0.5) / k, cy = (y + 0.5) / k
      over(i, [16, 20, 26], cover(roundRectDist(cx, cy, 120, 44)))
      for (let n = 0; n < 3; n++) {
        const [ax, ay] = nodes[n], [bx, by] = nodes[(n + 1) % 3]
        over(i, edge, cover(segDist(cx, cy, ax, ay, bx, by) - 7))
      }
      for (const [nx, ny] of nodes) {
        const d = Math.hypot(cx - nx, cy - ny)
        over(i, edge, cover(d - 27))
        over(i, peer, cover(d - 17))
      }
    }
  }
  return px
}


/** the Linux icon set: the hicolor sizes desktops look up (electron-builder reads the size from each name) */
const LINUX_SIZES = [16, 32, 48, 64, 128, 256, 512]

const root = new URL('../', import.meta.url)
const write = (path, size) => {
  const file = new URL(path, root)
  mkdirSync(new URL('./', file), { recursive: true })
  const bytes = png(size, draw(size))
  writeFileSync(file, bytes)
  console.log(`${path}: ${size}x${size}, ${bytes.length} bytes`)
}
write('resources/icon.png', 256)
write('build/icon.png', 1024)
for (const size of LINUX_SIZES) write(`build/icons/${size}x${size}.png`, size)
