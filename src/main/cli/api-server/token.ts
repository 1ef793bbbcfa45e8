/**
 * The API token: 32 random bytes, base64url. The server keeps only its SHA-256
 * and compares digests with timingSafeEqual, so neither a memory dump of the
 * hash nor response timing gives the token away. Hashing first also makes both
 * sides of the comparison the same length whatever the client sends.
 */
import { createHash, timingSafeEqual } from 'node:crypto'

export class TokenCheck {
  private digest: Buffer

  constructor (token: string) {
    this.digest = sha256(token)
  }

  /** From now on only `token` matches (wgt token rotate). */
  replace (token: string): void {
    this.digest = sha256(token)
  }

  matches (presented: unknown): boolean {
    if (typeof presented !== 'string') return false
    return timingSafeEqual(this.digest, sha256(presented))
  }

  /** Check an HTTP `Authorization: Bearer <token>` header. */
  matchesBearer (header: string | undefined): boolean {
    const match = /^Bearer ([^\s]+)$/i.exec(header ?? '')
    return match != null && this.matches(match[1])
  }
}

function sha256 (text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest()
}
