/** Every peer-supplied string the CLI prints goes through printable: nothing in it may run, or forge a line. */
import { describe, expect, it } from 'vitest'
import type { FetchResult, LinkPreview, OperationInfo } from '../../../shared/api/index.js'
import { formatFetched, formatPreview } from '../commands/files.js'
import { formatIdentity } from '../commands/net.js'
import { printable } from '../format.js'
import { progressLine } from '../progress.js'

/** no ESC, no CSI, no control or line-breaking character left */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/

describe('printable', () => {
  it('strips escape sequences whole', () => {
    expect(printable('\u001b[31mred\u001b[0m.txt')).toBe('red.txt')
    expect(printable('\u001b[2J\u001b[1;1Hclear')).toBe('clear')
    expect(printable('\u001b[?1049hscreen')).toBe('screen')
    // a window title, ended by BEL or by ST, and a hyperlink
    expect(printable('\u001b]0;pwned\u0007name')).toBe('name')
    expect(printable('\u001b]2;pwned\u001b\\name')).toBe('name')
    expect(printable('\u001b]8;;https://evil.example\u001b\\click\u001b]8;;\u001b\\')).toBe('click')
    // DCS, and an OSC never closed (a terminal would swallow what follows)
    expect(printable('a\u001bPq#0;2;0;0;0\u001b\\b')).toBe('ab')
    expect(printable('ok\u001b]0;open title')).toBe('ok')
    // 8-bit CSI, two-byte escapes (save cursor, charset switch)
    expect(printable('\u009b31mred')).toBe('red')
    expect(printable('a\u001b7b\u001b(0c')).toBe('abc')
  })

  it('shows line breaks and other controls instead of running them', () => {
    expect(printable('one\nreceived  forged.txt')).toBe('one\\u000areceived  forged.txt')
    expect(printable('a\r\nb')).toBe('a\\u000d\\u000ab')
    expect(printable('bell\u0007 back\b del\u007f nel\u0085 ls\u2028')).toBe('bell\\u0007 back\\u0008 del\\u007f nel\\u0085 ls\\u2028')
    // a lone ESC that starts no sequence
    expect(printable('esc\u001b')).toBe('esc\\u001b')
  })

  it('shows characters that reorder text', () => {
    expect(printable('invoice\u202Efdp.exe')).toBe('invoice\\u202efdp.exe')
    expect(printable('a\u2066b\u2069')).toBe('a\\u2066b\\u2069')
  })

  it('leaves ordinary text alone', () => {
    for (const s of ['report.pdf', 'Übersicht 語 😀.txt', '👩\u200D💻.png', '/ip4/127.0.0.1/tcp/4101', 'wgt/0.1.0 (linux)']) expect(printable(s)).toBe(s)
  })

  it('is used where the CLI prints what a peer chose', () => {
    /** each printed line is safe, and there are exactly as many as the formatter writes */
    const safeLines = (text: string, count: number): void => {
      const lines = text.split('\n')
      for (const line of lines) expect(line).not.toMatch(UNSAFE)
      expect(lines).toHaveLength(count)
    }
    const name = 'x\u001b[31m.bin\nsaved   /etc/passwd'
    const fetched: FetchResult = { id: 'b', name, size: 1, path: `/d/${name}`, sha256: 'a'.repeat(64), badHolders: ['peer\u001b]0;t\u0007'], resumedSegments: 0, existing: false }
    // saved, size, sha256, rejected
    safeLines(formatFetched(fetched), 4)

    const op = { id: 'o', kind: 'fetch', state: 'running', phase: 'receiving', label: name, fileId: null, from: null, startedAt: 0, endedAt: null, error: null, result: null, progress: { fraction: 0.5, bytesDone: 1, bytesTotal: 2, rateBps: null, etaMs: null } } as unknown as OperationInfo
    safeLines(progressLine(op), 1)

    const identity = { peerId: 'p', agent: 'evil\u001b[2J', startedAt: 0, multiaddrs: ['/dns4/a\u001b[31m.example/tcp/1'], protocols: ['/x\n/y'] }
    // peer id, agent, started, 'addresses', one address, 'protocols', one protocol
    safeLines(formatIdentity(identity as never), 7)
  })
})

describe('wgt files inspect', () => {
  it('prints the preview, the sharer\'s name made printable', () => {
    const p: LinkPreview = { id: 'bafkrei', name: 'evil\u001b[2J\nname.bin', size: 300_000, segments: 2, k: 4, m: 2, servedBy: ['12D3KooWA', '12D3KooWB'], offeredBy: [], existing: null }
    const out = formatPreview(p)
    expect(out.split('\n')).toEqual([
      'name       evil\\u000aname.bin',
      'size       293.0 KiB (300000 bytes)',
      'segments   2 (k=4, m=2)',
      'served by  12D3KooWA, 12D3KooWB',
      'offered by nobody'
    ])
    expect(formatPreview({ ...p, existing: { id: 'bafkrei', link: 'wgt://x', name: 'n', size: 1, k: 4, m: 2, segments: 1, direction: 'shared', path: '/src/n', from: null, createdAt: 1 } })).toContain('here       shared from this node')
  })
})
