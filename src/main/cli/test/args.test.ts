import { describe, expect, it } from 'vitest'
import { DEFAULT_PING_COUNT, byteSize, parseCommand } from '../args.js'
import { defaultDataDir } from '../data-dir.js'
import { EXIT_CODES } from '../exit-codes.js'
import { ERROR_CODES } from '../../../shared/errors.js'

const PEER = '12D3KooWRBy97UB99e3J6hiPesre1MZeuNQvfan4gBziswrRJsNK'
const env = { HOME: '/home/u', XDG_DATA_HOME: '/xdg' }

function usageError (argv: string[]): string {
  try {
    parseCommand(argv, env)
  } catch (err) {
    expect(err).toMatchObject({ code: 'INVALID_INPUT' })
    const message = (err as Error).message
    expect(message).not.toContain('\n')
    return message
  }
  throw new Error(`parsed without error: ${argv.join(' ')}`)
}

describe('parseCommand', () => {
  it('parses a full daemon command', () => {
    expect(parseCommand([
      'daemon', '--data-dir', '/d', '--listen', '/ip4/127.0.0.1/tcp/0', '--listen', '/ip4/127.0.0.1/tcp/0/ws',
      '--bootstrap', `/ip4/127.0.0.1/tcp/4101/p2p/${PEER}`, '--api-port', '0', '--no-mdns', '--relay-server'
    ], env)).toEqual({
      kind: 'daemon',
      dataDir: '/d',
      listen: ['/ip4/127.0.0.1/tcp/0', '/ip4/127.0.0.1/tcp/0/ws'],
      bootstrap: [`/ip4/127.0.0.1/tcp/4101/p2p/${PEER}`],
      apiPort: 0,
      apiHost: '127.0.0.1',
      mdns: false,
      relayServer: true,
      quotaBytes: undefined
    })
  })

  it('gives the daemon defaults: per-user data dir, node default listen, api port 4100, mDNS on', () => {
    expect(parseCommand(['daemon'], env)).toEqual({
      kind: 'daemon', dataDir: '/xdg/wgt', listen: undefined, bootstrap: [], apiPort: 4100, apiHost: '127.0.0.1', mdns: true, relayServer: false, quotaBytes: undefined
    })
  })

  it('parses client commands with options before or after the command', () => {
    expect(parseCommand(['--data-dir', '/d', 'peers', '--json'], env)).toEqual({ kind: 'peers', dataDir: '/d', json: true })
    expect(parseCommand(['ping', PEER, '-c', '20'], env)).toEqual({ kind: 'ping', peerId: PEER, count: 20, dataDir: '/xdg/wgt', json: false })
    expect(parseCommand(['ping', PEER], env)).toMatchObject({ count: DEFAULT_PING_COUNT })
    expect(parseCommand(['connect', `/ip4/10.0.0.1/tcp/1/p2p/${PEER}`, '--data-dir=/d'], env)).toMatchObject({ kind: 'connect', dataDir: '/d' })
  })

  it('reports unknown options, commands and misplaced flags in one line', () => {
    expect(usageError(['peers', '--verbose'])).toContain('unknown option --verbose')
    expect(usageError(['frobnicate'])).toContain('unknown command "frobnicate"')
    expect(usageError(['id', '--count', '3'])).toContain("'wgt id' has no option --count")
    expect(usageError(['id', '-x'])).toContain('unknown option -x')
    expect(usageError([])).toContain('missing command')
    expect(usageError(['id', '--json=yes'])).toContain('takes no value')
    expect(usageError(['id', '--data-dir'])).toContain('--data-dir needs a value')
    expect(usageError(['id', 'extra'])).toContain('unexpected argument "extra"')
    expect(usageError(['ping'])).toContain('needs PEER')
  })

  it('validates multiaddrs, peer ids, ports and counts', () => {
    expect(usageError(['connect', 'not-a-multiaddr'])).toContain('bad multiaddr "not-a-multiaddr"')
    expect(usageError(['connect', '/ip4/127.0.0.1/tcp/4101'])).toContain('/p2p/')
    expect(usageError(['daemon', '--listen', '/ip4/999.1.1.1/tcp/1'])).toContain('--listen')
    expect(usageError(['daemon', '--bootstrap', '/ip4/127.0.0.1/tcp/1'])).toContain('--bootstrap')
    expect(usageError(['daemon', '--api-port', '65536'])).toContain('--api-port must be an integer from 0 to 65535')
    expect(usageError(['daemon', '--api-port', '-1'])).toContain('--api-port')
    expect(usageError(['daemon', '--api-port', '12ab'])).toContain('--api-port')
    expect(usageError(['ping', 'QmNotAPeer'])).toContain('bad peer id')
    expect(usageError(['ping', PEER, '--count', '0'])).toContain('--count must be an integer from 1 to 1000')
    expect(usageError(['ping', PEER, '--count', '1001'])).toContain('--count')
  })

  it('answers --help for the tool and for each command', () => {
    const main = parseCommand(['--help'], env)
    expect(main).toMatchObject({ kind: 'help' })
    expect(main.kind === 'help' && main.text).toContain('Exit codes')
    const ping = parseCommand(['ping', '--help'], env)
    expect(ping.kind === 'help' && ping.text).toContain('Usage: wgt ping PEER')
    expect(parseCommand(['help', 'daemon'], env)).toMatchObject({ kind: 'help', text: expect.stringContaining('--no-mdns') })
  })
})

