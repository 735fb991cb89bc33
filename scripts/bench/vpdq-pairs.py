"""The accuracy benchmark's vPDQ column: Meta's video hash with its documented thresholds.

Reads {"cache": dir, "videos": [{"id", "file"}, ...]} (in upload order) from the file named by
argv[1], and prints the pairs vPDQ reports as JSON: [[later id, earlier id], ...].

Hashing: one PDQ hash per second (vpdq.computeHash). Matching, as python-threatexchange's vPDQ
signal does it by brute force: frames below quality 50 are dropped, each video is a bag of its
unique hashes, a query frame matches when some frame of the other video is within Hamming
distance 31, and a later upload matches an earlier one when at least 80 % of its frames match
(and 0 % of the earlier one's must: VPDQ_QUERY/INDEX_MATCH_THRESHOLD_PERCENT).
"""

import json
import os
import sys

import numpy as np
import vpdq

QUALITY_THRESHOLD = 50
DISTANCE_THRESHOLD = 31
QUERY_MATCH_PERCENT = 80.0
INDEX_MATCH_PERCENT = 0.0
SECONDS_PER_HASH = 1.0

POPCOUNT = np.array([bin(i).count("1") for i in range(256)], dtype=np.uint8)


def hashes_of(video, cache):
    """The video's unique good-quality frame hashes as rows of 32 bytes, cached by corpus id."""
    path = os.path.join(cache, video["id"].replace("/", "--") + ".json")
    if os.path.exists(path):
        with open(path) as f:
            hexes = json.load(f)
    else:
        features = vpdq.computeHash(video["file"], seconds_per_hash=SECONDS_PER_HASH)
        hexes = sorted({f.hex for f in features if f.quality >= QUALITY_THRESHOLD})
        with open(path, "w") as f:
            json.dump(hexes, f)
    return np.array([list(bytes.fromhex(h)) for h in hexes], dtype=np.uint8).reshape(-1, 32)


def main():
    with open(sys.argv[1]) as f:
        job = json.load(f)
    os.makedirs(job["cache"], exist_ok=True)
    videos = job["videos"]
    frames = []
    for n, video in enumerate(videos, 1):
        frames.append(hashes_of(video, job["cache"]))
        if n % 25 == 0:
            print(f"[vpdq] hashed {n} of {len(videos)}", file=sys.stderr)
    owner = np.concatenate([np.full(len(h), i) for i, h in enumerate(frames)])
    every = np.concatenate(frames)
    starts = np.searchsorted(owner, np.arange(len(videos)))
    pairs = []
    for q, query in enumerate(frames):
        if q == 0 or len(query) == 0:
            continue
        earlier = every[: starts[q]]
        close = POPCOUNT[query[:, None, :] ^ earlier[None, :, :]].sum(axis=2, dtype=np.int32) <= DISTANCE_THRESHOLD
        # One column per earlier video: does this query frame match any of its frames?
        nonempty = [c for c in range(q) if len(frames[c]) > 0]
        per_video = np.logical_or.reduceat(close, starts[nonempty], axis=1)
        query_percent = 100.0 * per_video.sum(axis=0) / len(query)
        for column, c in enumerate(nonempty):
            if query_percent[column] < QUERY_MATCH_PERCENT:
                continue
            indexed = close[:, starts[c] : starts[c] + len(frames[c])].any(axis=0)
            if 100.0 * indexed.sum() / len(frames[c]) >= INDEX_MATCH_PERCENT:
                pairs.append([videos[q]["id"], videos[c]["id"]])
    json.dump(pairs, sys.stdout)


main()
