function renderFooter(site, palette) {
  const notice = site.copyright.trim();
  if (!notice) return null;
  const style = { padding: 8, background: palette.muted };
  const link = h("a", { href: site.contact }, "Contact");
  return h("footer", { class: "page-footer", style }, [h("small", {}, notice), link]);
}
