import { describe, expect, it } from 'vitest'
import { ERROR_CODES, WgtError } from '../../shared/errors.js'
import { describeError, describeWire, type ErrorContext } from '../src/ui/errors.js'

describe('errors as a person would put them', () => {
  it('says what failed and what to do, and keeps the node\'s message only as the detail', () => {
    const raw = 'segment 6: only 3 of the 4 needed shards could be fetched (12D3KooWabc: cannot open /wgt/shard/1.0.0 to 12D3KooWabc: The stream has been reset)'
    const e = describeError('fetch', new WgtError('UNAVAILABLE', raw))
    expect(e.title).toBe('Could not fetch the file')
    expect(e.advice).not.toContain('/wgt/')
    expect(e.advice).toMatch(/reachable right now/)
    expect(e.detail).toBe(`UNAVAILABLE: ${raw}`)
  })

  it('has advice for every code in every context, and turns unknown errors into INTERNAL', () => {
    const contexts: ErrorContext[] = [
      'connect', 'fetch', 'share', 'send', 'repair', 'check', 'remove', 'save', 'load', 'accept', 'decline-offer', 'download', 'open',
      'add-contact', 'accept-contact', 'decline-contact', 'remove-contact', 'withdraw', 'rename', 'block', 'unblock', 'unban', 'policy',
      'compute', 'compute-submit', 'compute-result', 'compute-cancel'
    ]
    for (const c of contexts) {
      for (const code of ERROR_CODES) {
        const e = describeError(c, new WgtError(code, 'x'))
        expect(e.title.length).toBeGreaterThan(5)
        expect(e.advice.length).toBeGreaterThan(10)
      }
    }
    expect(describeError('share', new Error('boom')).code).toBe('INTERNAL')
    expect(describeWire('fetch', { code: 'NOPE', message: 'm' }).code).toBe('PROTOCOL')
  })
})
