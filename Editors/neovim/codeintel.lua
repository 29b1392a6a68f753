-- codeintel-lsp for Neovim's built-in LSP client (0.7 or newer), no plugins needed.
-- Copy to ~/.config/nvim/lua/codeintel.lua and call require("codeintel").setup() from init.lua.
local M = {}

M.filetypes = { "javascript", "javascriptreact", "typescript", "typescriptreact" }

-- Settings sent as initializationOptions and workspace/didChangeConfiguration (docs/LSP.md).
M.defaults = {
  cmd = { "codeintel-lsp" },
  settings = {
    codeintel = {
      inlayHints = { enabled = true, minConfidence = 0.5 },
      diagnostics = { enabled = true, debounceMs = 300, clones = true, names = true },
    },
  },
}

local function root_dir(bufnr)
  local path = vim.api.nvim_buf_get_name(bufnr)
  local found = vim.fs and vim.fs.find and vim.fs.find({ "package.json", "tsconfig.json", ".git" },
    { upward = true, path = vim.fs.dirname(path) })[1]
  if found then return vim.fs.dirname(found) end
  return vim.fn.getcwd()
end

function M.setup(opts)
  opts = vim.tbl_deep_extend("force", M.defaults, opts or {})
  local group = vim.api.nvim_create_augroup("codeintel-lsp", { clear = true })
  vim.api.nvim_create_autocmd("FileType", {
    group = group,
    pattern = M.filetypes,
    callback = function(args)
      local config = {
        name = "codeintel",
        cmd = opts.cmd,
        root_dir = root_dir(args.buf),
        init_options = opts.settings,
        settings = opts.settings,
      }
      if vim.lsp.start then
        vim.lsp.start(config, { bufnr = args.buf })          -- Neovim 0.8+
      else
        -- Neovim 0.7: one client per root, attached by hand.
        M.clients = M.clients or {}
        local id = M.clients[config.root_dir] or vim.lsp.start_client(config)
        M.clients[config.root_dir] = id
        vim.lsp.buf_attach_client(args.buf, id)
      end
    end,
  })
  -- :CodeintelSimilar lists the functions similar to the one under the cursor in the quickfix list.
  vim.api.nvim_create_user_command("CodeintelSimilar", function()
    local pos = vim.api.nvim_win_get_cursor(0)
    local params = { command = "codeintel.findSimilar",
      arguments = { vim.uri_from_bufnr(0), pos[1] - 1, pos[2] } }
    vim.lsp.buf_request(0, "workspace/executeCommand", params, function(err, result)
      if err then return vim.notify("codeintel: " .. err.message, vim.log.levels.ERROR) end
      local items = {}
      for _, c in ipairs(result or {}) do
        table.insert(items, { filename = vim.uri_to_fname(c.uri), lnum = c.range.start.line + 1,
          col = c.range.start.character + 1, text = string.format("%s (similarity %.2f)", c.name or "?", c.similarity) })
      end
      vim.fn.setqflist(items)
      vim.cmd(#items > 0 and "copen" or "echo 'codeintel: no similar functions'")
    end)
  end, {})
end

return M
