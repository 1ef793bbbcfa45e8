import { afterEach, describe, expect, it } from 'vitest'
import type { Libp2p } from '@libp2p/interface'
import { makeNode, waitFor } from '../../metrics/test/nodes.js'
import { PeerMeasures } from '../measures.js'
import { PeerDirectory } from '../peer-directory.js'

const started: Libp2p[] = []
afterEach(async () => { await Promise.all(started.splice(0).map(async n => { await n.stop() })) })

describe('PeerDirectory', () => {
  it('keeps connected peers current from peer-store events, without a store read per refresh, and forgets them on disconnect', async () => {
    const a = await makeNode({})
    const b = await makeNode({})
    started.push(a, b)
    const dir = new PeerDirectory(a, new PeerMeasures())
    dir.start()
    const bId = b.peerId.toString()
    await a.dial(b.getMultiaddrs()[0])
    await waitFor(() => a.getConnections(b.peerId).length > 0, 5000, 'connection')
    const store = a.peerStore
    let reads = 0
    const get = store.get.bind(store)
    store.get = async (...args) => { reads++; return await get(...args) }
    await dir.get(bId)
    for (let i = 0; i < 5; i++) await dir.refreshConnected()
    expect(reads).toBeLessThanOrEqual(1)

    // a change to the record reaches the directory through the event
    await store.merge(b.peerId, { protocols: ['/test/new/1.0.0'] })
    let entry = await dir.get(bId)
    expect(entry.protocols).toContain('/test/new/1.0.0')

    await a.hangUp(b.peerId)
    await waitFor(() => a.getConnections(b.peerId).length === 0, 5000, 'disconnect')
    reads = 0
    entry = await dir.get(bId)
    expect(entry.connected).toBe(false)
    expect(entry.protocols).toContain('/test/new/1.0.0')
    expect(reads).toBe(1)
    dir.stop()
  })
})
