// Draws Switchboard's icons (a white speech bubble with three dots on an indigo tile) and writes them
// as PNG: resources/icon.png (1024 px; electron-builder derives .ico and .icns from it) and
// resources/tray.png (32 px). Run `node scripts/make-icons.mjs` after changing the drawing.
import { writeFileSync } from 'node:fs'
import { deflateSync } from 'node:zlib'

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
function chunk(type, data) {
  const len = Buffer.alloc(4)
  len.writeUInt32BE(data.length)
  const body = Buffer.concat([Buffer.from(type), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(body))
  return Buffer.concat([len, body, crc])
}
function png(size, rgba) {
  const header = Buffer.alloc(13)
  header.writeUInt32BE(size, 0)
  header.writeUInt32BE(size, 4)
  header.set([8, 6, 0, 0, 0], 8) // 8-bit RGBA
  const rows = Buffer.alloc(size * (size * 4 + 1))
  for (let y = 0; y < size; y++) rgba.copy(rows, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4)
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', header), chunk('IDAT', deflateSync(rows, { level: 9 })), chunk('IEND', Buffer.alloc(0))])
}

// Shapes in a unit square; each returns true when (x, y) is inside.
const roundRect = (x0, y0, x1, y1, r) => (x, y) => {
  const cx = Math.min(Math.max(x, x0 + r), x1 - r)
  const cy = Math.min(Math.max(y, y0 + r), y1 - r)
  return x >= x0 && x <= x1 && y >= y0 && y <= y1 && (x - cx) ** 2 + (y - cy) ** 2 <= r * r
}
const circle = (cx, cy, r) => (x, y) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r
const triangle = (ax, ay, bx, by, cx, cy) => (x, y) => {
  const s = (px, py, qx, qy) => (x - qx) * (py - qy) - (px - qx) * (y - qy)
  const d1 = s(ax, ay, bx, by), d2 = s(bx, by, cx, cy), d3 = s(cx, cy, ax, ay)
  return !((d1 < 0 || d2 < 0 || d3 < 0) && (d1 > 0 || d2 > 0 || d3 > 0))
}

function draw(size) {
  const tileShape = roundRect(0.04, 0.04, 0.96, 0.96, 0.22)
  const bubble = [roundRect(0.2, 0.24, 0.8, 0.68, 0.12), triangle(0.3, 0.6, 0.46, 0.66, 0.26, 0.82)]
  const dots = [circle(0.36, 0.46, 0.055), circle(0.5, 0.46, 0.055), circle(0.64, 0.46, 0.055)]
  const out = Buffer.alloc(size * size * 4)
  const S = 4 // supersampling per axis: smooth edges
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0, g = 0, b = 0, a = 0
      for (let sy = 0; sy < S; sy++) {
        for (let sx = 0; sx < S; sx++) {
          const x = (px + (sx + 0.5) / S) / size
          const y = (py + (sy + 0.5) / S) / size
          let c = null
          if (tileShape(x, y)) {
            const t = (x + y) / 2 // indigo to violet, top-left to bottom-right
            c = [79 + 45 * t, 70 - 10 * t, 229 + 10 * t]
          }
          if (bubble.some((f) => f(x, y))) c = [255, 255, 255]
          if (dots.some((f) => f(x, y))) c = [99, 102, 241]
          if (c) {
            r += c[0]; g += c[1]; b += c[2]; a += 1
          }
        }
      }
      const i = (py * size + px) * 4
      const n = S * S
      if (a > 0) out.set([Math.round(r / a), Math.round(g / a), Math.round(b / a), Math.round((255 * a) / n)], i)
    }
  }
  return out
}

writeFileSync(new URL('../resources/icon.png', import.meta.url), png(1024, draw(1024)))
writeFileSync(new URL('../resources/tray.png', import.meta.url), png(32, draw(32)))
console.log('wrote resources/icon.png and resources/tray.png')
