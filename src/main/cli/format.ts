/** Figures as text for the client commands; each command formats its own results with these. */
import type { RttStats } from '../../shared/api/index.js'
import { BIDI_CONTROLS, CONTROL_CHARS } from '../node/files/names.js'

export function bytes (n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let value = n
  let unit = 0
  while (Math.abs(value) >= 1024 && unit < units.length - 1) { value /= 1024; unit++ }
  return unit === 0 ? `${Math.round(value)} B` : `${value.toFixed(1)} ${units[unit]}`
}

export function rate (bps: number): string {
  return `${bytes(bps)}/s`
}

/** 0:07, 3:05, 1:02:03 */
export function duration (ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000))
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  const sec = String(s % 60).padStart(2, '0')
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`
}

export function ms (value: number): string {
  return `${value.toFixed(3)} ms`
}

export function percent (fraction: number): string {
  return `${(fraction * 100).toFixed(fraction === 0 || fraction === 1 ? 0 : 1)}%`
}

export function rttSummary (rtt: RttStats | null): string {
  if (rtt == null || rtt.samples === 0) return 'rtt -'
  return `rtt p50 ${ms(rtt.p50)} p95 ${ms(rtt.p95)} jitter ${ms(rtt.jitter)} loss ${percent(rtt.loss)}`
}

/**
 * Terminal escape sequences, each whole, so none of its bytes reach the
 * terminal or remain as debris: CSI (ESC [ or U+009B, parameters,
 * intermediates, a final byte: colours, cursor moves, clearing the screen),
 * the string kinds OSC, DCS, SOS, PM and APC (ESC ] P X ^ _ or their C1 forms,
 * up to BEL or ST, or to the end when never closed: a title or a hyperlink),
 * and the two-byte escapes (ESC and one byte).
 */
// eslint-disable-next-line no-control-regex
const ESCAPE_SEQUENCES = /(?:\u001b\[|\u009b)[\u0030-\u003f]*[\u0020-\u002f]*[\u0040-\u007e]|(?:\u001b[\]PX^_]|[\u0090\u0098\u009d\u009e\u009f])[^\u0007\u001b\u009c]*(?:\u0007|\u001b\\|\u009c)?|\u001b[\u0020-\u002f]*[\u0030-\u007e]/g

/**
 * Text that came from a peer (a file name, an offer, an agent string, an
 * address, an error that quotes one) made safe to print: escape sequences are
 * removed, so they cannot recolour, retitle, clear or rewrite the terminal;
 * any other control, line-breaking or reordering character is shown as
 * \uXXXX, so it can neither run nor forge a line. The one helper for every
 * peer-supplied string the CLI prints.
 */
export function printable (text: string): string {
  return text
    .replace(ESCAPE_SEQUENCES, '')
    .replace(CONTROL_CHARS, visible)
    .replace(BIDI_CONTROLS, visible)
}

function visible (c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`
}
