interface Sale {
  region: string;
  amountCents: number;
}

/** Buckets records by the value of one of their fields. */
export function bucketBy<T>(records: T[], field: keyof T): Record<string, T[]> {
  const buckets: Record<string, T[]> = {};
  for (const record of records) {
    const bucket = String(record[field]);
    if (buckets[bucket] === undefined) buckets[bucket] = [];
    buckets[bucket].push(record);
  }
  return buckets;
}

/** Pages of `pageSize` rows for the PDF report. */
export function splitIntoPages<T>(rows: T[], pageSize: number): T[][] {
  const pages: T[][] = [];
  let offset = 0;
  while (offset < rows.length) {
    pages.push(rows.slice(offset, offset + pageSize));
    offset += pageSize;
  }
  return pages;
}

export function salesByRegion(sales: Sale[]): Map<string, number> {
  const totals = new Map<string, number>();
  for (const sale of sales) {
    totals.set(sale.region, (totals.get(sale.region) ?? 0) + sale.amountCents);
  }
  return totals;
}
