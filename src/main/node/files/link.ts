/** wgt://<manifest-id>#<key>, parsed by ces' codec (which checks the manifest id is a shard address). */
import { decodeLink } from '../ces/index.js'

export interface ParsedLink { manifestId: string, key: Uint8Array }

export function parseLink (link: string): ParsedLink {
  return decodeLink(link)
}

export function isLink (link: string): boolean {
  try {
    parseLink(link)
    return true
  } catch {
    return false
  }
}
