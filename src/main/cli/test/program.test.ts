import { describe, expect, it } from 'vitest'
import { DEFAULT_PING_COUNT } from '../commands/net.js'
import { defaultDataDir } from '../data-dir.js'
import { EXIT_CODES } from '../exit-codes.js'
import { byteSize } from '../options.js'
import { parseArgv, type Parsed } from '../program.js'
import { ERROR_CODES } from '../../../shared/errors.js'

const PEER = '12D3KooWRBy97UB99e3J6hiPesre1MZeuNQvfan4gBziswrRJsNK'
const env = { HOME: '/home/u', XDG_DATA_HOME: '/xdg' }

/** The parsed command, or the help text, as the old parseCommand gave them. */
async function parseCommand (argv: string[], e: NodeJS.ProcessEnv = env, cwd = '/'): Promise<any> {
  const parsed: Parsed = await parseArgv(argv, e, cwd)
  return parsed.kind === 'run' ? parsed.command : parsed
}

async function usageError (argv: string[]): Promise<string> {
  try {
    await parseArgv(argv, env)
  } catch (err) {
    expect(err).toMatchObject({ code: 'INVALID_INPUT' })
    const message = (err as Error).message
    expect(message).not.toContain('\n')
    return message
  }
  throw new Error(`parsed without error: ${argv.join(' ')}`)
}

