import { PAGE_SCRIPT } from './console-page-script.js';

const STYLE = `
body { font: 14px/1.45 system-ui, -apple-system, "DejaVu Sans", sans-serif; margin: 0; color: #0f172a; background: #f8fafc; }
header { display: flex; gap: 18px; align-items: center; padding: 10px 20px; background: #0f172a; color: #e2e8f0; }
header h1 { font-size: 16px; margin: 0 12px 0 0; }
nav a { color: #cbd5e1; text-decoration: none; padding: 4px 8px; border-radius: 4px; }
nav a.active { background: #1e293b; color: #fff; }
#live-status { margin-left: auto; font-size: 12px; }
#live-status.live { color: #4ade80; } #live-status.stale { color: #fbbf24; }
main { padding: 12px 20px 40px; }
table { border-collapse: collapse; background: #fff; margin: 6px 0; font-size: 13px; }
th, td { border-bottom: 1px solid #e2e8f0; padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: #f1f5f9; font-weight: 600; }
.pager { font-size: 12px; color: #475569; margin-bottom: 10px; } .pager button { margin-left: 8px; }
.facts { color: #334155; } .error { color: #b91c1c; }
.drawing { background: #fff; border: 1px solid #e2e8f0; display: inline-block; max-width: 100%; overflow: auto; }
.chart text, svg text { font: 11px "DejaVu Sans", sans-serif; fill: #334155; }
svg .node { font-size: 11px; } svg .node-sub, svg .tick { font-size: 10px; fill: #64748b; }
form { display: inline; } input { width: 120px; }
`;

const attribute = (value: string): string => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * The console's one page: the views are drawn by its script from the JSON API; `nonce` admits its script and style under
 * the CSP; `traceUrl` (a trace UI's address with `{traceId}`) makes the incident view link its trace.
 */
export function consolePage(nonce: string, traceUrl?: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Foresight console</title><style nonce="${nonce}">${STYLE}</style></head>
<body data-changes="0"${traceUrl === undefined ? '' : ` data-trace-url="${attribute(traceUrl)}"`}>
<header><h1>Foresight</h1>
<nav><a href="#/fleet" data-view="fleet">Fleet</a><a href="#/model" data-view="model">Model</a><a href="#/pool" data-view="pool">Pool</a></nav>
<form id="vm-form"><input id="vm-input" placeholder="VM id" maxlength="200" aria-label="VM id"> <button>VM</button></form>
<span id="live-status">connecting…</span></header>
<main id="main"><p>Loading…</p></main>
<script nonce="${nonce}">${PAGE_SCRIPT}</script>
</body></html>
`;
}
