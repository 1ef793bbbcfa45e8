import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { newToken, writeApiInfo } from '../api-file.js'
import { startApiServer, type ApiServer } from '../api-server/index.js'
import { localTime } from '../commands/chat.js'
import type { CliIo } from '../commands/command.js'
import { exitCodeFor } from '../exit-codes.js'
import { parseArgv } from '../program.js'
import { ALICE, BOB, conversation, fakeChatApi, message, type FakeChat } from './chat-fake.js'
import { LINK } from './files-fake.js'

const ID = 'aa'.repeat(16)

async function usageError (argv: string[]): Promise<string> {
  try {
    await parseArgv(argv, { HOME: '/home/u' }, '/w')
  } catch (err) {
    expect(err).toMatchObject({ code: 'INVALID_INPUT' })
    expect(exitCodeFor((err as { code: 'INVALID_INPUT' }).code)).toBe(2)
    const text = (err as Error).message
    expect(text).not.toContain('\n')
    return text
  }
  throw new Error(`parsed without error: ${argv.join(' ')}`)
}

describe('chat command line', () => {
  it('parses each chat command, resolving --file against the client\'s cwd', async () => {
    const parsed = async (argv: string[]): Promise<unknown> => {
      const p = await parseArgv(['--data-dir', '/d', ...argv], {}, '/w')
      return p.kind === 'run' ? p.command : p
    }
    expect(await parsed(['chat', 'list', '--json'])).toEqual({ kind: 'chat list', dataDir: '/d', json: true })
    expect(await parsed(['chat', 'send', ALICE, '0010'])).toEqual({ kind: 'chat send', peerId: ALICE, text: '0010', file: undefined, id: undefined, dataDir: '/d', json: false })
    expect(await parsed(['chat', 'send', ALICE, '--file', 'a b.pdf', '--id', ID])).toMatchObject({ text: '', file: '/w/a b.pdf', id: ID })
    expect(await parsed(['chat', 'send', ALICE, '--', '-1 is a number'])).toMatchObject({ text: '-1 is a number' })
    expect(await parsed(['chat', 'history', ALICE, '--limit', '20', '--before', '000000000000002-0-000000000000002'])).toMatchObject({ kind: 'chat history', peerId: ALICE, limit: 20, before: '000000000000002-0-000000000000002' })
    expect(await parsed(['chat', 'history', ALICE])).toMatchObject({ limit: undefined, before: undefined })
    expect(await parsed(['chat', 'search', '  Hello ', '--limit', '5'])).toMatchObject({ kind: 'chat search', text: 'Hello', limit: 5 })
    for (const name of ['read', 'accept', 'decline']) {
      expect(await parsed(['chat', name, ALICE])).toEqual({ kind: `chat ${name}`, peerId: ALICE, dataDir: '/d', json: false })
    }
  })

  it('refuses bad input in one line with exit code 2, before a daemon is contacted', async () => {
    expect(await usageError(['chat', 'send', 'QmNotAPeer', 'hi'])).toContain('bad peer id')
    expect(await usageError(['chat', 'send', ALICE])).toContain('a message needs TEXT or --file PATH')
    expect(await usageError(['chat', 'send', ALICE, '   '])).toContain('needs TEXT or --file')
    expect(await usageError(['chat', 'send', ALICE, 'é'.repeat(4097)])).toContain('TEXT is 8194 bytes; a message is at most 8192')
    expect(await usageError(['chat', 'send', ALICE, 'hi', '--id', 'ABC'])).toContain('--id must be 32 lowercase hex characters')
    expect(await usageError(['chat', 'send', ALICE, 'hi', '--file', ''])).toContain('--file PATH must not be empty')
    expect(await usageError(['chat', 'send', ALICE, 'two', 'words'])).toContain('unexpected argument "words"')
    expect(await usageError(['chat', 'history'])).toContain('needs PEER')
    expect(await usageError(['chat', 'history', ALICE, '--limit', '501'])).toContain('--limit must be an integer from 1 to 500')
    expect(await usageError(['chat', 'history', ALICE, '--before', '123'])).toContain('--before takes a message cursor')
    expect(await usageError(['chat', 'search', ' '])).toContain('TEXT must be 1 to 256 characters')
    expect(await usageError(['chat', 'search', 'x'.repeat(257)])).toContain('TEXT must be 1 to 256 characters')
    expect(await usageError(['chat', 'read', ALICE, '--limit', '3'])).toContain("'wgt chat read' has no option --limit")
    expect(await usageError(['chat', 'accept'])).toContain('needs PEER')
    expect(await usageError(['chat'])).toContain('unknown command "chat"')
  })

  it('lists every chat command in --help, each with its own help', async () => {
    const main = await parseArgv(['--help'])
    for (const name of ['list', 'send', 'history', 'search', 'read', 'accept', 'decline']) {
      expect(main.kind === 'help' && main.text).toMatch(new RegExp(`^ {2}chat ${name} `, 'm'))
      const help = await parseArgv(['chat', name, '--help'])
      expect(help.kind === 'help' && help.text).toContain(`Usage: wgt chat ${name}`)
    }
  })
})

