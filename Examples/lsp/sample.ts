// A small TypeScript file for trying codeintel-lsp in an editor; the Neovim end-to-end test
// (tests/e2e/nvim/run.sh) opens it. Sites where an annotation adds information get type hints (here
// the exported functions' returns; "Add type annotation" works on any binding), and `total` and
// `sumPrices` are functional clones of each other (only their names differ).

interface Item {
  name: string;
  price: number;
}

const currency = "EUR";
const retries = 3;
const createdAt = new Date();
const tags = ["fresh", "local"];

export function total(items: Item[], discount = 0) {
  let sum = 0;
  for (const item of items) {
    if (item.price > 0) {
      sum += item.price;
    }
  }
  return sum * (1 - discount);
}

export function sumPrices(list: Item[], rebate = 0) {
  let acc = 0;
  for (const entry of list) {
    if (entry.price > 0) {
      acc += entry.price;
    }
  }
  return acc * (1 - rebate);
}

export function describe(item: Item) {
  if (item.price > 100) {
    return "expensive";
  }
  return "cheap";
}

export async function ping() {
  return retries > 0;
}

export function log(message: string) {
  console.log(`${currency} ${createdAt.toISOString()} ${tags.join(",")}: ${message}`);
}
