/**
 * The packaging config (electron-builder.json). Installers cannot be built on
 * these machines (the Electron binary cannot be downloaded), so this reads the
 * config and checks what the packaged app depends on: the wgt:// protocol,
 * the fuses, the targets, the icons, the macOS usage strings and
 * entitlements, and that the compute sandbox's worker thread can start from
 * outside the asar archive. electron-builder's own schema check runs too.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join, matchesGlob } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { CONTACT_LINK_PREFIX } from '../../shared/contact-link.js'
import { taskThreadUrl } from '../node/compute/sandbox/runner.js'

const ROOT = join(import.meta.dirname, '..', '..', '..')
const CONFIG_TEXT = readFileSync(join(ROOT, 'electron-builder.json'), 'utf8')

interface PlatformConfig { target: string[], icon: string }
const config = JSON.parse(CONFIG_TEXT) as {
  appId: string
  productName: string
  files: string[]
  asar: boolean
  asarUnpack: string[]
  protocols: Array<{ name: string, schemes: string[] }>
  electronFuses: Record<string, boolean>
  linux: PlatformConfig & { category: string, maintainer: string, executableName: string, desktop: { entry: Record<string, string> } }
  mac: PlatformConfig & { hardenedRuntime: boolean, entitlements: string, entitlementsInherit: string, extendInfo: Record<string, string> }
  win: PlatformConfig
  nsis: { oneClick: boolean, perMachine: boolean, deleteAppDataOnUninstall: boolean }
}
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { main: string, desktopName: string, scripts: Record<string, string> }

/** the keys set to <true/> in a plist dict */
function trueKeys (plist: string): string[] {
  return [...plist.replace(/<!--[\s\S]*?-->/g, '').matchAll(/<key>([^<]+)<\/key>\s*<true\/>/g)].map(m => m[1])
}

/**
 * Whether electron-builder's `files`/`asarUnpack` patterns take a path: the
 * last pattern that matches decides, a `!` pattern excluding (its minimatchAll).
 */
function selected (patterns: string[], path: string): boolean {
  let match = false
  for (const p of patterns) {
    const negate = p.startsWith('!')
    if (match !== negate) continue
    if (matchesGlob(path, negate ? p.slice(1) : p)) match = !negate
  }
  return match
}

/**
 * Whether a path goes into the app: production node_modules are collected
 * apart, through `**\/*` and only the `!` patterns of `files`
 * (app-builder-lib's getNodeModuleFileMatcher); the rest through `files`.
 */
function packed (path: string): boolean {
  return path.startsWith('node_modules/')
    ? selected(['**/*', ...config.files.filter(p => p.startsWith('!'))], path)
    : selected(config.files, path)
}

/** width and height from a PNG's IHDR, after checking it is an 8-bit RGBA PNG */
function pngSize (file: string): { width: number, height: number } {
  const b = readFileSync(file)
  expect(b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])), `${file} is a PNG`).toBe(true)
  expect(b.toString('ascii', 12, 16), file).toBe('IHDR')
  expect([b[24], b[25]], `${file}: 8-bit RGBA`).toEqual([8, 6])
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) }
}

