/**
 * inspectLink: what a link leads to, from its root record and manifest only.
 * The files fixture plays the network: peers that hold the root record, one
 * that does not, one that serves bytes that do not hash to it, and one that
 * never answers. The preview names every peer that served the root, the
 * peers whose inbox offers carry the link, and the entry this node already
 * has; it never asks for a data shard.
 */
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MemoryDatastore } from 'datastore-core'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { encodeLink, newFileKey } from '../../ces/index.js'
import type { FilesContext } from '../context.js'
import { Inbox } from '../inbox.js'
import { MAX_INSPECTIONS, inspectLink } from '../inspect.js'
import { FilesService, type FilesServiceDeps } from '../service.js'
import { MAX_ROOT_SIZE } from '../tables.js'
import { memoryFiles, plant, SELF, type MemoryFiles, type Planted } from './memory-files.js'

const PARAMS = { k: 2, m: 1, segmentSize: 4096 }
const A = '12D3KooWAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'
const B = '12D3KooWBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB'
const C = '12D3KooWCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC'
const D = '12D3KooWDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDD'

let dir: string
beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'wgt-inspect-')) })
afterEach(async () => { await rm(dir, { recursive: true, force: true }) })

interface Network {
  ctx: FilesContext
  /** every CID any peer was asked for */
  asked: string[]
  /** every peer asked, and the most bytes it was allowed to answer */
  dialled: Array<{ peer: string, maxBytes: number | undefined }>
  /** how many DHT lookups were made */
  lookups: number
  violations: string[]
}

/**
 * This node holds nothing itself; `serves` says what each connected peer
 * answers for a CID: the bytes, null (not held), or 'garbage' (bytes that do
 * not hash to it), or 'silent' (never answers until the signal aborts).
 */
type Serves = Record<string, 'all' | 'none' | 'garbage' | 'silent'>

/** `outside`: peers not connected to this node that the DHT lists (and that serve what they say) */
function network (files: MemoryFiles, connected: Serves, outside: Serves = {}): Network {
  const serves: Serves = { ...connected, ...outside }
  const dialled: Network['dialled'] = []
  const net = { lookups: 0 }
  const asked: string[] = []
  const violations: string[] = []
  const ctx: FilesContext = {
    ...files.ctx,
    store: { ...files.ctx.store, get: async () => null } as unknown as FilesContext['store'],
    candidates: async () => Object.keys(connected).map((peerId, i) => ({ peerId, rttMs: i, diskFree: 0, cpuLoad: null, cores: null })),
    // the DHT names the peers that hold everything (the manifest's shards are found there)
    locator: { providers: async () => { net.lookups++; return Object.keys(serves).filter(p => serves[p] === 'all') } } as unknown as FilesContext['locator'],
    reputation: { recordViolation: (peer: string) => { violations.push(peer) } },
    shards: {
      get: async (peer: string, cid: string, opts: { signal?: AbortSignal, maxBytes?: number } = {}) => {
        asked.push(cid)
        dialled.push({ peer, maxBytes: opts.maxBytes })
        switch (serves[peer]) {
          case 'all': return files.shards.get(cid) ?? null
          case 'garbage': return randomBytes(64)
          case 'silent': return await new Promise((_resolve, reject) => {
            if (opts.signal?.aborted === true) { reject(opts.signal.reason); return }
            opts.signal?.addEventListener('abort', () => { reject(opts.signal?.reason) }, { once: true })
          })
          default: return null
        }
      }
    } as unknown as FilesContext['shards']
  }
  return { ctx, asked, dialled, get lookups () { return net.lookups }, violations }
}

const noOffers = { offers: async () => [] }

function dataShards (p: Planted): string[] {
  return p.manifest.segments.flatMap(s => s.shards)
}

