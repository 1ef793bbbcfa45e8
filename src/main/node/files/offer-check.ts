/**
 * What an offer from a peer must be before it reaches the inbox, a
 * notification or a terminal: a WGT link, a name that reads as it is (no
 * control, line-breaking or reordering characters; at most 255 UTF-8 bytes,
 * as a file name) and a size the format can describe. The name and size are
 * only the sender's description (the fetch goes by the manifest), but they are
 * shown before the user decides, so they must not mislead.
 */
import { isLink } from './link.js'
import { BIDI_CONTROLS, CONTROL_CHARS, MAX_NAME_BYTES, utf8Bytes } from './names.js'
import { MAX_FILE_SIZE } from './tables.js'

export interface OfferFields { link: string, name: string, size: number }

/** Why an offer is refused, in words for the sender's ack; null when it is fine. */
export function offerProblem (o: OfferFields): string | null {
  if (typeof o.link !== 'string' || !isLink(o.link)) return 'not a wgt:// link'
  if (typeof o.name !== 'string' || o.name.trim() === '') return 'the name is empty'
  if (utf8Bytes(o.name) > MAX_NAME_BYTES) return `the name is over ${MAX_NAME_BYTES} bytes of UTF-8`
  if (!o.name.isWellFormed()) return 'the name is not valid Unicode'
  if (new RegExp(CONTROL_CHARS.source).test(o.name)) return 'the name contains control characters'
  if (new RegExp(BIDI_CONTROLS.source).test(o.name)) return 'the name contains characters that reorder how it reads'
  if (!Number.isSafeInteger(o.size) || o.size < 0 || o.size > MAX_FILE_SIZE) return `the size must be a whole number of bytes from 0 to ${MAX_FILE_SIZE}`
  return null
}
