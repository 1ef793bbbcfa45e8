/** Test helpers: deterministic inputs and an in-memory sink for whole-file round trips. */
import { createHash } from 'node:crypto'
import { decodeSegment, encode, type CesDomain, type CesParams, type EncodeSummary } from '../index.js'

/** xorshift32 bytes: reproducible from a seed, incompressible to zstd */
export function randomBytesSeeded (n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n)
  let x = (seed | 0) || 0x9e3779b9
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5
    out[i] = x & 0xff
  }
  return out
}

const WORDS = ('alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa ' +
  'quebec romeo sierra tango uniform victor whiskey xray yankee zulu segment shard peer manifest').split(' ')

/** word salad: zstd shrinks it a lot, as it would real text */
export function textBytes (n: number, seed: number): Uint8Array {
  const r = randomBytesSeeded(Math.ceil(n / 3) + 16, seed)
  let s = ''
  for (let i = 0; s.length < n; i++) s += WORDS[r[i % r.length] % WORDS.length] + (r[(i + 1) % r.length] % 11 === 0 ? '.\n' : ' ')
  return new TextEncoder().encode(s.slice(0, n))
}

export async function * chunked (data: Uint8Array, chunk: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < data.length; i += chunk) yield data.subarray(i, i + chunk)
  if (data.length === 0) return
}

export interface Encoded {
  summary: EncodeSummary
  /** shards[segment][index] */
  shards: Uint8Array[][]
}

export async function encodeToMemory (data: Uint8Array, params: CesParams, key: Uint8Array, fileId: Uint8Array, domain: CesDomain = 'data', chunk = 7919): Promise<Encoded> {
  const shards: Uint8Array[][] = []
  const summary = await encode(chunked(data, chunk), { params, key, fileId, domain }, async s => {
    (shards[s.segment] ??= [])[s.index] = s.bytes
  })
  return { summary, shards }
}

export function decodeAll (enc: Encoded, key: Uint8Array, fileId: Uint8Array, domain: CesDomain = 'data',
  pick: (segment: number, shards: Uint8Array[]) => Array<Uint8Array | null> = (_, s) => s): Uint8Array {
  const parts = enc.summary.segments.map((rec, i) =>
    decodeSegment(rec, pick(i, enc.shards[i]), { params: enc.summary.params, key, fileId, domain }).plain)
  const out = Buffer.concat(parts)
  if (createHash('sha256').update(out).digest('hex') !== enc.summary.sha256) throw new Error('whole-file hash mismatch')
  return new Uint8Array(out)
}

export function equalBytes (a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length))
}
