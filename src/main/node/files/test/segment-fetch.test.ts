/**
 * fetchShards against a fake ShardSource: transient failures (a reset stream,
 * BUSY) are retried on the same holder with backoff and then on the others;
 * answers that stand (NOT_FOUND, bad bytes) are not; the retries are bounded,
 * and a cancel stops them at once.
 */
import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { WgtError } from '../../../../shared/errors.js'
import { cidOf } from '../../ces/index.js'
import { fetchShards, isTransient, type ShardSource } from '../segment-fetch.js'
import type { PlacedSegment } from '../tables.js'

const PARAMS = { k: 4, m: 2, segmentSize: 4096 }
const FAST = { baseMs: 5, maxMs: 40 }
const HOUR = 3_600_000

/** n shards of random bytes; shard i placed on holders[i] */
function segment (holders: string[][]): { seg: PlacedSegment, bytes: Map<string, Uint8Array> } {
  const bytes = new Map<string, Uint8Array>()
  const shards = holders.map(() => {
    const b = randomBytes(64)
    const cid = cidOf(b)
    bytes.set(cid, b)
    return cid
  })
  return { seg: { index: 7, plainSize: 100, compressed: false, cipherSize: 100, shardSize: 64, shards, holders }, bytes }
}

function reset (): Error {
  return new WgtError('PEER_UNREACHABLE', 'The stream has been reset', { cause: Object.assign(new Error('The stream has been reset'), { name: 'StreamResetError' }) })
}

type Behaviour = (peer: string, cid: string, n: number) => 'serve' | 'missing' | 'corrupt' | Error

/** A source that holds every shard on the peers the segment names, and answers as `behave` says on the nth GET of (peer, cid). */
function source (bytes: Map<string, Uint8Array>, behave: Behaviour, extra: Partial<ShardSource> = {}): ShardSource & { calls: Array<[string, string]>, bad: string[] } {
  const counts = new Map<string, number>()
  const calls: Array<[string, string]> = []
  const bad: string[] = []
  return {
    self: 'self',
    calls,
    bad,
    get: async (peer, cid, signal) => {
      signal.throwIfAborted()
      calls.push([peer, cid])
      const key = `${peer} ${cid}`
      const nth = (counts.get(key) ?? 0) + 1
      counts.set(key, nth)
      if (peer === 'self') return null
      await new Promise(resolve => setTimeout(resolve, 1))
      const r = behave(peer, cid, nth)
      if (r instanceof Error) throw r
      if (r === 'missing') return null
      const b = Buffer.from(bytes.get(cid)!)
      if (r === 'corrupt') b[0] ^= 1
      return b
    },
    providers: async () => [],
    rtt: () => 1,
    onBadShard: peer => { bad.push(peer) },
    hedgeMs: 60_000,
    retry: FAST,
    ...extra
  }
}

