/**
 * The libp2p throughput figure's far end, in its own process: drains each
 * stream on SINK_PROTOCOL and, when the sender closes its write side, answers
 * with the byte count (8 bytes, big-endian). Argument: noise | tls.
 */
import { createBenchHost, SINK_PROTOCOL } from './lib/libp2p.js'
import { announce, failAndExit, serveUntilParentGone } from './lib/serve.js'

const encryption = process.argv[2]

async function drain (stream) {
  let bytes = 0
  for await (const chunk of stream) bytes += chunk.byteLength
  const ack = new Uint8Array(8)
  new DataView(ack.buffer).setBigUint64(0, BigInt(bytes))
  stream.send(ack)
  await stream.close()
}

try {
  const host = await createBenchHost(encryption, ['/ip4/127.0.0.1/tcp/0'])
  serveUntilParentGone(async () => { await host.stop() })
  await host.handle(SINK_PROTOCOL, stream => {
    drain(stream).catch(err => {
      process.stderr.write(`libp2p-sink: stream failed: ${err.message}\n`)
      stream.abort(err)
    })
  })
  const multiaddr = host.getMultiaddrs().map(String).find(a => a.startsWith('/ip4/127.0.0.1/tcp/'))
  if (multiaddr == null) throw new Error('libp2p sink has no loopback tcp address')
  announce({ multiaddr, encryption })
} catch (err) {
  failAndExit(err)
}
