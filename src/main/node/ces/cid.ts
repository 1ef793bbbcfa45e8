/**
 * Shard addresses, the one module for them: CIDv1, codec raw, multihash
 * sha2-256, base32 — the form libp2p content routing (DHT provide and
 * findProviders) understands, and the name a shard has on disk. Addresses
 * arrive from the network and become file names and DHT keys, so only the one
 * canonical form WGT produces is accepted; anything else, other valid CIDs
 * included, is INVALID_INPUT. SHA-256 runs in node:crypto (SHA-NI, ~1.6 GB/s here).
 */
import { hash } from 'node:crypto'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { create as createDigest, equals as digestEquals } from 'multiformats/hashes/digest'
import { WgtError } from '../../../shared/errors.js'

const SHA2_256 = 0x12
const DIGEST_BYTES = 32
// "b" multibase prefix + base32 of (version, codec, hash code, length, 32-byte digest) = 36 bytes = 58 chars.
const SHAPE = /^b[a-z2-7]{58}$/
/** base32 CIDv1 raw sha2-256 is exactly 59 characters ("bafkrei" + 52) */
export const CID_STRING_LENGTH = 59

export interface ShardAddress {
  /** the canonical string form, safe as a file name */
  text: string
  /** the sha2-256 digest the shard's bytes must hash to */
  digest: Uint8Array
  /** for content routing */
  cid: CID
}

export function cidOf (bytes: Uint8Array): string {
  return cidFromDigest(hash('sha256', bytes, 'buffer'))
}

/** The address of a shard whose SHA-256 is `digest` (hashed elsewhere, e.g. on the encoder's hash worker). */
export function cidFromDigest (digest: Uint8Array): string {
  return CID.createV1(raw.code, createDigest(SHA2_256, digest)).toString()
}

/** Throws INVALID_INPUT unless `value` is a shard address in canonical form. */
export function parseShardCid (value: unknown): ShardAddress {
  // The regex runs first so a huge or hostile string is rejected before any decoding work.
  if (typeof value !== 'string' || !SHAPE.test(value)) {
    throw new WgtError('INVALID_INPUT', `not a shard address (expected CIDv1 raw sha2-256 in base32): ${describe(value)}`)
  }
  let cid: CID
  try {
    cid = CID.parse(value)
  } catch (err) {
    throw new WgtError('INVALID_INPUT', `malformed shard address ${value}: ${(err as Error).message}`)
  }
  if (cid.version !== 1 || cid.code !== raw.code || cid.multihash.code !== SHA2_256 || cid.multihash.digest.length !== DIGEST_BYTES) {
    throw new WgtError('INVALID_INPUT', `shard address ${value} must be CIDv1, codec raw, sha2-256`)
  }
  // Base32 has spare bits in its last character; requiring the round trip rules out
  // two strings naming the same shard (and so two files for one shard).
  if (cid.toString() !== value) throw new WgtError('INVALID_INPUT', `shard address ${value} is not in canonical form`)
  return { text: value, digest: cid.multihash.digest, cid: cid as CID }
}

export function isShardCid (value: unknown): value is string {
  try {
    parseShardCid(value)
    return true
  } catch {
    return false
  }
}

export function verifyShard (cid: string, bytes: Uint8Array): boolean {
  let address: ShardAddress
  try {
    address = parseShardCid(cid)
  } catch {
    return false
  }
  return digestEquals(address.cid.multihash, createDigest(SHA2_256, hash('sha256', bytes, 'buffer')))
}

/** Shows a rejected value in an error without echoing megabytes of it back. */
function describe (value: unknown): string {
  if (typeof value !== 'string') return typeof value
  const shown = value.length > 80 ? `${value.slice(0, 80)}… (${value.length} chars)` : value
  return JSON.stringify(shown)
}
