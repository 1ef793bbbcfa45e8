/**
 * File names that come from elsewhere (a manifest is the sharer's word, an
 * upload the browser's) made into one safe path component on every system
 * WGT runs on. The rules are Windows' (the strictest), applied everywhere, so a
 * file fetched on Linux can be copied to a Windows disk as it is:
 * https://learn.microsoft.com/windows/win32/fileio/naming-a-file
 */

/**
 * Characters that reorder the text around them: "invoice\u202Efdp.exe" shows
 * as "invoiceexe.pdf". Zero-width joiners stay (emoji sequences need them).
 */
export const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g

/** C0 and C1 controls, DEL, and the Unicode line and paragraph separators: each breaks or rewrites a line it is shown on */
// eslint-disable-next-line no-control-regex
export const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g

/** Separators and what Windows reserves in a name (`:` would also open an NTFS alternate data stream). */
const RESERVED_CHARS = /[/\\<>:"|?*]/g

/**
 * Device names Windows opens instead of a file, with any extension ("nul.tar.gz"
 * too: the device is what precedes the first dot, trailing spaces ignored).
 * Windows 11 also reserves COM0, LPT0 and the superscript digits.
 */
const RESERVED_DEVICES = /^(con|prn|aux|nul|com[0-9\u00b9\u00b2\u00b3]|lpt[0-9\u00b9\u00b2\u00b3]|conin\$|conout\$)$/i

/** what most file systems allow in one path component (ext4, APFS, NTFS counts UTF-16 units, which UTF-8 bytes bound) */
export const MAX_NAME_BYTES = 255
/** an extension longer than this is not kept when a name is shortened: it is more likely part of the name */
const MAX_KEPT_EXTENSION_BYTES = 32

export interface SanitizeOptions {
  /** the longest result in UTF-8 bytes (default MAX_NAME_BYTES); callers adding a suffix ask for less */
  maxBytes?: number
  /** used when nothing usable is left (default 'file') */
  fallback?: string
}

/**
 * One harmless file name: no separators, no `..`, no hidden (dot) file, no
 * control, reordering or Windows-reserved characters, no Windows device name,
 * no trailing dot or space (Windows drops them, so two names would meet), and
 * at most maxBytes of UTF-8, shortened on a code point with its extension kept.
 */
export function sanitizeName (name: string, options: SanitizeOptions = {}): string {
  const maxBytes = options.maxBytes ?? MAX_NAME_BYTES
  const fallback = options.fallback ?? 'file'
  let s = name.toWellFormed()
    .replace(RESERVED_CHARS, '_')
    .replace(CONTROL_CHARS, '_')
    .replace(BIDI_CONTROLS, '_')
    .replace(/^\.+/, '')
    .replace(/\.\.+/g, '.')
    .trim()
  s = stripTrailing(s)
  if (s === '') return fallback
  if (RESERVED_DEVICES.test(s.split('.')[0].trimEnd())) s = `_${s}`
  s = stripTrailing(truncateUtf8(s, maxBytes))
  return s === '' ? fallback : s
}

/** Windows removes trailing dots and spaces from a name: "a." and "a" would be one file there. */
function stripTrailing (s: string): string {
  return s.replace(/[. ]+$/, '')
}

/** At most maxBytes of UTF-8, cut between code points; a short extension survives the cut. */
export function truncateUtf8 (s: string, maxBytes: number): string {
  if (utf8Bytes(s) <= maxBytes) return s
  const dot = s.lastIndexOf('.')
  const ext = dot > 0 ? s.slice(dot) : ''
  const extBytes = utf8Bytes(ext)
  if (ext !== '' && extBytes <= MAX_KEPT_EXTENSION_BYTES) {
    const stem = stripTrailing(prefixWithin(s.slice(0, dot), maxBytes - extBytes))
    // an empty stem would leave ".ext", a hidden file
    if (stem !== '') return stem + ext
  }
  return prefixWithin(s, maxBytes)
}

/** The longest prefix of whole code points whose UTF-8 fits in maxBytes. */
function prefixWithin (s: string, maxBytes: number): string {
  let bytes = 0
  let end = 0
  for (const cp of s) {
    const n = utf8Bytes(cp)
    if (bytes + n > maxBytes) break
    bytes += n
    end += cp.length
  }
  return s.slice(0, end)
}

export function utf8Bytes (s: string): number {
  return Buffer.byteLength(s, 'utf8')
}
