export { ADVERTISEMENT_VERSION, endpointOf, requireEndpoint } from './advertisement.js';
export type { Advertisement, Endpoints } from './advertisement.js';
export { DELIVERY_POLICIES } from './delivery-policy.js';
export type { DeliveryPolicy, IdleStrategy } from './delivery-policy.js';
export type { HostIdentity } from './host-identity.js';
export type { Message, MessageHandler } from './message.js';
export { describeValue } from './describe-value.js';
export { MAX_ADVERTISED_ADDRESSES, MAX_ADVERTISED_ENDPOINTS, MAX_ADVERTISEMENT_BYTES, parseAdvertisement } from './parse-advertisement.js';
export { invalidAdvertisement } from './invalid-advertisement.js';
export { MAX_HISTORY } from './history.js';
export type { SubscriberInfo } from './subscriber-info.js';
export { isTopicPattern, ONE_LEVEL_WILDCARD, REST_WILDCARD, TopicPattern, topicPatternProblem } from './topic-pattern.js';
export type { Publication, PublicationListener, PublicationLoan, PublicationOptions } from './publication.js';
export { ErrorCode, SeamlessError } from './seamless-error.js';
export type { SeamlessErrorOptions } from './seamless-error.js';
export type { Subscription, SubscriptionListener, SubscriptionOptions } from './subscription.js';
export { TRANSPORT_REACHES, TRANSPORT_SPECIFICATION_VERSION } from './transport.js';
export type { Transport, TransportReach } from './transport.js';
export { MAX_TRANSPORT_KIND_LENGTH, transportKindProblem } from './transport-kind.js';
export type { TransportKind } from './transport-kind.js';
export { MAX_TOPIC_BYTES, topicProblem, validateTopic } from './validate-topic.js';
export { MessageFeed } from './message-feed.js';
export type { MessageFeedEvents } from './message-feed.js';
export { realTimers } from './real-timers.js';
export { MAX_PUBLISHER_ID_LENGTH, publisherIdProblem, validatePublisherId } from './validate-publisher-id.js';
export {
  invalidArgument,
  isIntegerIn,
  validateDeliveryPolicy,
  validateHistory,
  validateIdleStrategy,
  validateInteger,
  validateMessageSize,
  validateOptionsObject,
  validatePublicationOptions,
  validateSubscriptionOptions,
} from './validate-options.js';
