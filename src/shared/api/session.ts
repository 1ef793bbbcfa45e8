/**
 * session: what belongs to the transport rather than the node. The daemon's
 * WebSocket API implements it; the desktop app, whose window reaches the
 * node over IPC without a token, answers UNAVAILABLE.
 */
import { method, returns } from './define.js'

export interface RotatedToken {
  /** the UI's new address, with the new token in its fragment */
  uiUrl: string
}

export const session = {
  name: 'session',
  methods: {
    /** replace the access token; every client (this one included) must reconnect with the new one */
    rotateToken: method({ args: z => z.tuple([]), result: returns<RotatedToken>() })
  },
  events: {}
} as const
