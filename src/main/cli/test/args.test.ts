import { describe, expect, it } from 'vitest'
import { DEFAULT_PING_COUNT, parseCommand } from '../args.js'
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
      relayServer: true
    })
  })

  it('gives the daemon defaults: per-user data dir, node default listen, api port 4100, mDNS on', () => {
    expect(parseCommand(['daemon'], env)).toEqual({
      kind: 'daemon', dataDir: '/xdg/wgt', listen: undefined, bootstrap: [], apiPort: 4100, apiHost: '127.0.0.1', mdns: true, relayServer: false
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
