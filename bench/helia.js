/**
 * The Helia side of the files comparison: two Helia nodes, each in its own
 * process (helia-node.js: TCP on loopback, TLS, yamux, blockstore-fs with
 * WGT's fsync discipline, datastore-fs), node 2 connected to node 1 once.
 * A round adds a file on node 1 (@helia/unixfs addByteStream, its defaults:
 * 1 MiB chunks, raw leaves, CIDv1) and cats it into a file on node 2 over
 * bitswap; both sides hash the bytes they handled.
 */
import { join } from 'node:path'
import { startChild } from './lib/children.js'
import { cpuSeconds } from './lib/cpu.js'

export async function startHeliaPair (base) {
  const nodes = []
  try {
    for (const n of [1, 2]) nodes.push(await startChild('helia-node.js', [join(base, `helia-${n}`)]))
    const [adder, fetcher] = nodes
    await fetcher.request('dial', { addr: adder.info.multiaddr })
    return {
      /** CPU seconds of [node 1, node 2] */
      cpu: async () => await Promise.all(nodes.map(async n => await cpuSeconds(n.child.pid))),
      add: async path => await adder.request('add', { path }),
      fetch: async (cid, out) => await fetcher.request('fetch', { cid, out }),
      stop: async () => { await Promise.all(nodes.map(async n => { await n.stop() })) }
    }
  } catch (err) {
    await Promise.all(nodes.map(async n => { await n.stop() }))
    throw err
  }
}
