// Draws resources/icon.png (256x256 RGBA): three peers joined in a triangle on a
// rounded dark tile. Plain Node, no dependencies: run `node resources/make-icon.mjs`.
import { writeFileSync } from 'node:fs'
import { deflateSync } from 'node:zlib'

const S = 256
const px = new Uint8Array(S * S * 4)

const clamp = (v) => Math.max(0, Math.min(1, v))
const segDist = (x, y, ax, ay, bx, by) => {
  const dx = bx - ax, dy = by - ay
  const t = clamp(((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy))
  return Math.hypot(x - ax - t * dx, y - ay - t * dy)
}
const roundRectDist = (x, y, half, r) => {
  const qx = Math.abs(x - S / 2) - half + r, qy = Math.abs(y - S / 2) - half + r
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r
}
// paint `color` over the pixel with coverage a (0..1)
const over = (i, [r, g, b], a) => {
  const da = px[i + 3] / 255, oa = a + da * (1 - a)
  if (oa === 0) return
  for (const [k, c] of [[0, r], [1, g], [2, b]]) px[i + k] = Math.round((c * a + px[i + k] * da * (1 - a)) / oa)
  px[i + 3] = Math.round(oa * 255)
}

const nodes = [[128, 62], [66, 178], [190, 178]]
const edge = [45, 212, 191]
const peer = [240, 253, 250]
for (let y = 0; y < S; y++) {
  for (let x = 0; x < S; x++) {
    const i = (y * S + x) * 4
    const cx = x + 0.5, cy = y + 0.5
    over(i, [16, 20, 26], clamp(0.5 - roundRectDist(cx, cy, 120, 44)))
    for (let n = 0; n < 3; n++) {
      const [ax, ay] = nodes[n], [bx, by] = nodes[(n + 1) % 3]
      over(i, edge, clamp(0.5 - (segDist(cx, cy, ax, ay, bx, by) - 7)))
    }
    for (const [nx, ny] of nodes) {
      const d = Math.hypot(cx - nx, cy - ny)
      over(i, edge, clamp(0.5 - (d - 27)))
      over(i, peer, clamp(0.5 - (d - 17)))
    }
  }
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})
const crc32 = (buf) => {
  let c = 0xffffffff
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}
const chunk = (type, data) => {
  const out = Buffer.alloc(12 + data.length)
  out.writeUInt32BE(data.length, 0)
  out.write(type, 4, 'ascii')
  Buffer.from(data).copy(out, 8)
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length)
  return out
}
const ihdr = Buffer.alloc(13)
ihdr.writeUInt32BE(S, 0)
ihdr.writeUInt32BE(S, 4)
ihdr.set([8, 6, 0, 0, 0], 8) // 8-bit RGBA, no interlace
const raw = Buffer.alloc(S * (S * 4 + 1))
for (let y = 0; y < S; y++) Buffer.from(px.buffer, y * S * 4, S * 4).copy(raw, y * (S * 4 + 1) + 1)
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', ihdr),
  chunk('IDAT', deflateSync(raw, { level: 9 })),
  chunk('IEND', Buffer.alloc(0))
])
writeFileSync(new URL('./icon.png', import.meta.url), png)
console.log(`icon.png: ${png.length} bytes`)
