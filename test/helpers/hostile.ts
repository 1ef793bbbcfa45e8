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
import { lpStream } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { ShardRequest, ShardResponse } from '../../src/main/node/files/pb/shard.js'

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

/** One request on /wgt/shard/1.0.0 to the peer at `addr`, as a stranger sends it; answers the response, or throws when there is none. */
export async function shardRequest (node: Libp2p, addr: string, req: Partial<ShardRequest> & { kind: ShardRequest.Kind }, timeoutMs = 60_000): Promise<ShardResponse> {
  const stream = await node.dialProtocol(multiaddr(addr), '/wgt/shard/1.0.0', { signal: AbortSignal.timeout(30_000) })
  const lp = lpStream(stream, { maxDataLength: 64 * 1024 })
  await lp.write(ShardRequest.encode({ cid: '', data: new Uint8Array(0), leaseMs: 0, cids: [], nonce: new Uint8Array(0), ...req }), { signal: AbortSignal.timeout(timeoutMs) })
  const res = ShardResponse.decode(await lp.read({ signal: AbortSignal.timeout(timeoutMs) }))
  await stream.close().catch(() => {})
  return res
}
