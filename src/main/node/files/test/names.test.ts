/** Names are a peer's word: what we save and show must not mislead or escape. */
import { describe, expect, it } from 'vitest'
import { cidOf } from '../../ces/cid.js'
import { KEY_BYTES } from '../../ces/crypto.js'
import { encodeLink } from '../../ces/link.js'
import { offerProblem } from '../offer-service.js'
import { sanitizeName } from '../output.js'

const LINK = encodeLink(cidOf(new TextEncoder().encode('manifest')), new Uint8Array(KEY_BYTES))

describe('file names from peers', () => {
  it('saves a name as one harmless file name', () => {
    expect(sanitizeName('../../etc/passwd')).toBe('_._etc_passwd')
    expect(sanitizeName('a\\b/c')).toBe('a_b_c')
    expect(sanitizeName('...')).toBe('file')
    expect(sanitizeName('line\nbreak\u0085')).toBe('line_break_')
    // shown as "invoiceexe.pdf" if kept
    expect(sanitizeName('invoice\u202Efdp.exe')).toBe('invoice_fdp.exe')
    // emoji sequences keep their joiners
    expect(sanitizeName('👩\u200D💻.png')).toBe('👩\u200D💻.png')
  })

  it('refuses offers whose names reorder or break lines', () => {
    const offer = (name: string) => ({ link: LINK, name, size: 1, note: '' })
    expect(offerProblem(offer('report.pdf') as never)).toBeNull()
    expect(offerProblem(offer('invoice\u202Efdp.exe') as never)).toMatch(/reorder/)
    expect(offerProblem(offer('a\u2066b') as never)).toMatch(/reorder/)
    expect(offerProblem(offer('two\nlines') as never)).toMatch(/control/)
  })
})
