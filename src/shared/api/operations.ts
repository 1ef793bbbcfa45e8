/**
 * operations: long work (share, fetch, repair) that a client can follow and
 * cancel. The method that starts it answers `{ operation }` at once; every
 * 'operation:update' event carries that id, from the first to the last
 * (state done, failed or cancelled). Progress is one overall fraction that
 * never goes backwards, with speed and time left measured on the node, so
 * every client shows the same figures.
 */
import { carries, method, returns } from './define.js'
import type { ComputeJob } from './compute.js'
import type { FetchResult, RepairResult, ShareResult } from './files.js'
import type { PeerIdString } from './net.js'
import { opaqueIdSchema } from './schemas.js'

export type OperationKind = 'share' | 'fetch' | 'repair' | 'compute'
export type OperationState = 'running' | 'done' | 'failed' | 'cancelled'

/** The phases of each kind, in the only order they happen. */
export const OPERATION_PHASES = {
  share: ['preparing', 'sending', 'finishing'],
  fetch: ['locating', 'receiving', 'verifying'],
  repair: ['checking', 'rebuilding'],
  compute: ['preparing', 'computing', 'verifying']
} as const

export type OperationPhase = (typeof OPERATION_PHASES)[OperationKind][number]

export interface OperationRef {
  operation: string
}

export interface OperationProgress {
  /** 0..1 over the whole operation; never decreases */
  fraction: number
  /** the file's bytes handled so far (shared and placed, received, …) and its size once known */
  bytesDone: number
  bytesTotal: number | null
  /** bytes per second over the last few seconds; null until measured */
  rateBps: number | null
  /** ms left at the recent pace; null while unknown */
  etaMs: number | null
}

interface OperationBase {
  id: string
  state: OperationState
  phase: OperationPhase
  /** the file's name once known, else what the operation was started with (a link, a file id) */
  label: string
  /** the manifest id once known */
  fileId: string | null
  /** the peer whose offer started it (an accepted offer), else null */
  from: PeerIdString | null
  progress: OperationProgress
  startedAt: number
  endedAt: number | null
  /** for 'failed' and 'cancelled': what went wrong */
  error: { code: string, message: string } | null
}

export type OperationInfo =
  | (OperationBase & { kind: 'share', result: ShareResult | null })
  | (OperationBase & { kind: 'fetch', result: FetchResult | null })
  | (OperationBase & { kind: 'repair', result: RepairResult | null })
  | (OperationBase & { kind: 'compute', result: ComputeJob['result'] })

export const operations = {
  name: 'operations',
  methods: {
    /** running operations and those that ended recently (newest first) */
    listOperations: method({ args: z => z.tuple([]), result: returns<OperationInfo[]>() }),
    /** resolves once the operation has ended, in whatever state; at once for one that already has */
    waitOperation: method({ args: z => z.tuple([opaqueIdSchema(z)]), result: returns<OperationInfo>(), timeout: 'wait' }),
    /** stops the work and removes what it half-wrote; ending an operation that already ended is not an error */
    cancelOperation: method({ args: z => z.tuple([opaqueIdSchema(z)]), result: returns<void>() })
  },
  events: {
    'operation:update': carries<OperationInfo>()
  }
} as const
