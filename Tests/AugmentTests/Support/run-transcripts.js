// Runs JavaScript programs and their transformed variants, each in a fresh `vm` context, and reports the
// variants whose transcript (console output, uncaught errors, then output of timers and promises) differs
// from the original's. Input: a JSON file [{name, texts: [original, variant1, ...], labels: [...]}].
// Output (stdout): one JSON object {programs, runs, mismatches: [{name, label, expected, got, text}]}.
"use strict";
const fs = require("fs");
const vm = require("vm");

function makeContext(lines, pending) {
  const fmt = (args) => args.map(a => typeof a === "string" ? a : require("util").inspect(a, { depth: 4 })).join(" ");
  const consoleObj = { log: (...a) => lines.push(fmt(a)) };
  const ctx = {
    console: consoleObj,
    setTimeout: (f, ms, ...a) => {
      pending.count++;
      return setTimeout(() => { pending.count--; try { f(...a); } catch (e) { lines.push("uncaught " + describe(e)); } }, ms);
    },
    queueMicrotask: (f) => queueMicrotask(f),
  };
  return vm.createContext(ctx);
}

function describe(e) {
  return e && typeof e === "object" ? (e.name || "Error") + ": " + e.message : "thrown " + String(e);
}

let current = null;
process.on("unhandledRejection", (reason) => { if (current) current.push("unhandled " + describe(reason)); });

async function run(text) {
  const lines = [];
  const pending = { count: 0 };
  current = lines;
  try {
    const script = new vm.Script(text, { filename: "program.js" });
    script.runInContext(makeContext(lines, pending), { timeout: 2000 });
  } catch (e) {
    lines.push("uncaught " + describe(e));
  }
  for (let i = 0; i < 200; i++) {
    await new Promise(r => setImmediate(r));
    if (pending.count === 0 && i > 3) break;
    if (pending.count > 0) await new Promise(r => setTimeout(r, 1));
  }
  current = null;
  return lines.join("\n");
}

(async () => {
  const jobs = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
  const mismatches = [];
  const broken = [];
  let runs = 0;
  for (const job of jobs) {
    const expected = await run(job.texts[0]);
    runs++;
    if (expected === "" || expected.includes("uncaught SyntaxError")) broken.push({ name: job.name, expected });
    const seen = new Map();
    for (let i = 1; i < job.texts.length; i++) {
      const text = job.texts[i];
      let got = seen.get(text);
      if (got === undefined) { got = await run(text); seen.set(text, got); runs++; }
      if (got !== expected) mismatches.push({ name: job.name, label: job.labels[i], expected, got, text });
    }
  }
  process.stdout.write(JSON.stringify({ programs: jobs.length, runs, mismatches, broken }));
})();
