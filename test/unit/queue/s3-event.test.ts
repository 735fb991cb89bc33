import { describe, expect, it } from "vitest";
import { decodeS3Key, MessageParseError, parseS3Message } from "../../../src/queue/s3-event.js";
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
      kind: "objects",
      ignoredRecords: 0,
      objects: [
        {
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
    expect(parsed.kind === "objects" && parsed.objects[0]).toMatchObject({
      key: "a.mp4",
      sequencer: undefined,
      eventTime: "2026-11-23T10:00:00.000",
    });
  });

  it("returns every ObjectCreated record of a message and counts the others", () => {
    const removed = { ...record("gone.mp4"), eventName: "ObjectRemoved:Delete" };
    const parsed = parseS3Message(JSON.stringify({ Records: [record("one.mp4"), removed, record("two.mp4")] }));
    expect(parsed.kind === "objects" && parsed.objects.map((o) => o.key)).toEqual(["one.mp4", "two.mp4"]);
    expect(parsed.kind === "objects" && parsed.ignoredRecords).toBe(1);
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
    expect(parsed.kind === "objects" && parsed.objects[0]?.key).toBe("via sns.mp4");
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
