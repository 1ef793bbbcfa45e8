/**
 * A bare js-libp2p host for the throughput figure: TCP, one connection
 * encrypter (noise or tls, never both, so the figure is known to belong to the
 * one named), yamux with its defaults. Nothing else: no identify, no DHT, so
 * the stream measured is the only traffic.
 */
import { createLibp2p } from 'libp2p'
import { noise } from '@libp2p/noise'
import { tcp } from '@libp2p/tcp'
import { tls } from '@libp2p/tls'
import { yamux } from '@libp2p/yamux'

export const SINK_PROTOCOL = '/wgt-bench/sink/1.0.0'

const ENCRYPTERS = { noise, tls }

export async function createBenchHost (encryption, listen = []) {
  const encrypter = ENCRYPTERS[encryption]
  if (encrypter == null) throw new Error(`unknown encryption ${encryption}; expected ${Object.keys(ENCRYPTERS).join(' or ')}`)
  return await createLibp2p({
    addresses: { listen },
    transports: [tcp()],
    connectionEncrypters: [encrypter()],
    streamMuxers: [yamux()]
  })
}