describe('parseCommand', () => {
  it('parses a full daemon command', async () => {
    expect(await parseCommand([
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

  it('parses the relay\'s cap on call media, only beside --relay-server', async () => {
    expect(await parseCommand(['daemon', '--relay-server', '--relay-call-kbps', '2500'], env)).toMatchObject({ relayServer: true, relayCallKbps: 2500 })
    expect(await parseCommand(['daemon', '--relay-server'], env)).toMatchObject({ relayCallKbps: undefined })
    expect(await usageError(['daemon', '--relay-call-kbps', '2500'])).toContain('--relay-call-kbps needs --relay-server')
    expect(await usageError(['daemon', '--relay-server', '--relay-call-kbps', '10'])).toContain('--relay-call-kbps must be an integer from 64')
  })

  it('gives the daemon defaults: per-user data dir, node default listen, api port 4100, mDNS on', async () => {
    expect(await parseCommand(['daemon'], env)).toEqual({
      kind: 'daemon', dataDir: '/xdg/wgt', listen: undefined, bootstrap: [], apiPort: 4100, apiHost: '127.0.0.1', mdns: true, relayServer: false, quotaBytes: undefined
    })
  })

  it('parses client commands with options before or after the command', async () => {
    expect(await parseCommand(['--data-dir', '/d', 'peers', '--json'], env)).toEqual({ kind: 'peers', dataDir: '/d', json: true })
    expect(await parseCommand(['ping', PEER, '-c', '20'], env)).toEqual({ kind: 'ping', peerId: PEER, count: 20, dataDir: '/xdg/wgt', json: false })
    expect(await parseCommand(['ping', PEER], env)).toMatchObject({ count: DEFAULT_PING_COUNT })
    expect(await parseCommand(['connect', `/ip4/10.0.0.1/tcp/1/p2p/${PEER}`, '--data-dir=/d'], env)).toMatchObject({ kind: 'connect', dataDir: '/d' })
  })

  it('reports unknown options, commands and misplaced flags in one line', async () => {
    expect(await usageError(['peers', '--verbose'])).toContain('unknown option --verbose')
    expect(await usageError(['frobnicate'])).toContain('unknown command "frobnicate"')
    expect(await usageError(['token'])).toContain('unknown command "token"')
    expect(await usageError(['id', '--count', '3'])).toContain("'wgt id' has no option --count")
    expect(await usageError(['id', '-x'])).toContain('unknown option -x')
    expect(await usageError([])).toContain('missing command')
    expect(await usageError(['id', '--json=yes'])).toContain('takes no value')
    expect(await usageError(['id', '--data-dir'])).toContain('--data-dir needs a value')
    expect(await usageError(['id', 'extra'])).toContain('unexpected argument "extra"')
    expect(await usageError(['ping'])).toContain('needs PEER')
  })

  it('validates multiaddrs, peer ids, ports and counts', async () => {
    expect(await usageError(['connect', 'not-a-multiaddr'])).toContain('bad multiaddr "not-a-multiaddr"')
    expect(await usageError(['connect', '/ip4/127.0.0.1/tcp/4101'])).toContain('/p2p/')
    expect(await usageError(['daemon', '--listen', '/ip4/999.1.1.1/tcp/1'])).toContain('--listen')
    expect(await usageError(['daemon', '--bootstrap', '/ip4/127.0.0.1/tcp/1'])).toContain('--bootstrap')
    expect(await usageError(['daemon', '--api-port', '65536'])).toContain('--api-port must be an integer from 0 to 65535')
    expect(await usageError(['daemon', '--api-port', '-1'])).toContain('--api-port')
    expect(await usageError(['daemon', '--api-port', '12ab'])).toContain('--api-port')
    expect(await usageError(['ping', 'QmNotAPeer'])).toContain('bad peer id')
    expect(await usageError(['ping', PEER, '--count', '0'])).toContain('--count must be an integer from 1 to 1000')
    expect(await usageError(['ping', PEER, '--count', '1001'])).toContain('--count')
  })

  it('answers --help for the tool and for each command', async () => {
    const main = await parseCommand(['--help'], env)
    expect(main).toMatchObject({ kind: 'help' })
    expect(main.kind === 'help' && main.text).toContain('Exit codes')
    const ping = await parseCommand(['ping', '--help'], env)
    expect(ping.kind === 'help' && ping.text).toContain('Usage: wgt ping PEER')
    expect(await parseCommand(['help', 'daemon'], env)).toMatchObject({ kind: 'help', text: expect.stringContaining('--no-mdns') })
  })
})

const ID = 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku'
const LINK = `wgt://${ID}#${'A'.repeat(42)}g`

describe('files commands', () => {
  it('resolves share FILE against the client\'s cwd and passes only the k and m given', async () => {
    expect(await parseCommand(['share', 'notes.txt'], env, '/home/u/work')).toEqual({
      kind: 'share', file: '/home/u/work/notes.txt', k: undefined, m: undefined, dataDir: '/xdg/wgt', json: false
    })
    expect(await parseCommand(['share', '../a b.bin', '--k', '10', '--m', '4', '--json'], env, '/home/u/work')).toMatchObject({
      file: '/home/u/a b.bin', k: 10, m: 4, json: true
    })
    expect(await parseCommand(['share', '/abs/f', '--m', '0'], env, '/elsewhere')).toMatchObject({ file: '/abs/f', k: undefined, m: 0 })
    expect(await parseCommand(['share', '--', '-odd-name'], env, '/w')).toMatchObject({ file: '/w/-odd-name' })
    // words that look like numbers are names as typed
    expect(await parseCommand(['share', '0010', '--k', '03'], env, '/w')).toMatchObject({ file: '/w/0010', k: 3 })
    expect(await parseCommand(['--data-dir', '007', 'share', '1e3'], env, '/w')).toMatchObject({ file: '/w/1e3', dataDir: '007' })
  })

  it('checks k and m bounds, with the node\'s defaults for the one not given', async () => {
    expect(await usageError(['share', 'f', '--k', '0'])).toContain('--k must be an integer from 1 to 254')
    expect(await usageError(['share', 'f', '--m', '255'])).toContain('--m must be an integer from 0 to 254')
    expect(await usageError(['share', 'f', '--k', '200', '--m', '100'])).toContain('k + m must be at most 255')
    expect(await usageError(['share', 'f', '--k', '254'])).toContain('254 + 2')
    expect(await usageError(['share', 'f', '--k', 'x'])).toContain('--k')
    expect(await usageError(['share'])).toContain('needs FILE')
    expect(await usageError(['share', 'f', '-o', 'x'])).toContain("'wgt share' has no option -o")
  })

  it('parses fetch with and without -o, resolving PATH on the client side', async () => {
    expect(await parseCommand(['fetch', LINK], env, '/w')).toEqual({ kind: 'fetch', link: LINK, out: undefined, dataDir: '/xdg/wgt', json: false })
    expect(await parseCommand(['fetch', LINK, '-o', 'out/f.bin'], env, '/w')).toMatchObject({ out: '/w/out/f.bin' })
    expect(await parseCommand(['fetch', LINK, '--output=/tmp/x', '--json'], env, '/w')).toMatchObject({ out: '/tmp/x', json: true })
    expect(await parseCommand(['fetch', LINK, '-o', '1e3'], env, '/w')).toMatchObject({ out: '/w/1e3' })
    expect(await parseCommand(['fetch', LINK, '--output=0x10'], env, '/w')).toMatchObject({ out: '/w/0x10' })
    expect(await usageError(['fetch', `https://${ID}`])).toContain('bad link')
    expect(await usageError(['fetch', ID])).toContain('bad link')
    expect(await usageError(['fetch', `wgt://${ID}#short`])).toContain('bad link')
    expect(await usageError(['fetch', LINK, '-o'])).toContain('needs a value')
  })

  it('takes an id or a link for health and repair, and no argument for files', async () => {
    expect(await parseCommand(['health', ID, '--json'], env)).toEqual({ kind: 'health', ref: ID, dataDir: '/xdg/wgt', json: true })
    expect(await parseCommand(['health', LINK], env)).toMatchObject({ ref: LINK })
    expect(await parseCommand(['repair', ID], env)).toEqual({ kind: 'repair', ref: ID, dataDir: '/xdg/wgt', json: false })
    expect(await parseCommand(['files', '--json'], env)).toEqual({ kind: 'files', dataDir: '/xdg/wgt', json: true })
    expect(await usageError(['health', 'QmNotAFileId'])).toContain('bad file reference')
    expect(await usageError(['repair'])).toContain('needs ID|LINK')
    expect(await usageError(['files', ID])).toContain('unexpected argument')
    expect(await parseCommand(['files', 'inspect', LINK, '--json'], env)).toEqual({ kind: 'files inspect', link: LINK, network: false, dataDir: '/xdg/wgt', json: true })
    expect(await parseCommand(['files', 'inspect', LINK, '--network'], env)).toMatchObject({ kind: 'files inspect', link: LINK, network: true })
    expect(await usageError(['files', 'inspect', `wgt://${ID}#short`])).toContain('bad link')
  })

  it('documents every files command in --help', async () => {
    const main = await parseCommand(['--help'], env)
    for (const name of ['share', 'fetch', 'files', 'health', 'repair']) {
      expect(main.kind === 'help' && main.text).toMatch(new RegExp(`^  ${name} `, 'm'))
      const help = await parseCommand([name, '--help'], env)
      expect(help.kind === 'help' && help.text).toContain(`Usage: wgt ${name}`)
    }
    const daemon = await parseCommand(['daemon', '--help'], env)
    expect(daemon.kind === 'help' && daemon.text).toContain('--quota BYTES')
    // a flag longer than its column stands on its own line, its help below it
    expect(daemon.kind === 'help' && daemon.text).toMatch(/^ {2}--mailbox-after SECONDS\n {24}a chat message/m)
  })
})

describe('daemon --quota', () => {
  it('accepts plain bytes and SI or IEC suffixes', async () => {
    expect(await parseCommand(['daemon', '--quota', '10GiB'], env)).toMatchObject({ quotaBytes: 10 * 2 ** 30 })
    expect(byteSize('500000000', '--quota')).toBe(500_000_000)
    expect(byteSize('500MB', '--quota')).toBe(500_000_000)
    expect(byteSize('1.5 g', '--quota')).toBe(1.5 * 2 ** 30)
    expect(byteSize('2T', '--quota')).toBe(2 * 2 ** 40)
    expect(byteSize('0', '--quota')).toBe(0)
    expect(byteSize(undefined, '--quota')).toBeUndefined()
  })
  it('rejects anything else in one line', async () => {
    expect(await usageError(['daemon', '--quota', '10 parsecs'])).toContain('--quota must be a byte count')
    expect(await usageError(['daemon', '--quota', '-5'])).toContain('needs a value')
    expect(await usageError(['daemon', '--data-dir', '/a', '--data-dir', '/b'])).toContain('more than once')
    expect(await usageError(['daemon', '--quota=-5'])).toContain('--quota must be a byte count')
    expect(await usageError(['daemon', '--quota', 'constructor'])).toContain('--quota must be a byte count')
    expect(await usageError(['daemon', '--quota', '99999999PB'])).toContain('--quota')
    expect(await usageError(['daemon', '--quota', '1e30'])).toContain('--quota')
  })
})

describe('exit codes', () => {
  it('gives every error code its own non-zero exit code', async () => {
    const codes = ERROR_CODES.map(c => EXIT_CODES[c])
    // 130 is CANCELLED, as a shell reports Ctrl-C; every other code stays below 126
    expect(codes.every(n => Number.isInteger(n) && n > 0 && (n < 126 || n === 130))).toBe(true)
    expect(EXIT_CODES.CANCELLED).toBe(130)
    expect(new Set(codes).size).toBe(codes.length)
    expect(EXIT_CODES.INVALID_INPUT).toBe(2)
  })
})

describe('defaultDataDir', () => {
  it('follows each platform\'s convention', async () => {
    expect(defaultDataDir({ XDG_DATA_HOME: '/x' }, 'linux', '/home/u')).toBe('/x/wgt')
    expect(defaultDataDir({}, 'linux', '/home/u')).toBe('/home/u/.local/share/wgt')
    expect(defaultDataDir({ XDG_DATA_HOME: 'relative' }, 'linux', '/home/u')).toBe('/home/u/.local/share/wgt')
    expect(defaultDataDir({}, 'darwin', '/Users/u')).toBe('/Users/u/Library/Application Support/wgt')
    expect(defaultDataDir({ APPDATA: '/appdata' }, 'win32', '/home/u')).toBe('/appdata/wgt')
  })
})

describe('subcommands', () => {
  it('parses a command of a group, and documents it in --help', async () => {
    expect(await parseCommand(['token', 'rotate', '--json'])).toEqual({ kind: 'token rotate', dataDir: '/xdg/wgt', json: true })
    expect(await parseCommand(['--data-dir', '/d', 'token', 'rotate'])).toMatchObject({ kind: 'token rotate', dataDir: '/d' })
    expect(await usageError(['token', 'rotate', 'now'])).toContain('unexpected argument "now"')
    const main = await parseCommand(['--help'])
    expect(main.text).toMatch(/^ {2}token rotate /m)
    expect((await parseCommand(['token', 'rotate', '--help'])).text).toContain('Usage: wgt token rotate')
    expect((await parseCommand(['help', 'token', 'rotate'])).text).toContain('Usage: wgt token rotate')
  })
})