const ID = 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku'
const LINK = `wgt://${ID}#${'A'.repeat(42)}g`

describe('files commands', () => {
  it('resolves share FILE against the client\'s cwd and passes only the k and m given', () => {
    expect(parseCommand(['share', 'notes.txt'], env, '/home/u/work')).toEqual({
      kind: 'share', file: '/home/u/work/notes.txt', k: undefined, m: undefined, dataDir: '/xdg/wgt', json: false
    })
    expect(parseCommand(['share', '../a b.bin', '--k', '10', '--m', '4', '--json'], env, '/home/u/work')).toMatchObject({
      file: '/home/u/a b.bin', k: 10, m: 4, json: true
    })
    expect(parseCommand(['share', '/abs/f', '--m', '0'], env, '/elsewhere')).toMatchObject({ file: '/abs/f', k: undefined, m: 0 })
    expect(parseCommand(['share', '--', '-odd-name'], env, '/w')).toMatchObject({ file: '/w/-odd-name' })
  })

  it('checks k and m bounds, with the node\'s defaults for the one not given', () => {
    expect(usageError(['share', 'f', '--k', '0'])).toContain('--k must be an integer from 1 to 254')
    expect(usageError(['share', 'f', '--m', '255'])).toContain('--m must be an integer from 0 to 254')
    expect(usageError(['share', 'f', '--k', '200', '--m', '100'])).toContain('k + m must be at most 255')
    expect(usageError(['share', 'f', '--k', '254'])).toContain('254 + 2')
    expect(usageError(['share', 'f', '--k', 'x'])).toContain('--k')
    expect(usageError(['share'])).toContain('needs FILE')
    expect(usageError(['share', 'f', '-o', 'x'])).toContain("'wgt share' has no option -o")
  })

  it('parses fetch with and without -o, resolving PATH on the client side', () => {
    expect(parseCommand(['fetch', LINK], env, '/w')).toEqual({ kind: 'fetch', link: LINK, out: undefined, dataDir: '/xdg/wgt', json: false })
    expect(parseCommand(['fetch', LINK, '-o', 'out/f.bin'], env, '/w')).toMatchObject({ out: '/w/out/f.bin' })
    expect(parseCommand(['fetch', LINK, '--output=/tmp/x', '--json'], env, '/w')).toMatchObject({ out: '/tmp/x', json: true })
    expect(usageError(['fetch', `https://${ID}`])).toContain('bad link')
    expect(usageError(['fetch', ID])).toContain('bad link')
    expect(usageError(['fetch', `wgt://${ID}#short`])).toContain('bad link')
    expect(usageError(['fetch', LINK, '-o'])).toContain('needs a value')
  })

  it('takes an id or a link for health and repair, and no argument for files', () => {
    expect(parseCommand(['health', ID, '--json'], env)).toEqual({ kind: 'health', ref: ID, dataDir: '/xdg/wgt', json: true })
    expect(parseCommand(['health', LINK], env)).toMatchObject({ ref: LINK })
    expect(parseCommand(['repair', ID], env)).toEqual({ kind: 'repair', ref: ID, dataDir: '/xdg/wgt', json: false })
    expect(parseCommand(['files', '--json'], env)).toEqual({ kind: 'files', dataDir: '/xdg/wgt', json: true })
    expect(usageError(['health', 'QmNotAFileId'])).toContain('bad file reference')
    expect(usageError(['repair'])).toContain('needs ID|LINK')
    expect(usageError(['files', ID])).toContain('unexpected argument')
  })

  it('documents every files command in --help', () => {
    const main = parseCommand(['--help'], env)
    for (const name of ['share', 'fetch', 'files', 'health', 'repair']) {
      expect(main.kind === 'help' && main.text).toMatch(new RegExp(`^  ${name} `, 'm'))
      const help = parseCommand([name, '--help'], env)
      expect(help.kind === 'help' && help.text).toContain(`Usage: wgt ${name}`)
    }
    const daemon = parseCommand(['daemon', '--help'], env)
    expect(daemon.kind === 'help' && daemon.text).toContain('--quota BYTES')
  })
})