describe('electron-builder config', () => {
  it('passes electron-builder\'s own validation (its JSON schema, with the checks it runs before a build)', async () => {
    // the function `electron-builder` calls on the config before building; an internal path of
    // app-builder-lib, so an upgrade that moves it fails here rather than silently skipping the check
    const require = createRequire(import.meta.url)
    const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
      validateConfiguration: (config: unknown, debugLogger: { isEnabled: boolean, add: () => void }) => Promise<void>
    }
    const logger = { isEnabled: false, add: () => {} }
    // its validator coerces types in place: give it a copy
    await expect(validateConfiguration(JSON.parse(CONFIG_TEXT), logger)).resolves.toBeUndefined()
    // and it does reject what is wrong: a misspelt fuse
    const misspelt = JSON.parse(CONFIG_TEXT) as typeof config
    misspelt.electronFuses = { ...misspelt.electronFuses, runAsnode: false }
    await expect(validateConfiguration(misspelt, logger)).rejects.toThrow(/electronFuses/)
  })

  it('registers the wgt: scheme the app reads links from', () => {
    expect(config.appId).toMatch(/^[a-z]+(\.[a-z]+)+$/)
    expect(config.productName).toBe('WGT')
    expect(config.protocols).toEqual([{ name: 'WGT link', schemes: ['wgt'] }])
    expect(CONTACT_LINK_PREFIX.startsWith(`${config.protocols[0].schemes[0]}://`)).toBe(true)
  })

  it('sets every fuse: no RunAsNode, NODE_OPTIONS or --inspect, encrypted cookies, only an integrity-checked app.asar, no file:// privileges', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false
    })
    // only-from-asar needs the app in an asar
    expect(config.asar).toBe(true)
  })

  it('builds AppImage and deb, dmg and a per-user NSIS installer', () => {
    expect(config.linux.target).toEqual(['AppImage', 'deb'])
    expect(config.mac.target).toEqual(['dmg'])
    expect(config.win.target).toEqual(['nsis'])
    expect(config.nsis).toMatchObject({ oneClick: true, perMachine: false, deleteAppDataOnUninstall: false })
    expect(config.linux.category.split(';')[0]).toBe('Network')
    expect(config.linux.maintainer).not.toBe('')
    // Electron takes its Linux app id from package.json's desktopName: it must name the installed .desktop file
    expect(pkg.desktopName).toBe(`${config.linux.executableName}.desktop`)
    expect(pkg.scripts.dist).toMatch(/^npm run build && electron-builder\b/)
  })

  it('writes a Linux menu entry that opens wgt:// links and names the running app', async () => {
    // the entry electron-builder writes into the deb and the AppImage, computed by its own code
    const require = createRequire(import.meta.url)
    const { LinuxTargetHelper } = require('app-builder-lib/out/targets/LinuxTargetHelper.js') as {
      LinuxTargetHelper: new (packager: unknown) => { computeDesktopEntry: (options: unknown) => Promise<string>, getDesktopFileName: () => string }
    }
    const packager = {
      appInfo: { productName: config.productName, description: 'WGT', sanitizedProductName: config.productName },
      executableName: config.linux.executableName,
      info: { metadata: pkg },
      platformSpecificBuildOptions: config.linux,
      fileAssociations: [],
      config
    }
    const helper = new LinuxTargetHelper(packager)
    const entry = Object.fromEntries((await helper.computeDesktopEntry(config.linux)).split('\n').slice(1).filter(l => l !== '').map(l => l.split(/=(.*)/s).slice(0, 2)))
    expect(entry).toMatchObject({
      Name: 'WGT',
      // %U: the link arrives in argv (second-instance on Linux)
      Exec: `/opt/WGT/${config.linux.executableName} %U`,
      MimeType: 'x-scheme-handler/wgt;',
      StartupWMClass: config.linux.executableName,
      Categories: 'Network;P2P;FileTransfer;InstantMessaging;'
    })
    expect(`${helper.getDesktopFileName()}.desktop`).toBe(pkg.desktopName)
  })

  it('packs the built app and leaves out what only the daemon, the CLI or a build uses', () => {
    for (const path of ['package.json', pkg.main, 'out/main/task-thread.js', 'out/preload/index.cjs', 'out/renderer/index.html', 'resources/icon.png']) {
      expect(packed(path), path).toBe(true)
    }
    expect(config.files).toContain('out/**')
    // the daemon's tsc output and bundle and the CLI bundle; the Node binary the CLI runs under; binaryen's command-line tools
    for (const path of ['out/node/main/node/index.js', 'out/daemon/daemon.js', 'out/daemon/chunks/node.js', 'out/cli/wgt.cjs', 'node_modules/node/bin/node', 'node_modules/binaryen/bin/wasm-opt']) {
      expect(packed(path), path).toBe(false)
    }
    expect(packed('node_modules/binaryen/index.js')).toBe(true)
    expect(packed('node_modules/libp2p/package.json')).toBe(true)
  })

  it('unpacks what a worker thread loads (the task thread, its chunks, binaryen) and keeps the main bundle in the asar', () => {
    for (const path of ['out/main/task-thread.js', 'out/main/chunks/result-hash-x.js', 'node_modules/binaryen/index.js', 'node_modules/binaryen/package.json']) {
      expect(selected(config.asarUnpack, path), path).toBe(true)
    }
    for (const path of [pkg.main, 'out/preload/index.cjs', 'out/renderer/index.html', 'node_modules/libp2p/package.json']) {
      expect(selected(config.asarUnpack, path), path).toBe(false)
    }
  })

  it('starts the task thread from app.asar.unpacked when the code runs from inside app.asar', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wgt-asar-'))
    try {
      // the layout electron-builder writes: resources/app.asar (a file; here only its path matters) and app.asar.unpacked/
      mkdirSync(join(dir, 'resources', 'app.asar.unpacked', 'out', 'main'), { recursive: true })
      writeFileSync(join(dir, 'resources', 'app.asar.unpacked', 'out', 'main', 'task-thread.js'), '')
      const main = pathToFileURL(join(dir, 'resources', 'app.asar', 'out', 'main', 'index.js')).href
      expect(taskThreadUrl(main).href).toBe(pathToFileURL(join(dir, 'resources', 'app.asar.unpacked', 'out', 'main', 'task-thread.js')).href)
      // nothing unpacked: a clear error, not a thread that dies on start
      rmSync(join(dir, 'resources', 'app.asar.unpacked'), { recursive: true })
      expect(() => taskThreadUrl(main)).toThrow(/task-thread\.js is missing/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('has the icons each target needs, at their sizes (node resources/make-icon.mjs writes them)', () => {
    // macOS .icns and Windows .ico are made from one PNG: app-builder-lib wants ≥ 512 for icns
    for (const icon of [config.mac.icon, config.win.icon]) {
      expect(pngSize(join(ROOT, icon))).toEqual({ width: 1024, height: 1024 })
    }
    // Linux: a set whose file names carry the size, installed into the hicolor theme
    const dir = join(ROOT, config.linux.icon)
    const names = readdirSync(dir).sort((a, b) => Number.parseInt(a) - Number.parseInt(b))
    expect(names).toEqual(['16x16.png', '32x32.png', '48x48.png', '64x64.png', '128x128.png', '256x256.png', '512x512.png'])
    for (const name of names) {
      const n = Number.parseInt(name)
      expect(pngSize(join(dir, name)), name).toEqual({ width: n, height: n })
    }
    // the window icon the running app loads (src/main/app-paths.ts)
    expect(pngSize(join(ROOT, 'resources', 'icon.png'))).toEqual({ width: 256, height: 256 })
  })
})

/**
 * The macOS packaging settings calls depend on: without the usage strings
 * macOS ends an app that asks for the camera or microphone, and under the
 * hardened runtime it refuses both without the device entitlements.
 */
describe('macOS build config', () => {
  it('explains to people why the app wants the camera, the microphone and the screen', () => {
    for (const key of ['NSCameraUsageDescription', 'NSMicrophoneUsageDescription', 'NSScreenCaptureUsageDescription']) {
      const text = config.mac.extendInfo[key]
      expect(text, key).toMatch(/^WGT .*call.*\.$/)
      expect(text.length, key).toBeLessThan(200)
    }
    // notification buttons (Accept, Decline) show only with the alert style
    expect(config.mac.extendInfo.NSUserNotificationAlertStyle).toBe('alert')
  })

  it('signs with the hardened runtime and the camera and microphone entitlements', () => {
    expect(config.mac.hardenedRuntime).toBe(true)
    for (const file of [config.mac.entitlements, config.mac.entitlementsInherit]) {
      const keys = trueKeys(readFileSync(join(ROOT, file), 'utf8'))
      expect(keys).toEqual(expect.arrayContaining(['com.apple.security.device.camera', 'com.apple.security.device.audio-input', 'com.apple.security.cs.allow-jit']))
    }
  })
})
