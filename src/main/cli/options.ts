/**
 * Checks for command-line values, each failing with one line that names the
 * flag and the value (INVALID_INPUT, exit 2). Shared by the command
 * descriptors; nothing here loads more than it needs.
 */
import { isAbsolute, resolve } from 'node:path'
import { FILE_ID_PATTERN, LINK_PATTERN } from '../../shared/api/schemas.js'
import { WgtError } from '../../shared/errors.js'

export function usage (message: string, command?: string): WgtError {
  const hint = command == null ? 'wgt --help' : `wgt ${command} --help`
  return new WgtError('INVALID_INPUT', `${message} (see ${hint})`)
}

export function absolute (path: string, cwd: string): string {
  return isAbsolute(path) ? path : resolve(cwd, path)
}

export function stringValue (value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined
}

/** A repeatable option: absent, given once (a string) or more often (an array). */
export function stringList (value: unknown): string[] | undefined {
  if (typeof value === 'string') return [value]
  return Array.isArray(value) ? value.map(String) : undefined
}

export function integer (raw: string | undefined, flag: string, min: number, max: number): number | undefined {
  if (raw == null) return undefined
  const n = /^\d{1,10}$/.test(raw) ? Number(raw) : NaN
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new WgtError('INVALID_INPUT', `${flag} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`)
  }
  return n
}

const BYTE_SUFFIXES: Record<string, number> = {
  '': 1,
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  k: 2 ** 10,
  kib: 2 ** 10,
  m: 2 ** 20,
  mib: 2 ** 20,
  g: 2 ** 30,
  gib: 2 ** 30,
  t: 2 ** 40,
  tib: 2 ** 40
}

/**
 * A byte count with an optional unit: 500000000, 500MB, 10GiB, 1.5T. kB/MB/GB/TB are
 * powers of 1000, KiB/MiB/GiB/TiB and the bare letters K/M/G/T powers of 1024 (as dd and ls -h).
 */
export function byteSize (raw: string | undefined, flag: string): number | undefined {
  if (raw == null) return undefined
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(raw)
  const unit = match?.[2].toLowerCase()
  const multiplier = unit != null && Object.hasOwn(BYTE_SUFFIXES, unit) ? BYTE_SUFFIXES[unit] : undefined
  const n = match != null && multiplier != null ? Math.floor(Number(match[1]) * multiplier) : NaN
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new WgtError('INVALID_INPUT', `${flag} must be a byte count like 500000000, 500MB or 10GiB, got ${JSON.stringify(raw)}`)
  }
  return n
}

/** Same rules as the API's own validation, checked here so a typo fails before a daemon is contacted. */
export function checkLink (link: string): void {
  if (link.length > 256 || !LINK_PATTERN.test(link)) {
    throw new WgtError('INVALID_INPUT', `bad link ${JSON.stringify(link)}: expected wgt://<file id>#<key> as printed by 'wgt share'`)
  }
}

export function checkFileRef (ref: string): void {
  if (!(ref.length <= 256 && LINK_PATTERN.test(ref)) && !FILE_ID_PATTERN.test(ref)) {
    throw new WgtError('INVALID_INPUT', `bad file reference ${JSON.stringify(ref)}: expected a file id (b…) or a wgt:// link`)
  }
}

/** Throws INVALID_INPUT unless `addr` parses as a multiaddr (and, when asked, names a valid peer). */
export async function checkMultiaddr (addr: string, what: string, needPeer = false): Promise<void> {
  const { multiaddr } = await import('@multiformats/multiaddr')
  let components: Array<{ name: string, value?: string }>
  try {
    components = multiaddr(addr).getComponents()
  } catch (err) {
    throw new WgtError('INVALID_INPUT', `bad multiaddr ${JSON.stringify(addr)} for ${what}: ${(err as Error).message}`)
  }
  if (!needPeer) return
  const p2p = components.findLast(c => c.name === 'p2p')
  if (p2p?.value == null) throw new WgtError('INVALID_INPUT', `bad multiaddr ${JSON.stringify(addr)} for ${what}: it must end in /p2p/<peer id>`)
}

export async function checkPeerId (peerId: string): Promise<void> {
  const { peerIdFromString } = await import('@libp2p/peer-id')
  try {
    peerIdFromString(peerId)
  } catch {
    throw new WgtError('INVALID_INPUT', `bad peer id ${JSON.stringify(peerId)}: not a libp2p PeerId`)
  }
}
