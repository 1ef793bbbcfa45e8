/** An offer is shown before the user decides: its name and size must not mislead, break lines or overflow. */
import { describe, expect, it } from 'vitest'
import { cidOf } from '../../ces/cid.js'
import { KEY_BYTES } from '../../ces/crypto.js'
import { encodeLink } from '../../ces/link.js'
import { offerProblem } from '../offer-check.js'
import { MAX_FILE_SIZE } from '../tables.js'

const LINK = encodeLink(cidOf(new TextEncoder().encode('manifest')), new Uint8Array(KEY_BYTES))
const offer = (fields: Partial<{ link: string, name: string, size: number }>) => ({ link: LINK, name: 'report.pdf', size: 1, ...fields })

describe('offer validation', () => {
  it('takes a plain offer, multibyte names and emoji sequences included', () => {
    expect(offerProblem(offer({}))).toBeNull()
    expect(offerProblem(offer({ name: 'Übersicht 語.pdf', size: 0 }))).toBeNull()
    expect(offerProblem(offer({ name: '👩\u200D💻.png', size: MAX_FILE_SIZE }))).toBeNull()
    expect(offerProblem(offer({ name: '語'.repeat(85) }))).toBeNull()
  })

  it('refuses names that reorder, break lines or carry terminal escapes', () => {
    expect(offerProblem(offer({ name: 'invoice\u202Efdp.exe' }))).toMatch(/reorder/)
    expect(offerProblem(offer({ name: 'a\u2066b' }))).toMatch(/reorder/)
    expect(offerProblem(offer({ name: 'two\nlines' }))).toMatch(/control/)
    expect(offerProblem(offer({ name: 'fake\r\nreceived  other.txt' }))).toMatch(/control/)
    expect(offerProblem(offer({ name: '\u001b[2J\u001b]0;title\u0007x' }))).toMatch(/control/)
    expect(offerProblem(offer({ name: 'next\u0085line' }))).toMatch(/control/)
    expect(offerProblem(offer({ name: 'para\u2029graph' }))).toMatch(/control/)
  })

  it('refuses empty, blank, malformed and over-long names', () => {
    expect(offerProblem(offer({ name: '' }))).toMatch(/empty/)
    expect(offerProblem(offer({ name: '   ' }))).toMatch(/empty/)
    expect(offerProblem(offer({ name: 'a\ud800b' }))).toMatch(/Unicode/)
    // 86 characters, 258 bytes: measured in bytes, as a file name is
    expect(offerProblem(offer({ name: '語'.repeat(86) }))).toMatch(/over 255 bytes/)
    expect(offerProblem(offer({ name: 'a'.repeat(256) }))).toMatch(/over 255 bytes/)
  })

  it('refuses sizes that are not a whole number of bytes the format can describe', () => {
    for (const size of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.MAX_SAFE_INTEGER + 2, MAX_FILE_SIZE + 1]) {
      expect(offerProblem(offer({ size }))).toMatch(/size/)
    }
  })

  it('refuses what is not a link', () => {
    expect(offerProblem(offer({ link: 'https://example.com/x' }))).toMatch(/link/)
    expect(offerProblem(offer({ link: LINK.slice(0, -1) }))).toMatch(/link/)
  })
})
