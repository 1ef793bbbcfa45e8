import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import { WgtError } from '../../../../shared/errors.js'
import { MIN_SEGMENT_SIZE, decodeSegment, newFileId, newFileKey, type CesParams } from '../index.js'
import { setDefaultKernel } from '../rs/index.js'
import { decodeAll, encodeToMemory, equalBytes, randomBytesSeeded, textBytes } from './helpers.js'

const SEG = MIN_SEGMENT_SIZE
afterAll(() => { setDefaultKernel('auto') })

function expectWgt (fn: () => unknown, code: string, message: RegExp): void {
  let thrown: unknown
  try { fn() } catch (err) { thrown = err }
  expect(thrown).toBeInstanceOf(WgtError)
  expect((thrown as WgtError).code).toBe(code)
  expect((thrown as WgtError).message).toMatch(message)
}

/** k+m drawn so tests stay fast but cover k=1, m=0 and wide codes */
const paramsArb = fc.record({ k: fc.integer({ min: 1, max: 12 }), m: fc.integer({ min: 0, max: 6 }) })
  .map(({ k, m }): CesParams => ({ k, m, segmentSize: SEG }))

describe.each(['wasm', 'ts'] as const)('round trip with the %s kernel', kernel => {
  it('sizes 0, 1, segment multiples ±1 and three segments, random and compressible', async () => {
    setDefaultKernel(kernel)
    const sizes = [0, 1, SEG - 1, SEG, SEG + 1, 2 * SEG - 1, 2 * SEG, 2 * SEG + 1, 3 * SEG]
    for (const size of sizes) {
      for (const make of [randomBytesSeeded, textBytes]) {
        const data = make(size, size + 1)
        const key = newFileKey()
        const fileId = newFileId()
        const enc = await encodeToMemory(data, { k: 4, m: 2, segmentSize: SEG }, key, fileId)
        expect(enc.summary.size).toBe(size)
        expect(enc.summary.segments).toHaveLength(Math.max(1, Math.ceil(size / SEG)))
        expect(equalBytes(decodeAll(enc, key, fileId), data)).toBe(true)
      }
    }
  })

  it('compressible input is compressed, incompressible is stored raw, both reconstruct', async () => {
    setDefaultKernel(kernel)
    const key = newFileKey()
    const fileId = newFileId()
    const text = textBytes(3 * SEG, 7)
    const noise = randomBytesSeeded(3 * SEG, 7)
    const encText = await encodeToMemory(text, { k: 4, m: 2, segmentSize: SEG }, key, fileId)
    const encNoise = await encodeToMemory(noise, { k: 4, m: 2, segmentSize: SEG }, key, newFileId())
    expect(encText.summary.segments.every(s => s.compressed && s.cipherSize < s.plainSize / 2)).toBe(true)
    expect(encNoise.summary.segments.every(s => !s.compressed && s.cipherSize === s.plainSize + 28)).toBe(true)
    expect(equalBytes(decodeAll(encText, key, fileId), text)).toBe(true)
  })

  it('property: any m shards lost per segment still decode; m+1 lost is a clear error', async () => {
    setDefaultKernel(kernel)
    await fc.assert(fc.asyncProperty(paramsArb, fc.integer({ min: 0, max: 3 * SEG }), fc.boolean(), fc.integer(), async (params, size, text, seed) => {
      const data = text ? textBytes(size, seed) : randomBytesSeeded(size, seed)
      const key = newFileKey()
      const fileId = newFileId()
      const enc = await encodeToMemory(data, params, key, fileId)
      const n = params.k + params.m
      // a different lost set per segment, drawn from the seed
      const lose = (segment: number, count: number): Set<number> => {
        const order = [...Array(n).keys()].sort((a, b) => ((a * 7919 + seed + segment * 31) % 97) - ((b * 7919 + seed + segment * 31) % 97))
        return new Set(order.slice(0, count))
      }
      const back = decodeAll(enc, key, fileId, 'data', (seg, s) => { const l = lose(seg, params.m); return s.map((x, i) => l.has(i) ? null : x) })
      expect(equalBytes(back, data)).toBe(true)
      const rec = enc.summary.segments[0]
      const l = lose(0, params.m + 1)
      expectWgt(() => decodeSegment(rec, enc.shards[0].map((x, i) => l.has(i) ? null : x), { params, key, fileId, domain: 'data' }),
        'INTEGRITY', new RegExp(`^segment 0: only ${params.k - 1} of ${params.k} shards valid$`))
    }), { numRuns: 40 })
  })

  it('property: a flipped bit gets that shard rejected and another one used', async () => {
    setDefaultKernel(kernel)
    await fc.assert(fc.asyncProperty(paramsArb.filter(p => p.m >= 1), fc.integer({ min: 1, max: 2 * SEG }), fc.nat(), fc.nat(), async (params, size, which, bit) => {
      const data = randomBytesSeeded(size, which ^ bit)
      const key = newFileKey()
      const fileId = newFileId()
      const enc = await encodeToMemory(data, params, key, fileId)
      const rec = enc.summary.segments[0]
      const idx = which % (params.k + params.m)
      const shards = enc.shards[0].map(s => s.slice())
      shards[idx][Math.floor(bit / 8) % rec.shardSize] ^= 1 << (bit % 8)
      const { plain, rejected } = decodeSegment(rec, shards, { params, key, fileId, domain: 'data' })
      expect(rejected).toEqual([idx])
      expect(equalBytes(plain, data.subarray(0, rec.plainSize))).toBe(true)
    }), { numRuns: 40 })
  })
})

