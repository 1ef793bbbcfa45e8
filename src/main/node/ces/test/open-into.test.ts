import { describe, expect, it } from 'vitest'
import { WgtError } from '../../../../shared/errors.js'
import { SEGMENT_OVERHEAD, deriveSubkey, newFileId, newFileKey, openInto, sealInto, type SealInput } from '../crypto.js'
import { MIN_SEGMENT_SIZE, decodeSegment } from '../index.js'
import { encodeToMemory, equalBytes, randomBytesSeeded } from './helpers.js'

function sealed (payload: Uint8Array): { bytes: Uint8Array, input: SealInput } {
  const input: SealInput = { subkey: deriveSubkey(newFileKey(), newFileId(), 'data'), domain: 'data', fileId: newFileId(), segment: 3, plainSize: payload.length, compressed: false }
  const bytes = new Uint8Array(payload.length + SEGMENT_OVERHEAD)
  expect(sealInto([bytes], payload, input)).toBe(bytes.length)
  return { bytes, input }
}

/** bytes cut at the given lengths (the rest is the last part) */
function cut (bytes: Uint8Array, lengths: number[]): Uint8Array[] {
  const parts: Uint8Array[] = []
  let at = 0
  for (const n of lengths) { parts.push(bytes.slice(at, at + n)); at += n }
  parts.push(bytes.slice(at))
  return parts
}

describe('sealInto', () => {
  it('seals across pieces (the data shards) as it would into one buffer, nonce and tag split across them', () => {
    const payload = randomBytesSeeded(200_000, 9)
    const { bytes, input } = sealed(payload)
    // the same layout cut where the nonce, a 64 KiB cipher piece and the tag straddle parts
    const parts = cut(new Uint8Array(bytes.length), [5, 4, 70_000, bytes.length - 70_009 - 9])
    expect(sealInto(parts, payload, input)).toBe(bytes.length)
    const joined = new Uint8Array(bytes.length)
    let at = 0
    for (const p of parts) { joined.set(p, at); at += p.length }
    expect(equalBytes(openInto([joined], joined.length, new Uint8Array(payload.length), input), payload)).toBe(true)
    expect(equalBytes(openInto(parts, joined.length, new Uint8Array(payload.length), input), payload)).toBe(true)
    // a different random nonce, the same ciphertext layout: only the first 12 bytes' random part may differ
    expect(equalBytes(joined.subarray(0, 4), bytes.subarray(0, 4))).toBe(true)
  })

  it('refuses pieces too small for the sealed segment', () => {
    const payload = randomBytesSeeded(1000, 10)
    const { input } = sealed(payload)
    expect(() => sealInto([new Uint8Array(500), new Uint8Array(500 + SEGMENT_OVERHEAD - 1)], payload, input)).toThrow(WgtError)
  })
})

describe('openInto', () => {
  it('decrypts a sealed segment handed over in pieces, nonce and tag split across them, into the given buffer', () => {
    const payload = randomBytesSeeded(200_000, 7)
    const { bytes, input } = sealed(payload)
    // the nonce (12 bytes) straddles parts 1-3, the tag (16 bytes) the last two, and a piece boundary falls mid-part
    const parts = cut(bytes, [5, 4, 70_000, bytes.length - 70_009 - 9])
    const out = new Uint8Array(250_000)
    const plain = openInto(parts, bytes.length, out, input)
    expect(plain.buffer).toBe(out.buffer)
    expect(equalBytes(plain, payload)).toBe(true)
  })

  it('ignores bytes past the sealed size (the padding of the last shard)', () => {
    const payload = randomBytesSeeded(1000, 8)
    const { bytes, input } = sealed(payload)
    const padded = new Uint8Array(bytes.length + 37)
    padded.set(bytes)
    expect(equalBytes(openInto([padded], bytes.length, new Uint8Array(1000), input), payload)).toBe(true)
  })

  it('refuses a flipped byte, a wrong segment number and a cut-short input with INTEGRITY', () => {
    const payload = randomBytesSeeded(5000, 9)
    const { bytes, input } = sealed(payload)
    const flipped = bytes.slice()
    flipped[2500] ^= 1
    for (const [parts, size, s] of [[[flipped], bytes.length, input], [[bytes], bytes.length, { ...input, segment: 4 }], [[bytes.subarray(0, 100)], bytes.length, input]] as const) {
      let thrown: unknown
      try { openInto(parts, size, new Uint8Array(5000), s) } catch (err) { thrown = err }
      expect(thrown).toBeInstanceOf(WgtError)
      expect((thrown as WgtError).code).toBe('INTEGRITY')
    }
  })

  it('decodeSegment reuses one buffer across segments, each decoded right while it is the current one', async () => {
    const data = randomBytesSeeded(3 * MIN_SEGMENT_SIZE - 5, 10)
    const key = newFileKey()
    const fileId = newFileId()
    const enc = await encodeToMemory(data, { k: 4, m: 2, segmentSize: MIN_SEGMENT_SIZE }, key, fileId)
    const into = new Uint8Array(MIN_SEGMENT_SIZE)
    enc.summary.segments.forEach((rec, i) => {
      // a missing data shard: rebuilt from parity, then decrypted from the pieces
      const shards: Array<Uint8Array | null> = enc.shards[i].map((s, j) => j === 1 ? null : s)
      const { plain } = decodeSegment(rec, shards, { params: enc.summary.params, key, fileId, domain: 'data' }, into)
      expect(plain.buffer).toBe(into.buffer)
      expect(equalBytes(plain, data.subarray(i * MIN_SEGMENT_SIZE, (i + 1) * MIN_SEGMENT_SIZE))).toBe(true)
    })
  })
})
