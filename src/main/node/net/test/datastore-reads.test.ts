import { Key, type Datastore } from 'interface-datastore'
import { describe, expect, it } from 'vitest'
import { unabortableReads } from '../datastore-reads.js'

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
