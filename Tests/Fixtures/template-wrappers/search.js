function search(input) {
  const lines = String(input).trim().split("\n");
  const out = [];
  try {
    var values = lines.map(Number);
    const target = values.pop();
    let lo = 0;
    let hi = values.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (values[mid] < target) lo = mid + 1;
      else hi = mid;
    }
    out.push(lo.toString());
  } catch (err) {
    console.error("could not read the input", err.message);
    process.exitCode = 1;
  }
  return out.join("\n");
}

module.exports = { search };
