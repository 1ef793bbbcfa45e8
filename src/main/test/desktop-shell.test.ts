/**
 * The desktop shell put together, as index.ts puts it, against the fake
 * Electron and a fake node: links that come before the node is up reach the
 * page once it has loaded; start hidden at login; close to tray following
 * the settings; start at login applied; a notification click reaching its
 * view; everything stopped.
 */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { DEFAULT_DESKTOP_SETTINGS, type DesktopSettings, type NodeSettings } from '../../shared/api/index.js'
import { fakeNode, type FakeNode } from '../cli/test/fake-node.js'
import { DesktopShell, type DesktopShellOptions } from '../desktop-shell.js'
import { SHELL_COMMAND_CHANNEL } from '../ipc.js'
import { AUTOSTART_FILE, HIDDEN_FLAG } from '../login-items.js'
import { fakeBuildMenu, FakeNotificationCenter, FakeShellApp, FakeShellWindow, FakeTray } from './fake-electron.js'

const FILE_LINK = `wgt://b${'a'.repeat(58)}#${'K'.repeat(43)}`
const CONTACT = 'wgt://contact/12D3KooWRBy97UB99e3J6hiPesre1MZeuNQvfan4gBziswrRJsNK'
const ALICE = '12D3KooWRBy97UB99e3J6hiPesre1MZeuNQvfan4gBziswrRJsNK'
const settle = async (): Promise<void> => { for (let i = 0; i < 3; i++) await new Promise(resolve => setImmediate(resolve)) }
/** waits for a condition the shell reaches through the file system: a generous bound, not a speed */
const until = async (what: string, check: () => Promise<boolean>): Promise<void> => {
  const deadline = Date.now() + 10_000
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`)
    await new Promise(resolve => setTimeout(resolve, 10))
  }
}
const exists = async (path: string): Promise<boolean> => await stat(path).then(() => true, () => false)
const withDesktop = (desktop: Partial<DesktopSettings>): NodeSettings => ({ downloadDir: '/tmp', keepFetchedShards: true, desktop: { ...DEFAULT_DESKTOP_SETTINGS, ...desktop } })

describe('the desktop shell', () => {
  let home: string
  let node: FakeNode
  let app: FakeShellApp
  let windows: FakeShellWindow[]
  let trays: FakeTray[]
  let center: FakeNotificationCenter
  let errors: Array<[string, string]>
  let settings: NodeSettings
  let shell: DesktopShell<FakeShellWindow>

  const create = (overrides: Partial<DesktopShellOptions<FakeShellWindow>> = {}, argv: string[] = ['/opt/WGT/wgt']): DesktopShell<FakeShellWindow> => {
    shell = new DesktopShell<FakeShellWindow>({
      app,
      platform: app.platform,
      argv,
      execPath: '/opt/WGT/wgt',
      env: { XDG_CONFIG_HOME: join(home, 'cfg') },
      homeDir: home,
      devAppPath: undefined,
      isTrustedUrl: url => url.startsWith('app://wgt/'),
      windows: {
        first: () => windows.find(w => !w.isDestroyed()),
        all: () => windows,
        create: () => { const w = new FakeShellWindow(); windows.push(w); return w },
        focus: w => { w.restore(); w.show(); w.focus() }
      },
      tray: {
        createTray: image => { const t = new FakeTray(image); trays.push(t); return t },
        buildMenu: fakeBuildMenu,
        icon: state => state,
        chooseFile: async () => null,
        quit: () => {}
      },
      notifications: { isSupported: center.isSupported, create: center.create },
      showError: (title, message) => { errors.push([title, message]) },
      ...overrides
    })
    return shell
  }
  const live = (): FakeShellWindow[] => windows.filter(w => !w.isDestroyed())

  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), 'wgt-shell-'))
    settings = withDesktop({})
    node = fakeNode({
      getSettings: async () => settings,
      listPeers: async () => [],
      listConversations: async () => [],
      listContacts: async () => [],
      getComputeSettings: async () => ({ enabled: true, maxTasks: 1, memoryMb: 64, timeoutS: 60, idleOnly: false, idleLoadPercent: 50 })
    })
    app = new FakeShellApp('linux')
    windows = []
    trays = []
    center = new FakeNotificationCenter()
    errors = []
  })

  afterEach(async () => {
    shell?.stop()
    await rm(home, { recursive: true, force: true })
  })

  it('registers wgt:, and hands links that came before the node was up to the page once it has loaded', async () => {
    app = new FakeShellApp('darwin')
    create({}, ['/Applications/WGT.app/Contents/MacOS/WGT'])
    expect(app.protocolClients).toEqual([{ protocol: 'wgt' }])
    // before ready: nothing to show them in yet
    expect(app.openUrl(FILE_LINK)).toBe(true)
    expect(shell.openWindow()).toBeUndefined()
    await shell.start(node.api)
    expect(live()).toHaveLength(1)
    app.openUrl(CONTACT)
    const win = live()[0]
    expect(win.commands(SHELL_COMMAND_CHANNEL)).toEqual([])
    win.finishLoad()
    expect(win.commands(SHELL_COMMAND_CHANNEL)).toEqual([{ kind: 'open-link', link: FILE_LINK }, { kind: 'add-contact', link: CONTACT }])
  })

  it('takes a link from the first command line and from a second launch, which also brings the window back', async () => {
    create({}, ['/opt/WGT/wgt', FILE_LINK])
    await shell.start(node.api)
    const win = live()[0]
    win.finishLoad()
    win.hide()
    app.secondInstance(['/opt/WGT/wgt', CONTACT])
    expect(win.isVisible()).toBe(true)
    expect(win.isFocused()).toBe(true)
    expect(win.commands(SHELL_COMMAND_CHANNEL)).toEqual([{ kind: 'open-link', link: FILE_LINK }, { kind: 'add-contact', link: CONTACT }])
    expect(live()).toHaveLength(1)
  })

  it('starts hidden at login with the setting: tray only, until the tray, a link or a second launch opens the window', async () => {
    create({}, ['/opt/WGT/wgt', HIDDEN_FLAG])
    await shell.start(node.api)
    expect(live()).toHaveLength(0)
    expect(trays).toHaveLength(1)
    trays[0].pick('Open WGT')
    expect(live()).toHaveLength(1)
  })

  it('shows the window at login when start hidden is off, when there is no tray, or when not started at login', async () => {
    settings = withDesktop({ startHidden: false })
    create({}, ['/opt/WGT/wgt', HIDDEN_FLAG])
    await shell.start(node.api)
    expect(live()).toHaveLength(1)
    shell.stop()

    settings = withDesktop({ startHidden: true })
    windows = []
    create({ tray: null }, ['/opt/WGT/wgt', HIDDEN_FLAG])
    await shell.start(node.api)
    expect(live()).toHaveLength(1)
    shell.stop()

    windows = []
    create({}, ['/opt/WGT/wgt'])
    await shell.start(node.api)
    expect(live()).toHaveLength(1)
  })

  it('closes to the tray as the setting says, and closes for real once quitting', async () => {
    create()
    await shell.start(node.api)
    await settle()
    const win = live()[0]
    win.closeByUser()
    expect(win.isDestroyed()).toBe(false)
    expect(win.isVisible()).toBe(false)
    node.hub.emit('settings:update', withDesktop({ closeToTray: false }))
    win.closeByUser()
    expect(win.isDestroyed()).toBe(true)

    const again = shell.openWindow()
    node.hub.emit('settings:update', withDesktop({ closeToTray: true }))
    shell.quitting()
    again?.closeByUser()
    expect(again?.isDestroyed()).toBe(true)
  })

  it('says once, the first time the window hides to the tray, that the app still runs and how to quit; its click brings the window back', async () => {
    create()
    await shell.start(node.api)
    await settle()
    const win = live()[0]
    win.closeByUser()
    expect(win.isVisible()).toBe(false)
    expect(center.shown.map(n => n.options.title)).toEqual(['WGT is still running in the tray'])
    expect(center.shown[0].options.body).toMatch(/Quit from the tray icon's menu/)
    center.shown[0].click()
    expect(win.isVisible()).toBe(true)
    win.closeByUser()
    expect(win.isVisible()).toBe(false)
    expect(center.shown).toHaveLength(1)
  })

  it('on Linux never hides the window when the tray could not be made: closing closes, and nothing claims a tray', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {})
    create({ tray: { createTray: () => { throw new Error('no StatusNotifier host') }, buildMenu: fakeBuildMenu, icon: state => state, chooseFile: async () => null, quit: () => {} } })
    await shell.start(node.api)
    await settle()
    expect(shell.trayStatus).toBeNull()
    const win = live()[0]
    win.closeByUser()
    expect(win.isDestroyed()).toBe(true)
    expect(center.shown).toHaveLength(0)
    logged.mockRestore()
  })

  it('applies start at login at start and on each change, and says so when a change fails', async () => {
    settings = withDesktop({ startAtLogin: true })
    create()
    await shell.start(node.api)
    const file = join(home, 'cfg', 'autostart', AUTOSTART_FILE)
    await until('the autostart entry is written', async () => await exists(file))
    expect(await readFile(file, 'utf8')).toContain(`Exec=/opt/WGT/wgt ${HIDDEN_FLAG}`)
    node.hub.emit('settings:update', withDesktop({ startAtLogin: false }))
    await until('the autostart entry is removed', async () => !(await exists(file)))
    shell.stop()

    settings = withDesktop({ startAtLogin: false })
    app = new FakeShellApp('aix')
    create()
    await shell.start(node.api)
    await settle()
    expect(errors).toEqual([])
    node.hub.emit('settings:update', withDesktop({ startAtLogin: true }))
    await until('the failure is reported', async () => errors.length > 0)
    expect(errors).toEqual([['WGT could not set itself to start at login', 'starting at login is not supported on aix']])
  })

  it('opens the conversation when a message notification is clicked, and stays quiet under do-not-disturb', async () => {
    create()
    await shell.start(node.api)
    await settle()
    const win = live()[0]
    win.finishLoad()
    win.closeByUser()
    // the first hide to the tray says so (shown[0])
    node.hub.emit('chat:notice', { peerId: ALICE, kind: 'message', preview: 'hi' })
    center.shown[1].click()
    expect(win.isVisible()).toBe(true)
    expect(win.commands(SHELL_COMMAND_CHANNEL)).toEqual([{ kind: 'open-view', view: 'chat', peerId: ALICE }])
    // the person switches to another application
    win.focused = false
    node.hub.emit('settings:update', withDesktop({ doNotDisturb: true }))
    node.hub.emit('offer:new', { id: 'o1', from: ALICE, link: FILE_LINK, name: 'x', size: 1, receivedAt: 1, request: false })
    expect(center.shown).toHaveLength(2)
    node.hub.emit('settings:update', withDesktop({ doNotDisturb: false }))
    node.hub.emit('offer:new', { id: 'o2', from: ALICE, link: FILE_LINK, name: 'x', size: 1, receivedAt: 1, request: false })
    expect(center.shown).toHaveLength(3)
    center.shown[2].click()
    expect(win.commands(SHELL_COMMAND_CHANNEL).at(-1)).toEqual({ kind: 'open-view', view: 'files' })
  })

  it('stops everything: listeners, tray, link handlers; no window opens after', async () => {
    create()
    await shell.start(node.api)
    await settle()
    shell.stop()
    shell.stop()
    expect(node.subscribers()).toBe(0)
    expect(trays[0].destroyed).toBe(true)
    expect(app.listenerCount('open-url')).toBe(0)
    expect(app.listenerCount('second-instance')).toBe(0)
    expect(shell.openWindow()).toBeUndefined()
  })

  it('stopped while starting, it opens nothing', async () => {
    let answer!: (s: NodeSettings) => void
    node = fakeNode({ getSettings: async () => await new Promise(resolve => { answer = resolve }), listPeers: async () => [], listConversations: async () => [], listContacts: async () => [], getComputeSettings: async () => await new Promise(() => {}) })
    create({}, ['/opt/WGT/wgt', HIDDEN_FLAG])
    const starting = shell.start(node.api)
    shell.stop()
    answer(settings)
    await starting
    expect(live()).toHaveLength(0)
  })
})
