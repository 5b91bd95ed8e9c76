// Drives chancho's Toxiproxy-compatible API with the official Node client
// (toxiproxy-node-client), as a user of Toxiproxy would.
//
//   node client_test.js URL client             every client call on a proxy
//                                              made here, to an echo server
//   node client_test.js URL cut LINK           a limit_data toxic of 0 bytes
//                                              on the run's link LINK
//   node client_test.js URL reset              POST /reset
//
// Prints "ok <step>" per step; a failed check exits non-zero with the
// reason.
"use strict";
const assert = require("node:assert/strict");
const net = require("node:net");
let client;
try {
  client = require("toxiproxy-node-client");
} catch (e) {
  console.error("toxiproxy-node-client is not installed: run ci/install-deps.sh " +
                "(npm ci in integration_tests/toxiproxy)");
  process.exit(2);
}

const [url, mode, link] = process.argv.slice(2);
const toxiproxy = new client.Toxiproxy(url);
const ok = (step) => console.log("ok " + step);

function echoServer() {
  return new Promise((resolve) => {
    const server = net.createServer((socket) => socket.pipe(socket));
    server.listen(0, "127.0.0.1", () => resolve(server));
  });
}

function port(listen) {
  return Number(listen.slice(listen.lastIndexOf(":") + 1));
}

// One round trip through 127.0.0.1:p, in milliseconds; rejects when the
// connection is refused, reset or closed without the echo.
function roundTrip(p) {
  return new Promise((resolve, reject) => {
    const start = Date.now();
    const socket = net.connect(p, "127.0.0.1", () => socket.write("ping"));
    let got = "";
    socket.setTimeout(10000, () => { socket.destroy(); reject(new Error("timeout")); });
    socket.on("data", (d) => {
      got += d;
      if (got === "ping") { socket.end(); resolve(Date.now() - start); }
    });
    socket.on("error", reject);
    socket.on("close", () => { if (got !== "ping") reject(new Error("closed")); });
  });
}

async function rejects(promise, status) {
  await assert.rejects(promise, (e) =>
    e instanceof client.ToxiproxyError &&
    String(e.message).includes("status code " + status));
}

async function clientSteps() {
  const version = await toxiproxy.getVersion();
  assert.match(version, /chancho/);
  ok("version");

  const echo = await echoServer();
  const upstream = "127.0.0.1:" + echo.address().port;
  const proxy = await toxiproxy.createProxy({
    name: "echo", listen: "127.0.0.1:0", upstream });
  assert.equal(proxy.name, "echo");
  assert.equal(proxy.upstream, upstream);
  assert.equal(proxy.enabled, true);
  assert.notEqual(port(proxy.listen), 0);
  await roundTrip(port(proxy.listen));
  ok("create");
  await rejects(toxiproxy.createProxy({ name: "echo", listen: "127.0.0.1:0", upstream }), 409);
  ok("create-conflict");

  const toxic = await proxy.addToxic({
    name: "lag", type: "latency", stream: "downstream", toxicity: 1,
    attributes: { latency: 1000, jitter: 0 } });
  assert.equal(toxic.name, "lag");
  assert.deepEqual(toxic.attributes, { latency: 1000, jitter: 0 });
  assert.ok(await roundTrip(port(proxy.listen)) >= 1000, "the latency applies");
  ok("add-toxic");

  const updated = await toxic.update({
    name: "lag", type: "latency", stream: "downstream", toxicity: 1,
    attributes: { latency: 0, jitter: 0 } });
  assert.equal(updated.attributes.latency, 0);
  assert.equal((await proxy.getToxic("lag")).attributes.latency, 0);
  assert.ok(await roundTrip(port(proxy.listen)) < 1000, "the update applies");
  ok("update-toxic");

  await toxic.remove();
  await rejects(proxy.getToxic("lag"), 404);
  ok("remove-toxic");

  const off = await proxy.update({ ...proxy.toJson(), enabled: false });
  assert.equal(off.enabled, false);
  await assert.rejects(roundTrip(port(proxy.listen)));
  await proxy.addToxic({ type: "slicer", stream: "upstream", toxicity: 1,
    attributes: { average_size: 1, size_variation: 0, delay: 10 } });
  await toxiproxy.reset();
  const after = await toxiproxy.get("echo");
  assert.equal(after.enabled, true);
  await roundTrip(port(after.listen));
  assert.deepEqual(await toxiproxy.getApi().get(url + "/proxies/echo/toxics")
                     .then((r) => r.data), []);
  ok("disable-reset");

  const populated = await toxiproxy.populate([
    { name: "p1", listen: "127.0.0.1:0", upstream },
    { name: "p2", listen: "127.0.0.1:0", upstream, enabled: false }]);
  assert.deepEqual(Object.keys(populated).sort(), ["p1", "p2"]);
  assert.equal(populated.p2.enabled, false);
  const all = await toxiproxy.getAll();
  for (const name of ["echo", "p1", "p2"]) assert.ok(name in all, name);
  ok("populate");

  for (const name of ["echo", "p1", "p2"]) await all[name].remove();
  await rejects(toxiproxy.get("echo"), 404);
  ok("remove-proxy");
  echo.close();
}

async function cut(name) {
  const proxies = await toxiproxy.getAll();
  assert.ok(name in proxies, "the run's link " + name + " is served; have " +
            Object.keys(proxies).join(", "));
  const toxic = await proxies[name].addToxic({
    name: "cut", type: "limit_data", stream: "upstream", toxicity: 1,
    attributes: { bytes: 0 } });
  assert.equal(toxic.name, "cut");
  await rejects(proxies[name].remove(), 403);
  ok("cut");
}

(async () => {
  if (mode === "client") await clientSteps();
  else if (mode === "cut") await cut(link);
  else if (mode === "reset") { await toxiproxy.reset(); ok("reset"); }
  else throw new Error("unknown mode " + mode);
})().catch((e) => {
  console.error("FAILED: " + (e && e.stack ? e.stack : e));
  process.exit(1);
});
