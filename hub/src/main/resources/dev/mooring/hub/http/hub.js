// The hub's page: clusters and their hosts, fetched from the API every few seconds.
// The admin token comes from the sign-in form or once from the URL fragment (#token=...,
// never sent to the server, removed from the address bar at once) and is kept in
// sessionStorage: it lives as long as this tab.
"use strict";

const REFRESH_MS = 3000;
const STALE_MS = 60000;
const KEY = "mooring-hub-admin-token";

function token() {
  const m = location.hash.match(/^#token=(.+)$/);
  if (m) {
    sessionStorage.setItem(KEY, decodeURIComponent(m[1]));
    history.replaceState(null, "", location.pathname + location.search);
  }
  return sessionStorage.getItem(KEY);
}

async function api(path) {
  const r = await fetch("/api/v1" + path, { headers: { Authorization: "Bearer " + token() }, cache: "no-store" });
  if (r.status === 401) {
    sessionStorage.removeItem(KEY);
    throw new Error("the admin token was refused; enter it again");
  }
  if (!r.ok) {
    let message = r.status + " " + r.statusText;
    try { message = (await r.json()).message; } catch (e) { /* not JSON */ }
    throw new Error(message);
  }
  return r.json();
}

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

function ago(iso) {
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  if (s < 60) return s + " s ago";
  if (s < 3600) return Math.floor(s / 60) + " min ago";
  if (s < 86400) return Math.floor(s / 3600) + " h ago";
  return Math.floor(s / 86400) + " d ago";
}

function hostTable(cluster, hosts) {
  if (hosts.length === 0) return el("p", { class: "empty" }, "No host has registered yet.");
  const head = el("tr", {}, ...["Host", "Overlay IP", "External IP", "Role", "Status", "Last seen", "VIP holder"]
    .map(h => el("th", {}, h)));
  const rows = hosts.map(h => el("tr", {
      class: Date.now() - Date.parse(h.lastSeen) > STALE_MS ? "stale" : "",
      "data-host-id": h.hostId },
    el("td", {}, h.hostname),
    el("td", { class: "ip overlay-ip" }, h.overlay),
    el("td", { class: "ip external-ip" }, h.underlay.join(", ") || "-"),
    el("td", {}, h.role),
    el("td", {}, h.status),
    el("td", { title: h.lastSeen }, ago(h.lastSeen)),
    el("td", { class: h.vipHolder ? "vip" : "" }, h.vipHolder ? "yes (" + cluster.vip + ")" : "")));
  return el("table", {}, el("thead", {}, head), el("tbody", {}, ...rows));
}

async function refresh() {
  const state = document.getElementById("state");
  try {
    const clusters = await api("/clusters");
    const sections = [];
    for (const c of clusters) {
      const hosts = await api("/clusters/" + encodeURIComponent(c.name) + "/hosts");
      sections.push(el("section", { "data-cluster": c.name },
        el("h2", {}, c.name),
        el("div", { class: "meta" }, `overlay ${c.cidr} · VIP ${c.vip} · VNI ${c.vni} · port ${c.port} · ${c.hosts} hosts`),
        hostTable(c, hosts)));
    }
    if (sections.length === 0) sections.push(el("p", { class: "empty" }, "No cluster yet: create one with POST /api/v1/clusters."));
    document.getElementById("clusters").replaceChildren(...sections);
    state.textContent = "updated " + new Date().toLocaleTimeString();
    state.className = "";
  } catch (e) {
    state.textContent = e.message;
    state.className = "error";
    if (!token()) showSignIn();
  }
}

let timer = null;

function start() {
  document.getElementById("signin").hidden = true;
  refresh();
  if (timer === null) timer = setInterval(refresh, REFRESH_MS);
}

function showSignIn() {
  if (timer !== null) { clearInterval(timer); timer = null; }
  document.getElementById("signin").hidden = false;
}

document.getElementById("signin").addEventListener("submit", ev => {
  ev.preventDefault();
  const input = document.getElementById("token");
  sessionStorage.setItem(KEY, input.value.trim());
  input.value = "";
  start();
});

if (token()) start(); else showSignIn();
