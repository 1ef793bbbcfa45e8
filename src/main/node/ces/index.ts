/**
 * CES: compress, encrypt, erasure-code, address. Pure: no networking, no
 * disk; the caller supplies the byte source and the shard sink.
 */
export type { CesDomain, CesParams, EncodeSummary, EncodedShard, SegmentContext, SegmentRecord } from './types.js'
export { DEFAULT_PARAMS, DEFAULT_SEGMENT_SIZE, MAX_SEGMENT_SIZE, MAX_SHARDS, MAX_SHARD_SIZE, MIN_SEGMENT_SIZE, checkParams } from './params.js'
export { FILE_ID_BYTES, KEY_BYTES, SEGMENT_OVERHEAD, newFileId, newFileKey } from './crypto.js'
export { encode } from './encode.js'
export type { EncodeOptions } from './encode.js'
export { decodeSegment, rebuildShards } from './decode.js'
export { CID_STRING_LENGTH, cidOf, isShardCid, parseShardCid, verifyShard, type ShardAddress } from './cid.js'
export { decodeLink, encodeLink } from './link.js'
