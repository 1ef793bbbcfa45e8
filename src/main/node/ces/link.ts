/**
 * Share links: wgt://<manifest-id>#<key>. The key sits in the fragment, so
 * a link pasted into anything URL-aware does not send it to a server.
 */
import { WgtError } from '../../../shared/errors.js'
import { isShardCid } from './cid.js'
import { KEY_BYTES } from './crypto.js'

const SCHEME = 'wgt://'
const KEY_CHARS = /^[A-Za-z0-9_-]{43}$/

export function encodeLink (manifestId: string, key: Uint8Array): string {
  if (!isShardCid(manifestId)) throw new WgtError('INVALID_INPUT', 'manifest id is not a base32 CIDv1 (raw, sha2-256)')
  if (!(key instanceof Uint8Array) || key.length !== KEY_BYTES) throw new WgtError('INVALID_INPUT', `file key must be ${KEY_BYTES} bytes`)
  return `${SCHEME}${manifestId}#${Buffer.from(key.buffer, key.byteOffset, key.length).toString('base64url')}`
}

export function decodeLink (link: string): { manifestId: string, key: Uint8Array } {
  const bad = (why: string): never => { throw new WgtError('INVALID_INPUT', `not a WGT link: ${why}`) }
  if (typeof link !== 'string') bad('expected a string')
  const text = link.trim()
  if (!text.startsWith(SCHEME)) bad(`expected ${SCHEME}…`)
  const hashAt = text.indexOf('#')
  if (hashAt < 0) bad('the key (#…) is missing')
  const manifestId = text.slice(SCHEME.length, hashAt)
  const keyText = text.slice(hashAt + 1)
  if (!isShardCid(manifestId)) bad('bad manifest id')
  if (!KEY_CHARS.test(keyText)) bad('the key must be 43 base64url characters')
  const key = new Uint8Array(Buffer.from(keyText, 'base64url'))
  // 43 chars carry 258 bits; only the canonical spelling of the 256-bit key is accepted
  if (key.length !== KEY_BYTES || Buffer.from(key).toString('base64url') !== keyText) bad('bad key')
  return { manifestId, key }
}
