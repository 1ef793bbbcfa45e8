/** Start at login: login items on macOS and Windows, the autostart .desktop file on Linux (quoted per the Desktop Entry spec). */
import { mkdtemp, readFile, rm, stat, writeFile, mkdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { applyStartAtLogin, AUTOSTART_FILE, autostartDir, execValue, HIDDEN_FLAG, launchedAtLogin, quoteExecArg, StartAtLoginApplier, startCommand, type LoginItemContext } from '../login-items.js'
import { FakeShellApp } from './fake-electron.js'

/**
 * How a desktop reads an Exec value, written from the Desktop Entry spec: the
 * string escapes first (\\ \s \n \t \r), then arguments split on spaces with
 * double quotes grouping and, inside them, a backslash escaping " ` $ \; then
 * "%%" is a literal "%".
 */
function readExec (value: string): string[] {
  const unescaped = value.replace(/\\([\\snt r])/g, (_m, c: string) => ({ '\\': '\\', s: ' ', n: '\n', t: '\t', r: '\r' })[c] ?? c)
  const args: string[] = []
  let current: string | null = null
  let quoted = false
  for (let i = 0; i < unescaped.length; i++) {
    const c = unescaped[i]
    if (quoted) {
      if (c === '\\' && '"`$\\'.includes(unescaped[i + 1])) { current += unescaped[++i]; continue }
      if (c === '\\') throw new Error(`a lone backslash inside quotes at ${i}: ${value}`)
      if (c === '"') { quoted = false; continue }
      current += c
      continue
    }
    if (c === ' ') { if (current != null) args.push(current); current = null; continue }
    if (c === '"') { quoted = true; current ??= ''; continue }
    if ('\t\n\'\\><~|&;$*?#()`'.includes(c)) throw new Error(`reserved ${JSON.stringify(c)} outside quotes: ${value}`)
    current = (current ?? '') + c
  }
  if (quoted) throw new Error(`unclosed quote: ${value}`)
  if (current != null) args.push(current)
  return args.map(a => {
    if (/%(?!%)/.test(a.replace(/%%/g, ''))) throw new Error(`a field code in ${a}`)
    return a.replace(/%%/g, '%')
  })
}

describe('the Exec line of the autostart entry', () => {
  const nasty = [
    '/opt/WGT/wgt',
    '/home/ann/My Apps/WGT.AppImage',
    '/home/o\'brien/"quoted"/wgt',
    '/tmp/$HOME/`id`/wgt',
    'C:\\odd\\back\\slash',
    '/media/100%/wgt %u',
    '/tmp/semi;colon&amp|pipe<in>~(x)*?#',
    '/tmp/ünïcödé/wgt',
    '--hidden'
  ]

  it('reads back as the same arguments, whatever the path holds', () => {
    for (const path of nasty) {
      expect(readExec(execValue([path, HIDDEN_FLAG])), path).toEqual([path, HIDDEN_FLAG])
    }
    expect(readExec(execValue(nasty))).toEqual(nasty)
  })

  it('quotes only what needs quoting, escapes inside quotes, and then doubles backslashes for the string value', () => {
    expect(quoteExecArg('/opt/WGT/wgt')).toBe('/opt/WGT/wgt')
    expect(quoteExecArg('/home/ann/My Apps/wgt')).toBe('"/home/ann/My Apps/wgt"')
    expect(quoteExecArg('/tmp/$x/`y`/"z"')).toBe('"/tmp/\\$x/\\`y\\`/\\"z\\""')
    expect(quoteExecArg('/media/100%')).toBe('/media/100%%')
    expect(quoteExecArg('')).toBe('""')
    // one backslash in the path: escaped inside quotes (two), then as a string value (four)
    expect(execValue(['a\\b'])).toBe('"a\\\\\\\\b"')
  })

  it('refuses a path with control characters rather than writing a broken entry', () => {
    expect(() => execValue(['/tmp/new\nline'])).toThrow(/control characters/)
    expect(() => execValue(['/tmp/tab\there'])).toThrow(/control characters/)
  })

  it('refuses a program path with "=", which the Exec key cannot hold, and allows "=" in later arguments', () => {
    expect(() => execValue(['/opt/a=b/wgt', HIDDEN_FLAG])).toThrow(/"="/)
    expect(execValue(['/opt/WGT/wgt', '--x=y'])).toBe('/opt/WGT/wgt --x=y')
  })

  it('starts the AppImage itself when running from one, the app folder after Electron in development', () => {
    expect(startCommand({ execPath: '/tmp/.mount_WGTx/wgt', appArgs: [], env: { APPIMAGE: '/home/ann/WGT.AppImage' } })).toEqual(['/home/ann/WGT.AppImage', HIDDEN_FLAG])
    expect(startCommand({ execPath: '/opt/WGT/wgt', appArgs: [], env: {} })).toEqual(['/opt/WGT/wgt', HIDDEN_FLAG])
    expect(startCommand({ execPath: '/repo/node_modules/electron/dist/electron', appArgs: ['/repo'], env: { APPIMAGE: '' } }))
      .toEqual(['/repo/node_modules/electron/dist/electron', '/repo', HIDDEN_FLAG])
  })

  it('goes in $XDG_CONFIG_HOME/autostart, else ~/.config/autostart (a relative XDG_CONFIG_HOME is ignored, as the spec says)', () => {
    expect(autostartDir({ XDG_CONFIG_HOME: '/cfg' }, '/home/ann')).toBe('/cfg/autostart')
    expect(autostartDir({}, '/home/ann')).toBe('/home/ann/.config/autostart')
    expect(autostartDir({ XDG_CONFIG_HOME: 'relative' }, '/home/ann')).toBe('/home/ann/.config/autostart')
  })
})

describe('start at login', () => {
  let home: string
  const ctx = (platform: string, app: FakeShellApp, more: Partial<LoginItemContext> = {}): LoginItemContext => ({
    platform, app, execPath: '/opt/My Apps/WGT/wgt', appArgs: [], env: { XDG_CONFIG_HOME: join(home, 'cfg') }, homeDir: home, ...more
  })

  beforeEach(async () => { home = await mkdtemp(join(tmpdir(), 'wgt-login-')) })
  afterEach(async () => { await rm(home, { recursive: true, force: true }) })

  it('on Linux writes the autostart entry, and removes it', async () => {
    const app = new FakeShellApp('linux')
    const file = join(home, 'cfg', 'autostart', AUTOSTART_FILE)
    await applyStartAtLogin(ctx('linux', app, { env: { XDG_CONFIG_HOME: join(home, 'cfg'), APPIMAGE: join(home, 'Apps', 'W$G "T".AppImage') } }), true)
    const text = await readFile(file, 'utf8')
    expect(text).toMatch(/^\[Desktop Entry\]\nType=Application\n/)
    const exec = /^Exec=(.*)$/m.exec(text)?.[1] ?? ''
    expect(readExec(exec)).toEqual([join(home, 'Apps', 'W$G "T".AppImage'), HIDDEN_FLAG])
    expect((await stat(file)).mode & 0o777).toBe(0o644)
    // written again, the same file; off, gone (and off again is fine)
    await applyStartAtLogin(ctx('linux', app), true)
    expect(readExec(/^Exec=(.*)$/m.exec(await readFile(file, 'utf8'))?.[1] ?? '')).toEqual(['/opt/My Apps/WGT/wgt', HIDDEN_FLAG])
    await applyStartAtLogin(ctx('linux', app), false)
    await expect(stat(file)).rejects.toThrow(/ENOENT/)
    await applyStartAtLogin(ctx('linux', app), false)
    expect(app.loginItem.openAtLogin).toBe(false)
  })

  it('applies one at a time, the last value asked for winning: on then off quickly leaves no entry', async () => {
    const file = join(home, 'cfg', 'autostart', AUTOSTART_FILE)
    const applier = new StartAtLoginApplier(ctx('linux', new FakeShellApp('linux')))
    await Promise.all([applier.set(true), applier.set(false)])
    await expect(stat(file)).rejects.toThrow(/ENOENT/)
    await Promise.all([applier.set(false), applier.set(true), applier.set(false), applier.set(true)])
    expect((await stat(file)).isFile()).toBe(true)
    await applier.set(false)
    await expect(stat(file)).rejects.toThrow(/ENOENT/)
  })

  it('never runs two applies at once, and a failed one neither blocks the next nor hides its error', async () => {
    const calls: boolean[] = []
    let running = 0
    let overlapped = false
    const applier = new StartAtLoginApplier(ctx('linux', new FakeShellApp('linux')), async (_ctx, enabled) => {
      running++
      overlapped ||= running > 1
      calls.push(enabled)
      await new Promise(resolve => setImmediate(resolve))
      running--
      if (calls.length === 1) throw new Error('read-only home')
    })
    const first = applier.set(true)
    await expect(first).rejects.toThrow(/read-only home/)
    await applier.set(false)
    await Promise.all([applier.set(true), applier.set(false)])
    expect(overlapped).toBe(false)
    expect(calls).toEqual([true, false, false, false])
  })

  it('on Linux leaves other autostart entries alone', async () => {
    const dir = join(home, 'cfg', 'autostart')
    await mkdir(dir, { recursive: true })
    await writeFile(join(dir, 'other.desktop'), 'x')
    await applyStartAtLogin(ctx('linux', new FakeShellApp('linux')), true)
    await applyStartAtLogin(ctx('linux', new FakeShellApp('linux')), false)
    expect(await readFile(join(dir, 'other.desktop'), 'utf8')).toBe('x')
  })

  it('on Windows sets the login item with the hidden flag, which Windows reports back only for the same args', async () => {
    const app = new FakeShellApp('win32')
    await applyStartAtLogin(ctx('win32', app), true)
    expect(app.loginItem).toEqual({ openAtLogin: true, args: [HIDDEN_FLAG] })
    expect(app.getLoginItemSettings({ args: [HIDDEN_FLAG] }).openAtLogin).toBe(true)
    // in development the app folder goes first, quoted (Windows writes args as they are)
    await applyStartAtLogin(ctx('win32', app, { appArgs: ['C:\\src\\my wgt'] }), true)
    expect(app.loginItem.args).toEqual(['"C:\\src\\my wgt"', HIDDEN_FLAG])
    await applyStartAtLogin(ctx('win32', app), false)
    expect(app.loginItem.openAtLogin).toBe(false)
    // nothing on disk on Windows
    await expect(stat(join(home, 'cfg'))).rejects.toThrow(/ENOENT/)
  })

  it('on macOS sets the login item; a start at login is told by wasOpenedAtLogin there, by the flag elsewhere', async () => {
    const app = new FakeShellApp('darwin')
    await applyStartAtLogin(ctx('darwin', app), true)
    expect(app.getLoginItemSettings().openAtLogin).toBe(true)
    expect(launchedAtLogin('darwin', ['/Applications/WGT.app/Contents/MacOS/WGT'], app)).toBe(false)
    app.openedAtLogin = true
    expect(launchedAtLogin('darwin', ['/Applications/WGT.app/Contents/MacOS/WGT'], app)).toBe(true)
    await applyStartAtLogin(ctx('darwin', app), false)
    expect(app.getLoginItemSettings().openAtLogin).toBe(false)

    const linux = new FakeShellApp('linux')
    expect(launchedAtLogin('linux', ['/opt/WGT/wgt', HIDDEN_FLAG], linux)).toBe(true)
    expect(launchedAtLogin('linux', ['/opt/WGT/wgt'], linux)).toBe(false)
    expect(launchedAtLogin('win32', ['C:\\WGT\\wgt.exe', HIDDEN_FLAG], new FakeShellApp('win32'))).toBe(true)
  })

  it('fails loudly where it has no way to turn it on', async () => {
    await expect(applyStartAtLogin(ctx('aix', new FakeShellApp('aix')), true)).rejects.toThrow(/not supported on aix/)
    // and turning it off there is no error: it was never on
    await applyStartAtLogin(ctx('aix', new FakeShellApp('aix')), false)
  })
})
