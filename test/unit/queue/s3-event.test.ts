import { describe, expect, it } from "vitest";
import { decodeS3Key } from "../../../src/queue/s3-event.js";
import { parseQueueMessage as parseS3Message } from "../../../src/queue/parse-message.js";
import { MessageParseError } from "../../../src/queue/parsed-message.js";
import { eventOrder, isOlderEvent } from "../../../src/domain/object-event.js";

function record(key: string, extra: Record<string, unknown> = {}) {
  return {
    eventVersion: "2.1",
    eventSource: "aws:s3",
    eventName: "ObjectCreated:Put",
    eventTime: "2026-11-23T10:00:00.000Z",
    s3: { bucket: { name: "videos" }, object: { key, size: 1234, eTag: "abc", sequencer: "0055AED6DCD90281E5", ...extra } },
  };
}

describe("parseS3Message", () => {
  it("reads an AWS event and decodes its form-URL-encoded key", () => {
    const parsed = parseS3Message(JSON.stringify({ Records: [record("holiday+clips/caf%C3%A9+%2B+more%25.mp4")] }));
    expect(parsed).toEqual({
      kind: "changes",
      ignoredRecords: 0,
      changes: [
        {
          change: "created",
          bucket: "videos",
          key: "holiday clips/café + more%.mp4",
          size: 1234,
          etag: "abc",
          eventTime: "2026-11-23T10:00:00.000Z",
          sequencer: "0055AED6DCD90281E5",
        },
      ],
    });
  });

  it("accepts moto's records: no sequencer, eventTime without a zone", () => {
    const moto = {
      eventName: "ObjectCreated:Put",
      eventTime: "2026-11-23T10:00:00.000",
      s3: { bucket: { name: "videos" }, object: { key: "a.mp4", size: 1, eTag: "e" } },
    };
    const parsed = parseS3Message(JSON.stringify({ Records: [moto] }));
    expect(parsed.kind === "changes" && parsed.changes[0]).toMatchObject({
      key: "a.mp4",
      sequencer: undefined,
      eventTime: "2026-11-23T10:00:00.000",
    });
  });

  it("returns every ObjectCreated and ObjectRemoved record of a message, in order, and counts the others", () => {
    const removed = { ...record("gone.mp4"), eventName: "ObjectRemoved:DeleteMarkerCreated" };
    const restored = { ...record("cold.mp4"), eventName: "ObjectRestore:Completed" };
    const parsed = parseS3Message(JSON.stringify({ Records: [record("one.mp4"), removed, restored, record("two.mp4")] }));
    expect(parsed.kind === "changes" && parsed.changes.map((o) => `${o.change} ${o.key}`)).toEqual([
      "created one.mp4",
      "removed gone.mp4",
      "created two.mp4",
    ]);
    expect(parsed.kind === "changes" && parsed.ignoredRecords).toBe(1);
  });

  it("recognises the s3:TestEvent sent when a notification is configured", () => {
    const test = {
      Service: "Amazon S3",
      Event: "s3:TestEvent",
      Time: "2026-11-23T10:00:00.000Z",
      Bucket: "videos",
      RequestId: "r",
      HostId: "h",
    };
    expect(parseS3Message(JSON.stringify(test))).toEqual({ kind: "test-event", bucket: "videos" });
  });

  it("unwraps an SNS notification envelope", () => {
    const envelope = {
      Type: "Notification",
      MessageId: "m",
      TopicArn: "arn:aws:sns:us-east-1:1:t",
      Message: JSON.stringify({ Records: [record("via+sns.mp4")] }),
    };
    const parsed = parseS3Message(JSON.stringify(envelope));
    expect(parsed.kind === "changes" && parsed.changes[0]?.key).toBe("via sns.mp4");
  });

  it.each([
    ["malformed JSON", "{not json"],
    ["an empty body", ""],
    ["a JSON array", "[]"],
    ["no Records", JSON.stringify({ hello: "world" })],
    ["empty Records", JSON.stringify({ Records: [] })],
    [
      "a record without s3.object.key",
      JSON.stringify({ Records: [{ eventName: "ObjectCreated:Put", s3: { bucket: { name: "b" }, object: {} } }] }),
    ],
    ["a record without bucket", JSON.stringify({ Records: [{ eventName: "ObjectCreated:Put", s3: { object: { key: "k" } } }] })],
    ["a negative size", JSON.stringify({ Records: [record("k", { size: -1 })] })],
    ["an SNS envelope around garbage", JSON.stringify({ Type: "Notification", Message: "nope" })],
  ])("rejects %s with a MessageParseError", (_name, body) => {
    expect(() => parseS3Message(body)).toThrow(MessageParseError);
  });
});

/** Events as EventBridge delivers them to an SQS target: the examples of AWS's "EventBridge event message structure". */
const EVENTBRIDGE_CREATED = {
  version: "0",
  id: "17793124-05d4-b198-2fde-7ededc63b103",
  "detail-type": "Object Created",
  source: "aws.s3",
  account: "111122223333",
  time: "2021-11-12T00:00:00Z",
  region: "ca-central-1",
  resources: ["arn:aws:s3:::amzn-s3-demo-bucket1"],
  detail: {
    version: "0",
    bucket: { name: "amzn-s3-demo-bucket1" },
    object: {
      key: "example-key",
      size: 5,
      etag: "b1946ac92492d2347c6235b4d2611184",
      "version-id": "IYV3p45BT0ac8hjHg1houSdS1a.Mro8e",
      sequencer: "617f08299329d189",
    },
    "request-id": "N4N7GDK58NMKJ12R",
    requester: "123456789012",
    "source-ip-address": "1.2.3.4",
    reason: "PutObject",
  },
};
const EVENTBRIDGE_DELETED = {
  version: "0",
  id: "2ee9cc15-d022-99ea-1fb8-1b1bac4850f9",
  "detail-type": "Object Deleted",
  source: "aws.s3",
  account: "111122223333",
  time: "2021-11-12T00:00:00Z",
  region: "ca-central-1",
  resources: ["arn:aws:s3:::amzn-s3-demo-bucket1"],
  detail: {
    version: "0",
    bucket: { name: "amzn-s3-demo-bucket1" },
    object: {
      key: "example-key",
      etag: "d41d8cd98f00b204e9800998ecf8427e",
      "version-id": "1QW9g1Z99LUNbvaaYVpW9xDlOLU.qxgF",
      sequencer: "617f0837b476e463",
    },
    "request-id": "0BH729840619AG5K",
    requester: "123456789012",
    "source-ip-address": "1.2.3.4",
    reason: "DeleteObject",
    "deletion-type": "Delete Marker Created",
  },
};

