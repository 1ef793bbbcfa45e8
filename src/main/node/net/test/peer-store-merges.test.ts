import { generateKeyPair } from '@libp2p/crypto/keys'
import { defaultLogger } from '@libp2p/logger'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { persistentPeerStore } from '@libp2p/peer-store'
import type { PeerId, PeerStore } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import { MemoryDatastore } from 'datastore-core'
import { Key } from 'interface-datastore'
import { TypedEventEmitter } from 'main-event'
import { describe, expect, it } from 'vitest'
import { skipMergesThatChangeNothing } from '../peer-store-merges.js'

async function setup (now = () => Date.now()) {
  const datastore = new MemoryDatastore()
  let puts = 0
  const put = datastore.put.bind(datastore)
  datastore.put = async (key: Key, value: Uint8Array) => { if (key.toString().startsWith('/peers/')) puts++; return await put(key, value) }
  const self = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
  const peer = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
  const store: PeerStore = persistentPeerStore({ peerId: self, events: new TypedEventEmitter(), logger: defaultLogger(), datastore } as any)
  const skips = skipMergesThatChangeNothing(store, { now })
  return { store, peer, skips, puts: () => puts }
}

const A = '/ip4/127.0.0.1/tcp/4001'
const B = '/ip4/127.0.0.1/tcp/4002'

describe('skipMergesThatChangeNothing', () => {
  it('writes a stream protocol once, then answers the known record without a write', async () => {
    const { store, peer, skips, puts } = await setup()
    await store.merge(peer, { protocols: ['/wgt/shard/1.0.0'] })
    expect(puts()).toBe(1)
    for (let i = 0; i < 10; i++) {
      const got = await store.merge(peer, { protocols: ['/wgt/shard/1.0.0'] })
      expect(got.protocols).toContain('/wgt/shard/1.0.0')
    }
    expect(puts()).toBe(1)
    expect(skips.skipped()).toBe(10)
    // a protocol it does not list yet is written
    await store.merge(peer, { protocols: ['/ipfs/ping/1.0.0'] })
    expect(puts()).toBe(2)
    expect((await store.get(peer)).protocols.sort()).toEqual(['/ipfs/ping/1.0.0', '/wgt/shard/1.0.0'])
  })

  it('skips addresses already held, with or without the /p2p tail, and writes a new one', async () => {
    const { store, peer, puts } = await setup()
    await store.merge(peer, { multiaddrs: [multiaddr(A)] })
    await store.merge(peer, { multiaddrs: [multiaddr(`${A}/p2p/${peer}`)] })
    await store.merge(peer, { multiaddrs: [multiaddr(A)], protocols: [] })
    expect(puts()).toBe(1)
    await store.merge(peer, { multiaddrs: [multiaddr(A), multiaddr(B)] })
    expect(puts()).toBe(2)
    expect((await store.get(peer)).addresses.map(a => a.multiaddr.toString()).sort()).toEqual([A, B])
  })

  it('forgets what it knew when a patch replaces the record, so a removed protocol is merged back', async () => {
    const { store, peer } = await setup()
    await store.merge(peer, { protocols: ['/a', '/b'] })
    await store.patch(peer, { protocols: ['/a'] })
    await store.merge(peer, { protocols: ['/b'] })
    expect((await store.get(peer)).protocols.sort()).toEqual(['/a', '/b'])
  })

  it('never skips while a patch of the peer is under way', async () => {
    const { store, peer } = await setup()
    await store.merge(peer, { protocols: ['/a', '/b'] })
    const patching = store.patch(peer, { protocols: ['/a'] })
    const merging = store.merge(peer, { protocols: ['/b'] })
    await Promise.all([patching, merging])
    expect((await store.get(peer)).protocols.sort()).toEqual(['/a', '/b'])
  })

  it('after a delete, a merge writes the record again', async () => {
    const { store, peer, puts } = await setup()
    await store.merge(peer, { protocols: ['/a'] })
    await store.delete(peer)
    await store.merge(peer, { protocols: ['/a'] })
    expect(puts()).toBe(2)
    expect((await store.get(peer)).protocols).toEqual(['/a'])
  })

  it('restamps a record in use once it is older than the refresh interval', async () => {
    let t = 1_000_000
    const { store, peer, puts } = await setup(() => t)
    await store.merge(peer, { protocols: ['/a'] })
    t += 59_000
    await store.merge(peer, { protocols: ['/a'] })
    expect(puts()).toBe(1)
    t += 2_000
    await store.merge(peer, { protocols: ['/a'] })
    expect(puts()).toBe(2)
  })

  it('runs merges of anything else (tags, metadata) as before', async () => {
    const { store, peer, puts } = await setup()
    await store.merge(peer, { protocols: ['/a'] })
    await store.merge(peer, { metadata: { x: new Uint8Array([1]) } })
    await store.merge(peer, { metadata: { x: new Uint8Array([1]) } })
    expect(puts()).toBe(3)
    expect((await store.get(peer)).metadata.get('x')).toEqual(new Uint8Array([1]))
  })

  it('keeps a bounded number of peers', async () => {
    const datastore = new MemoryDatastore()
    const self = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    const store: PeerStore = persistentPeerStore({ peerId: self, events: new TypedEventEmitter(), logger: defaultLogger(), datastore } as any)
    const skips = skipMergesThatChangeNothing(store, { maxPeers: 2 })
    const peers: PeerId[] = []
    for (let i = 0; i < 3; i++) peers.push(peerIdFromPrivateKey(await generateKeyPair('Ed25519')))
    for (const p of peers) await store.merge(p, { protocols: ['/a'] })
    // the last two are known, the first was forgotten and is merged (written) again
    for (const p of [peers[1], peers[2], peers[0]]) await store.merge(p, { protocols: ['/a'] })
    expect(skips.skipped()).toBe(2)
  })
})
