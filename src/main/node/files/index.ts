/** Files: share, fetch, health and repair over the shard and offer protocols. */
export { SHARD_PROTOCOL, MAX_SHARD_SIZE, ShardService, shardService, type ShardServiceInit } from './shard-service.js'
export { OFFER_PROTOCOL, OfferService, offerService, type OfferServiceInit } from './offer-service.js'
export { FilesService } from './service.js'
export { FileRecords, type FileRecord } from './records.js'
export { Announcer, Locator } from './locate.js'
export { Inbox } from './inbox.js'
