import { Key, type Datastore } from 'interface-datastore'
import { describe, expect, it } from 'vitest'
import { MemoryDatastore } from 'datastore-core'
import { peerRecordCache, unabortableReads } from '../datastore-reads.js'

/** Records the options each call received; reads fail on an aborted signal, as datastore-level's do. */
function recording () {
  const seen: Array<{ op: string, signal?: AbortSignal }> = []
  const value = new Uint8Array([1])
  const ds = {
    name: 'inner',
    get: async (_key: Key, options?: { signal?: AbortSignal }) => { seen.push({ op: 'get', signal: options?.signal }); options?.signal?.throwIfAborted(); return value },
    has: async (_key: Key, options?: { signal?: AbortSignal }) => { seen.push({ op: 'has', signal: options?.signal }); options?.signal?.throwIfAborted(); return true },
    put: async (key: Key, _v: Uint8Array, options?: { signal?: AbortSignal }) => { seen.push({ op: 'put', signal: options?.signal }); options?.signal?.throwIfAborted(); return key },
    self () { return this }
  }
  return { ds: ds as unknown as Datastore & { name: string, self: () => unknown }, inner: ds, seen, value }
}

describe('unabortableReads', () => {
  const key = new Key('/peers/x')
  const aborted = AbortSignal.abort(new Error('negotiation timed out'))

  it('answers get and has even when the caller\'s signal has fired', async () => {
    const { ds, seen, value } = recording()
    const wrapped = unabortableReads(ds)
    await expect(wrapped.get(key, { signal: aborted })).resolves.toBe(value)
    await expect(wrapped.has(key, { signal: aborted })).resolves.toBe(true)
    expect(seen.map(s => s.signal)).toEqual([undefined, undefined])
  })

  it('leaves writes abortable and passes everything else through, bound to the real datastore', async () => {
    const { ds, inner } = recording()
    const wrapped = unabortableReads(ds) as typeof ds
    await expect(wrapped.put(key, new Uint8Array(), { signal: aborted })).rejects.toThrow('negotiation timed out')
    expect(wrapped.name).toBe('inner')
    expect(wrapped.self()).toBe(inner)
  })
})

/** A MemoryDatastore that counts reads, and whose reads (after reading) or writes (before writing) can be held, to race them. */
function counting () {
  const inner = new MemoryDatastore()
  const counts = { get: 0 }
  const gates: { read: Promise<void> | null, write: Promise<void> | null } = { read: null, write: null }
  const hold = (which: 'read' | 'write'): (() => void) => {
    let open!: () => void
    gates[which] = new Promise(resolve => { open = resolve })
    return () => { gates[which] = null; open() }
  }
  const ds = new Proxy(inner, {
    get (target, prop) {
      if (prop === 'get') {
        return async (key: Key) => {
          counts.get++
          const value = await target.get(key)
          await gates.read
          return value
        }
      }
      if (prop === 'put') {
        return async (key: Key, value: Uint8Array) => {
          await gates.write
          return await target.put(key, value)
        }
      }
      const v: unknown = Reflect.get(target, prop, target)
      return typeof v === 'function' ? v.bind(target) : v
    }
  })
  return { ds, inner, counts, hold }
}

