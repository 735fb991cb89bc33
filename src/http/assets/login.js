// Trades a credential for a session cookie (GET /session with an Authorization header): the
// pages' EventSource and <img> requests cannot send headers, the cookie they send by itself.
const form = document.getElementById("login");
const problem = document.getElementById("problem");

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const credential = document.getElementById("credential").value.trim();
  const response = await fetch("/session", { headers: { authorization: `Bearer ${credential}` } });
  if (response.ok) {
    location.href = new URLSearchParams(location.search).get("next") ?? "/";
    return;
  }
  problem.hidden = false;
  problem.textContent = response.status === 401 ? "These credentials were not accepted." : `The service answered ${response.status}.`;
});
