import { describe, expect, it } from "vitest";
import { indexRowsCopy } from "../../../src/store/index-rows-copy.js";

/** The rows of a binary COPY body, read back as PostgreSQL would. */
function readCopy(body: Buffer): [number, number, number][] {
  expect(body.subarray(0, 11).toString("latin1")).toBe("PGCOPY\n\xff\r\n\0");
  expect(body.readInt32BE(11)).toBe(0);
  expect(body.readInt32BE(15)).toBe(0);
  const rows: [number, number, number][] = [];
  let at = 19;
  while (body.readInt16BE(at) !== -1) {
    expect(body.readInt16BE(at)).toBe(3);
    const fields = [0, 1, 2].map((f) => {
      expect(body.readInt32BE(at + 2 + f * 8)).toBe(4);
      return body.readInt32BE(at + 6 + f * 8);
    });
    rows.push(fields as [number, number, number]);
    at += 26;
  }
  expect(at + 2).toBe(body.length);
  return rows;
}

describe("indexRowsCopy", () => {
  it("writes every video's rows, negative keys and strip samples included, in key order", () => {
    const body = indexRowsCopy([
      {
        videoNum: 7,
        entries: [
          { key: 5, sample: 0 },
          { key: -2_000_000_000, sample: 2 },
          { key: 5, sample: -1 },
        ],
      },
      {
        videoNum: 9,
        entries: [
          { key: 2_147_483_647, sample: 4 },
          { key: -3, sample: -5 },
        ],
      },
      { videoNum: 11, entries: [] },
    ]);
    expect(readCopy(body)).toEqual([
      [-2_000_000_000, 7, 2],
      [-3, 9, -5],
      [5, 7, 0],
      [5, 7, -1],
      [2_147_483_647, 9, 4],
    ]);
  });

  it("writes an empty body for no rows", () => {
    expect(readCopy(indexRowsCopy([]))).toEqual([]);
  });

  it("refuses a key outside int4 rather than wrapping it", () => {
    expect(() => indexRowsCopy([{ videoNum: 1, entries: [{ key: 2 ** 31, sample: 0 }] }])).toThrow(RangeError);
  });
});
