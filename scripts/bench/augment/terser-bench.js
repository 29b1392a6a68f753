// Times Debian's terser (compress + mangle) on the same function units the Swift benchmark used:
//   NODE_PATH=/usr/share/nodejs node terser-bench.js OUT_DIR/terser-input.json
"use strict";
const fs = require("fs");
const { minify } = require("terser");

(async () => {
  const programs = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
  let ok = 0, failed = 0, bytes = 0;
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  for (const code of programs) {
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
  console.log(JSON.stringify({ terser: require("terser/package.json").version, functions: programs.length, ok, failed,
    seconds, functions_per_second: programs.length / seconds, cpu_seconds: cpuSeconds,
    functions_per_cpu_second: programs.length / cpuSeconds, output_bytes: bytes }, null, 2));
})();
