// The codeintel VS Code extension: starts codeintel-lsp over stdio for JavaScript and TypeScript
// files and forwards the `codeintel.*` settings. All features live in the server.
"use strict";
const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

let client;

function settings() {
  const c = vscode.workspace.getConfiguration("codeintel");
  return {
    codeintel: {
      inlayHints: { enabled: c.get("inlayHints.enabled"), minConfidence: c.get("inlayHints.minConfidence") },
      hover: { enabled: c.get("hover.enabled") },
      diagnostics: {
        enabled: c.get("diagnostics.enabled"),
        debounceMs: c.get("diagnostics.debounceMs"),
        clones: c.get("diagnostics.clones"),
        names: c.get("diagnostics.names"),
        minSimilarity: c.get("diagnostics.minSimilarity"),
      },
      index: { enabled: c.get("index.enabled") },
      maxFileBytes: c.get("maxFileBytes"),
    },
  };
}

function start(context) {
  const command = vscode.workspace.getConfiguration("codeintel").get("serverPath") || "codeintel-lsp";
  const serverOptions = { command, args: ["--stdio"], transport: TransportKind.stdio };
  const clientOptions = {
    documentSelector: ["javascript", "javascriptreact", "typescript", "typescriptreact"].map((language) => ({
      scheme: "file",
      language,
    })),
    // The settings go in the shape the server reads (docs/LSP.md): at start-up and on change.
    initializationOptions: settings(),
  };
  client = new LanguageClient("codeintel", "codeintel", serverOptions, clientOptions);
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration("codeintel") && client) {
        client.sendNotification("workspace/didChangeConfiguration", { settings: settings() });
      }
    })
  );
  return client.start();
}

async function findSimilarAtCursor() {
  const editor = vscode.window.activeTextEditor;
  if (!editor || !client) return;
  const pos = editor.selection.active;
  const result = await client.sendRequest("workspace/executeCommand", {
    command: "codeintel.findSimilar",
    arguments: [editor.document.uri.toString(), pos.line, pos.character],
  });
  if (!result || result.length === 0) {
    vscode.window.showInformationMessage("codeintel: no similar functions");
    return;
  }
  const picked = await vscode.window.showQuickPick(
    result.map((c) => ({
      label: c.name || "<anonymous>",
      description: `${vscode.workspace.asRelativePath(vscode.Uri.parse(c.uri))}:${c.range.start.line + 1}`,
      detail: `similarity ${c.similarity.toFixed(2)}`,
      clone: c,
    }))
  );
  if (picked) {
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(picked.clone.uri));
    const at = new vscode.Position(picked.clone.range.start.line, picked.clone.range.start.character);
    await vscode.window.showTextDocument(doc, { selection: new vscode.Range(at, at) });
  }
}

function activate(context) {
  context.subscriptions.push(
    vscode.commands.registerCommand("codeintel.findSimilarAtCursor", findSimilarAtCursor),
    vscode.commands.registerCommand("codeintel.restart", async () => {
      if (client) await client.stop();
      await start(context);
    })
  );
  return start(context);
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
