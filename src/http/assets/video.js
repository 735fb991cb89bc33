// One video: progress over Server-Sent Events, its scene-cut timeline, and each duplicate as
// two aligned timelines (this video above, the other below) with the matched footage
// highlighted and a thumbnail of a matched frame from each.
const file = decodeURIComponent(location.pathname.slice("/videos/".length));
// A video of another served bucket than the default names it (?bucket=), and so do its links.
const bucket = new URLSearchParams(location.search).get("bucket");
const inBucket = (b) => (b ? `?bucket=${encodeURIComponent(b)}` : "");
// A duplicate's bucket goes into its links when it is not this page's (a page without ?bucket= is the default bucket's).
const linkBucket = (snapshot, d) => (bucket !== null || d.bucket !== snapshot.bucket ? d.bucket : null);
const $ = (id) => document.getElementById(id);
$("file").textContent = file;
document.title = `TVIDZ Inspector — ${file}`;

function timeline(durationSec, cuts, segments = []) {
  const bar = document.createElement("div");
  bar.className = "timeline";
  const at = (sec) => `${Math.min(100, (100 * sec) / Math.max(durationSec || 1, 0.001))}%`;
  for (const segment of segments) {
    const s = document.createElement("div");
    s.className = "segment";
    s.style.left = at(segment[0]);
    s.style.width = `calc(${at(segment[1])} - ${at(segment[0])})`;
    bar.append(s);
  }
  for (const cut of cuts) {
    const tick = document.createElement("div");
    tick.className = "cut";
    tick.style.left = at(cut);
    tick.title = `${cut.toFixed(2)} s`;
    bar.append(tick);
  }
  return bar;
}

function thumbnail(key, keyBucket, sec, caption) {
  const figure = document.createElement("figure");
  const img = document.createElement("img");
  img.alt = `${key} at ${sec.toFixed(1)} s`;
  img.src = `/thumbnails/${encodeURIComponent(key)}?t=${sec.toFixed(1)}${keyBucket ? `&bucket=${encodeURIComponent(keyBucket)}` : ""}`;
  const text = document.createElement("figcaption");
  text.textContent = caption;
  figure.append(img, text);
  return figure;
}

function cutsText({ status, sceneCuts }) {
  if (sceneCuts.length > 0) {
    return `${sceneCuts.length} ${sceneCuts.length === 1 ? "cut" : "cuts"}: ${sceneCuts.map((c) => `${c.toFixed(2)} s`).join(", ")}`;
  }
  if (status === "failed") return "None: the analysis failed.";
  return status === "done" ? "None: one continuous shot." : "None yet.";
}

// This video's duration, for the duplicates' timelines (a page of duplicates does not carry it).
let durationSec = null;

function render(snapshot) {
  durationSec = snapshot.durationSec;
  $("status").textContent = snapshot.status;
  $("status").className = `status-${snapshot.status}`;
  $("progress").value = snapshot.progress;
  $("progress").hidden = snapshot.status === "done";
  $("error").hidden = !snapshot.error;
  if (snapshot.error) $("error").textContent = `${snapshot.error.code}: ${snapshot.error.message}`;
  $("timeline").replaceWith(Object.assign(timeline(snapshot.durationSec, snapshot.sceneCuts), { id: "timeline" }));
  $("cuts").textContent = cutsText(snapshot);

  renderGroup(snapshot);
  $("no-duplicates").hidden = snapshot.duplicateCount > 0;
  $("duplicates").replaceChildren(...snapshot.duplicates.map((d) => duplicateItem(snapshot, d)));
  showMore(snapshot.duplicateCount, snapshot.duplicatesNext);
}

function renderGroup(snapshot) {
  const { group } = snapshot;
  $("group").hidden = !group;
  if (!group) return;
  const earliest = document.createElement("a");
  earliest.href = `/videos/${encodeURIComponent(group.earliest.file)}${inBucket(linkBucket(snapshot, group.earliest))}`;
  earliest.textContent = group.earliest.file;
  $("group").replaceChildren(`Duplicate group of ${group.size} videos (the same footage); the earliest: `, earliest);
}

