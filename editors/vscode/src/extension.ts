// The Quod extension: starts `quod lsp`, and shows the goals at the cursor in a panel beside the
// editor (fed by the server's `quod/goals` request, as Lean's infoview is by `$/lean/plainGoal`).

import * as vscode from "vscode";
import {
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
} from "vscode-languageclient/node";

interface Goals {
  rendered: string;
  goals: string[] | null;
  before: string[] | null;
  after: string[] | null;
  tactic: string | null;
  error: string | null;
}

interface Checked {
  uri: string;
  version: number;
  declarations: number;
  checked: number;
  reused: number;
  cancelled: boolean;
  ms: number;
}

let client: LanguageClient | undefined;
let panel: vscode.WebviewPanel | undefined;
let pending: vscode.CancellationTokenSource | undefined;
let timer: NodeJS.Timeout | undefined;
let status: vscode.StatusBarItem;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  status = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 0);
  status.command = "quod.showGoals";
  context.subscriptions.push(status);
  context.subscriptions.push(
    vscode.commands.registerCommand("quod.showGoals", () => showPanel(true)),
    vscode.commands.registerCommand("quod.restartServer", async () => {
      await client?.stop();
      await startClient(context);
    }),
    vscode.window.onDidChangeTextEditorSelection((e) => scheduleGoals(e.textEditor)),
    vscode.window.onDidChangeActiveTextEditor((e) => {
      if (e && e.document.languageId === "quod" && autoOpen()) {
        showPanel(false);
      }
      if (e) {
        scheduleGoals(e);
      }
    }),
    vscode.workspace.onDidChangeTextDocument((e) => {
      const ed = vscode.window.activeTextEditor;
      if (ed && e.document === ed.document) {
        scheduleGoals(ed);
      }
    }),
  );
  await startClient(context);
  const ed = vscode.window.activeTextEditor;
  if (ed && ed.document.languageId === "quod" && autoOpen()) {
    showPanel(false);
  }
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}

function autoOpen(): boolean {
  return vscode.workspace.getConfiguration("quod").get<boolean>("goals.autoOpen", true);
}

async function startClient(context: vscode.ExtensionContext): Promise<void> {
  const cfg = vscode.workspace.getConfiguration("quod");
  const serverOptions: ServerOptions = {
    command: cfg.get<string>("server.path", "quod"),
    args: cfg.get<string[]>("server.args", ["lsp"]),
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: "quod" },
      { scheme: "untitled", language: "quod" },
    ],
  };
  client = new LanguageClient("quod", "Quod", serverOptions, clientOptions);
  await client.start();
  context.subscriptions.push(
    client.onNotification("quod/checked", (c: Checked) => {
      const ed = vscode.window.activeTextEditor;
      if (!ed || ed.document.uri.toString() !== c.uri || c.cancelled) {
        return;
      }
      status.text = `Quod: ${c.declarations} declarations (${c.checked} checked, ${c.reused} reused, ${Math.round(c.ms)} ms)`;
      status.show();
      scheduleGoals(ed);
    }),
  );
}

function showPanel(focus: boolean): void {
  if (panel) {
    if (focus) {
      panel.reveal(vscode.ViewColumn.Beside, true);
    }
  } else {
    panel = vscode.window.createWebviewPanel("quodGoals", "Quod Goals",
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, { enableScripts: false });
    panel.onDidDispose(() => (panel = undefined));
  }
  const ed = vscode.window.activeTextEditor;
  if (ed) {
    scheduleGoals(ed);
  }
}

function scheduleGoals(editor: vscode.TextEditor): void {
  if (!panel || editor.document.languageId !== "quod") {
    return;
  }
  if (timer) {
    clearTimeout(timer);
  }
  timer = setTimeout(() => updateGoals(editor), 50);
}

async function updateGoals(editor: vscode.TextEditor): Promise<void> {
  if (!client || !panel) {
    return;
  }
  pending?.cancel();            // the cursor moved on: the old answer is not wanted
  const source = new vscode.CancellationTokenSource();
  pending = source;
  const pos = editor.selection.active;
  try {
    const goals = await client.sendRequest<Goals | null>("quod/goals", {
      textDocument: { uri: editor.document.uri.toString() },
      position: { line: pos.line, character: pos.character },
    }, source.token);
    if (panel && pending === source) {
      panel.webview.html = render(goals, editor.document.fileName, pos.line + 1);
    }
  } catch {
    // cancelled, or the server is restarting: the next cursor move asks again
  }
}

function escape(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function goalList(goals: string[] | null): string {
  if (goals === null) {
    return "";
  }
  if (goals.length === 0) {
    return `<div class="none">no goals</div>`;
  }
  const head = goals.length > 1 ? `<div class="count">${goals.length} goals</div>` : "";
  return head + goals.map((g) => `<pre class="goal">${escape(g)}</pre>`).join("");
}

function render(g: Goals | null, file: string, line: number): string {
  let body: string;
  const where = `${escape(file.split(/[\\/]/).pop() ?? file)}:${line}`;
  if (!g) {
    body = `<div class="none">no proof here</div>`;
  } else if (g.tactic === null) {
    body = `<h3>where the proof starts</h3>${goalList(g.after)}`;
  } else if (g.before === null) {
    body = `<div class="error">${escape(g.error ?? "")}</div>`;
  } else {
    body = `<h3>before <code>${escape(g.tactic)}</code></h3>${goalList(g.before)}`;
    body += g.error !== null
      ? `<h3>failed</h3><pre class="error">${escape(g.error)}</pre>`
      : `<h3>after</h3>${goalList(g.after)}`;
  }
  return `<!DOCTYPE html><html><head><meta charset="utf-8">
<style>
  body { font-family: var(--vscode-editor-font-family); font-size: var(--vscode-editor-font-size); }
  pre.goal { background: var(--vscode-textCodeBlock-background); padding: 6px; white-space: pre-wrap; }
  .error { color: var(--vscode-errorForeground); white-space: pre-wrap; }
  .none, .where { color: var(--vscode-descriptionForeground); }
  h3 { font-size: 1em; margin: 0.8em 0 0.3em 0; }
</style></head><body><div class="where">${where}</div>${body}</body></html>`;
}
