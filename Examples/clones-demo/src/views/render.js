const { formatMoney } = require("../util/money");

// Copied from util/html.js so the views have no dependencies (and then reformatted).
function escapeHtml(text)
{
  let out = "";
  for (const ch of String(text))
  {
    if (ch === "&") out += "&amp;";   // ampersand first
    else if (ch === "<") out += "&lt;";
    else if (ch === ">") out += "&gt;";
    else if (ch === '"') out += "&quot;";
    else if (ch === "'") out += "&#39;";
    else out += ch;
  }
  return out;
}

function renderProductCard(product) {
  const price = formatMoney(product.priceCents, product.currency);
  const badge = product.stock > 0 ? "" : '<span class="badge">sold out</span>';
  return [
    '<article class="card">',
    `  <h2>${escapeHtml(product.name)}</h2>`,
    `  <p class="price">${price}</p>`,
    badge,
    "</article>",
  ].join("\n");
}

module.exports = { renderProductCard };
