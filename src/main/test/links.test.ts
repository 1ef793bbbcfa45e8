/**
 * wgt:// links from outside (argv, open-url before and after ready,
 * second-instance), the per-window queue until the page has loaded, and the
 * preload's window.wgtShell.
 */
import { describe, expect, it, vi } from 'vitest'
import type { ShellCommand } from '../../shared/shell.js'
import { SHELL_COMMAND_CHANNEL } from '../ipc.js'
import { commandsFromArgv, LINK_BURST, LinkListener, MAX_PENDING_LINKS, registerProtocolClient } from '../links.js'
import { MAX_QUEUED_COMMANDS, ShellCommandSender } from '../shell-commands.js'
import { createShellBridge, MAX_EARLY_COMMANDS } from '../../preload/shell-commands.js'
import { acrossBridge, FakeIpcMain, FakeIpcRenderer, FakeFrame, FakeShellApp, FakeShellWindow } from './fake-electron.js'

const FILE_LINK = `wgt://b${'a'.repeat(58)}#${'K'.repeat(43)}`
const OTHER_LINK = `wgt://b${'c'.repeat(58)}#${'Q'.repeat(43)}`
const CONTACT = 'wgt://contact/12D3KooWRBy97UB99e3J6hiPesre1MZeuNQvfan4gBziswrRJsNK'
const open = (link: string): ShellCommand => ({ kind: 'open-link', link })

describe('registering the wgt: scheme', () => {
  it('registers the app, and in development Electron with the app folder as Electron\'s docs say', () => {
    const app = new FakeShellApp('linux')
    expect(registerProtocolClient(app, { defaultApp: false, execPath: '/opt/WGT/wgt', appPath: undefined })).toBe(true)
    expect(registerProtocolClient(app, { defaultApp: true, execPath: '/repo/node_modules/electron/dist/electron', appPath: '/repo' })).toBe(true)
    expect(registerProtocolClient(app, { defaultApp: true, execPath: '/e', appPath: undefined })).toBe(false)
    expect(app.protocolClients).toEqual([
      { protocol: 'wgt' },
      { protocol: 'wgt', path: '/repo/node_modules/electron/dist/electron', args: ['/repo'] }
    ])
  })
})

describe('links handed to the app', () => {
  it('reads wgt:// links from a command line and ignores everything else', () => {
    expect(commandsFromArgv(['/opt/WGT/wgt', '--no-sandbox', FILE_LINK, 'https://example.com', `${OTHER_LINK.replace('#', '/#')}`, CONTACT, 'wgt://nonsense', 'wgt://contact/', 'wgt://contact/12D3KooWRBy97UB99e3J6hiPesre1MZeuNQvfan4gBziswrRJsNK?a=not-an-address']))
      .toEqual([open(FILE_LINK), open(OTHER_LINK), { kind: 'add-contact', link: CONTACT }])
  })

  it('keeps links from the first launch and from open-url before ready, then hands them over in order', () => {
    const app = new FakeShellApp('darwin')
    const listener = new LinkListener({ app, argv: ['/Applications/WGT.app/Contents/MacOS/WGT', FILE_LINK], onSecondInstance: () => {} })
    // macOS: before 'ready', the open-url handler must take it (and say so)
    expect(app.openUrl(CONTACT)).toBe(true)
    expect(app.openUrl('https://not-ours.example')).toBe(true)
    expect(listener.waiting).toBe(2)
    const got: ShellCommand[] = []
    listener.start(cmd => got.push(cmd))
    expect(got).toEqual([open(FILE_LINK), { kind: 'add-contact', link: CONTACT }])
    app.openUrl(OTHER_LINK)
    expect(got.at(-1)).toEqual(open(OTHER_LINK))
    listener.stop()
    expect(app.listenerCount('open-url')).toBe(0)
    expect(app.listenerCount('second-instance')).toBe(0)
  })

  it('brings the app forward on a second launch, with or without a link, and takes its link', () => {
    const app = new FakeShellApp('linux')
    const onSecondInstance = vi.fn()
    const listener = new LinkListener({ app, argv: ['/opt/WGT/wgt'], onSecondInstance })
    const got: ShellCommand[] = []
    listener.start(cmd => got.push(cmd))
    app.secondInstance(['/opt/WGT/wgt'])
    app.secondInstance(['/opt/WGT/wgt', '--flag', CONTACT])
    expect(onSecondInstance).toHaveBeenCalledTimes(2)
    expect(got).toEqual([{ kind: 'add-contact', link: CONTACT }])
    listener.stop()
  })

  it('keeps a bounded few while not ready: a flood of links does not grow memory', () => {
    const app = new FakeShellApp('darwin')
    const listener = new LinkListener({ app, argv: [], onSecondInstance: () => {} })
    for (let i = 0; i < 1000; i++) app.openUrl(i % 2 === 0 ? FILE_LINK : OTHER_LINK)
    expect(listener.waiting).toBe(MAX_PENDING_LINKS)
    listener.stop()
  })

  it('rate-limits links once started: a burst, then one a second; the rest dropped with one log line that names no link', () => {
    const app = new FakeShellApp('linux')
    let now = 1_000_000
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {})
    const listener = new LinkListener({ app, argv: [], onSecondInstance: () => {}, now: () => now })
    const got: ShellCommand[] = []
    listener.start(cmd => got.push(cmd))
    app.secondInstance(['/opt/WGT/wgt', ...Array.from({ length: 2000 }, (_, i) => i % 2 === 0 ? FILE_LINK : OTHER_LINK)])
    expect(got).toHaveLength(LINK_BURST)
    expect(errors).toHaveBeenCalledTimes(1)
    expect(JSON.stringify(errors.mock.calls)).not.toMatch(/wgt:\/\/b/)
    now += 1000
    app.openUrl(CONTACT)
    app.openUrl(CONTACT)
    expect(got).toHaveLength(LINK_BURST + 1)
    expect(got.at(-1)).toEqual({ kind: 'add-contact', link: CONTACT })
    // a calm minute later the whole burst is there again
    now += 60_000
    for (let i = 0; i < LINK_BURST; i++) app.openUrl(FILE_LINK)
    expect(got).toHaveLength(2 * LINK_BURST + 1)
    expect(errors).toHaveBeenCalledTimes(2)
    errors.mockRestore()
    listener.stop()
  })

  it('never logs a link when handing it over fails (its key is in the fragment)', () => {
    const app = new FakeShellApp('darwin')
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {})
    const listener = new LinkListener({ app, argv: [], onSecondInstance: () => {} })
    listener.start(() => { throw new Error('no window') })
    app.openUrl(FILE_LINK)
    expect(errors).toHaveBeenCalled()
    expect(JSON.stringify(errors.mock.calls)).not.toContain('K'.repeat(43))
    errors.mockRestore()
    listener.stop()
  })
})

