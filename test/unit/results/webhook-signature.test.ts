import { describe, expect, it } from "vitest";
import { signatureHeader } from "../../../src/results/webhook-signature.js";

// Expected values from Python's hmac module, not from this code.
const BODY = '{"a":1}';

describe("webhook signatures", () => {
  it('are v1=HMAC-SHA256(secret, "<timestamp>.<body>") in hex', () => {
    expect(signatureHeader(["k".repeat(32)], 1_700_000_000, BODY)).toBe(
      "v1=6935b796c0fec66e5dee52c86c7fd1218a424c32f1adb239ff2893c31e54f033",
    );
  });

  it("carry one signature per secret during a rotation", () => {
    expect(signatureHeader(["k".repeat(32), "n".repeat(32)], 1_700_000_000, BODY)).toBe(
      "v1=6935b796c0fec66e5dee52c86c7fd1218a424c32f1adb239ff2893c31e54f033,v1=1d773ca3083a2ef7d4e60ea9d6dcf6484e9b2a691c6abc80513583401deb3427",
    );
  });
});
