/**
 * The network page's shell: plain HTML and CSS, which the edge serves at `/` and whose script
 * (`main.ts` beside it, served at `/v1/page.js`) connects to the network as a peer and fills it
 * in. Kept beside the script so that the page is one room: the ids the script looks up are
 * the ones written here.
 *
 * @module
 */
import { SHARD_COLUMNS } from "./shard_columns.ts";

// On a phone the shard table's columns stack: each shard a small grid of figures, each under
// its heading (the cell's `data-label`), so that nothing is cut off nor needs a sideways
// scroll. A table whose display is changed loses its table semantics in some browsers, hence
// the explicit roles on it and its rows and cells.
const CSS = `
:root{color-scheme:light dark;--fg:#1b1f24;--bg:#f6f7f9;--card:#fff;--line:#d5d9e0;--muted:#56606e;
--accent:#1f5fbf;--good:#17703a;--bad:#b3261e;font:15px/1.45 system-ui,sans-serif}
@media (prefers-color-scheme:dark){:root{--fg:#e6e9ee;--bg:#14171b;--card:#1d2127;--line:#343a43;
--muted:#a3acb9;--accent:#8ab4ff;--good:#6fd192;--bad:#ff8a80}}
*{box-sizing:border-box}body{margin:0;background:var(--bg);color:var(--fg)}
header,main{max-width:1200px;margin:0 auto;padding:12px 16px}
header{border-bottom:1px solid var(--line)}header p{margin:6px 0}
.title{display:flex;flex-wrap:wrap;gap:4px 24px;align-items:baseline}.title p{margin:0}
.lead{max-width:85ch}.you code{font-size:.95em}
h1{font-size:1.3rem;margin:0}h2{font-size:1.1rem;margin:0 0 8px}h3{font-size:1rem;margin:12px 0 6px}
.muted,.small{color:var(--muted)}.small{font-size:.85rem}
code{font-family:ui-monospace,monospace;font-size:.85em;overflow-wrap:anywhere}
.grid{display:grid;gap:16px;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));margin-top:16px}
section{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:14px;min-width:0}
section.network{margin-top:16px}
.figures{display:grid;grid-template-columns:repeat(auto-fit,minmax(120px,1fr));gap:8px;margin:0}
.figures div{border:1px solid var(--line);border-radius:6px;padding:6px 8px}
.figures dt{font-size:.8rem;color:var(--muted)}.figures dd{margin:0;font-size:1.2rem;font-weight:600}
.table{overflow-x:auto}table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{text-align:left;padding:4px 6px;border-bottom:1px solid var(--line);white-space:nowrap}
.good{color:var(--good)}.bad{color:var(--bad)}
form{display:flex;flex-wrap:wrap;gap:6px;align-items:end;margin:8px 0}
label{display:flex;flex-direction:column;font-size:.85rem;gap:2px;flex:1 1 110px}
input,button{font:inherit;padding:6px 8px;border:1px solid var(--line);border-radius:6px;
background:var(--bg);color:var(--fg);min-height:36px}
button{background:var(--accent);color:#fff;border-color:var(--accent);cursor:pointer}
@media (prefers-color-scheme:dark){button{color:#0b1220}}
button:disabled{opacity:.6}
button.copy{background:transparent;color:var(--accent);padding:2px 10px;min-height:32px;margin-left:4px}
.copied{margin-left:6px}
:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
ul.log{list-style:none;padding:0;margin:6px 0;max-height:220px;overflow:auto;font-size:.9rem}
ul.log li{padding:3px 0;border-bottom:1px dashed var(--line)}
progress{width:100%;height:14px}
ol.path{list-style:none;padding:0;margin:0;display:flex;flex-direction:column;gap:4px}
ol.path li{display:flex;flex-wrap:wrap;gap:6px;align-items:center;border-left:3px solid var(--line);
padding:3px 8px}ol.path li.left{border-left-color:#8a63d2}ol.path li.right{border-left-color:#2a9d8f}
ol.path li.leaf{border-left-color:var(--accent)}ol.path li.root.good{border-left-color:var(--good)}
ol.path .label{font-size:.8rem;color:var(--muted);flex-basis:100%}
@media (max-width:640px){.shards,.shards tbody{display:block}
.shards thead{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
.shards tr{display:grid;grid-template-columns:repeat(3,1fr);gap:2px 10px;padding:6px 0;
border-bottom:1px solid var(--line)}.shards th,.shards td{display:block;border:0;padding:0;
white-space:normal}.shards tbody th{grid-column:1/-1}.shards tbody th::before{content:"shard "}
.shards td::before{content:attr(data-label);display:block;font-size:.75rem;color:var(--muted)}
.shards td.wide{grid-column:span 2}}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
`;

