/** The libp2p version this node runs, as js-libp2p reports it (shown in Settings → About). */
export { version as LIBP2P_VERSION } from 'libp2p/version'
