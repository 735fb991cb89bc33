// The recent-videos table, refreshed every 2 s from /api/videos. Data goes in as text only.
const tbody = document.querySelector("#videos tbody");
const empty = document.getElementById("empty");

function cell(row, content) {
  const td = row.insertCell();
  if (content instanceof Node) td.append(content);
  else td.textContent = content;
  return td;
}

function render(videos) {
  tbody.replaceChildren();
  empty.hidden = videos.length > 0;
  for (const video of videos) {
    const row = tbody.insertRow();
    row.dataset.file = video.file;
    const link = document.createElement("a");
    link.href = `/videos/${encodeURIComponent(video.file)}`;
    link.textContent = video.file;
    link.title = video.file; // elided to one line in the table; the whole key on hover
    cell(row, link).className = "key";
    cell(row, video.status).className = `status-${video.status}`;
    const bar = document.createElement("progress");
    bar.max = 1;
    bar.value = video.progress;
    cell(row, video.status === "analyzing" || video.status === "pending" ? bar : "");
    cell(row, String(video.duplicates)).className = "duplicates";
    cell(row, new Date(video.updatedAt).toLocaleString());
  }
}

/** Without a session (the service requires credentials), to the sign-in page and back. */
function signIn() {
  location.href = `/login?next=${encodeURIComponent(location.pathname)}`;
}

async function refresh() {
  try {
    const response = await fetch("/api/videos");
    if (response.status === 401) return signIn();
    if (response.ok) render((await response.json()).videos);
  } finally {
    setTimeout(refresh, 2000);
  }
}
refresh();