describe("EventBridge events", () => {
  it("reads Object Created as the same domain change as an S3 notification", () => {
    expect(parseS3Message(JSON.stringify(EVENTBRIDGE_CREATED))).toEqual({
      kind: "changes",
      ignoredRecords: 0,
      changes: [
        {
          change: "created",
          bucket: "amzn-s3-demo-bucket1",
          key: "example-key",
          size: 5,
          etag: "b1946ac92492d2347c6235b4d2611184",
          eventTime: "2021-11-12T00:00:00Z",
          sequencer: "617f08299329d189",
        },
      ],
    });
  });

  it("reads Object Deleted (a delete marker) as a removal, ordered after the creation by its sequencer", () => {
    const parsed = parseS3Message(JSON.stringify(EVENTBRIDGE_DELETED));
    const removal = parsed.kind === "changes" ? parsed.changes[0] : undefined;
    expect(removal).toEqual({
      change: "removed",
      bucket: "amzn-s3-demo-bucket1",
      key: "example-key",
      eventTime: "2021-11-12T00:00:00Z",
      sequencer: "617f0837b476e463",
    });
    expect(isOlderEvent(eventOrder({ sequencer: "617f08299329d189", eventTime: undefined }), eventOrder(removal!)!)).toBe(true);
  });

  it("reads moto's spelling too: the time in Unix seconds, eTag for etag", () => {
    const moto = {
      ...EVENTBRIDGE_CREATED,
      time: 1_795_946_000,
      detail: { ...EVENTBRIDGE_CREATED.detail, object: { key: "a b.mp4", size: 5, eTag: "e1", sequencer: "617f08299329d189" } },
    };
    const parsed = parseS3Message(JSON.stringify(moto));
    expect(parsed.kind === "changes" && parsed.changes[0]).toMatchObject({
      key: "a b.mp4",
      etag: "e1",
      eventTime: "2026-11-29T09:53:20.000Z",
    });
  });

  it("counts other S3 detail types and ignores them; rejects other sources and broken details", () => {
    const restore = { ...EVENTBRIDGE_CREATED, "detail-type": "Object Restore Completed" };
    expect(parseS3Message(JSON.stringify(restore))).toEqual({ kind: "changes", changes: [], ignoredRecords: 1 });
    expect(() => parseS3Message(JSON.stringify({ ...EVENTBRIDGE_CREATED, source: "aws.ec2" }))).toThrow(MessageParseError);
    const noKey = { ...EVENTBRIDGE_CREATED, detail: { ...EVENTBRIDGE_CREATED.detail, object: { size: 5 } } };
    expect(() => parseS3Message(JSON.stringify(noKey))).toThrow(MessageParseError);
  });
});

describe("decodeS3Key", () => {
  it.each([
    ["plain.mp4", "plain.mp4"],
    ["with+space.mp4", "with space.mp4"],
    ["literal%2Bplus.mp4", "literal+plus.mp4"],
    ["pct%25.mp4", "pct%.mp4"],
    ["%E6%98%A0%E5%83%8F.mp4", "映像.mp4"],
    ["dir%2F..%2Fescape.mp4", "dir/../escape.mp4"],
  ])("%s → %s", (encoded, key) => {
    expect(decodeS3Key(encoded)).toBe(key);
  });

  it("keeps a key that is not valid percent-encoding as it came (raw keys from old emulators)", () => {
    expect(decodeS3Key("50%off.mp4")).toBe("50%off.mp4");
  });
});

describe("event order", () => {
  it("orders S3 sequencers of different lengths numerically", () => {
    const older = eventOrder({ sequencer: "0055AED6DCD90281E5", eventTime: undefined });
    const newer = eventOrder({ sequencer: "55AED6DCD90281E6", eventTime: undefined });
    expect(isOlderEvent(older, newer!)).toBe(true);
    expect(isOlderEvent(newer, older!)).toBe(false);
    expect(isOlderEvent(newer, newer!)).toBe(false);
  });

  it("falls back to the event time (moto: no sequencer, no zone) and never compares across kinds", () => {
    const a = eventOrder({ sequencer: undefined, eventTime: "2026-11-23T10:00:00.100" });
    const b = eventOrder({ sequencer: undefined, eventTime: "2026-11-23T10:00:00.200Z" });
    expect(a).toBe("t:2026-11-23T10:00:00.100Z");
    expect(isOlderEvent(a, b!)).toBe(true);
    expect(isOlderEvent(eventOrder({ sequencer: "01", eventTime: undefined }), b!)).toBe(false);
    expect(isOlderEvent(undefined, b!)).toBe(false);
    expect(eventOrder({ sequencer: undefined, eventTime: "yesterday" })).toBeUndefined();
  });
});
