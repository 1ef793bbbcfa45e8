/**
 * A hostile peer for tests: a bare libp2p node in the test process (TCP,
 * TLS or noise, yamux; no WGT services) that opens streams on WGT's
 * protocols and writes whatever bytes a test wants.
 */
import { noise } from '@libp2p/noise'
import { tcp } from '@libp2p/tcp'
import { tls } from '@libp2p/tls'
import { yamux } from '@libp2p/yamux'
import type { Libp2p, Stream } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'

export async function hostilePeer (): Promise<Libp2p> {
  return await createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [tls(), noise()],
    streamMuxers: [yamux()]
  })
}

/** Open `protocol` on the peer at `addr` and write `bytes`; answers the stream (the caller ends it). */
export async function sendRaw (node: Libp2p, addr: string, protocol: string, bytes: Uint8Array): Promise<Stream> {
  const stream = await node.dialProtocol(multiaddr(addr), protocol, { signal: AbortSignal.timeout(10_000) })
  stream.send(bytes)
  return stream
}

/** Until the stream ends either way (the other side aborted or closed it), within timeoutMs. */
export async function untilEnded (stream: Stream, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (stream.status === 'open' && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 50))
}
