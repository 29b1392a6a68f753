// Order totals for the monthly report.

function orderTotal(items) {
  let total = 0;
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (item.quantity <= 0) continue;
    total += item.priceCents * item.quantity;
  }
  return total;
}

function debounce(fn, waitMs) {
  let timer = null;
  return function (...args) {
    if (timer !== null) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      fn.apply(this, args);
    }, waitMs);
  };
}

module.exports = { orderTotal, debounce };