describe('shell commands to a window', () => {
  const trusted = (url: string): boolean => url.startsWith('app://wgt/')

  it('queues commands until the page has loaded, then sends them in order', () => {
    const sender = new ShellCommandSender(trusted)
    const win = new FakeShellWindow()
    sender.attach(win)
    sender.send(win, open(FILE_LINK))
    sender.send(win, { kind: 'open-view', view: 'files' })
    expect(win.commands(SHELL_COMMAND_CHANNEL)).toEqual([])
    win.finishLoad()
    expect(win.commands(SHELL_COMMAND_CHANNEL)).toEqual([open(FILE_LINK), { kind: 'open-view', view: 'files' }])
    sender.send(win, { kind: 'open-view', view: 'chat', peerId: 'p' })
    expect(win.commands(SHELL_COMMAND_CHANNEL)).toHaveLength(3)
  })

  it('queues again while the page reloads, and bounds the queue', () => {
    const sender = new ShellCommandSender(trusted)
    const win = new FakeShellWindow()
    sender.attach(win)
    win.finishLoad()
    win.startLoad()
    for (let i = 0; i < 100; i++) sender.send(win, { kind: 'open-view', view: 'files', fileId: String(i) })
    expect(sender.queued(win)).toBe(MAX_QUEUED_COMMANDS)
    expect(win.commands(SHELL_COMMAND_CHANNEL)).toEqual([])
    win.finishLoad()
    const sent = win.commands(SHELL_COMMAND_CHANNEL) as Array<{ fileId: string }>
    expect(sent.map(c => c.fileId)).toEqual(Array.from({ length: MAX_QUEUED_COMMANDS }, (_, i) => String(100 - MAX_QUEUED_COMMANDS + i)))
  })

  it('keeps sending when a navigation away is cancelled (a web link dropped on the window): the page stays', () => {
    const sender = new ShellCommandSender(trusted)
    const win = new FakeShellWindow()
    // as hardenWebContents does: no navigation away from our renderer
    win.webContents.on('will-navigate', (event: { url: string, preventDefault: () => void }) => { if (!trusted(event.url)) event.preventDefault() })
    sender.attach(win)
    win.finishLoad()
    expect(win.navigateTo('https://example.com/dropped')).toBe(false)
    sender.send(win, { kind: 'open-view', view: 'chat', peerId: 'p' })
    expect(sender.queued(win)).toBe(0)
    expect(win.commands(SHELL_COMMAND_CHANNEL)).toEqual([{ kind: 'open-view', view: 'chat', peerId: 'p' }])
    // and a later reload still queues until its page has loaded
    win.startLoad()
    sender.send(win, open(FILE_LINK))
    expect(sender.queued(win)).toBe(1)
    win.finishLoad()
    expect(win.commands(SHELL_COMMAND_CHANNEL)).toEqual([{ kind: 'open-view', view: 'chat', peerId: 'p' }, open(FILE_LINK)])
  })

  it('sends again to the new page what reached the old one between the start of a navigation and its commit', () => {
    const sender = new ShellCommandSender(trusted)
    const win = new FakeShellWindow()
    sender.attach(win)
    win.finishLoad()
    // a command that comes while the reload is under way, after its start and before its commit
    win.webContents.on('did-start-navigation', () => { sender.send(win, { kind: 'open-view', view: 'files' }) })
    win.startLoad()
    // the old page got it before it went; the new one gets it once loaded
    expect(win.commands(SHELL_COMMAND_CHANNEL)).toEqual([{ kind: 'open-view', view: 'files' }])
    expect(sender.queued(win)).toBe(1)
    win.finishLoad()
    expect(win.commands(SHELL_COMMAND_CHANNEL)).toEqual([{ kind: 'open-view', view: 'files' }, { kind: 'open-view', view: 'files' }])
  })

  it('keeps sending while the page changes its hash route or a subframe navigates', () => {
    const sender = new ShellCommandSender(trusted)
    const win = new FakeShellWindow()
    sender.attach(win)
    win.finishLoad()
    win.navigateWithin()
    win.navigateWithin(false)
    sender.send(win, open(FILE_LINK))
    expect(win.commands(SHELL_COMMAND_CHANNEL)).toEqual([open(FILE_LINK)])
  })

  it('sends nothing to a window showing a foreign page, or one that is gone', () => {
    const sender = new ShellCommandSender(trusted)
    const win = new FakeShellWindow()
    sender.attach(win)
    win.webContents.mainFrame.url = 'https://evil.example/'
    win.finishLoad()
    sender.send(win, open(FILE_LINK))
    expect(win.received).toEqual([])
    const gone = new FakeShellWindow()
    sender.attach(gone)
    sender.send(gone, open(FILE_LINK))
    gone.closeByUser()
    gone.finishLoad()
    expect(gone.received).toEqual([])
  })
})

