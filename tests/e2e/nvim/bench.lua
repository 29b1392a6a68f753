-- Latency and memory of codeintel-lsp measured from headless Neovim (what a user waits for):
-- a generated TypeScript file of BENCH_LINES lines (3,000; a multiple of 20), edits through the buffer (Neovim sends incremental
-- didChange), then timed inlay-hint and hover requests. Run by bench.sh; prints a report.
local server = os.getenv("CODEINTEL_LSP")
local dir = os.getenv("BENCH_DIR")
local iterations = tonumber(os.getenv("BENCH_ITERATIONS") or "150")
local extra_files = tonumber(os.getenv("BENCH_EXTRA_FILES") or "50")
local lines = tonumber(os.getenv("BENCH_LINES") or "3000")
local blocks = math.floor(lines / 20)
lines = blocks * 20
local uv = vim.loop
local function log(s) io.stderr:write(s .. "\n") end

-- A deterministic file of `lines` lines: blocks of 20 lines, block i differing by its number.
local function generate(seed)
  local out = {}
  for i = 0, blocks - 1 do
    local n = seed * blocks + i
    vim.list_extend(out, {
      string.format('const label%d = "item-%d";', n, n),
      string.format("const limit%d = %d;", n, n),
      string.format("export function scale%d(xs: number[], k = %d) {", n, n),
      "  const out = [];",
      "  for (const x of xs) {",
      string.format("    if (x > %d) {", n),
      "      out.push(x * k);",
      "    }",
      "  }",
      "  return out;",
      "}",
      string.format("export function describe%d(n: number) {", n),
      string.format("  if (n > %d) {", n),
      '    return "big";',
      "  }",
      '  return "small";',
      "}",
      string.format("export async function check%d() {", n),
      string.format("  return limit%d > 0;", n),
      "}",
    })
  end
  return out
end

local function write(path, lines)
  local f = assert(io.open(path, "w"))
  f:write(table.concat(lines, "\n") .. "\n")
  f:close()
end

