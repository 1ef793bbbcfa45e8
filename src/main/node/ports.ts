/** The ports a node uses when told nothing else (light on purpose: `wgt --help` prints them). */
export const DEFAULT_PORTS = { tcp: 4101, ws: 4102, webrtcDirect: 4103, api: 4100 } as const