describe('window.wgtShell in the preload', () => {
  const setup = (): { renderer: FakeIpcRenderer, wgtShell: { onCommand: (l: (cmd: ShellCommand) => void) => () => void } } => {
    const renderer = new FakeIpcRenderer(new FakeIpcMain(), 1, new FakeFrame('app://wgt/index.html'))
    return { renderer, wgtShell: acrossBridge(createShellBridge(renderer)) }
  }
  const settle = async (): Promise<void> => { await new Promise(resolve => setImmediate(resolve)) }

  it('passes checked commands to listeners, drops malformed ones, and unsubscribes', async () => {
    const { renderer, wgtShell } = setup()
    const got: ShellCommand[] = []
    const off = wgtShell.onCommand(cmd => got.push(cmd))
    renderer.deliver(SHELL_COMMAND_CHANNEL, [{ kind: 'open-view', view: 'chat', peerId: 'x' }])
    renderer.deliver(SHELL_COMMAND_CHANNEL, [{ kind: 'open-view', view: 'nowhere' }])
    renderer.deliver(SHELL_COMMAND_CHANNEL, [{ kind: 'open-link', link: 'javascript:alert(1)' }])
    renderer.deliver(SHELL_COMMAND_CHANNEL, ['open-link'])
    renderer.deliver(SHELL_COMMAND_CHANNEL, [open(FILE_LINK)])
    expect(got).toEqual([{ kind: 'open-view', view: 'chat', peerId: 'x', fileId: undefined }, open(FILE_LINK)])
    off()
    renderer.deliver(SHELL_COMMAND_CHANNEL, [open(OTHER_LINK)])
    await settle()
    expect(got).toHaveLength(2)
  })

  it('keeps commands that came before the page subscribed (a bounded few) and hands them to the first listener', async () => {
    const { renderer, wgtShell } = setup()
    for (let i = 0; i < 40; i++) renderer.deliver(SHELL_COMMAND_CHANNEL, [{ kind: 'open-view', view: 'files', fileId: String(i) }])
    const got: ShellCommand[] = []
    wgtShell.onCommand(cmd => got.push(cmd))
    expect(got).toEqual([])
    await settle()
    expect(got).toHaveLength(MAX_EARLY_COMMANDS)
    expect(got[0]).toMatchObject({ fileId: String(40 - MAX_EARLY_COMMANDS) })
    // a second listener gets only what comes next
    const later: ShellCommand[] = []
    wgtShell.onCommand(cmd => later.push(cmd))
    await settle()
    expect(later).toEqual([])
  })
})
