/**
 * The calls' media path (DESIGN.md §8): per-call UDP tunnels whose datagrams
 * ride libp2p (callMedia, every node) and the call relay (callRelay, on
 * `--relay-server` nodes).
 */
import type { NodeConfig } from '../../config.js'
import type { ViolationReporter } from '../../guard/reputation.js'
import type { ServiceFactory } from '../../module.js'
import { callMedia } from './media-service.js'
import { callRelay } from './relay-service.js'

export { callMedia, CallMediaService, type CallMediaInit } from './media-service.js'
export { callRelay, CallRelayService, type CallRelayInit, type CallRelayStats } from './relay-service.js'
export { MAX_DATAGRAM, MEDIA_PROTOCOL, RELAY_PROTOCOL } from './wire.js'
export type { CallMedia, MediaTunnel, TunnelOptions } from '../tunnel-types.js'

/** The libp2p services the calls module contributes: 'callMedia' always, 'callRelay' on relay servers. */
export function mediaServices (config: NodeConfig, deps: { reputation: ViolationReporter }): Record<string, ServiceFactory> {
  return {
    callMedia: callMedia({ reputation: deps.reputation }),
    ...(config.relayServer ? { callRelay: callRelay({ reputation: deps.reputation, maxKbps: config.relayCallKbps }) } : {})
  }
}
