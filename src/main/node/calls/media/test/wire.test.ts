/** The media wire's pieces: frames in any chunking, the proof, the token bucket. */
import fc from 'fast-check'
import { Uint8ArrayList } from 'uint8arraylist'
import { describe, expect, it } from 'vitest'
import { TokenBucket } from '../bucket.js'
import { frame, FrameReader, MAX_DATAGRAM, mediaProof, proofMatches } from '../wire.js'

const A = '12D3KooWGevnFvkrdfKfqEC5RyusBnJwQYrgxFSZidEaMcFthH89'
const B = '12D3KooWBw9Ne3cJF7xQqSMJ5m8UC7hkg3nyrmbEBunysStfJy3V'

describe('media frames', () => {
  it('come out whole and in order however the stream cuts them', () => {
    fc.assert(fc.property(
      fc.array(fc.uint8Array({ minLength: 1, maxLength: MAX_DATAGRAM }), { maxLength: 20 }),
      fc.array(fc.integer({ min: 1, max: 4000 }), { minLength: 1, maxLength: 10 }),
      (datagrams, cuts) => {
        const bytes = new Uint8ArrayList(...datagrams.map(frame)).subarray()
        const reader = new FrameReader()
        const out: number[][] = []
        let at = 0
        for (let i = 0; at < bytes.byteLength; i++) {
          const n = cuts[i % cuts.length]
          reader.push(bytes.subarray(at, at + n), d => { out.push([...d]) })
          at += n
        }
        expect(out).toEqual(datagrams.map(d => [...d]))
      }
    ), { numRuns: 50 })
  })

  it('refuse a frame above 1500 bytes or empty before buffering it', () => {
    expect(() => { new FrameReader().push(Uint8Array.from([0x05, 0xdd]), () => {}) }).toThrow(/1501 bytes/)
    expect(() => { new FrameReader().push(Uint8Array.from([0, 0]), () => {}) }).toThrow(/empty/)
  })
})

describe('the media proof', () => {
  it('binds key, call, direction and route', () => {
    const key = new Uint8Array(32).fill(7)
    const call = 'ab'.repeat(16)
    const p = mediaProof(key, call, A, B, '')
    expect(p.byteLength).toBe(32)
    expect(proofMatches(p, mediaProof(key, call, A, B, ''))).toBe(true)
    expect(proofMatches(p, mediaProof(key, call, B, A, ''))).toBe(false)
    expect(proofMatches(p, mediaProof(key, call, A, B, B))).toBe(false)
    expect(proofMatches(mediaProof(key, call, A, B, A), mediaProof(key, call, A, B, B))).toBe(false)
    expect(proofMatches(p, mediaProof(key, 'cd'.repeat(16), A, B, ''))).toBe(false)
    expect(proofMatches(p, mediaProof(new Uint8Array(32), call, A, B, ''))).toBe(false)
    expect(proofMatches(p, p.subarray(0, 31))).toBe(false)
  })
})

describe('the token bucket', () => {
  it('passes its capacity at once, then its rate, whatever the clock does', () => {
    let now = 0
    const bucket = new TokenBucket(() => now, 3000)
    expect(bucket.take(2000, 1000)).toBe(true)
    expect(bucket.take(1500, 1000)).toBe(false)
    now = 500
    expect(bucket.take(1500, 1000)).toBe(true)
    // a clock stepping back refills nothing
    now = 100
    expect(bucket.take(1, 1000)).toBe(false)
    now = 60_000
    expect(bucket.holds(3000, 1000)).toBe(true)
    expect(bucket.holds(3001, 1000)).toBe(false)
  })
})
