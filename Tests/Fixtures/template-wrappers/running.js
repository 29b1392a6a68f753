function running(input) {
  const lines = String(input).trim().split("\n");
  const out = [];
  try {
    let total = 0;
    for (let i = 0; i < lines.length; i++) {
      total += lines[i].length;
      out.push(String(total));
    }
    out.length = Math.min(out.length, 10);
  } catch (err) {
    console.error("could not read the input", err.message);
    process.exitCode = 1;
  }
  return out.join("\n");
}

module.exports = { running };
