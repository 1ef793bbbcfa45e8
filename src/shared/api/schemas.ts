/**
 * Argument schemas more than one slice uses, as functions of the zod namespace
 * (see define.ts for why). The renderer and the network are both untrusted:
 * every string is bounded and shaped before the node sees it.
 */
import type { Z } from './define.js'

/** PeerId strings are base58btc (Qm…, 12D3Koo…) or CIDv1 base32 (b…): bounded, no spaces. */
export const peerIdSchema = (z: Z) => z.string().min(8).max(128).regex(/^[1-9A-HJ-NP-Za-km-z]+$|^b[a-z2-7]+$/, 'not a PeerId')
export const multiaddrSchema = (z: Z) => z.string().min(2).max(1024).startsWith('/')
/** wgt://<CIDv1 base32>#<43 base64url chars = 32 bytes> */
export const LINK_PATTERN = /^wgt:\/\/b[a-z2-7]{20,120}#[A-Za-z0-9_-]{43}$/
export const FILE_ID_PATTERN = /^b[a-z2-7]{20,120}$/
export const linkSchema = (z: Z) => z.string().max(256).regex(LINK_PATTERN, 'not a wgt:// link')
export const fileIdSchema = (z: Z) => z.string().regex(FILE_ID_PATTERN, 'not a file id')
export const fileRefSchema = (z: Z) => z.union([linkSchema(z), z.string().regex(FILE_ID_PATTERN, 'not a file id or link')])
export const localPathSchema = (z: Z) => z.string().min(1).max(4096).refine(p => !p.includes('\0'), 'path contains a NUL byte')
/** operation and offer ids: random, printable, bounded */
export const opaqueIdSchema = (z: Z) => z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/, 'not an id')
export const byteCountSchema = (z: Z) => z.number().int().min(0).max(2 ** 53 - 1)
