function summarizeOrders(orders, taxRate) {
  let total = 0;
  let count = 0;
  const byCustomer = new Map();
  for (const order of orders) {
    if (order.status === "cancelled") continue;
    const amount = order.price * order.quantity * (1 + taxRate);
    const key = order.customer;
    total += amount;
    count += 1;
    const previous = byCustomer.get(key) || 0;
    byCustomer.set(key, previous + amount);
  }
  const average = count === 0 ? 0 : total / count;
  return { total, count, average, byCustomer };
}
