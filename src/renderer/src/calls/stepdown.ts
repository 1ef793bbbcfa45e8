/**
 * Sending resolution under loss: when the peer reports losing more than
 * LOSS_HIGH_PCT of our video for HIGH_SECONDS samples in a row, the sender
 * halves the resolution (scaleResolutionDownBy 1 → 2 → 4); after
 * LOW_SECONDS samples in a row under LOSS_LOW_PCT it doubles it again. The
 * asymmetry (3 s down, 10 s up) keeps it from flapping: stepping down is
 * the cure for congestion, stepping up probes it again. Pure, so it is
 * unit-tested; the session applies it with RTCRtpSender.setParameters.
 */
export const LOSS_HIGH_PCT = 5
export const LOSS_LOW_PCT = 1
export const HIGH_SECONDS = 3
export const LOW_SECONDS = 10
export const MAX_SCALE = 4

export interface StepState {
  /** scaleResolutionDownBy: 1, 2 or 4 */
  scale: number
  /** consecutive samples above LOSS_HIGH_PCT */
  high: number
  /** consecutive samples below LOSS_LOW_PCT */
  low: number
}

export const INITIAL_STEP: StepState = { scale: 1, high: 0, low: 0 }

/** The state after one sample of the loss the peer reports (null: no report this interval, counts for neither). */
export function stepResolution (s: StepState, lossPct: number | null): StepState {
  if (lossPct == null) return s
  if (lossPct > LOSS_HIGH_PCT) {
    const high = s.high + 1
    if (high >= HIGH_SECONDS && s.scale < MAX_SCALE) return { scale: s.scale * 2, high: 0, low: 0 }
    return { scale: s.scale, high, low: 0 }
  }
  if (lossPct < LOSS_LOW_PCT) {
    const low = s.low + 1
    if (low >= LOW_SECONDS && s.scale > 1) return { scale: s.scale / 2, high: 0, low: 0 }
    return { scale: s.scale, high: 0, low }
  }
  // between the two: neither sustained high nor sustained low
  return { scale: s.scale, high: 0, low: 0 }
}
