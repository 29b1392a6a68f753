function renderHeader(page, theme) {
  const title = page.title.trim();
  if (!title) return null;
  const style = { color: theme.primary, fontSize: 24 };
  const link = h("a", { href: page.home }, "Home");
  return h("header", { class: "page-header", style }, [link, h("h1", {}, title)]);
}
