function tallyInvoices(invoices, vat) {
  let sum = 0;
  let n = 0;
  const perClient = new Map();
  for (const inv of invoices) {
    if (inv.status === "cancelled") continue;
    const value = inv.price * inv.quantity * (1 + vat);
    const client = inv.customer;
    sum += value;
    n++;
    const before = perClient.get(client) ?? 0;
    perClient.set(client, before + value);
  }
  const mean = n === 0 ? 0 : sum / n;
  const result = { total: sum, count: n, average: mean, byCustomer: perClient };
  return result;
}
