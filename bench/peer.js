/**
 * A second WGT node in its own process, so the probe RTT crosses a real
 * process boundary like it does between two machines. Prints
 * {"peerId","multiaddr"} when listening; stops when the parent lets go.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createNode } from '../out/node/main/node/index.js'
import { announce, failAndExit, serveUntilParentGone } from './lib/serve.js'

const dataDir = await mkdtemp(join(tmpdir(), 'wgt-bench-peer-'))
try {
  const node = await createNode({ dataDir, listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false, bootstrap: [] })
  serveUntilParentGone(async () => {
    try { await node.stop() } finally { await rm(dataDir, { recursive: true, force: true }) }
  })
  const multiaddr = node.multiaddrs().find(a => a.startsWith('/ip4/127.0.0.1/tcp/'))
  if (multiaddr == null) throw new Error(`no loopback tcp address among ${node.multiaddrs().join(', ')}`)
  announce({ peerId: node.peerId, multiaddr })
} catch (err) {
  await rm(dataDir, { recursive: true, force: true })
  failAndExit(err)
}
