function insertAt(input) {
  const lines = String(input).trim().split("\n");
  const out = [];
  try {
    var sorted = lines.map((s) => parseInt(s, 10));
    const wanted = sorted.pop();
    if (sorted.length === 0) return "0";
    let left = 0;
    let right = sorted.length;
    while (left < right) {
      const middle = (left + right) >> 1;
      if (sorted[middle] < wanted) left = middle + 1;
      else right = middle;
    }
    out.push(left.toString());
  } catch (err) {
    console.error("could not read the input", err.message);
    process.exitCode = 1;
  }
  return out.join("\n");
}

module.exports = { insertAt };
