// Times Debian's terser (compress + mangle) on the same function units the Swift benchmark used:
//   NODE_PATH=/usr/share/nodejs node terser-bench.js OUT_DIR/terser-input.json [--passes N]
//
// The Swift pipeline parses a function unit that is not a program on its own wrapped as `(…);` or
// `(class {…});`. Given that text, terser's compressor drops the whole statement (an unused, side-effect-free
// expression) and never compresses, mangles or prints the function: its output is a few bytes per unit.
// So terser gets `var __unit = (…);` instead, which it must keep (top-level names are kept by default) and
// therefore really transforms, like the pipeline does. Programs that are not wrapped (function declarations)
// are passed as they are.
//
// Pass 1 is "cold" (node's JIT compiles terser while it runs, as in a one-off `terser` call); later passes
// over the same functions are "warm" (steady state, as in a long-running process). Both are reported.
"use strict";
const fs = require("fs");
const { minify } = require("terser");

(async () => {
  const programs = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
  const at = process.argv.indexOf("--passes");
  const passes = at > 0 ? Math.max(1, parseInt(process.argv[at + 1], 10)) : 3;
  const inputs = programs.map((code) => (code.startsWith("(") ? "var __unit = " + code : code));
  const report = { terser: require("terser/package.json").version, functions: inputs.length,
    input_bytes: inputs.reduce((n, c) => n + Buffer.byteLength(c), 0), passes: [] };
  for (let pass = 1; pass <= passes; pass++) {
    let ok = 0, failed = 0, bytes = 0;
    const start = process.hrtime.bigint();
    const cpuStart = process.cpuUsage();
    for (const code of inputs) {
      try {
        const out = await minify(code, { compress: true, mangle: true });
        bytes += out.code.length;
        ok++;
      } catch (e) {
        failed++;
      }
    }
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const cpu = process.cpuUsage(cpuStart);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;  // all of node's threads (the GC's included)
    report.passes.push({ pass, warm: pass > 1, ok, failed, seconds, functions_per_second: inputs.length / seconds,
      cpu_seconds: cpuSeconds, functions_per_cpu_second: inputs.length / cpuSeconds, output_bytes: bytes });
  }
  const warm = report.passes.filter((p) => p.warm);
  const best = (key) => Math.max(...(warm.length ? warm : report.passes).map((p) => p[key]));
  report.cold_functions_per_second = report.passes[0].functions_per_second;
  report.cold_functions_per_cpu_second = report.passes[0].functions_per_cpu_second;
  report.warm_functions_per_second = best("functions_per_second");
  report.warm_functions_per_cpu_second = best("functions_per_cpu_second");
  console.log(JSON.stringify(report, null, 2));
})();
