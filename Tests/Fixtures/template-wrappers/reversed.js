function reversed(input) {
  const lines = String(input).trim().split("\n");
  const out = [];
  try {
    while (lines.length) out.unshift(lines.shift().split(" ").reverse().join(" "));
    out.sort();
  } catch (err) {
    console.error("could not read the input", err.message);
    process.exitCode = 1;
  }
  return out.join("\n");
}

module.exports = { reversed };
