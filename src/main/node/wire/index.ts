/** Plumbing every protocol service shares: stream helpers, limits, and the service base. */
export { abortStream, anySignal, closeStream, deadline, isAbort, isWireViolation } from './stream.js'
export { FairSemaphore, RateLimiter, Semaphore } from './limits.js'
export { EXPIRY_MARGIN_MS, pickConnection, ProtocolService, Violation, type ExchangeOptions, type HandlerLimits, type ProtocolComponents, type ProtocolServiceInit } from './service.js'
export { cleanReason, MAX_REASON_CHARS } from './reason.js'
export { noteBulkBytes, releaseBuffer } from './bulk-garbage.js'
