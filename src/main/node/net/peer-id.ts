/** PeerId strings from the API, the wire and the CLI become PeerIds here, or an INVALID_INPUT naming the bad value. */
import type { PeerId } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { WgtError } from '../../../shared/errors.js'

export function parsePeerId (peerId: string): PeerId {
  try {
    return peerIdFromString(peerId)
  } catch (err) {
    throw new WgtError('INVALID_INPUT', `not a valid PeerId: ${String(peerId).slice(0, 80)}`, { cause: err })
  }
}
