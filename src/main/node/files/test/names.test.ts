/** Names are a peer's word: what we save and show must not mislead or escape, on any system. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { MAX_NAME_BYTES, sanitizeName, utf8Bytes } from '../names.js'
import { PARTIAL_SUFFIX, SIDECAR_SUFFIX, chooseOutput, writeSidecar } from '../output.js'

/** true when `s` survives a UTF-8 round trip: no lone surrogate, no half code point */
function validUtf8 (s: string): boolean {
  return new TextDecoder('utf-8', { fatal: true }).decode(new TextEncoder().encode(s)) === s && s.isWellFormed()
}

describe('file names from peers', () => {
  it('saves a name as one harmless file name', () => {
    expect(sanitizeName('../../etc/passwd')).toBe('_._etc_passwd')
    expect(sanitizeName('a\\b/c')).toBe('a_b_c')
    expect(sanitizeName('...')).toBe('file')
    expect(sanitizeName('line\nbreak\u0085')).toBe('line_break_')
    // shown as "invoiceexe.pdf" if kept
    expect(sanitizeName('invoice\u202Efdp.exe')).toBe('invoice_fdp.exe')
    expect(sanitizeName('a\u2067b\u2069.txt')).toBe('a_b_.txt')
    // emoji sequences keep their joiners
    expect(sanitizeName('👩\u200D💻.png')).toBe('👩\u200D💻.png')
  })

  it('replaces control characters and terminal escapes', () => {
    expect(sanitizeName('\u001b[31mred\u001b[0m.txt')).toBe('_[31mred_[0m.txt')
    expect(sanitizeName('tab\there\u0000nul\u007fdel\u009bcsi')).toBe('tab_here_nul_del_csi')
    expect(sanitizeName('para\u2028graph\u2029.md')).toBe('para_graph_.md')
  })

  it('replaces what Windows reserves in a name', () => {
    expect(sanitizeName('a:b')).toBe('a_b')
    expect(sanitizeName('a<b>c:d"e|f?g*h.txt')).toBe('a_b_c_d_e_f_g_h.txt')
    // "report.txt:hidden" would write an NTFS alternate data stream
    expect(sanitizeName('report.txt:hidden')).toBe('report.txt_hidden')
  })

  it('makes Windows device names safe, with or without an extension, in any case', () => {
    for (const device of ['CON', 'PRN', 'AUX', 'NUL', 'COM1', 'COM9', 'LPT1', 'LPT9', 'COM0', 'LPT\u00b9', 'CONIN$', 'CONOUT$']) {
      expect(sanitizeName(device)).toBe(`_${device}`)
      expect(sanitizeName(`${device}.txt`)).toBe(`_${device}.txt`)
    }
    expect(sanitizeName('CON')).toBe('_CON')
    expect(sanitizeName('con.txt')).toBe('_con.txt')
    expect(sanitizeName('nul.tar.gz')).toBe('_nul.tar.gz')
    expect(sanitizeName('Aux .txt')).toBe('_Aux .txt')
    // trailing dots and spaces go first, so they cannot hide a device name
    expect(sanitizeName('con. . ')).toBe('_con')
    // only the whole stem is a device
    expect(sanitizeName('console.txt')).toBe('console.txt')
    expect(sanitizeName('com10')).toBe('com10')
    expect(sanitizeName('mycon.txt')).toBe('mycon.txt')
  })

  it('drops trailing dots and spaces (Windows would, and two names would meet)', () => {
    expect(sanitizeName('report.')).toBe('report')
    expect(sanitizeName('report. . .')).toBe('report')
    expect(sanitizeName('report.txt  ')).toBe('report.txt')
    expect(sanitizeName(' . ')).toBe('file')
  })

  it('shortens a long multibyte name to 255 UTF-8 bytes on a code point, keeping its extension', () => {
    // 100 × 3 bytes: 300 bytes, plus the extension
    const long = '語'.repeat(100) + '.pdf'
    const safe = sanitizeName(long)
    expect(utf8Bytes(safe)).toBeLessThanOrEqual(MAX_NAME_BYTES)
    expect(validUtf8(safe)).toBe(true)
    expect(safe.endsWith('.pdf')).toBe(true)
    expect(safe).toBe('語'.repeat(83) + '.pdf')
    // 4-byte code points (surrogate pairs in JS) are never split
    const emoji = sanitizeName('😀'.repeat(80) + '.txt')
    expect(utf8Bytes(emoji)).toBeLessThanOrEqual(MAX_NAME_BYTES)
    expect(validUtf8(emoji)).toBe(true)
    expect(emoji).toBe('😀'.repeat(62) + '.txt')
    // an "extension" that is most of the name is cut like the rest
    const odd = sanitizeName('a.' + 'é'.repeat(200))
    expect(utf8Bytes(odd)).toBeLessThanOrEqual(MAX_NAME_BYTES)
    expect(validUtf8(odd)).toBe(true)
    // a lone surrogate cannot be written as UTF-8: it becomes U+FFFD
    expect(validUtf8(sanitizeName('a\ud800b.txt'))).toBe(true)
  })

  it('chooses an output name that leaves room for the partial and sidecar suffixes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wgt-names-'))
    try {
      const name = '語'.repeat(100) + '.pdf'
      const first = await chooseOutput(dir, name, 'bmanifest')
      expect(first.endsWith('.pdf')).toBe(true)
      expect(utf8Bytes(basename(first) + SIDECAR_SUFFIX + '.tmp')).toBeLessThanOrEqual(MAX_NAME_BYTES)
      // the name is taken by another fetch's partial: "name (1).pdf", still within the limit
      await writeFile(first + PARTIAL_SUFFIX, '')
      await writeSidecar(first, { manifestId: 'bother', size: 0, done: [] })
      const second = await chooseOutput(dir, name, 'bmanifest')
      expect(second.endsWith(' (1).pdf')).toBe(true)
      expect(utf8Bytes(basename(second) + SIDECAR_SUFFIX + '.tmp')).toBeLessThanOrEqual(MAX_NAME_BYTES)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
