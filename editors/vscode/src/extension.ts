// planreview for VS Code: starts `planreview lsp` and hands it Markdown and plain-text plans.
// Everything else (diagnostics, quick fixes, hovers, the deep critique) lives in the server.

import * as vscode from "vscode";
import {
  DidChangeConfigurationNotification,
  DocumentFilter,
  ExecuteCommandRequest,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
} from "vscode-languageclient/node";

const SECTION = "planreview";
const DEFAULT_FILES = ["**/*.md", "**/*.markdown", "**/*.txt"];

let client: LanguageClient | undefined;
let output: vscode.OutputChannel | undefined;

interface CritiqueResult {
  status?: string;
  message?: string;
  findings?: number;
}

function serverOptions(config: vscode.WorkspaceConfiguration): ServerOptions {
  const command = config.get<string>("server.command", "planreview");
  const args = config.get<string[]>("server.args", ["lsp"]);
  const env = config.get<Record<string, string>>("server.env", {});
  // No transport given: stdio, without the `--stdio` flag some servers want.
  return { command, args, options: { env: { ...process.env, ...env } } };
}

function documentSelector(config: vscode.WorkspaceConfiguration): DocumentFilter[] {
  const files = config.get<string[]>("files", DEFAULT_FILES);
  const selector: DocumentFilter[] = [];
  for (const language of ["markdown", "plaintext"]) {
    for (const pattern of files.length ? files : DEFAULT_FILES) {
      selector.push({ scheme: "file", language, pattern });
    }
    selector.push({ scheme: "untitled", language });
  }
  return selector;
}

function createClient(): LanguageClient {
  const config = vscode.workspace.getConfiguration(SECTION);
  output = output ?? vscode.window.createOutputChannel("planreview");
  const clientOptions: LanguageClientOptions = {
    documentSelector: documentSelector(config),
    // The server pulls `planreview.*` through workspace/configuration; when the settings
    // change, activate() below tells it to pull again (no deprecated `synchronize` push).
    outputChannel: output,
  };
  return new LanguageClient(SECTION, "planreview", serverOptions(config), clientOptions);
}

async function start(): Promise<void> {
  client = createClient();
  try {
    await client.start();
  } catch (err) {
    const command = vscode.workspace.getConfiguration(SECTION).get<string>("server.command");
    void vscode.window.showErrorMessage(
      `planreview: could not start the language server (${command}): ${String(err)}. ` +
        "Install planreview (pip install . in its checkout) or set planreview.server.command.",
    );
  }
}

async function restart(): Promise<void> {
  if (client) {
    await client.stop().catch(() => undefined);
  }
  await start();
}

async function critiqueCurrent(): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!client || !editor) {
    void vscode.window.showInformationMessage("planreview: open a plan to critique first.");
    return;
  }
  const result: CritiqueResult | null = await client.sendRequest(ExecuteCommandRequest.type, {
    command: "planreview.critique",
    arguments: [editor.document.uri.toString()],
  });
  const message = result?.message ?? "no answer from the server";
  if (result?.status === "ok") {
    void vscode.window.showInformationMessage(`planreview: ${message}`);
  } else if (result?.status !== "cancelled") {
    void vscode.window.showWarningMessage(`planreview: ${message}`);
  }
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  context.subscriptions.push(
    vscode.commands.registerCommand("planreview.critiqueCurrent", critiqueCurrent),
    vscode.commands.registerCommand("planreview.restart", restart),
    vscode.commands.registerCommand("planreview.showLog", () => output?.show(true)),
    vscode.workspace.onDidChangeConfiguration((event) => {
      // How the server starts and which files it sees need a restart; the rest is live.
      if (event.affectsConfiguration(`${SECTION}.server`) || event.affectsConfiguration(`${SECTION}.files`)) {
        void restart();
      } else if (event.affectsConfiguration(SECTION) && client?.isRunning()) {
        // settings: null = "pull them": the server asks through workspace/configuration.
        void client.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
      }
    }),
  );
  await start();
}

export async function deactivate(): Promise<void> {
  if (client) {
    await client.stop();
    client = undefined;
  }
}