describe('peerRecordCache', () => {
  const peer = new Key('/peers/bafz')
  const bytes = (...b: number[]): Uint8Array => new Uint8Array(b)

  it('answers a repeated read of a peer record from memory, and everything else from the datastore', async () => {
    const { ds, inner, counts } = counting()
    await inner.put(peer, bytes(1))
    await inner.put(new Key('/chat/x'), bytes(9))
    const cache = peerRecordCache(ds)
    expect(await cache.get(peer)).toEqual(bytes(1))
    expect(await cache.get(peer)).toEqual(bytes(1))
    expect(counts.get).toBe(1)
    await cache.get(new Key('/chat/x'))
    await cache.get(new Key('/chat/x'))
    expect(counts.get).toBe(3)
    await expect(cache.get(new Key('/peers/none'))).rejects.toMatchObject({ name: 'NotFoundError' })
  })

  it('keeps what it answers equal to what the datastore holds across put, delete, batch, putMany and deleteMany', async () => {
    const { ds, inner } = counting()
    const cache = peerRecordCache(ds)
    await cache.put(peer, bytes(1))
    expect(await cache.get(peer)).toEqual(bytes(1))
    await cache.put(peer, bytes(2))
    expect(await cache.get(peer)).toEqual(bytes(2))
    await cache.delete(peer)
    await expect(cache.get(peer)).rejects.toMatchObject({ name: 'NotFoundError' })
    expect(await cache.has(peer)).toBe(false)

    await inner.put(peer, bytes(3))
    expect(await cache.get(peer)).toEqual(bytes(3))
    const b = cache.batch()
    b.put(peer, bytes(4))
    await b.commit()
    expect(await cache.get(peer)).toEqual(bytes(4))
    for await (const _ of cache.putMany([{ key: peer, value: bytes(5) }])) { /* drain */ }
    expect(await cache.get(peer)).toEqual(bytes(5))
    for await (const _ of cache.deleteMany([peer])) { /* drain */ }
    await expect(cache.get(peer)).rejects.toMatchObject({ name: 'NotFoundError' })
  })

  it('never keeps a value read while a write of the record was under way', async () => {
    const { ds, inner, hold } = counting()
    await inner.put(peer, bytes(1))
    const cache = peerRecordCache(ds)

    // a read of the old value that returns after a write started and ended
    const releaseRead = hold('read')
    const readOld = cache.get(peer)
    await cache.put(peer, bytes(2))
    releaseRead()
    expect(await readOld).toEqual(bytes(1))
    expect(await cache.get(peer)).toEqual(bytes(2))

    // a read that starts and ends while a write is under way
    const releaseWrite = hold('write')
    const write = cache.put(peer, bytes(3))
    expect(await cache.get(peer)).toEqual(bytes(2))
    releaseWrite()
    await write
    expect(await cache.get(peer)).toEqual(bytes(3))
    expect(await inner.get(peer)).toEqual(bytes(3))
  })

  it('forgets a record whose write failed', async () => {
    const { ds, inner } = counting()
    await inner.put(peer, bytes(1))
    const cache = peerRecordCache(ds)
    expect(await cache.get(peer)).toEqual(bytes(1))
    const failing = new Proxy(ds, { get: (t, p) => p === 'put' ? async () => { throw new Error('disk full') } : Reflect.get(t, p) })
    const broken = peerRecordCache(failing)
    await broken.get(peer)
    await expect(broken.put(peer, bytes(2))).rejects.toThrow('disk full')
    expect(await broken.get(peer)).toEqual(bytes(1))
  })

  it('holds at most maxEntries records, dropping the least recently used', async () => {
    const { ds, inner, counts } = counting()
    for (let i = 0; i < 3; i++) await inner.put(new Key(`/peers/p${i}`), bytes(i))
    const cache = peerRecordCache(ds, 2)
    await cache.get(new Key('/peers/p0'))
    await cache.get(new Key('/peers/p1'))
    await cache.get(new Key('/peers/p0'))
    await cache.get(new Key('/peers/p2'))
    expect(counts.get).toBe(3)
    // p1 was the least recently used: gone; p0 and p2 stay
    await cache.get(new Key('/peers/p0'))
    await cache.get(new Key('/peers/p2'))
    expect(counts.get).toBe(3)
    await cache.get(new Key('/peers/p1'))
    expect(counts.get).toBe(4)
  })

  it('hands out copies: a caller altering what it read changes nothing for the next', async () => {
    const { ds } = counting()
    const cache = peerRecordCache(ds)
    await cache.put(peer, bytes(1, 2))
    const first = await cache.get(peer)
    first[0] = 99
    expect(await cache.get(peer)).toEqual(bytes(1, 2))
  })
})