local function percentile(xs, p)
  local s = vim.deepcopy(xs)
  table.sort(s)
  return s[math.max(1, math.ceil(p * #s))]
end

local function main()
  local main_file = dir .. "/main.ts"
  write(main_file, generate(0))
  for k = 1, extra_files do write(string.format("%s/lib%02d.ts", dir, k), generate(k)) end

  local initialized_at, progress_end
  local t0 = uv.hrtime()
  local client_id = vim.lsp.start_client({
    name = "codeintel",
    cmd = { server },
    root_dir = dir,
    flags = { debounce_text_changes = 0 },
    -- The hint bar Editors/neovim sends (the server's own default, the type head's calibrated threshold,
    -- shows few hints on this generated file, and the bench measures the work of showing them).
    init_options = { codeintel = { inlayHints = { enabled = true, minConfidence = 0.5 } } },
    on_init = function() initialized_at = uv.hrtime() end,
    handlers = {
      ["$/progress"] = function(_, result)
        if result and result.value and result.value.kind == "end" then progress_end = result.value.message end
      end,
    },
  })
  vim.cmd("edit " .. vim.fn.fnameescape(main_file))
  local bufnr = vim.api.nvim_get_current_buf()
  vim.lsp.buf_attach_client(bufnr, client_id)
  local client = vim.lsp.get_client_by_id(client_id)
  assert(vim.wait(30000, function() return initialized_at ~= nil end, 1), "initialize timed out")
  local uri = vim.uri_from_bufnr(bufnr)

  local function timed(method, params)
    local done, result
    local start = uv.hrtime()
    client.request(method, params, function(err, r)
      assert(not err, method .. " failed: " .. vim.inspect(err))
      result = r
      done = uv.hrtime()
    end, bufnr)
    assert(vim.wait(tonumber(os.getenv("BENCH_TIMEOUT_MS") or "30000"), function() return done ~= nil end, 1), method .. " timed out")
    return (done - start) / 1e6, result
  end
  local function viewport(first) return { start = { line = first, character = 0 }, ["end"] = { line = first + 60, character = 0 } } end
  local whole = { start = { line = 0, character = 0 }, ["end"] = { line = lines + 1, character = 0 } }

  local first_ms, first_hints = timed("textDocument/inlayHint", { textDocument = { uri = uri }, range = viewport(0) })
  local init_to_first = (uv.hrtime() - t0) / 1e6
  assert(#first_hints > 0, "no inlay hints")

  -- The server's own CPU time (user + system, from /proc), which the machine's load does not inflate.
  local function cpu_ms()
    local stat = io.open("/proc/" .. client.rpc.pid .. "/stat"):read("*a")
    local fields = {}
    for f in stat:gsub("^.-%) ", ""):gmatch("%S+") do table.insert(fields, f) end
    return (tonumber(fields[12]) + tonumber(fields[13])) * 10  -- utime + stime, in 10 ms ticks
  end
  -- The CPU time of the server's child processes (the compiler check's node process), which the server's own
  -- time does not include.
  local function children_cpu_ms()
    local total = 0
    -- Each thread lists the children it started (the node process is started from a request's thread).
    for _, path in ipairs(vim.fn.glob("/proc/" .. client.rpc.pid .. "/task/*/children", false, true)) do
      local f = io.open(path)
      if f then
        for pid in f:read("*a"):gmatch("%d+") do
          local s = io.open("/proc/" .. pid .. "/stat")
          if s then
            local stat = s:read("*a")
            s:close()
            local fields = {}
            for x in stat:gsub("^.-%) ", ""):gmatch("%S+") do table.insert(fields, x) end
            total = total + (tonumber(fields[12]) + tonumber(fields[13])) * 10
          end
        end
        f:close()
      end
    end
    return total
  end
  local lat = { hover = {}, hints_view = {}, hints_full = {} }
  vim.wait(60000, function() return progress_end ~= nil end, 10)  -- indexing done: measure edits alone
  local cpu_before = cpu_ms()
  local children_before = children_cpu_ms()
  local n_full
  local edit_line = 0
  local function edit()
    -- Insert then delete a character in alternation, so the text stays the same size.
    edit_line = (edit_line + 37) % lines
    local l = vim.api.nvim_buf_get_lines(bufnr, edit_line, edit_line + 1, false)[1]
    if l:sub(-1) == " " then
      vim.api.nvim_buf_set_text(bufnr, edit_line, #l - 1, edit_line, #l, { "" })
    else
      vim.api.nvim_buf_set_text(bufnr, edit_line, #l, edit_line, #l, { " " })
    end
  end
  for i = 1, iterations do
    edit()
    local block = (i * 7) % blocks
    local ms = timed("textDocument/hover", { textDocument = { uri = uri }, position = { line = block * 20, character = 8 } })
    table.insert(lat.hover, ms)
    edit()
    ms = timed("textDocument/inlayHint", { textDocument = { uri = uri }, range = viewport(block * 20) })
    table.insert(lat.hints_view, ms)
    edit()
    local r
    ms, r = timed("textDocument/inlayHint", { textDocument = { uri = uri }, range = whole })
    n_full = #r
    table.insert(lat.hints_full, ms)
  end
  local cpu_loop = cpu_ms() - cpu_before
  local children_loop = children_cpu_ms() - children_before
  -- BENCH_HINTS_OUT: the last whole-file answer, one hint a line (line:character label), to compare servers.
  local hints_out = os.getenv("BENCH_HINTS_OUT")
  if hints_out and hints_out ~= "" then
    local _, r = timed("textDocument/inlayHint", { textDocument = { uri = uri }, range = whole })
    local rows = {}
    for _, h in ipairs(r) do
      table.insert(rows, string.format("%d:%d %s", h.position.line, h.position.character, h.label))
    end
    table.sort(rows)
    local f = assert(io.open(hints_out, "w"))
    f:write(table.concat(rows, "\n") .. "\n")
    f:close()
  end

  local status = io.open("/proc/" .. client.rpc.pid .. "/status"):read("*a")
  local hwm = status:match("VmHWM:%s+(%d+) kB")
  local rss = status:match("VmRSS:%s+(%d+) kB")

  log(string.format("file: %d lines; workspace: %d more files of %d lines; %d iterations (3 edits each)", lines, extra_files, lines, iterations))
  log(string.format("start_client -> initialized: %.1f ms", (initialized_at - t0) / 1e6))
  log(string.format("initialize -> first inlay hints (viewport, %d hints): %.1f ms (the request itself %.1f ms)", #first_hints, init_to_first, first_ms))
  for _, k in ipairs({ "hover", "hints_view", "hints_full" }) do
    log(string.format("%-10s after an edit: p50 %.1f ms  p95 %.1f ms  max %.1f ms  (n=%d)", k,
      percentile(lat[k], 0.5), percentile(lat[k], 0.95), percentile(lat[k], 1.0), #lat[k]))
  end
  log(string.format("full-file inlay hints: %d", n_full))
  log(string.format("server CPU time in the loop: %d ms for %d edits + %d requests (%.1f ms per edit+request)",
    cpu_loop, 3 * iterations, 3 * iterations, cpu_loop / (3 * iterations)))
  log(string.format("its child processes (the compiler check): %d ms (%.1f ms per edit+request)",
    children_loop, children_loop / (3 * iterations)))
  log("indexing: " .. tostring(progress_end))
  log(string.format("server memory: peak RSS (VmHWM) %.1f MB, RSS now %.1f MB", hwm / 1024, rss / 1024))

  client.stop()
  vim.wait(10000, function() return client.is_stopped() end, 10)
end

local ok, err = pcall(main)
if not ok then
  log("bench failed: " .. tostring(err))
  vim.cmd("cquit 1")
end
vim.cmd("qall!")