describe('authentication', () => {
  const params: CesParams = { k: 3, m: 2, segmentSize: SEG }

  it('shards given as verified are not hashed again, but a wrong size is still rejected and a changed byte still fails authentication', async () => {
    const key = newFileKey()
    const fileId = newFileId()
    const data = randomBytesSeeded(SEG, 11)
    const enc = await encodeToMemory(data, params, key, fileId)
    const rec = enc.summary.segments[0]
    const opts = { params, key, fileId, domain: 'data' as const, verified: true }
    expect(equalBytes(decodeSegment(rec, enc.shards[0], opts).plain, data)).toBe(true)
    // a data shard one byte short: rejected by its size, and parity stands in
    const short = enc.shards[0].map((s, i) => i === 1 ? s.slice(0, -1) : s)
    const rebuilt = decodeSegment(rec, short, opts)
    expect(rebuilt.rejected).toEqual([1])
    expect(equalBytes(rebuilt.plain, data)).toBe(true)
    // a changed byte the caller failed to catch: AES-GCM's tag does, the same error as a wrong key
    const flipped = enc.shards[0].map((s, i) => i === 0 ? s.slice() : s)
    flipped[0][5] ^= 1
    expectWgt(() => decodeSegment(rec, flipped, opts), 'INTEGRITY', /wrong key or damaged/)
    // unverified (the default), the same shard is found by its hash and replaced from parity
    expect(decodeSegment(rec, flipped, { ...opts, verified: false }).rejected).toEqual([0])
  })

  it('a wrong key is a clear error and yields no output', async () => {
    const key = newFileKey()
    const fileId = newFileId()
    const enc = await encodeToMemory(randomBytesSeeded(2 * SEG, 1), params, key, fileId)
    let out: unknown
    expectWgt(() => { out = decodeSegment(enc.summary.segments[0], enc.shards[0], { params, key: newFileKey(), fileId, domain: 'data' }) },
      'INTEGRITY', /^wrong key or damaged data \(segment 0\)$/)
    expect(out).toBeUndefined()
    // an empty file is authenticated too
    const empty = await encodeToMemory(new Uint8Array(0), params, key, fileId)
    expectWgt(() => decodeSegment(empty.summary.segments[0], empty.shards[0], { params, key: newFileKey(), fileId, domain: 'data' }),
      'INTEGRITY', /wrong key/)
  })

  it('segments swapped between positions, files or domains fail authentication', async () => {
    const key = newFileKey()
    const fileA = newFileId()
    const fileB = newFileId()
    const a = await encodeToMemory(randomBytesSeeded(2 * SEG, 2), params, key, fileA)
    const b = await encodeToMemory(randomBytesSeeded(2 * SEG, 3), params, key, fileB)
    const m = await encodeToMemory(randomBytesSeeded(2 * SEG, 4), params, key, fileA, 'manifest')
    // segment 1's record and shards presented as segment 0 (sizes equal, so only the AAD can tell)
    const moved = { ...a.summary.segments[1], index: 0 }
    expectWgt(() => decodeSegment(moved, a.shards[1], { params, key, fileId: fileA, domain: 'data' }), 'INTEGRITY', /segment 0/)
    // file B's segment 0 under file A's id (same key)
    expectWgt(() => decodeSegment(b.summary.segments[0], b.shards[0], { params, key, fileId: fileA, domain: 'data' }), 'INTEGRITY', /wrong key or damaged/)
    // a manifest segment posing as a data segment of the same file
    expectWgt(() => decodeSegment(m.summary.segments[0], m.shards[0], { params, key, fileId: fileA, domain: 'data' }), 'INTEGRITY', /wrong key or damaged/)
    // the compressed flag or plainSize edited in the record
    const t = await encodeToMemory(textBytes(SEG, 5), params, key, fileA)
    const rec = t.summary.segments[0]
    expectWgt(() => decodeSegment({ ...rec, plainSize: rec.plainSize - 1 }, t.shards[0], { params, key, fileId: fileA, domain: 'data' }), 'INTEGRITY', /wrong key or damaged/)
    // the unmodified ones still decode
    expect(decodeSegment(a.summary.segments[1], a.shards[1], { params, key, fileId: fileA, domain: 'data' }).plain).toHaveLength(SEG)
    expect(decodeSegment(m.summary.segments[0], m.shards[0], { params, key, fileId: fileA, domain: 'manifest' }).plain).toHaveLength(SEG)
  })

  it('the same key and file id never repeat a nonce across encodes', async () => {
    const key = newFileKey()
    const fileId = newFileId()
    const data = randomBytesSeeded(SEG, 9)
    const one = await encodeToMemory(data, params, key, fileId)
    const two = await encodeToMemory(data, params, key, fileId)
    const nonce = (e: typeof one): string => Buffer.from(e.shards[0][0].subarray(0, 12)).toString('hex')
    expect(nonce(one)).not.toBe(nonce(two))
    expect(nonce(one).slice(0, 8)).toBe('00000000') // the segment index part
  })
})
