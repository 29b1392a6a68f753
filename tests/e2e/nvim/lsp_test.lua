-- Drives codeintel-lsp from headless Neovim 0.7 with raw LSP requests (0.7 has no inlay-hint
-- UI, so hints are requested with request_sync) and checks each answer. Run by run.sh.
local editors = os.getenv("EDITORS")
local sample = os.getenv("SAMPLE")
local failures = 0

local function log(s) io.stderr:write(s .. "\n") end
local function check(ok, what)
  if ok then log("  ok   " .. what) else failures = failures + 1; log("  FAIL " .. what) end
  return ok
end
local function finish()
  if failures > 0 then
    log(failures .. " check(s) failed")
    vim.cmd("cquit 1")
  else
    vim.cmd("qall!")
  end
end

local function main()
  local published = {}
  local progress_end = false
  -- Observe what the server sends through the global handlers, so the client is exactly the one that
  -- Editors/neovim/codeintel.lua starts (its `cmd` is the bare `codeintel-lsp`, found on PATH).
  local publish = vim.lsp.handlers["textDocument/publishDiagnostics"]
  vim.lsp.handlers["textDocument/publishDiagnostics"] = function(err, result, ctx, config)
    table.insert(published, result)
    return publish(err, result, ctx, config)
  end
  vim.lsp.handlers["$/progress"] = function(_, result)
    if result and result.value and result.value.kind == "end" then progress_end = true end
  end
  package.path = editors .. "/neovim/?.lua;" .. package.path
  require("codeintel").setup({ settings = { codeintel = { diagnostics = { debounceMs = 50 } } } })
  check(vim.fn.exepath("codeintel-lsp") ~= "", "codeintel-lsp is on PATH (" .. vim.fn.exepath("codeintel-lsp") .. ")")
  vim.cmd("filetype on")
  vim.cmd("edit " .. vim.fn.fnameescape(sample))
  local bufnr = vim.api.nvim_get_current_buf()
  local client
  check(vim.wait(20000, function()
    local _, c = next(vim.lsp.buf_get_clients(bufnr))
    client = c
    return client ~= nil and client.server_capabilities ~= nil
  end, 20), "the Editors/neovim set-up starts the server and initialize completes")
  if client == nil then return finish() end
  local client_id = client.id
  check(client.server_capabilities ~= nil and client.resolved_capabilities ~= nil, "capabilities received")

  local uri = vim.uri_from_bufnr(bufnr)
  local function lines() return vim.api.nvim_buf_get_lines(bufnr, 0, -1, false) end
  local function line_of(pattern)
    for i, l in ipairs(lines()) do if l:find(pattern, 1, true) then return i - 1, l end end
  end

  -- Diagnostics: the clone pair.
  local got = vim.wait(20000, function()
    for _, p in ipairs(published) do if #p.diagnostics > 0 then return true end end
    return false
  end, 20)
  check(got, "diagnostics are published")
  local clone_lines = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    if d.message:find("functional clone of", 1, true) then clone_lines[d.lnum] = d.message end
  end
  local total_line = line_of("export function total(")
  local sum_line = line_of("export function sumPrices(")
  check(clone_lines[total_line] and clone_lines[total_line]:find("sumPrices", 1, true),
    "total is reported as a clone of sumPrices: " .. tostring(clone_lines[total_line]))
  check(clone_lines[sum_line] ~= nil, "sumPrices is reported as a clone of total")
  check(vim.wait(20000, function() return progress_end end, 20), "workspace indexing reports $/progress end")

  -- Inlay hints.
  local whole = { start = { line = 0, character = 0 }, ["end"] = { line = #lines(), character = 0 } }
  local function hints()
    local r = client.request_sync("textDocument/inlayHint", { textDocument = { uri = uri }, range = whole }, 10000, bufnr)
    return (r and r.result) or {}
  end
  local by_line = {}
  for _, h in ipairs(hints()) do by_line[h.position.line] = (by_line[h.position.line] or "") .. h.label end
  local retries_line = line_of("const retries = 3")
  -- Hints go where an annotation adds information (docs/TYPES.md): not on initialised constants or
  -- defaulted parameters, whose types the compiler infers; on the exported functions' returns.
  check(by_line[retries_line] == nil, "no hint for retries (its initialiser says number), got " .. tostring(by_line[retries_line]))
  check(by_line[line_of("const tags")] == nil, "no hint for tags")
  check(by_line[line_of("const createdAt")] == nil, "no hint for createdAt")
  check(by_line[line_of("export function describe")] == ": string", "return hint `: string` for describe")
  check(by_line[line_of("export async function ping")] == ": Promise<boolean>", "hint Promise<boolean> for ping")
  check(by_line[line_of("export function log")] == ": void", "return hint `: void` for log")
  -- (A return hint for total may sit on the same line; the parameter hint would go right after `discount`.)
  local _, total_src = line_of("export function total(")
  local discount_end = total_src:find("discount", 1, true) - 1 + #"discount"
  local on_discount = nil
  for _, h in ipairs(hints()) do
    if h.position.line == total_line and h.position.character == discount_end then on_discount = h.label end
  end
  check(on_discount == nil, "no hint for discount = 0, got " .. tostring(on_discount))

  -- Hover on a function name and on a binding.
  local _, total_text = line_of("export function total(")
  local col = total_text:find("total", 1, true)
  local hover = client.request_sync("textDocument/hover",
    { textDocument = { uri = uri }, position = { line = total_line, character = col } }, 10000, bufnr)
  local hover_text = hover and hover.result and hover.result.contents and hover.result.contents.value or ""
  check(hover_text:find("Similar functions", 1, true) and hover_text:find("sumPrices", 1, true),
    "hover on total lists sumPrices")
  local hover2 = client.request_sync("textDocument/hover",
    { textDocument = { uri = uri }, position = { line = retries_line, character = 8 } }, 10000, bufnr)
  local h2 = hover2 and hover2.result and hover2.result.contents.value or ""
  check(h2:find("`number`", 1, true) ~= nil, "hover on retries shows number")

  -- Code action: add the annotation, apply it, and check the buffer and the next hints.
  local pos = { line = retries_line, character = 7 }
  local actions = client.request_sync("textDocument/codeAction",
    { textDocument = { uri = uri }, range = { start = pos, ["end"] = pos }, context = { diagnostics = {} } }, 10000, bufnr)
  local add
  for _, a in ipairs((actions and actions.result) or {}) do
    if a.title:find("Add type annotation", 1, true) then add = a end
  end
  check(add ~= nil, "code action 'Add type annotation' is offered")
  if add then
    vim.lsp.util.apply_workspace_edit(add.edit, "utf-16")
    local _, edited = line_of("const retries")
    check(edited == "const retries: number = 3;", "the edit is applied: " .. tostring(edited))
    -- Neovim sends an incremental didChange; the hint for retries must be gone now.
    local after = {}
    for _, h in ipairs(hints()) do after[h.position.line] = h.label end
    check(after[retries_line] == nil, "no hint for retries after the edit")
    check(after[line_of("export function describe")] == ": string", "other hints survive the edit")
  end
  local clone_actions = client.request_sync("textDocument/codeAction",
    { textDocument = { uri = uri }, range = { start = { line = total_line, character = col }, ["end"] = { line = total_line, character = col } },
      context = { diagnostics = {} } }, 10000, bufnr)
  local show
  for _, a in ipairs((clone_actions and clone_actions.result) or {}) do
    if a.title:find("Show functional clones", 1, true) then show = a end
  end
  check(show ~= nil, "code action 'Show functional clones' is offered")
  if show then
    local r = client.request_sync("workspace/executeCommand", show.command, 10000, bufnr)
    local first = r and r.result and r.result[1]
    check(first and first.name == "sumPrices", "executeCommand codeintel.showClones finds sumPrices")
  end

  -- Shut down cleanly.
  client.stop()
  check(vim.wait(10000, function() return client.is_stopped() end, 20), "the server stops")
end

local ok, err = pcall(main)
if not ok then
  failures = failures + 1
  log("  FAIL the test script raised: " .. tostring(err))
end
finish()
