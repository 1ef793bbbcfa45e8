/** WGT's version, for `wgt --version`, identify's agent string and Settings → About. */
export const WGT_VERSION = '0.1.0'