describe('inspectLink', () => {
  it('reads name, size and segments from the manifest, names every peer that served the root, and asks for no data shard', async () => {
    const files = memoryFiles(dir)
    const planted = await plant(files, randomBytes(3 * 4096 - 10), PARAMS, { name: 'report.pdf' })
    const net = network(files, { [A]: 'all', [B]: 'none', [C]: 'garbage', [D]: 'all' })
    const preview = await inspectLink(net.ctx, planted.link, {}, noOffers, new AbortController().signal)
    expect(preview).toMatchObject({ id: planted.id, name: 'report.pdf', size: 3 * 4096 - 10, segments: 3, k: 2, m: 1, offeredBy: [], existing: null })
    expect(preview.servedBy.sort()).toEqual([A, D].sort())
    // a peer serving bytes that do not hash to the root record is penalised, not listed
    expect(net.violations).toEqual([C])
    const data = new Set(dataShards(planted))
    expect(net.asked.filter(cid => data.has(cid))).toEqual([])
  })

  it('lists the peers whose inbox offers carry this very link', async () => {
    const files = memoryFiles(dir)
    const planted = await plant(files, randomBytes(5000), PARAMS, { name: 'minutes.txt' })
    const inbox = new Inbox(new MemoryDatastore())
    await inbox.add({ from: A, link: planted.link, name: 'minutes.txt', size: 5000, request: false })
    await inbox.add({ from: B, link: planted.link, name: 'minutes.txt', size: 5000, request: true })
    // the same file under another key is another link
    await inbox.add({ from: C, link: encodeLink(planted.id, newFileKey()), name: 'minutes.txt', size: 5000, request: false })
    const preview = await inspectLink(network(files, { [D]: 'all' }).ctx, planted.link, {}, { offers: async () => await inbox.list() }, new AbortController().signal)
    expect(preview.offeredBy.sort()).toEqual([A, B].sort())
    expect(preview.servedBy).toEqual([D])
  })

  it('says this node has it already: a shared file, or a received copy still where it was saved', async () => {
    const files = memoryFiles(dir)
    const planted = await plant(files, randomBytes(5000), PARAMS, { name: 'mine.bin' })
    const fake = { root: null as never, manifest: planted.manifest, rootHolders: [] }
    const entry = { id: planted.id, link: planted.link, name: 'mine.bin', size: 5000, k: 2, m: 1, segments: 2, direction: 'shared' as const, path: '/src/mine.bin', from: null, createdAt: 1 }
    await files.ctx.records.put({ ...fake, entry })
    // this node holds the root record itself: it is one of those that serve it
    const shared = await inspectLink(files.ctx, planted.link, {}, noOffers, new AbortController().signal)
    expect(shared.existing).toEqual(entry)
    expect(shared.servedBy).toEqual([SELF])

    const saved = join(dir, 'got.bin')
    const received = { ...entry, direction: 'received' as const, path: saved }
    await files.ctx.records.put({ ...fake, entry: received })
    expect((await inspectLink(files.ctx, planted.link, {}, noOffers, new AbortController().signal)).existing).toBeNull()
    await writeFile(saved, randomBytes(5000))
    expect((await inspectLink(files.ctx, planted.link, {}, noOffers, new AbortController().signal)).existing).toEqual(received)
  })

  it('fails with NOT_FOUND when no peer serves the root, INTEGRITY for a wrong key, INVALID_INPUT for a malformed link', async () => {
    const files = memoryFiles(dir)
    const planted = await plant(files, randomBytes(5000), PARAMS)
    const signal = new AbortController().signal
    await expect(inspectLink(network(files, { [A]: 'none', [B]: 'garbage' }).ctx, planted.link, {}, noOffers, signal)).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringMatching(/no connected peer holds file .* searching the network/) })
    await expect(inspectLink(network(files, { [A]: 'none', [B]: 'garbage' }).ctx, planted.link, { search: 'network' }, noOffers, signal)).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringMatching(/no reachable peer holds file .* and the DHT/) })
    await expect(inspectLink(files.ctx, encodeLink(planted.id, newFileKey()), {}, noOffers, signal)).rejects.toMatchObject({ code: 'INTEGRITY', message: expect.stringMatching(/wrong key/) })
    await expect(inspectLink(files.ctx, 'wgt://nonsense#key', {}, noOffers, signal)).rejects.toMatchObject({ code: 'INVALID_INPUT' })
  })

  it('is bounded: peers that never answer end in TIMEOUT, and a stopping node cancels it', async () => {
    const files = memoryFiles(dir)
    const planted = await plant(files, randomBytes(5000), PARAMS)
    const net = network(files, { [A]: 'silent', [B]: 'silent' })
    await expect(inspectLink(net.ctx, planted.link, {}, { ...noOffers, timeoutMs: 300 }, new AbortController().signal)).rejects.toMatchObject({ code: 'TIMEOUT' })
    const stop = new AbortController()
    const running = inspectLink(net.ctx, planted.link, {}, noOffers, stop.signal)
    stop.abort(new Error('the node is stopping'))
    await expect(running).rejects.toThrow(/stopping/)
  })

  it("by default asks only connected peers: no DHT lookup, no peer dialled that the DHT or the root record names; 'network' does both", async () => {
    const files = memoryFiles(dir)
    const planted = await plant(files, randomBytes(5000), PARAMS)
    // a hostile link's author: not connected, lists itself on the DHT (and serves, to learn who asks)
    const connectedOnly = network(files, { [A]: 'none', [B]: 'none' }, { [D]: 'all' })
    await expect(inspectLink(connectedOnly.ctx, planted.link, {}, noOffers, new AbortController().signal)).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(inspectLink(connectedOnly.ctx, planted.link, { search: 'connected' }, noOffers, new AbortController().signal)).rejects.toMatchObject({ code: 'NOT_FOUND' })
    expect(connectedOnly.lookups).toBe(0)
    expect(new Set(connectedOnly.dialled.map(d => d.peer))).toEqual(new Set([A, B]))

    const searched = network(files, { [A]: 'none', [B]: 'none' }, { [D]: 'all' })
    const preview = await inspectLink(searched.ctx, planted.link, { search: 'network' }, noOffers, new AbortController().signal)
    expect(preview.servedBy).toEqual([D])
    expect(searched.lookups).toBeGreaterThan(0)
  })

  it('reads the manifest from connected peers only, even when the root record names other holders', async () => {
    const files = memoryFiles(dir)
    // the root record names D as the holder of every manifest shard
    const planted = await plant(files, randomBytes(3 * 4096), PARAMS, { lieRoot: r => ({ ...r, segments: r.segments.map(s => ({ ...s, holders: s.shards.map(() => [D]) })) }) })
    // A (connected) serves everything; D (not connected) also does, and the DHT lists it
    const net = network(files, { [A]: 'all' }, { [D]: 'all' })
    const preview = await inspectLink(net.ctx, planted.link, {}, noOffers, new AbortController().signal)
    expect(preview).toMatchObject({ servedBy: [A], segments: 3 })
    expect(net.lookups).toBe(0)
    // this node's own store is no dial
    expect(net.dialled.map(d => d.peer).filter(p => p !== A && p !== SELF)).toEqual([])
  })

  it('reads a root record no larger than the largest a share writes (MAX_ROOT_SIZE), not a whole shard', async () => {
    const files = memoryFiles(dir)
    const planted = await plant(files, randomBytes(5000), PARAMS)
    const net = network(files, { [A]: 'all' })
    await inspectLink(net.ctx, planted.link, {}, noOffers, new AbortController().signal)
    expect(net.dialled[0]).toEqual({ peer: A, maxBytes: MAX_ROOT_SIZE })
    expect(MAX_ROOT_SIZE).toBeGreaterThan(files.shards.get(planted.id)?.byteLength ?? Infinity)
    expect(MAX_ROOT_SIZE).toBeLessThan(2 * 1024 * 1024)
  })

  it('runs at most MAX_INSPECTIONS at once on a node: one more fails at once with UNAVAILABLE, and there is room again when one ends', async () => {
    const files = memoryFiles(dir)
    const planted = await plant(files, randomBytes(5000), PARAMS)
    const net = network(files, { [A]: 'silent' })
    const inbox = new Inbox(new MemoryDatastore())
    const service = new FilesService(net.ctx, { inbox } as unknown as FilesServiceDeps)
    const running = Array.from({ length: MAX_INSPECTIONS }, () => service.inspectLink(planted.link))
    for (const r of running) r.catch(() => {})
    await expect(service.inspectLink(planted.link)).rejects.toMatchObject({ code: 'UNAVAILABLE', message: expect.stringMatching(/already reading 2 links/) })
    await service.stop()
    await Promise.allSettled(running)
    // a stopped service refuses for its own reason, not the bound: the count went back down
    await expect(service.inspectLink(planted.link)).rejects.toMatchObject({ code: 'NOT_RUNNING' })
  })
})
