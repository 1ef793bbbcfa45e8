import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { createStore } from 'zustand/vanilla'
import type { ConnectionInfo, FileEntry, WgtApi } from '../../shared/api/index.js'
import { AppContext, ALWAYS_READY } from '../src/app/context.js'
import { createWgtStore, type WgtState } from '../src/app/slices.js'
import { refreshIntervalMs } from '../src/map/FileOnMap.js'
import { LIST_MAX, MapView } from '../src/map/MapView.js'
import { linkOf } from '../src/map/PeerDetails.js'
import { fileHealth, peer } from './fixtures.js'

const RELAY = '12D3KooWRELAYrelayRELAYrelayRELAYrelayRELAYrelay01'
const FAR = '12D3KooWFARfarFARfarFARfarFARfarFARfarFARfarFAR02'
const GONE = '12D3KooWGONEgoneGONEgoneGONEgoneGONEgoneGONEgo03'

const relayed: ConnectionInfo = { id: 'c', remoteAddr: `/ip4/1.2.3.4/tcp/1/p2p/${RELAY}/p2p-circuit`, direction: 'outbound', kind: 'relayed', scope: 'wan', transport: 'circuit-relay', relay: RELAY, encryption: null, muxer: null, openedAt: 0 }

function render (state: Partial<WgtState>, el: React.JSX.Element): string {
  const store = createStore<WgtState>()(() => ({ ...createWgtStore().getState(), ...state }))
  return renderToStaticMarkup(
    <AppContext.Provider value={{ api: { on: () => () => {} } as unknown as WgtApi, store, connection: ALWAYS_READY, host: { kind: 'browser' } as never }}>{el}</AppContext.Provider>
  )
}

describe('the map view', () => {
  const peers = {
    [RELAY]: peer(RELAY),
    [FAR]: peer(FAR, { kind: 'relayed', scope: 'wan', connections: [relayed] }),
    [GONE]: peer(GONE, { connected: false, kind: null })
  }

  it('lists every peer as a button with what the map draws for it, and names the counts', () => {
    const html = render({ peers, contactsLoaded: true }, <MapView />)
    expect(html.match(/data-testid="map-peer"/g)).toHaveLength(3)
    expect(html).toContain(`data-peer-id="${FAR}" data-connected="true" data-mark="none" data-trust="stranger" data-reputation="active"`)
    expect(html).toContain(`data-peer-id="${GONE}" data-connected="false"`)
    expect(html).toContain('2 connected peers placed by round-trip time, 1 known but not connected')
    expect(html).toContain('relayed')
  })

  it('says how a peer is reached: through which relay, at what scope, over which transports', () => {
    const label = (id: string): string => id === RELAY ? 'the relay' : id
    expect(linkOf(peers[FAR], label)).toBe('relayed via the relay · wan · circuit-relay')
    expect(linkOf(peers[GONE], label)).toBe('not connected')
    expect(linkOf(peers[RELAY], label)).toBe('direct · loopback')
  })

  it('offers the files to pick, shared and received', () => {
    const file = (id: string, name: string, direction: FileEntry['direction']): FileEntry =>
      ({ id, link: `wgt://${id}#k`, name, size: 1, k: 4, m: 2, segments: 1, direction, path: null, from: null, createdAt: 0 })
    const html = render({ peers, contactsLoaded: true, files: { a: file('a', 'b.txt', 'shared'), b: file('b', 'a.txt', 'received') }, health: { a: { status: 'ok', health: fileHealth([6]) } } }, <MapView />)
    expect(html.indexOf('a.txt (received)')).toBeLessThan(html.indexOf('b.txt (shared)'))
  })

  it('lists at most LIST_MAX peers and says how many more are on the map', () => {
    const many = Object.fromEntries(Array.from({ length: LIST_MAX + 25 }, (_, i) => [`p${i}`, peer(`p${i}`)]))
    const html = render({ peers: many, contactsLoaded: true }, <MapView />)
    expect(html.match(/data-testid="map-peer"/g)).toHaveLength(LIST_MAX)
    expect(html).toContain('25 more on the map, not listed')
  })

  it('says when the directory knows more peers than the map draws', () => {
    const many = Object.fromEntries(Array.from({ length: 130 }, (_, i) => [`k${i}`, peer(`k${i}`, { connected: false, kind: null })]))
    const html = render({ peers: many, contactsLoaded: true }, <MapView />)
    expect(html).toContain('130 known, not connected')
    expect(html).toContain('30 more known peers not drawn')
  })

  it('refreshes a file\'s health at least every 15 s, and no more often than 4× a check\'s own duration', () => {
    expect(refreshIntervalMs(null)).toBe(15_000)
    expect(refreshIntervalMs(2000)).toBe(15_000)
    expect(refreshIntervalMs(10_000)).toBe(40_000)
  })
})
