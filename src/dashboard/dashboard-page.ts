/**
 * The dashboard's HTML and CSS. Everything the page needs comes from the
 * relay itself (no CDN), so it works offline; the data arrives through
 * /dashboard/api/overview and the live stream /dashboard/api/live.
 */

export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>responses-relay · usage</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/dashboard/dashboard.css">
<script src="/dashboard/dashboard.js" defer></script>
</head>
<body>
<header>
  <h1>responses-relay</h1>
  <label>Period
    <select id="period">
      <option value="24h">last 24 hours</option>
      <option value="7d" selected>last 7 days</option>
      <option value="30d">last 30 days</option>
    </select>
  </label>
  <span id="connection" class="connection">connecting…</span>
</header>
<form id="login" class="login" hidden>
  <p>This relay needs its token to show usage.</p>
  <input id="token" type="password" autocomplete="current-password" placeholder="relay token" aria-label="relay token">
  <button type="submit">Show usage</button>
  <span id="login-problem" class="problem"></span>
</form>
<main id="content" hidden>
  <section class="cards">
    <div class="card"><h2>Turns</h2><p data-figure="turns"></p><small data-figure="outcomes"></small></div>
    <div class="card"><h2>Input tokens</h2><p data-figure="input_tokens"></p><small data-figure="cached_input_tokens"></small></div>
    <div class="card"><h2>Output tokens</h2><p data-figure="output_tokens"></p><small data-figure="reasoning_tokens"></small></div>
    <div class="card"><h2>Estimated cost</h2><p data-figure="cost_usd"></p><small data-figure="unpriced_turns"></small></div>
    <div class="card"><h2>Saved by caching</h2><p data-figure="saved_usd"></p></div>
    <div class="card"><h2>First token</h2><p data-figure="first_token_p50"></p><small data-figure="first_token_p90"></small></div>
    <div class="card"><h2>Total time</h2><p data-figure="total_p50"></p><small data-figure="total_p90"></small></div>
    <div class="card"><h2>Errors</h2><p data-figure="failed"></p><small data-figure="client_gone"></small></div>
  </section>
  <section>
    <h2>Turns and tokens over time</h2>
    <svg id="timeline" class="chart" viewBox="0 0 800 200" preserveAspectRatio="xMinYMin meet" role="img" aria-label="turns and tokens over time"></svg>
    <p class="legend"><span class="swatch tokens"></span> tokens <span class="swatch turns"></span> turns</p>
  </section>
  <section class="columns">
    <div>
      <h2>By model</h2>
      <table id="by-model"><thead><tr><th>model</th><th>turns</th><th>tokens in / cached / out</th><th>cost</th><th>saved</th><th>first token p50</th><th>total p50</th></tr></thead><tbody></tbody></table>
    </div>
    <div>
      <h2>By provider</h2>
      <table id="by-provider"><thead><tr><th>provider</th><th>turns</th><th>cost</th><th>saved</th><th>errors</th></tr></thead><tbody></tbody></table>
      <h2>Errors by code</h2>
      <table id="errors"><thead><tr><th>code</th><th>turns</th></tr></thead><tbody></tbody></table>
    </div>
  </section>
  <section>
    <h2>Live</h2>
    <table id="live"><thead><tr><th>started</th><th>client</th><th>API</th><th>model</th><th>served by</th><th>state</th><th>tokens in / out</th><th>first token</th><th>total</th><th>cost</th></tr></thead><tbody></tbody></table>
  </section>
</main>
</body>
</html>
`;

export const DASHBOARD_CSS = `
:root { color-scheme: light dark; --ink: #1d232b; --muted: #6a7380; --line: #d8dde3; --card: #f5f7f9; --accent: #2f6fd6; --accent2: #e08a2c; --bad: #c23b3b; --good: #2c8a4b; }
@media (prefers-color-scheme: dark) { :root { --ink: #e6e9ee; --muted: #98a1ad; --line: #3a414b; --card: #22272e; } body { background: #1a1e24; } }
[hidden] { display: none !important; }
body { font: 14px/1.4 system-ui, sans-serif; color: var(--ink); margin: 0 auto; max-width: 1200px; padding: 16px 24px; }
header { display: flex; align-items: center; gap: 24px; border-bottom: 1px solid var(--line); padding-bottom: 8px; }
h1 { font-size: 20px; margin: 0; flex: 1; }
h2 { font-size: 13px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); margin: 18px 0 6px; }
.connection { font-size: 12px; color: var(--muted); }
.connection.live { color: var(--good); }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: 10px; margin-top: 12px; }
.card { background: var(--card); border-radius: 8px; padding: 6px 12px 10px; }
.card h2 { margin: 4px 0; }
.card p { font-size: 24px; margin: 0; font-variant-numeric: tabular-nums; }
.card small { color: var(--muted); }
.chart { width: 100%; height: 200px; background: var(--card); border-radius: 8px; }
.chart .tokens { fill: var(--accent); }
.chart .turns { fill: var(--accent2); }
.chart text { fill: var(--muted); font-size: 11px; }
.legend { color: var(--muted); font-size: 12px; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-left: 8px; }
.swatch.tokens { background: var(--accent); }
.swatch.turns { background: var(--accent2); }
.columns { display: grid; grid-template-columns: 3fr 2fr; gap: 24px; }
.columns > div { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); white-space: nowrap; }
th { font-weight: 600; color: var(--muted); font-size: 12px; }
td.state-in_progress { color: var(--accent); }
td.state-completed { color: var(--good); }
td.state-failed, td.state-client_gone { color: var(--bad); }
.login { margin: 40px auto; max-width: 420px; display: flex; flex-direction: column; gap: 8px; }
.problem { color: var(--bad); }
`;
