/**
 * The renderer's side of issue 11's settings and links: shell commands
 * routed to views and prompts, the settings slice following settings:update,
 * the link preview as the prompt shows it, the desktop sections in a browser,
 * and the bug-report text.
 */
import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { createStore } from 'zustand/vanilla'
import { DEFAULT_DESKTOP_SETTINGS, type About, type FileEntry, type LinkPreview, type NodeSettings, type WgtApi } from '../../shared/api/index.js'
import type { ShellCommand, ShellView } from '../../shared/shell.js'
import { browserHost, electronHost, type HostFiles } from '../src/api/host-files.js'
import { AppContext, ALWAYS_READY } from '../src/app/context.js'
import { applyShellCommand } from '../src/app/shell-commands.js'
import { createWgtStore, type WgtState } from '../src/app/slices.js'
import { LinkPreviewFacts } from '../src/files/LinkPrompt.js'
import { LINK_QUEUE_MAX } from '../src/files/slice.js'
import { AboutFacts, bugReportText } from '../src/settings/AboutSection.js'
import { DesktopSection, NotificationsSection } from '../src/settings/DesktopSections.js'
import { settingsSlice } from '../src/settings/slice.js'

const A = '12D3KooWAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'
const B = '12D3KooWBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB'
const SELF = '12D3KooWSELFSELFSELFSELFSELFSELFSELFSELFSELFSELFSELF'
const LINK = `wgt://bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy#${'k'.repeat(43)}`
const text = (html: string): string => html.replace(/<[^>]+>/g, '').replace(/&quot;/g, '"').replace(/&#x27;/g, '\'')

const settings = (over: Partial<NodeSettings> = {}): NodeSettings => ({ downloadDir: '/home/u/Downloads', keepFetchedShards: true, desktop: DEFAULT_DESKTOP_SETTINGS, ...over })

function render (node: React.JSX.Element, state: Partial<WgtState> = {}, host: Partial<HostFiles> = { kind: 'browser' }): string {
  const store = createStore<WgtState>()(() => ({ ...createWgtStore().getState(), ...state }))
  return renderToStaticMarkup(
    <AppContext.Provider value={{ api: {} as WgtApi, store, connection: ALWAYS_READY, host: host as HostFiles }}>{node}</AppContext.Provider>
  )
}

describe('shell commands in the renderer', () => {
  it('opens a view, and a peer\'s conversation in chat', () => {
    const store = createWgtStore()
    applyShellCommand(store, { kind: 'open-view', view: 'files' })
    expect(store.getState().view).toBe('files')
    applyShellCommand(store, { kind: 'open-view', view: 'chat', peerId: A })
    expect(store.getState()).toMatchObject({ view: 'chat', chatOpen: A })
  })

  it('points at the file a transfer notification names, once Files has drawn its row', async () => {
    const store = createWgtStore()
    const seen: string[] = []
    const row = { dataset: { fileId: 'bafkreifile' }, scrollIntoView: () => { seen.push('scrolled') }, querySelector: () => ({ focus: () => { seen.push('focused') } }) }
    let drawn = false
    const g = globalThis as { document?: unknown }
    g.document = { querySelectorAll: () => drawn ? [row] : [] }
    try {
      applyShellCommand(store, { kind: 'open-view', view: 'files', fileId: 'bafkreifile' })
      expect(store.getState().view).toBe('files')
      await new Promise(resolve => setTimeout(resolve, 20))
      drawn = true
      await new Promise(resolve => setTimeout(resolve, 120))
      expect(seen).toEqual(['scrolled', 'focused'])
    } finally {
      delete g.document
    }
  })

  it('ignores a view this renderer does not have', () => {
    const store = createWgtStore()
    store.getState().showView('compute')
    applyShellCommand(store, { kind: 'open-view', view: 'nowhere' as ShellView })
    expect(store.getState().view).toBe('compute')
  })

  it('asks before fetching a link, and fills in Add a contact without sending anything', () => {
    const store = createWgtStore()
    applyShellCommand(store, { kind: 'open-link', link: LINK })
    expect(store.getState().linkPrompt).toBe(LINK)
    expect(store.getState().view).not.toBe('files')
    applyShellCommand(store, { kind: 'add-contact', link: 'wgt://contact/x' })
    expect(store.getState()).toMatchObject({ view: 'contacts', contactDraft: 'wgt://contact/x' })
  })

  it('does not replace an open link prompt: later links wait their turn, at most LINK_QUEUE_MAX, each once', () => {
    const store = createWgtStore()
    const links = Array.from({ length: LINK_QUEUE_MAX + 4 }, (_, i) => `${LINK.slice(0, -2)}${String(i).padStart(2, '0')}`)
    for (const link of links) applyShellCommand(store, { kind: 'open-link', link })
    applyShellCommand(store, { kind: 'open-link', link: links[1] })
    expect(store.getState().linkPrompt).toBe(links[0])
    expect(store.getState().linkQueue).toEqual(links.slice(1, 1 + LINK_QUEUE_MAX))
    store.getState().promptLink(null)
    expect(store.getState().linkPrompt).toBe(links[1])
    expect(store.getState().linkQueue).toHaveLength(LINK_QUEUE_MAX - 1)
    for (let i = 0; i < LINK_QUEUE_MAX; i++) store.getState().promptLink(null)
    expect(store.getState()).toMatchObject({ linkPrompt: null, linkQueue: [] })
  })

  it('reaches the renderer through window.wgtShell in Electron, and not at all in a browser', () => {
    const got: ShellCommand[] = []
    let listening = 0
    const shell = { onCommand: (l: (c: ShellCommand) => void) => { listening++; l({ kind: 'open-view', view: 'settings' }); return () => { listening-- } } }
    const host = electronHost(null, shell)
    const off = host.shellCommands?.(c => { got.push(c) })
    expect(got).toEqual([{ kind: 'open-view', view: 'settings' }])
    expect(listening).toBe(1)
    off?.()
    expect(listening).toBe(0)
    expect(electronHost(null, null).shellCommands).toBeNull()
    expect(browserHost({ origin: 'http://127.0.0.1:1', token: 't' }).shellCommands).toBeNull()
  })
})

describe('settings in the UI', () => {
  it('follows settings:update from other windows, the CLI and the tray', () => {
    const store = createWgtStore()
    const changed = settings({ desktop: { ...DEFAULT_DESKTOP_SETTINGS, doNotDisturb: true } })
    settingsSlice.events?.['settings:update']?.(store, changed)
    expect(store.getState().settings?.desktop.doNotDisturb).toBe(true)
  })

  it('says in a browser that the desktop sections are the desktop app\'s, and not in the app', () => {
    const state = { settings: settings() }
    for (const Section of [NotificationsSection, DesktopSection]) {
      expect(text(render(<Section />, state, { kind: 'browser' }))).toContain('apply to the WGT desktop app')
      expect(text(render(<Section />, state, { kind: 'electron' }))).not.toContain('apply to the WGT desktop app')
    }
    const html = render(<NotificationsSection />, state)
    for (const kind of ['messages', 'calls', 'offers', 'transfers']) expect(html).toContain(`data-testid="notify-${kind}"`)
    // start hidden is a choice about starting at login, off by default
    expect(render(<DesktopSection />, state)).toMatch(/<input type="checkbox" disabled="" data-testid="start-hidden" checked=""\/>/)
  })

  it('copies versions for a bug report, without the PeerId or paths', () => {
    const about: About = { wgt: '0.1.0', node: 'v24.21.0', v8: '13.6', electron: null, chrome: null, libp2p: '3.3.11', platform: 'linux', arch: 'x64', dataDir: '/home/u/.local/share/wgt' }
    const report = bugReportText(about)
    expect(report).toBe('WGT 0.1.0\nwgt daemon (no Electron)\nNode.js v24.21.0 (V8 13.6)\nlibp2p 3.3.11\nSystem linux x64')
    expect(bugReportText({ ...about, electron: '39.0.0', chrome: '142.0' })).toContain('Electron 39.0.0 (Chromium 142.0)')
    const shown = text(render(<AboutFacts about={about} identity={{ peerId: A, multiaddrs: [] } as never} />))
    expect(shown).toContain('libp2p3.3.11')
    expect(shown).toContain(A)
  })
})

describe('the link preview', () => {
  const preview = (over: Partial<LinkPreview> = {}): LinkPreview => ({
    id: 'bafkrei', name: 'field notes.bin', size: 300_000, segments: 2, k: 4, m: 2, servedBy: [A, SELF], offeredBy: [], existing: null, ...over
  })
  const state = { identity: { peerId: SELF, multiaddrs: [] } as never, contacts: { [B]: { peerId: B, nickname: 'Bea', trust: 'contact' } as never } }

  it('shows name, size, segments and who serves it, this node by that name', () => {
    const t = text(render(<LinkPreviewFacts preview={preview()} />, state))
    expect(t).toContain('field notes.bin')
    expect(t).toContain('293 KiB in 2 segments, any 4 of 6 shards rebuild each')
    expect(t).toContain('this node')
    expect(t).not.toContain('Sent by')
    expect(t).not.toContain('You already have it')
  })

  it('names who sent it, says when nobody serves it now, and when it is here already', () => {
    const entry: FileEntry = { id: 'bafkrei', link: LINK, name: 'field notes.bin', size: 300_000, k: 4, m: 2, segments: 2, direction: 'received', path: '/home/u/Downloads/field notes.bin', from: B, createdAt: 1 }
    const t = text(render(<LinkPreviewFacts preview={preview({ servedBy: [], offeredBy: [B], existing: entry })} />, state))
    expect(t).toContain('no peer right now')
    expect(t).toContain('Sent byBea')
    expect(t).toContain('You already have it, saved at /home/u/Downloads/field notes.bin')
    const many = preview({ servedBy: Array.from({ length: 9 }, (_, i) => `12D3KooW${String(i).repeat(44)}`) })
    expect(text(render(<LinkPreviewFacts preview={many} />, state))).toContain('and 3 more')
  })
})
