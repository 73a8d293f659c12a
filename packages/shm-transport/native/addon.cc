#include "addon.h"

#include <uv.h>

#include "doorbell.h"
#include "ring-descriptor.h"
#include "segment.h"

namespace seamless {

namespace {

// Every layout constant, so the test can prove src/ring/ring-descriptor.ts mirrors this build.
Napi::Object Descriptor(Napi::Env env) {
  Napi::Object d = Napi::Object::New(env);
  auto set = [&](const char* key, double value) { d.Set(key, Napi::Number::New(env, value)); };
  using namespace layout;
  d.Set("magic", Napi::String::New(env, kMagic, sizeof(kMagic)));
  set("layoutVersion", kLayoutVersion);
  set("lineBytes", kLineBytes);
  set("magicOffset", kMagicOffset);
  set("layoutVersionOffset", kLayoutVersionOffset);
  set("headerBytesOffset", kHeaderBytesOffset);
  set("capacityOffset", kCapacityOffset);
  set("maxMessageSizeOffset", kMaxMessageSizeOffset);
  set("policyOffset", kPolicyOffset);
  set("readerSlotCountOffset", kReaderSlotCountOffset);
  set("writerPidOffset", kWriterPidOffset);
  set("stateOffset", kStateOffset);
  set("writerPresenceOffset", kWriterPresenceOffset);
  set("presenceBytes", kPresenceBytes);
  set("nonceOffset", kNonceOffset);
  set("nonceBytes", kNonceBytes);
  set("ownerUidOffset", kOwnerUidOffset);
  set("segmentBytesOffset", kSegmentBytesOffset);
  set("publisherIdLengthOffset", kPublisherIdLengthOffset);
  set("topicLengthOffset", kTopicLengthOffset);
  set("writerDoorbellOffset", kWriterDoorbellOffset);
  set("historyOffset", kHistoryOffset);
  set("publisherIdOffset", kPublisherIdOffset);
  set("publisherIdBytes", kPublisherIdBytes);
  set("topicOffset", kTopicOffset);
  set("topicBytes", kTopicBytes);
  set("tailOffset", kTailOffset);
  set("historyStartOffset", kHistoryStartOffset);
  set("keepOffset", kKeepOffset);
  set("intentOffset", kIntentOffset);
  set("headOffset", kHeadOffset);
  set("generationOffset", kGenerationOffset);
  set("waitersOffset", kWaitersOffset);
  set("writerWaitingOffset", kWriterWaitingOffset);
  set("readerSlotsOffset", kReaderSlotsOffset);
  set("readerSlotBytes", kReaderSlotBytes);
  set("readerSlotCount", kReaderSlotCount);
  set("slotStateOffset", kSlotStateOffset);
  set("slotPidOffset", kSlotPidOffset);
  set("slotPresenceOffset", kSlotPresenceOffset);
  set("slotPositionOffset", kSlotPositionOffset);
  set("slotParkedOffset", kSlotParkedOffset);
  set("slotDoorbellOffset", kSlotDoorbellOffset);
  set("slotTicketOffset", kSlotTicketOffset);
  set("ringOffset", kRingOffset);
  set("minCapacity", kMinCapacity);
  set("maxCapacity", kMaxCapacity);
  set("recordHeaderBytes", kRecordHeaderBytes);
  set("recordAlignment", kRecordAlignment);
  set("recordLengthOffset", kRecordLengthOffset);
  set("recordTypeOffset", kRecordTypeOffset);
  set("recordSequenceLowOffset", kRecordSequenceLowOffset);
  set("recordSequenceHighOffset", kRecordSequenceHighOffset);
  set("recordTypeData", kRecordTypeData);
  set("recordTypePadding", kRecordTypePadding);
  set("policyReliable", kPolicyReliable);
  set("policyLatest", kPolicyLatest);
  set("stateInitializing", kStateInitializing);
  set("stateReady", kStateReady);
  set("stateClosed", kStateClosed);
  set("slotFree", kSlotFree);
  set("slotJoining", kSlotJoining);
  set("slotActive", kSlotActive);
  return d;
}

}  // namespace

const char* ErrnoName(int error) { return uv_err_name(-error); }

Napi::Value Addon::CallCreateFifo(const Napi::CallbackInfo& info) { return CreateFifo(info); }

Addon::Addon(Napi::Env env, Napi::Object exports) {
  Napi::Function segment = Segment::Initialize(env);
  segment_constructor = Napi::Persistent(segment);
  DefineAddon(exports, {
                           InstanceValue("Segment", segment, napi_enumerable),
                           InstanceValue("descriptor", Descriptor(env), napi_enumerable),
                           InstanceMethod<&Addon::CallCreateFifo>("createFifo", napi_enumerable),
                       });
}

}  // namespace seamless

using seamless::Addon;
NODE_API_ADDON(Addon)