describe('daemon --quota', () => {
  it('accepts plain bytes and SI or IEC suffixes', () => {
    expect(parseCommand(['daemon', '--quota', '10GiB'], env)).toMatchObject({ quotaBytes: 10 * 2 ** 30 })
    expect(byteSize('500000000', '--quota')).toBe(500_000_000)
    expect(byteSize('500MB', '--quota')).toBe(500_000_000)
    expect(byteSize('1.5 g', '--quota')).toBe(1.5 * 2 ** 30)
    expect(byteSize('2T', '--quota')).toBe(2 * 2 ** 40)
    expect(byteSize('0', '--quota')).toBe(0)
    expect(byteSize(undefined, '--quota')).toBeUndefined()
  })
  it('rejects anything else in one line', () => {
    expect(usageError(['daemon', '--quota', '10 parsecs'])).toContain('--quota must be a byte count')
    expect(usageError(['daemon', '--quota', '-5'])).toContain('needs a value')
    expect(usageError(['daemon', '--quota=-5'])).toContain('--quota must be a byte count')
    expect(usageError(['daemon', '--quota', 'constructor'])).toContain('--quota must be a byte count')
    expect(usageError(['daemon', '--quota', '99999999PB'])).toContain('--quota')
    expect(usageError(['daemon', '--quota', '1e30'])).toContain('--quota')
  })
})

describe('exit codes', () => {
  it('gives every error code its own non-zero exit code', () => {
    const codes = ERROR_CODES.map(c => EXIT_CODES[c])
    expect(codes.every(n => Number.isInteger(n) && n > 0 && n < 126)).toBe(true)
    expect(new Set(codes).size).toBe(codes.length)
    expect(EXIT_CODES.INVALID_INPUT).toBe(2)
  })
})

describe('defaultDataDir', () => {
  it('follows each platform\'s convention', () => {
    expect(defaultDataDir({ XDG_DATA_HOME: '/x' }, 'linux', '/home/u')).toBe('/x/wgt')
    expect(defaultDataDir({}, 'linux', '/home/u')).toBe('/home/u/.local/share/wgt')
    expect(defaultDataDir({ XDG_DATA_HOME: 'relative' }, 'linux', '/home/u')).toBe('/home/u/.local/share/wgt')
    expect(defaultDataDir({}, 'darwin', '/Users/u')).toBe('/Users/u/Library/Application Support/wgt')
    expect(defaultDataDir({ APPDATA: '/appdata' }, 'win32', '/home/u')).toBe('/appdata/wgt')
  })
})
