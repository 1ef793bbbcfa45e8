/** wgt://<manifest-id>#<key>: parsing on top of ces' codec, plus the shard-address check on the id. */
import { WgtError } from '../../../shared/errors.js'
import { decodeLink } from '../ces/index.js'
import { isShardCid } from './cid.js'

export interface ParsedLink { manifestId: string, key: Uint8Array }

export function parseLink (link: string): ParsedLink {
  const parsed = decodeLink(link)
  if (!isShardCid(parsed.manifestId)) throw new WgtError('INVALID_INPUT', `not a wgt:// link: bad manifest id ${parsed.manifestId.slice(0, 80)}`)
  return parsed
}

export function isLink (link: string): boolean {
  try {
    parseLink(link)
    return true
  } catch {
    return false
  }
}
