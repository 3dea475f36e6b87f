/**
 * The dashboard's browser script, served as /dashboard/dashboard.js. Plain
 * ES2020 for any current browser; every value from the relay is written as
 * text (model names come from clients), never as markup.
 */

export const DASHBOARD_SCRIPT = String.raw`'use strict';
(function () {
  var period = document.getElementById('period');
  var connection = document.getElementById('connection');
  var content = document.getElementById('content');
  var login = document.getElementById('login');
  var live = new Map();
  var liveOrder = [];
  var source = null;
  var refreshTimer = null;
  var lastRefresh = 0;
  var MIN_REFRESH_MS = 3000;
  var MAX_LIVE_ROWS = 40;
  var SVG = 'http://www.w3.org/2000/svg';

  function integer(value) { return Number(value).toLocaleString('en-US'); }
  function dollars(value) {
    if (value === null || value === undefined) return 'unknown';
    if (value === 0) return '$0';
    return '$' + (value < 0.01 ? value.toFixed(6) : value.toFixed(4));
  }
  function milliseconds(value) {
    if (value === null || value === undefined) return '–';
    return value < 1000 ? value + ' ms' : (value / 1000).toFixed(2) + ' s';
  }
  function cell(row, text, className) {
    var td = document.createElement('td');
    td.textContent = text;
    if (className) td.className = className;
    row.appendChild(td);
    return td;
  }
  function setFigure(name, text, value) {
    var element = document.querySelector('[data-figure="' + name + '"]');
    element.textContent = text;
    element.setAttribute('data-value', value === null || value === undefined ? '' : String(value));
  }
  function fillTable(id, rows, columns) {
    var body = document.querySelector('#' + id + ' tbody');
    body.replaceChildren();
    rows.forEach(function (row) {
      var tr = document.createElement('tr');
      tr.setAttribute('data-key', row.key);
      columns(row).forEach(function (text) { cell(tr, text); });
      body.appendChild(tr);
    });
  }
  function grouping() { return period.value === '24h' ? 'hour' : 'day'; }

  async function fetchJson(path) {
    var response = await fetch(path, { credentials: 'same-origin', headers: { accept: 'application/json' } });
    if (response.status === 401) { showLogin(); return null; }
    if (!response.ok) throw new Error(path + ': HTTP ' + response.status);
    return response.json();
  }

  async function refresh() {
    lastRefresh = Date.now();
    var overview = await fetchJson('/dashboard/api/overview?since=' + encodeURIComponent(period.value) + '&timeline=' + grouping());
    if (overview === null) return;
    content.hidden = false;
    login.hidden = true;
    showTotals(overview.totals);
    drawTimeline(overview.timeline);
    fillTable('by-model', overview.by_model, function (row) {
      return [row.key, integer(row.turns), integer(row.input_tokens) + ' / ' + integer(row.cached_input_tokens) + ' / ' + integer(row.output_tokens),
        dollars(row.cost_usd), dollars(row.saved_usd),
        milliseconds(row.latency_ms.first_token && row.latency_ms.first_token.p50), milliseconds(row.latency_ms.total && row.latency_ms.total.p50)];
    });
    fillTable('by-provider', overview.by_provider, function (row) {
      return [row.key, integer(row.turns), dollars(row.cost_usd), dollars(row.saved_usd), integer(row.failed)];
    });
    var errors = Object.keys(overview.totals.errors).map(function (code) { return { key: code, turns: overview.totals.errors[code] }; });
    errors.sort(function (a, b) { return b.turns - a.turns; });
    fillTable('errors', errors, function (row) { return [row.key, integer(row.turns)]; });
    startLive();
  }

  function showTotals(totals) {
    setFigure('turns', integer(totals.turns), totals.turns);
    setFigure('outcomes', integer(totals.completed) + ' completed, ' + integer(totals.incomplete) + ' incomplete', totals.completed);
    setFigure('input_tokens', integer(totals.input_tokens), totals.input_tokens);
    setFigure('cached_input_tokens', integer(totals.cached_input_tokens) + ' cached', totals.cached_input_tokens);
    setFigure('output_tokens', integer(totals.output_tokens), totals.output_tokens);
    setFigure('reasoning_tokens', integer(totals.reasoning_tokens) + ' reasoning', totals.reasoning_tokens);
    setFigure('cost_usd', dollars(totals.cost_usd), totals.cost_usd);
    setFigure('unpriced_turns', totals.unpriced_turns > 0 ? integer(totals.unpriced_turns) + ' turns without a known price' : 'at list price', totals.unpriced_turns);
    setFigure('saved_usd', dollars(totals.saved_usd), totals.saved_usd);
    var first = totals.latency_ms.first_token;
    var total = totals.latency_ms.total;
    setFigure('first_token_p50', milliseconds(first && first.p50) + ' p50', first && first.p50);
    setFigure('first_token_p90', milliseconds(first && first.p90) + ' p90', first && first.p90);
    setFigure('total_p50', milliseconds(total && total.p50) + ' p50', total && total.p50);
    setFigure('total_p90', milliseconds(total && total.p90) + ' p90', total && total.p90);
    setFigure('failed', integer(totals.failed) + ' failed', totals.failed);
    setFigure('client_gone', integer(totals.client_gone) + ' left by the client', totals.client_gone);
  }

  /** Every hour or day of the period, empty ones included, so the time axis is even. */
  function buckets(groups) {
    var byKey = new Map(groups.map(function (group) { return [group.key, group]; }));
    var hourly = grouping() === 'hour';
    var count = hourly ? 24 : period.value === '30d' ? 30 : 7;
    var step = hourly ? 3600000 : 86400000;
    var result = [];
    for (var index = count - 1; index >= 0; index--) {
      var iso = new Date(Date.now() - index * step).toISOString();
      var key = hourly ? iso.slice(0, 13) + ':00Z' : iso.slice(0, 10);
      result.push(byKey.get(key) || { key: key, turns: 0, input_tokens: 0, output_tokens: 0 });
    }
    return result;
  }

  function drawTimeline(periodGroups) {
    var svg = document.getElementById('timeline');
    svg.replaceChildren();
    var width = Math.max(300, svg.clientWidth || 800), height = 200, bottom = 20, top = 22;
    svg.setAttribute('viewBox', '0 0 ' + width + ' ' + height);
    var groups = buckets(periodGroups);
    if (periodGroups.length === 0) {
      var empty = document.createElementNS(SVG, 'text');
      empty.setAttribute('x', '20');
      empty.setAttribute('y', '100');
      empty.textContent = 'no turns in this period';
      svg.appendChild(empty);
      return;
    }
    var maxTokens = Math.max.apply(null, groups.map(function (g) { return g.input_tokens + g.output_tokens; }).concat([1]));
    var maxTurns = Math.max.apply(null, groups.map(function (g) { return g.turns; }).concat([1]));
    var scale = document.createElementNS(SVG, 'text');
    scale.setAttribute('x', '6');
    scale.setAttribute('y', '14');
    scale.textContent = 'max ' + integer(maxTokens) + ' tokens, ' + integer(maxTurns) + ' turns';
    svg.appendChild(scale);
    var slot = width / groups.length;
    var bar = Math.max(2, Math.min(40, slot / 2 - 2));
    groups.forEach(function (group, index) {
      var x = index * slot + slot / 2;
      var tokensHeight = ((group.input_tokens + group.output_tokens) / maxTokens) * (height - bottom - top);
      var turnsHeight = (group.turns / maxTurns) * (height - bottom - top);
      [['tokens', x - bar, tokensHeight, integer(group.input_tokens + group.output_tokens) + ' tokens'], ['turns', x, turnsHeight, integer(group.turns) + ' turns']].forEach(function (part) {
        var rect = document.createElementNS(SVG, 'rect');
        rect.setAttribute('class', part[0]);
        rect.setAttribute('x', String(part[1]));
        rect.setAttribute('y', String(height - bottom - part[2]));
        rect.setAttribute('width', String(bar));
        rect.setAttribute('height', String(part[2]));
        var title = document.createElementNS(SVG, 'title');
        title.textContent = group.key + ': ' + part[3];
        rect.appendChild(title);
        svg.appendChild(rect);
      });
      if (index % Math.ceil(groups.length / 12) === 0) {
        var label = document.createElementNS(SVG, 'text');
        label.setAttribute('x', String(x - bar));
        label.setAttribute('y', String(height - 5));
        label.textContent = grouping() === 'hour' ? group.key.slice(11, 16) : group.key.slice(5);
        svg.appendChild(label);
      }
    });
  }

  function showLogin() {
    content.hidden = true;
    login.hidden = false;
    connection.textContent = 'token needed';
    connection.className = 'connection';
  }

  function startLive() {
    if (source) return;
    source = new EventSource('/dashboard/api/live');
    source.addEventListener('open', function () {
      connection.textContent = 'live';
      connection.className = 'connection live';
    });
    source.addEventListener('error', function () {
      connection.textContent = 'reconnecting…';
      connection.className = 'connection';
    });
    source.addEventListener('snapshot', function (event) {
      live.clear();
      liveOrder = [];
      JSON.parse(event.data).turns.forEach(putTurn);
      drawLive();
    });
    source.addEventListener('started', function (event) {
      putTurn(JSON.parse(event.data));
      drawLive();
    });
    source.addEventListener('finished', function (event) {
      putTurn(JSON.parse(event.data));
      drawLive();
      scheduleRefresh();
    });
  }

  /** The API a turn came in by, from its recorded transport (sse or json alone are Responses turns). */
  function apiOf(transport) {
    if (!transport) return '';
    var dash = transport.indexOf('-');
    return dash === -1 ? 'responses ' + transport : transport.slice(0, dash) + ' ' + transport.slice(dash + 1);
  }

  function putTurn(turn) {
    if (!live.has(turn.key)) liveOrder.push(turn.key);
    live.set(turn.key, turn);
    while (liveOrder.length > MAX_LIVE_ROWS) live.delete(liveOrder.shift());
  }

  function drawLive() {
    var body = document.querySelector('#live tbody');
    body.replaceChildren();
    // Turns in flight first, then the finished ones, newest first.
    var keys = liveOrder.slice().reverse();
    keys.sort(function (a, b) { return (live.get(a).record ? 1 : 0) - (live.get(b).record ? 1 : 0); });
    keys.forEach(function (key) {
      var turn = live.get(key);
      var record = turn.record;
      var tr = document.createElement('tr');
      tr.setAttribute('data-key', turn.key);
      cell(tr, new Date(turn.startedAt).toLocaleTimeString('en-GB'));
      cell(tr, turn.client);
      cell(tr, apiOf(turn.transport));
      cell(tr, turn.requestedModel);
      cell(tr, turn.provider + '/' + (record ? record.upstreamModel : turn.upstreamModel));
      var state = record ? record.outcome + (record.errorCode ? ' (' + record.errorCode + ')' : '') : 'in progress';
      cell(tr, state, 'state-' + (record ? record.outcome : 'in_progress'));
      cell(tr, record ? integer(record.inputTokens) + ' / ' + integer(record.outputTokens) : '');
      cell(tr, record ? milliseconds(record.firstTokenMs) : '');
      cell(tr, record ? milliseconds(record.durationMs) : '');
      cell(tr, record ? dollars(record.costUsd) : '');
      body.appendChild(tr);
    });
  }

  /** The figures follow finished turns at most every few seconds (reading the ledger costs the relay); the live list at once. */
  function scheduleRefresh() {
    if (refreshTimer) return;
    refreshTimer = setTimeout(function () {
      refreshTimer = null;
      refresh().catch(report);
    }, Math.max(300, lastRefresh + MIN_REFRESH_MS - Date.now()));
  }

  function report(error) {
    connection.textContent = String(error && error.message ? error.message : error);
    connection.className = 'connection';
  }

  login.addEventListener('submit', async function (event) {
    event.preventDefault();
    var problem = document.getElementById('login-problem');
    problem.textContent = '';
    var response = await fetch('/dashboard/session', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: document.getElementById('token').value }),
    });
    if (!response.ok) {
      var body = await response.json().catch(function () { return null; });
      problem.textContent = body && body.error ? body.error.message : 'HTTP ' + response.status;
      return;
    }
    document.getElementById('token').value = '';
    refresh().catch(report);
  });
  period.addEventListener('change', function () { refresh().catch(report); });
  fetchJson('/dashboard/session').then(function (state) {
    if (state && !state.signed_in) showLogin();
    else return refresh();
  }).catch(report);
})();
`;
