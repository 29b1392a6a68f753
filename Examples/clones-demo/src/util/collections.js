function groupBy(list, key) {
  const groups = {};
  for (let i = 0; i < list.length; i++) {
    const item = list[i];
    const k = item[key];
    if (!groups[k]) {
      groups[k] = [];
    }
    groups[k].push(item);
  }
  return groups;
}

function chunk(array, size) {
  const out = [];
  for (let start = 0; start < array.length; start += size) {
    out.push(array.slice(start, start + size));
  }
  return out;
}

function uniqueBy(list, keyOf) {
  const seen = new Set();
  const result = [];
  for (const item of list) {
    const k = keyOf(item);
    if (seen.has(k)) continue;
    seen.add(k);
    result.push(item);
  }
  return result;
}

module.exports = { groupBy, chunk, uniqueBy };
