function unique(input) {
  const lines = String(input).trim().split("\n");
  const out = [];
  try {
    const seen = new Set();
    lines.forEach((line) => {
      if (!seen.has(line)) {
        seen.add(line);
        out.push(line.toUpperCase());
      }
    });
  } catch (err) {
    console.error("could not read the input", err.message);
    process.exitCode = 1;
  }
  return out.join("\n");
}

module.exports = { unique };