describe('fetchShards under transient failures', () => {
  it('classifies what ShardService.request throws', () => {
    expect(isTransient(reset())).toBe(true)
    expect(isTransient(new WgtError('TIMEOUT', 'x'))).toBe(true)
    expect(isTransient(new WgtError('UNAVAILABLE', 'p is busy with our requests; try later'))).toBe(true)
    expect(isTransient(Object.assign(new Error('closed'), { name: 'ConnectionClosedError' }))).toBe(true)
    expect(isTransient(new WgtError('PROTOCOL', 'malformed'))).toBe(false)
    expect(isTransient(new WgtError('POLICY_DENIED', 'no'))).toBe(false)
    expect(isTransient(new WgtError('INTEGRITY', 'rejected'))).toBe(false)
    expect(isTransient(new Error('anything else'))).toBe(false)
  })

  it('retries a reset stream on the same holder and gets the shard there', async () => {
    const { seg, bytes } = segment([['a'], ['b'], ['c'], ['d'], ['e'], ['f']])
    // every holder resets its first two streams, as a loaded holder does
    const src = source(bytes, (_p, _c, n) => (n <= 2 ? reset() : 'serve'))
    const slots = await fetchShards(seg, PARAMS, src, new AbortController().signal)
    expect(slots.filter(s => s != null)).toHaveLength(4)
    const remote = src.calls.filter(([p]) => p !== 'self')
    // the first four shards, three GETs each, from the same holder: no other shard was needed
    expect(new Set(remote.map(([p]) => p))).toEqual(new Set(['a', 'b', 'c', 'd']))
    expect(remote).toHaveLength(12)
  })

  it('asks a shard\'s other holder after the same holder reset sameHolder times in a row', async () => {
    const { seg, bytes } = segment([['a', 'a2'], ['b'], ['c'], ['d']])
    const src = source(bytes, p => (p === 'a' ? reset() : 'serve'))
    const slots = await fetchShards(seg, PARAMS, src, new AbortController().signal)
    expect(slots.every(s => s != null)).toBe(true)
    const forShard0 = src.calls.filter(([p, c]) => c === seg.shards[0] && p !== 'self').map(([p]) => p)
    expect(forShard0).toEqual(['a', 'a', 'a', 'a2'])
  })

  it('completes while one holder resets forever and k others serve', async () => {
    const { seg, bytes } = segment([['a'], ['b'], ['c'], ['d'], ['e'], ['f']])
    const src = source(bytes, p => (p === 'a' ? reset() : 'serve'))
    const slots = await fetchShards(seg, PARAMS, src, new AbortController().signal)
    expect(slots[0]).toBeNull()
    expect(slots.filter(s => s != null)).toHaveLength(4)
  })

  it('completes when every holder resets a few times, even past its first pass, with only k holders alive', async () => {
    // e and f are gone; a–d reset their first four streams each: the second pass gets them
    const { seg, bytes } = segment([['a'], ['b'], ['c'], ['d'], ['e'], ['f']])
    const src = source(bytes, (p, _c, n) => (p === 'e' || p === 'f' ? new WgtError('PEER_UNREACHABLE', 'connection refused') : n <= 4 ? reset() : 'serve'))
    const slots = await fetchShards(seg, PARAMS, src, new AbortController().signal)
    expect(slots.slice(0, 4).every(s => s != null)).toBe(true)
  })

  it('does not retry a holder that has no copy or serves bad bytes, and fails at once when fewer than k can serve', async () => {
    const { seg, bytes } = segment([['a'], ['b'], ['c'], ['d'], ['e'], ['f']])
    // a backoff of an hour: waiting one (none of these failures is transient) would outlast the test's timeout
    const src = source(bytes, p => (p === 'a' || p === 'b' ? 'missing' : p === 'c' ? 'corrupt' : 'serve'), { retry: { baseMs: HOUR, maxMs: HOUR } })
    await expect(fetchShards(seg, PARAMS, src, new AbortController().signal)).rejects.toMatchObject({ code: 'UNAVAILABLE', message: expect.stringMatching(/segment 7: only 3 of the 4/) })
    expect(src.bad).toEqual(['c'])
    for (const p of ['a', 'b', 'c']) expect(src.calls.filter(([q]) => q === p)).toHaveLength(1)
  })

  it('gives up on holders that reset forever after a bounded number of attempts, naming the error', async () => {
    const { seg, bytes } = segment([['a'], ['b'], ['c'], ['d'], ['e'], ['f']])
    const src = source(bytes, p => (p === 'a' || p === 'b' || p === 'c' ? reset() : 'serve'), { retry: { ...FAST, attempts: 5 } })
    await expect(fetchShards(seg, PARAMS, src, new AbortController().signal)).rejects.toMatchObject({ code: 'UNAVAILABLE', message: expect.stringMatching(/only 3 of the 4 .*The stream has been reset/) })
    for (const p of ['a', 'b', 'c']) expect(src.calls.filter(([q]) => q === p)).toHaveLength(5)
  })

  it('after a failed dial asks the DHT before the same holder again', async () => {
    const { seg, bytes } = segment([['gone'], ['b'], ['c'], ['d']])
    const src = source(bytes, p => (p === 'gone' ? new WgtError('PEER_UNREACHABLE', 'cannot open /wgt/shard/1.0.0 to gone: connect ECONNREFUSED') : 'serve'), {
      providers: async cid => (cid === seg.shards[0] ? ['kept'] : [])
    })
    const slots = await fetchShards(seg, PARAMS, src, new AbortController().signal)
    expect(slots.every(s => s != null)).toBe(true)
    expect(src.calls.filter(([, c]) => c === seg.shards[0]).map(([p]) => p)).toEqual(['self', 'gone', 'kept'])
  })

  it('asks DHT providers once the known holder keeps failing', async () => {
    const { seg, bytes } = segment([['a'], ['b'], ['c'], ['d']])
    const asked: string[] = []
    const src = source(bytes, p => (p === 'a' ? reset() : 'serve'), {
      providers: async cid => { asked.push(cid); return cid === seg.shards[0] ? ['z'] : [] }
    })
    const slots = await fetchShards(seg, PARAMS, src, new AbortController().signal)
    expect(slots.every(s => s != null)).toBe(true)
    expect(asked).toEqual([seg.shards[0]])
    expect(src.calls.filter(([p]) => p === 'z')).toHaveLength(1)
  })

  it('stops at once on cancel, also while backing off, and asks nobody after', async () => {
    const { seg, bytes } = segment([['a'], ['b'], ['c'], ['d'], ['e'], ['f']])
    // an hour of backoff: the cancel must end it, or the test times out
    const src = source(bytes, () => reset(), { retry: { baseMs: HOUR, maxMs: HOUR } })
    const ctrl = new AbortController()
    const fetching = fetchShards(seg, PARAMS, src, ctrl.signal)
    await new Promise(resolve => setTimeout(resolve, 100))
    const before = src.calls.length
    ctrl.abort(new WgtError('CANCELLED', 'cancelled by the user'))
    await expect(fetching).rejects.toMatchObject({ code: 'CANCELLED' })
    await new Promise(resolve => setTimeout(resolve, 100))
    expect(src.calls.length).toBe(before)
  })

  it('hedges a slow shard with the next one', async () => {
    const { seg, bytes } = segment([['a'], ['b'], ['c'], ['d'], ['e']])
    const slow = new AbortController()
    const src = source(bytes, () => 'serve', { hedgeMs: 50 })
    const get = src.get
    src.get = async (peer, cid, signal) => {
      // a never answers until the segment is done
      if (peer === 'a') await new Promise((resolve, reject) => { signal.addEventListener('abort', () => { reject(signal.reason) }); slow.signal.addEventListener('abort', resolve) })
      return await get(peer, cid, signal)
    }
    const slots = await fetchShards(seg, PARAMS, src, new AbortController().signal)
    expect(slots.filter(s => s != null)).toHaveLength(4)
    expect(slots[0]).toBeNull()
  })
})
