/**
 * Shard CIDs arrive from the network and become file names, so they are
 * checked strictly before they get near a path: only the one canonical form we
 * produce (CIDv1, raw codec, sha2-256, base32 lower case) is accepted. Anything
 * else, including other valid CIDs, is INVALID_INPUT.
 */
import { join } from 'node:path'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { WgtError } from '../../../shared/errors.js'

const SHA2_256 = 0x12
const DIGEST_BYTES = 32
// "b" multibase prefix + base32 of (version, codec, hash code, length, 32-byte digest) = 36 bytes = 58 chars.
const SHAPE = /^b[a-z2-7]{58}$/

export interface ShardCid {
  /** the canonical string form, safe to use as a file name */
  text: string
  /** the sha2-256 digest the shard's bytes must hash to */
  digest: Uint8Array
}

export function parseShardCid (value: unknown): ShardCid {
  // The regex runs first so a huge or hostile string is rejected before any decoding work.
  if (typeof value !== 'string' || !SHAPE.test(value)) {
    throw new WgtError('INVALID_INPUT', `not a shard CID (expected CIDv1 raw sha2-256 in base32): ${describe(value)}`)
  }
  let cid: CID
  try {
    cid = CID.parse(value)
  } catch (err) {
    throw new WgtError('INVALID_INPUT', `malformed shard CID ${value}: ${(err as Error).message}`)
  }
  if (cid.version !== 1 || cid.code !== raw.code || cid.multihash.code !== SHA2_256 || cid.multihash.digest.length !== DIGEST_BYTES) {
    throw new WgtError('INVALID_INPUT', `shard CID ${value} must be CIDv1, codec raw, sha2-256`)
  }
  // Base32 has spare bits in its last character; requiring the round trip rules out
  // two strings naming the same shard (and so two files for one shard).
  if (cid.toString() !== value) throw new WgtError('INVALID_INPUT', `shard CID ${value} is not in canonical form`)
  return { text: value, digest: cid.multihash.digest }
}

/**
 * Shards fan out into up to 1024 subdirectories named by two characters near
 * the end of the CID. The leading characters are the same for every raw
 * sha2-256 CID ("bafkrei…"), and the very last one carries padding bits, so the
 * next-to-last pair (as IPFS flatfs does) is what spreads evenly.
 */
export function fanoutDir (cid: string): string {
  return cid.slice(-3, -1)
}

export function shardPath (root: string, cid: string): string {
  return join(root, fanoutDir(cid), cid)
}

/** Shows a rejected value in an error without echoing megabytes of it back. */
function describe (value: unknown): string {
  if (typeof value !== 'string') return typeof value
  const shown = value.length > 80 ? `${value.slice(0, 80)}… (${value.length} chars)` : value
  return JSON.stringify(shown)
}
