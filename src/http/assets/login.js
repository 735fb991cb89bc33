// Trades a credential for a session cookie (GET /session with an Authorization header): the
// pages' EventSource and <img> requests cannot send headers, the cookie they send by itself.
const form = document.getElementById("login");
const problem = document.getElementById("problem");

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const credential = document.getElementById("credential").value.trim();
  const response = await fetch("/session", { headers: { authorization: `Bearer ${credential}` } });
  if (response.ok) {
    // Only a path of this service: never another site (//host or a scheme).
    const next = new URLSearchParams(location.search).get("next") ?? "/";
    location.href = /^\/(?![/\\])/.test(next) ? next : "/";
    return;
  }
  problem.hidden = false;
  problem.textContent = response.status === 401 ? "These credentials were not accepted." : `The service answered ${response.status}.`;
});
