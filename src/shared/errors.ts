/**
 * The one error model. Every layer throws WgtError; transports carry
 * { code, message } and rebuild a WgtError on the other side.
 */
export const ERROR_CODES = [
  'INVALID_INPUT',
  'NOT_FOUND',
  'PEER_UNREACHABLE',
  'POLICY_DENIED',
  'INTEGRITY',
  'QUOTA_EXCEEDED',
  'TIMEOUT',
  'UNAUTHORIZED',
  'NOT_RUNNING',
  'PROTOCOL',
  'UNAVAILABLE',
  'CANCELLED',
  'INTERNAL'
] as const

export type ErrorCode = (typeof ERROR_CODES)[number]

export interface WireError {
  code: ErrorCode
  message: string
}

export class WgtError extends Error {
  readonly code: ErrorCode

  constructor (code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'WgtError'
    this.code = code
  }

  toWire (): WireError {
    return { code: this.code, message: this.message }
  }

  static fromWire (wire: unknown): WgtError {
    if (typeof wire === 'object' && wire !== null) {
      const { code, message } = wire as Record<string, unknown>
      if (isErrorCode(code) && typeof message === 'string') return new WgtError(code, message)
    }
    return new WgtError('PROTOCOL', 'malformed error from the other side')
  }

  /** Wrap anything thrown into a WgtError; unknown errors become INTERNAL with their message kept. */
  static from (err: unknown, fallback: ErrorCode = 'INTERNAL'): WgtError {
    if (err instanceof WgtError) return err
    if (err instanceof Error) {
      if (err.name === 'AbortError' || err.name === 'TimeoutError') return new WgtError('TIMEOUT', err.message, { cause: err })
      return new WgtError(fallback, err.message, { cause: err })
    }
    return new WgtError(fallback, String(err))
  }
}

export function isErrorCode (value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value)
}
