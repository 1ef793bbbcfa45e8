/** Calls as a conversation's history lists them: "Video call · 3:12", "Missed call". Pure, so it is unit-tested. */
import type { Call, ChatMessage } from '../../../shared/api/index.js'

/** 3:12, or 1:02:03 past an hour. */
export function callDuration (ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000))
  const h = Math.floor(total / 3600)
  const m = Math.floor((total % 3600) / 60)
  const s = String(total % 60).padStart(2, '0')
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`
}

export interface CallSummary {
  text: string
  /** a call the person missed or that did not go through: shown in the warning colour */
  missed: boolean
}

export function callSummary (c: Call): CallSummary {
  const kind = c.video ? 'Video call' : 'Audio call'
  if (c.state !== 'ended') return { text: c.state === 'ringing' ? `${kind} · ringing` : `${kind} · in progress`, missed: false }
  if (c.answeredAt != null && c.endedAt != null) return { text: `${kind} · ${callDuration(c.endedAt - c.answeredAt)}`, missed: false }
  if (!c.outgoing) {
    if (c.endReason === 'declined' || (c.endedBy === 'local' && c.endReason !== 'failed')) return { text: `${kind} · declined`, missed: false }
    if (c.endReason === 'failed' || c.endReason === 'refused') return { text: `${kind} · failed${c.error != null ? `: ${c.error}` : ''}`, missed: true }
    return { text: c.video ? 'Missed video call' : 'Missed call', missed: true }
  }
  const why: Record<NonNullable<Call['endReason']>, string> = {
    hangup: 'ended',
    declined: 'declined',
    busy: 'busy',
    cancelled: 'cancelled',
    unanswered: 'no answer',
    refused: 'refused',
    unreachable: 'peer unreachable',
    failed: 'failed'
  }
  const reason = c.endReason == null ? 'ended' : why[c.endReason]
  return { text: `${kind} · ${reason}`, missed: c.endReason !== 'cancelled' }
}

/**
 * The calls to show among the loaded messages: while older messages are not
 * loaded yet, calls older than the oldest loaded one wait for them.
 */
export function callsInView (calls: readonly Call[], messages: readonly ChatMessage[], more: boolean): Call[] {
  if (!more || messages.length === 0) return [...calls]
  const oldest = messages[0].sentAt
  return calls.filter(c => c.startedAt >= oldest)
}
