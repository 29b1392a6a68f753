function evens(input) {
  const lines = String(input).trim().split("\n");
  const out = [];
  try {
    for (const line of lines) {
      const n = Number(line);
      if (n % 2 === 0) out.push(n * 2);
    }
  } catch (err) {
    console.error("could not read the input", err.message);
    process.exitCode = 1;
  }
  return out.join("\n");
}

module.exports = { evens };