/**
 * The page's HTML.
 *
 * @example Usage
 * ```ts
 * import { pageHtml } from "./shell.ts";
 * console.assert(pageHtml().includes('<main id="main"'));
 * ```
 *
 * @returns The document.
 */
export function pageHtml(): string {
  const field = (name: string, label: string, extra = "") =>
    `<label>${label}<input name="${name}" ${extra} required></label>`;
  // What a visitor can do comes first, whole on a 1280×800 screen: what the network is, their
  // id, then the forms. The operator's figures follow, for those who scroll on.
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>superpeer network</title>
<link rel="icon" href="data:,">
<style>${CSS}</style>
<script type="module" src="/v1/page.js"></script>
</head>
<body>
<header>
<div class="title">
<h1>superpeer <span class="muted" id="network-name">…</span></h1>
<p role="status" id="state">connecting…</p>
</div>
<p class="lead" id="about">A peer-to-peer network whose super-peers run at the edge. This page
is one of its peers: copy your id<span id="try-faucet" hidden>, get coins from the faucet</span>,
then send a message, publish on a topic, share a file or pay someone.</p>
<p class="you">Your peer id <span class="small" id="kept"></span> <span id="me">…</span></p>
</header>
<main id="main">
<div class="grid">
<section aria-labelledby="h-talk">
<h2 id="h-talk">Messages and topics</h2>
<form id="send">${field("to", "peer id")}${field("text", "message")}<button>Send</button></form>
<form id="subscribe">${field("topic", "topic to subscribe to")}<button>Subscribe</button></form>
<form id="publish">${field("topic", "topic to publish on")}${
    field("text", "what to publish")
  }<button>Publish</button></form>
<p role="status" id="talk-status" class="small"></p>
<h3>Received</h3>
<ul class="log" id="inbox" aria-live="polite"></ul>
</section>
<section aria-labelledby="h-ledger">
<h2 id="h-ledger">Ledger</h2>
<p>Balance: <span id="balance">…</span></p>
<button type="button" id="faucet" hidden>Get coins from the faucet</button>
<form id="transfer">${field("to", "pay to (peer id)")}${
    field("amount", "amount", 'inputmode="numeric" pattern="[0-9]+"')
  }<button>Transfer</button></form>
<p role="status" id="ledger-status" class="small"></p>
<p id="tx" class="small"></p>
<div id="proof"></div>
</section>
<section aria-labelledby="h-files">
<h2 id="h-files">Files</h2>
<form id="share"><label>file to share<input type="file" name="file" required></label><button>Share</button></form>
<p role="status" id="share-status" class="small"></p>
<form id="fetch">${field("cid", "content id")}<button>Fetch</button></form>
<progress id="fetch-progress" value="0" max="1" aria-label="fetch progress"></progress>
<p role="status" id="fetch-status" class="small"></p>
</section>
</div>
<section aria-labelledby="h-network" class="network">
<h2 id="h-network">The network, live</h2>
<dl class="figures">
<div><dt>peers online</dt><dd id="f-peers">…</dd></div>
<div><dt>frames per second</dt><dd id="f-rate">…</dd></div>
<div><dt>direct upgrades answered</dt><dd id="f-direct">…</dd></div>
<div><dt>pairs direct/TURN/relay</dt><dd id="f-routes">…</dd></div>
<div><dt>TURN used (peers now)</dt><dd id="f-turn">…</dd></div>
<div><dt>mail waiting</dt><dd id="f-mail">…</dd></div>
<div><dt>subscriptions</dt><dd id="f-subs">…</dd></div>
<div><dt>topic messages held</dt><dd id="f-backlog">…</dd></div>
<div><dt>blocks sealed</dt><dd id="f-blocks">…</dd></div>
<div><dt>shards answering</dt><dd id="f-shards">…</dd></div>
</dl>
<p class="small" id="f-updated" aria-live="off">waiting for the first figures…</p>
<div class="table" tabindex="0" role="region" aria-label="Shards, busiest first">
<table class="shards" role="table">
<caption class="visually-hidden">The busiest shards and their latest blocks</caption>
<thead role="rowgroup"><tr role="row"><th scope="col" role="columnheader">shard</th>${
    SHARD_COLUMNS.map((c) => `<th scope="col" role="columnheader">${c.label}</th>`).join("")
  }</tr></thead>
<tbody id="shard-rows" role="rowgroup"></tbody>
</table>
</div>
</section>
<p class="small">The HTTP API: <a href="/v1/openapi.json">/v1/openapi.json</a> ·
metrics: <a href="/v1/metrics">/v1/metrics</a> · limits: <a href="/v1/limits">/v1/limits</a></p>
</main>
</body>
</html>`;
}
