/** M06 marketplace: posts, the materialised view with full-text search, and the market.* capabilities. */
export { MarketError, MARKET_ERROR_CODES, type MarketErrorCode } from './errors';
export { isExpired, EXPIRY_REASONS, type ExpiryReason, type Location, type Post } from './post';
export {
  validatePostInput,
  POST_LIMITS,
  TAG_PATTERN,
  type PostInput,
  type ValidPostInput,
  type PostCreatedData,
} from './validate';
export { tokenize, TextIndex, FIELD_WEIGHTS, matchExpression, type Hit, type IndexedText } from './text-search';
export {
  MarketplaceView,
  comparePosts,
  MARKET_EVENT_TYPES,
  LIST_DEFAULT_LIMIT,
  LIST_MAX_LIMIT,
  SEARCH_DEFAULT_LIMIT,
  MAX_PENDING_EVENTS,
  type ListQuery,
  type SearchQuery,
  type SearchHit,
} from './views';
export * as marketSchemas from './schemas';
export {
  MarketplaceService,
  MARKET_MAX_CONCURRENT,
  MARKET_SWEEP_INTERVAL_MS,
  type HandlerContext,
  type Handler,
  type MarketCapability,
  type MarketplaceServiceOptions,
} from './service';