describe('chat commands against a daemon API', () => {
  let dir: string
  let dataDir: string
  let server: ApiServer
  let fake: FakeChat

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wgt-chat-cli-'))
    dataDir = join(dir, 'data')
    await mkdir(dataDir)
    fake = fakeChatApi(dir)
    const token = newToken()
    server = await startApiServer({ api: fake.api, prometheus: () => '', token, rendererDir: join(dir, 'r'), port: 0 })
    await writeApiInfo(dataDir, { peerId: 'x', multiaddrs: [], apiUrl: server.url, token, pid: process.pid })
  })

  afterEach(async () => {
    await server.stop()
    await rm(dir, { recursive: true, force: true })
  })

  async function run (argv: string[], tty = false): Promise<{ out: string, progress: string }> {
    const out: string[] = []
    let progress = ''
    const parsed = await parseArgv([...argv, '--data-dir', dataDir], {}, dir)
    if (parsed.kind !== 'run') throw new Error(`not a command: ${argv.join(' ')}`)
    const io: CliIo = {
      out: t => out.push(t),
      err: () => {},
      progress: tty ? { write: t => { progress += t }, columns: 200 } : undefined,
      onInterrupt: () => () => {}
    }
    await parsed.spec.run(parsed.command, io)
    return { out: out.join('\n'), progress }
  }

  it('lists conversations with nicknames, counts, request markers and previews', async () => {
    expect((await run(['chat', 'list'])).out).toContain('no conversations yet')
    fake.contacts = [{ peerId: ALICE, trust: 'contact', nickname: 'Alice', addresses: [], since: 0, updatedAt: 0, undelivered: false }]
    const last = message({ peerId: ALICE, order: 7, text: `see you ${'x'.repeat(80)}\nsecond line` })
    fake.conversations = [
      conversation({ peerId: ALICE, last, unread: 2, pending: 1, updatedAt: 5_000 }),
      conversation({ peerId: BOB, request: true, requestCount: 3, updatedAt: 4_000 })
    ]
    const lines = (await run(['chat', 'list'])).out.split('\n')
    expect(lines[0]).toBe(`Alice  ${ALICE}  2 unread  1 pending  ${localTime(5_000)}`)
    // one line of preview, cut to 60 characters
    expect(lines[1]).toBe(`  see you ${'x'.repeat(51)}…`)
    expect(lines[2]).toBe(`${BOB}  REQUEST (3 messages waiting)  ${localTime(4_000)}`)
    expect(lines[3]).toContain(`wgt chat accept ${BOB}`)
    expect(lines).toHaveLength(4)

    const json = JSON.parse((await run(['chat', 'list', '--json'])).out)
    expect(json).toEqual([{ ...fake.conversations[0], nickname: 'Alice' }, { ...fake.conversations[1], nickname: null }])
  })

  it('sends a message and prints its id and state; --id is passed for a safe retry', async () => {
    const { out } = await run(['chat', 'send', ALICE, 'hello there'])
    const sent = fake.messages[0]
    expect(out).toBe(`${sent.id}  pending`)
    expect(fake.calls.find(c => c.method === 'sendMessage')?.args).toEqual([ALICE, { text: 'hello there' }])

    const json = JSON.parse((await run(['chat', 'send', ALICE, 'again', '--id', ID, '--json'])).out)
    expect(json).toMatchObject({ id: ID, peerId: ALICE, outgoing: true, text: 'again', state: 'pending' })
    expect(fake.calls.filter(c => c.method === 'sendMessage')[1].args).toEqual([ALICE, { text: 'again', id: ID }])
    // the retry is answered with the message as it stands
    fake.messages[1].state = 'delivered'
    expect((await run(['chat', 'send', ALICE, 'again', '--id', ID])).out).toBe(`${ID}  delivered`)
    expect(fake.messages).toHaveLength(2)
  })

  it('with --file shares the file first, showing progress, and sends its link, name and size', async () => {
    await writeFile(join(dir, 'report.pdf'), Buffer.alloc(2048))
    const { out, progress } = await run(['chat', 'send', ALICE, 'the report', '--file', 'report.pdf'], true)
    expect(fake.calls.find(c => c.method === 'shareFile')?.args).toEqual([join(dir, 'report.pdf')])
    expect(fake.calls.find(c => c.method === 'sendMessage')?.args).toEqual([ALICE, { text: 'the report', file: { link: LINK, name: 'report.pdf', size: 2048 } }])
    expect(progress).toContain('sending')
    expect(out.split('\n')).toEqual([`${fake.messages[0].id}  pending`, `file  report.pdf  2.0 KiB  ${LINK}`])
    // a file that is not there fails as the share fails, and nothing is sent
    await expect(run(['chat', 'send', ALICE, '--file', 'missing.pdf'])).rejects.toMatchObject({ code: 'NOT_FOUND' })
    expect(fake.messages).toHaveLength(1)
  })

  it('prints history oldest first, with direction, state in words, and a way to page back', async () => {
    fake.messages = [
      message({ peerId: ALICE, order: 3, outgoing: true, text: 'three', state: 'read', sentAt: 3_000 }),
      message({ peerId: ALICE, order: 1, outgoing: true, text: 'one', state: 'failed', error: 'refused', sentAt: 1_000 }),
      message({ peerId: ALICE, order: 2, text: 'two\nlines', state: 'received', sentAt: 2_000 }),
      message({ peerId: BOB, order: 1, text: 'not this conversation' })
    ]
    const { out } = await run(['chat', 'history', ALICE, '--limit', '2'])
    expect(fake.calls.find(c => c.method === 'chatHistory')?.args).toEqual([ALICE, { limit: 2 }])
    expect(out.split('\n')).toEqual([
      `${localTime(2_000)}  in   unread     two`,
      `${' '.repeat(localTime(0).length + 18)}lines`,
      `${localTime(3_000)}  out  read       three`,
      `(older messages: wgt chat history ${ALICE} --before 000000000000002-0-000000000000002)`
    ])
    const older = await run(['chat', 'history', ALICE, '--before', '000000000000002-0-000000000000002'])
    expect(older.out).toBe(`${localTime(1_000)}  out  failed: refused  one`)

    const page = JSON.parse((await run(['chat', 'history', ALICE, '--json'])).out)
    expect(page.more).toBe(false)
    expect(page.messages.map((m: { order: number }) => m.order)).toEqual([1, 2, 3])
    expect((await run(['chat', 'history', BOB, '--before', '000000000000001-0-000000000000001'])).out).toBe('no messages')
  })

  it('never lets a peer\'s text drive the terminal or forge a line', async () => {
    const hostile = 'hi\u001b[2J\u001b]0;owned\u0007 there\rforged\u202e'
    fake.messages = [message({ peerId: ALICE, order: 1, text: hostile, file: { link: LINK, name: 'a\u001b[31mb.txt', size: 1 } })]
    fake.conversations = [conversation({ peerId: ALICE, last: fake.messages[0], unread: 1 })]
    for (const argv of [['chat', 'list'], ['chat', 'history', ALICE], ['chat', 'search', 'hi']]) {
      const { out } = await run(argv)
      // eslint-disable-next-line no-control-regex -- the characters that must not reach the terminal
      expect(out, argv.join(' ')).not.toMatch(/[\u001b\u0007\r\u202e]/)
      expect(out, argv.join(' ')).toContain('hi there\\u000dforged\\u202e')
      expect(out, argv.join(' ')).toContain('ab.txt')
    }
  })

  it('searches every conversation, naming each peer', async () => {
    fake.contacts = [{ peerId: BOB, trust: 'contact', nickname: 'Bob', addresses: [], since: 0, updatedAt: 0, undelivered: false }]
    fake.messages = [
      message({ peerId: ALICE, order: 1, text: 'Lunch today?', sentAt: 1_000 }),
      message({ peerId: BOB, order: 2, outgoing: true, state: 'delivered', text: 'lunch at noon\nor one', sentAt: 2_000 })
    ]
    const { out } = await run(['chat', 'search', 'LUNCH', '--limit', '10'])
    expect(fake.calls.find(c => c.method === 'searchChat')?.args).toEqual(['LUNCH', { limit: 10 }])
    expect(out.split('\n')).toEqual([
      `Bob  ${BOB}`, `  ${localTime(2_000)}  out  delivered  lunch at noon`, `  ${' '.repeat(localTime(0).length + 18)}or one`,
      ALICE, `  ${localTime(1_000)}  in   unread     Lunch today?`
    ])
    expect(JSON.parse((await run(['chat', 'search', 'lunch', '--json'])).out)).toHaveLength(2)
    expect((await run(['chat', 'search', 'dinner'])).out).toBe('no messages found')
  })

  it('marks read, accepts and declines, and passes the node\'s errors on with their code', async () => {
    fake.conversations = [conversation({ peerId: ALICE, unread: 4 }), conversation({ peerId: BOB, request: true, requestCount: 2, unread: 2 })]
    expect((await run(['chat', 'read', ALICE])).out).toBe(`${ALICE}  read (0 unread)`)
    expect((await run(['chat', 'accept', BOB])).out).toContain(`${BOB}  accepted (2 unread`)
    expect(JSON.parse((await run(['chat', 'accept', BOB, '--json'])).out)).toMatchObject({ peerId: BOB, request: false })
    expect((await run(['chat', 'decline', BOB])).out).toBe(`${BOB}  declined`)
    expect(JSON.parse((await run(['chat', 'decline', BOB, '--json'])).out)).toEqual({ peerId: BOB, done: 'decline' })
    fake.conversations = []
    await expect(run(['chat', 'read', ALICE])).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining(ALICE) })
    expect(exitCodeFor('NOT_FOUND')).toBe(4)
  })
})
