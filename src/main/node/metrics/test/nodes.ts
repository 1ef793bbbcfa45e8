/** Small real libp2p nodes on 127.0.0.1 for the metrics tests: tcp + noise + yamux + identify. */
import { identify } from '@libp2p/identify'
import { noise } from '@libp2p/noise'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { createLibp2p, type Libp2p, type Libp2pOptions } from 'libp2p'
import type { ServiceMap } from '@libp2p/interface'
import type { ViolationReporter } from '../../guard/reputation.js'

export async function makeNode<S extends ServiceMap> (services: Libp2pOptions<S>['services'], extra: Partial<Libp2pOptions<S>> = {}): Promise<Libp2p<S & { identify: unknown }>> {
  return await createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    ...extra,
    services: { identify: identify(), ...services }
  } as Libp2pOptions<any>) as Libp2p<S & { identify: unknown }>
}

export class ViolationLog implements ViolationReporter {
  readonly entries: Array<{ peerId: string, reason: string }> = []
  recordViolation (peerId: string, reason: string): void { this.entries.push({ peerId, reason }) }
}

export async function waitFor (cond: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const until = Date.now() + timeoutMs
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 20))
  }
}
