/**
 * Shard addresses as they arrive from peers: untrusted strings. Only the one
 * shape WGT produces (CIDv1, raw, sha2-256, base32) is accepted, so a peer
 * cannot make us announce or look up arbitrary DHT keys.
 */
import { CID } from 'multiformats/cid'
import { WgtError } from '../../../shared/errors.js'

const RAW = 0x55
const SHA2_256 = 0x12
/** base32 CIDv1 raw sha2-256 is exactly 59 characters ("bafkrei" + 52) */
export const CID_STRING_LENGTH = 59

export function parseShardCid (value: string): CID {
  if (typeof value !== 'string' || value.length !== CID_STRING_LENGTH || !value.startsWith('b')) {
    throw new WgtError('INVALID_INPUT', `not a shard address: ${String(value).slice(0, 80)}`)
  }
  let cid: CID
  try {
    cid = CID.parse(value)
  } catch (err) {
    throw new WgtError('INVALID_INPUT', `not a shard address: ${value}`, { cause: err })
  }
  if (cid.version !== 1 || cid.code !== RAW || cid.multihash.code !== SHA2_256 || cid.multihash.size !== 32) {
    throw new WgtError('INVALID_INPUT', `not a WGT shard address (CIDv1 raw sha2-256): ${value}`)
  }
  return cid
}

export function isShardCid (value: string): boolean {
  try {
    parseShardCid(value)
    return true
  } catch {
    return false
  }
}