// The snapshot lists the strongest duplicates; the rest come a page at a time from /duplicates.
let nextCursor = null;
function showMore(total, cursor) {
  nextCursor = cursor;
  $("more").hidden = cursor === null;
  $("more-count").textContent = `${$("duplicates").children.length} of ${total} shown.`;
}

$("more-duplicates").addEventListener("click", async () => {
  if (nextCursor === null) return;
  const query = new URLSearchParams({ cursor: nextCursor, limit: "50" });
  if (bucket !== null) query.set("bucket", bucket);
  const answer = await fetch(`/duplicates/${encodeURIComponent(file)}?${query}`);
  if (!answer.ok) return;
  const page = await answer.json();
  $("duplicates").append(...page.duplicates.map((d) => duplicateItem(page, d)));
  showMore(page.total, page.next);
});

function duplicateItem(owner, d) {
  const item = document.createElement("li");
  item.className = "match";
  const title = document.createElement("a");
  title.href = `/videos/${encodeURIComponent(d.file)}${inBucket(linkBucket(owner, d))}`;
  title.textContent = d.file;
  const summary = document.createElement("div");
  summary.className = "label";
  const part = (r) => `x ${Math.round(r[0] * 100)}–${Math.round(r[2] * 100)} %, y ${Math.round(r[1] * 100)}–${Math.round(r[3] * 100)} %`;
  const layout = `${d.region ? ` · the other's picture here at ${part(d.region)}` : ""}${d.otherRegion ? ` · this picture there at ${part(d.otherRegion)}` : ""}`;
  summary.textContent = `${d.kind} · ${d.evidence === "both" ? "picture and sound" : "picture"}${d.flipped ? " · mirrored" : ""}${d.rate === 1 ? "" : ` · ×${d.rate}`}${layout} · score ${d.score.toFixed(3)} · offset ${d.offsetSec >= 0 ? "+" : ""}${d.offsetSec.toFixed(2)} s`;
  const here = document.createElement("div");
  here.className = "label";
  // Further shared footage at other alignments: listed after the strongest, drawn on the same timelines.
  const seconds = (s) => `${s[0].toFixed(1)}–${s[1].toFixed(1)} s`;
  const heres = [d.segment, ...d.moreSegments.map((m) => m.segment)];
  const theres = [d.otherSegment, ...d.moreSegments.map((m) => m.otherSegment)];
  here.textContent = `this video: ${heres.map(seconds).join(", ")}`;
  const there = document.createElement("div");
  there.className = "label";
  there.textContent = `the other video: ${theres.map(seconds).join(", ")}`;
  const middle = (s) => s[0] + Math.min(1, (s[1] - s[0]) / 2);
  const thumbs = document.createElement("div");
  thumbs.className = "thumbs";
  thumbs.append(
    thumbnail(file, bucket, middle(d.segment), "this video"),
    thumbnail(d.file, linkBucket(owner, d), middle(d.otherSegment), "the other video"),
  );
  item.append(
    title,
    summary,
    here,
    timeline(durationSec, [], heres),
    there,
    timeline(d.otherDurationSec ?? d.otherSegment[1], [], theres),
    thumbs,
  );
  return item;
}

// Live snapshots until a terminal state. Until the object exists (404) or while the replica
// is unreachable, try again every 2 s.
let finished = false;
function connect() {
  const stream = new EventSource(`/status/stream/${encodeURIComponent(file)}${inBucket(bucket)}`);
  stream.addEventListener("snapshot", (event) => render(JSON.parse(event.data)));
  stream.addEventListener("end", () => {
    finished = true;
    stream.close();
  });
  stream.onerror = async () => {
    stream.close();
    if (finished) return;
    // EventSource does not say why it failed: a 401 means the service wants a session first.
    const probe = await fetch(`/status/${encodeURIComponent(file)}${inBucket(bucket)}`).catch(() => undefined);
    if (probe?.status === 401) {
      location.href = `/login?next=${encodeURIComponent(location.pathname + location.search)}`;
      return;
    }
    if ($("status").textContent === "…") {
      $("status").textContent = "not found";
      $("error").hidden = false;
      $("error").textContent = "No video with this key has been seen. If one is uploaded, this page fills in.";
    }
    setTimeout(connect, 2000);
  };
}
connect();
