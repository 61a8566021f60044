// The page's script, as text (no build step, no framework). It never uses innerHTML for data: every value goes in
// through textContent; the only markup inserted is the server's SVG drawings, whose text the server escapes.
// NOTE: written without template literals so it can sit in a TypeScript string unchanged.
export const PAGE_SCRIPT = String.raw`
'use strict';
var main = document.getElementById('main');
var statusLine = document.getElementById('live-status');
var state = { view: null, pending: false, timer: null, loadedAt: 0 };

function el(tag, attrs, children) {
  var node = document.createElement(tag);
  if (attrs) for (var k in attrs) {
    if (k === 'text') node.textContent = attrs[k];
    else if (k === 'href') node.setAttribute('href', attrs[k]);
    else node.setAttribute(k, attrs[k]);
  }
  (children || []).forEach(function (c) { if (c !== null && c !== undefined) node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
  return node;
}
function svgEl(tag, attrs) {
  var node = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (var k in attrs) node.setAttribute(k, String(attrs[k]));
  return node;
}
function pct(p) { return (typeof p === 'number' && isFinite(p)) ? (100 * p).toFixed(1) + '%' : '–'; }
function num(v, d) { return (typeof v === 'number' && isFinite(v)) ? v.toFixed(d === undefined ? 2 : d) : '–'; }
function time(t) { return t > 0 ? new Date(t).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '–'; }
function eta(t) {
  if (!(t > 0)) return '–';
  var s = Math.round((t - Date.now()) / 1000);
  var rel = Math.abs(s) < 90 ? Math.abs(s) + 's' : Math.round(Math.abs(s) / 60) + 'm';
  return time(t) + (s >= 0 ? ' (in ' + rel + ')' : ' (' + rel + ' ago)');
}
function link(hash, text) { return el('a', { href: hash, text: text }); }
// FORESIGHT_CONSOLE_TRACE_URL, e.g. http://jaeger:16686/trace/{traceId}: the trace id links to the trace UI when set.
function traceLink(traceId) {
  var template = document.body.getAttribute('data-trace-url');
  if (!template) return el('span', { id: 'incident-trace', text: traceId });
  return el('a', { id: 'incident-trace', href: template.split('{traceId}').join(encodeURIComponent(traceId)), target: '_blank', rel: 'noopener noreferrer', text: traceId });
}
function enc(id) { return encodeURIComponent(id); }
function table(id, headers, rows) {
  var head = el('tr', null, headers.map(function (h) { return el('th', { text: h }); }));
  var body = rows.map(function (cells) {
    return el('tr', null, cells.map(function (c) { return el('td', null, [c === null || c === undefined ? '' : (typeof c === 'object' ? c : String(c))]); }));
  });
  return el('table', { id: id }, [el('thead', null, [head]), el('tbody', null, body)]);
}
function pager(page, param, label) {
  var pages = Math.max(1, Math.ceil(page.total / page.size));
  var nav = el('div', { class: 'pager' }, [label + ': page ' + page.page + ' of ' + pages + ' (' + page.total + ')']);
  var q = currentQuery();
  function go(n) { q[param] = String(n); location.hash = hashWith(q); }
  if (page.page > 1) { var prev = el('button', { text: 'previous' }); prev.onclick = function () { go(page.page - 1); }; nav.appendChild(prev); }
  if (page.page < pages) { var next = el('button', { text: 'next' }); next.onclick = function () { go(page.page + 1); }; nav.appendChild(next); }
  return nav;
}
function parseHash() {
  var h = location.hash.replace(/^#\/?/, '');
  var parts = h.split('?');
  var path = parts[0].split('/').map(function (p) { try { return decodeURIComponent(p); } catch (e) { return ''; } });
  return { name: path[0] || 'fleet', id: path[1], query: new URLSearchParams(parts[1] || '') };
}
function currentQuery() { var q = {}; parseHash().query.forEach(function (v, k) { q[k] = v; }); return q; }
function hashWith(q) {
  var r = parseHash();
  return '#/' + r.name + (r.id ? '/' + enc(r.id) : '') + '?' + new URLSearchParams(q).toString();
}
function api(path) {
  return fetch(path, { credentials: 'same-origin', headers: { accept: 'application/json' } }).then(function (res) {
    return res.json().then(function (body) {
      if (!res.ok) throw new Error((body && body.error ? body.error.code + ': ' + body.error.message : 'HTTP ' + res.status));
      return body;
    });
  });
}
function svgInto(container, markup) {
  // Server-rendered drawing (escaped by the server), parsed as SVG, never as HTML.
  var doc = new DOMParser().parseFromString(markup, 'image/svg+xml');
  var root = doc.documentElement;
  if (root && root.nodeName === 'svg') container.appendChild(document.importNode(root, true));
}
function lineChart(id, title, series, yLabel) {
  // series: [{ name, color, points: [[x, y]] }]
  var w = 560, h = 180, l = 48, r = 12, t = 24, b = 28;
  var all = []; series.forEach(function (s) { all = all.concat(s.points); });
  var svg = svgEl('svg', { id: id, class: 'chart', viewBox: '0 0 ' + w + ' ' + h, width: w, height: h, role: 'img', 'aria-label': title });
  var label = svgEl('text', { x: l, y: 14, class: 'axis' }); label.textContent = title; svg.appendChild(label);
  if (all.length === 0) { var none = svgEl('text', { x: l, y: h / 2, class: 'axis' }); none.textContent = 'nothing yet'; svg.appendChild(none); return svg; }
  var xs = all.map(function (p) { return p[0]; }), ys = all.map(function (p) { return p[1]; });
  var x0 = Math.min.apply(null, xs), x1 = Math.max.apply(null, xs), y1 = Math.max(1e-9, Math.max.apply(null, ys));
  if (x1 === x0) x1 = x0 + 1;
  function X(v) { return l + (v - x0) / (x1 - x0) * (w - l - r); }
  function Y(v) { return h - b - v / y1 * (h - t - b); }
  svg.appendChild(svgEl('line', { x1: l, x2: w - r, y1: h - b, y2: h - b, stroke: '#94a3b8' }));
  var top = svgEl('text', { x: 4, y: t + 4, class: 'tick' }); top.textContent = num(y1, 2); svg.appendChild(top);
  var ylab = svgEl('text', { x: 4, y: h - b, class: 'tick' }); ylab.textContent = '0 ' + (yLabel || ''); svg.appendChild(ylab);
  series.forEach(function (s, k) {
    var d = s.points.map(function (p, i) { return (i ? 'L' : 'M') + X(p[0]).toFixed(1) + ',' + Y(p[1]).toFixed(1); }).join(' ');
    svg.appendChild(svgEl('path', { d: d, fill: 'none', stroke: s.color, 'stroke-width': 2 }));
    s.points.forEach(function (p) { svg.appendChild(svgEl('circle', { cx: X(p[0]).toFixed(1), cy: Y(p[1]).toFixed(1), r: 2.5, fill: s.color })); });
    var key = svgEl('text', { x: w - r - 150, y: 14 + 12 * k, fill: s.color, class: 'legend' }); key.textContent = s.name; svg.appendChild(key);
  });
  return svg;
}
function bar(reserved, capacity) {
  var w = 160, share = capacity > 0 ? Math.min(1, reserved / capacity) : 0;
  var svg = svgEl('svg', { width: w, height: 12, class: 'bar' });
  svg.appendChild(svgEl('rect', { width: w, height: 12, fill: '#e2e8f0', rx: 2 }));
  svg.appendChild(svgEl('rect', { width: (w * share).toFixed(1), height: 12, fill: share > 0.9 ? '#dc2626' : '#2563eb', rx: 2 }));
  return svg;
}
function res(r) { return r ? r.cpuMillis + ' mCPU, ' + r.memoryMiB + ' MiB, ' + r.networkMbps + ' Mbps' : '–'; }

var views = {
  fleet: function (route) {
    var q = route.query;
    var params = new URLSearchParams({ incidentPage: q.get('incidentPage') || '1', vmPage: q.get('vmPage') || '1', incidentSize: '20', vmSize: '50' });
    return api('/api/fleet?' + params).then(function (v) {
      var incidents = table('fleet-incidents', ['incident', 'type', 'system', 'severity', 'risk version', 'at-risk VMs', 'max p', 'grants', 'opened'], v.incidents.items.map(function (i) {
        return [link('#/incident/' + enc(i.incidentId), i.incidentId), i.anomalyType, i.systemId, num(i.severity), i.version, i.atRisk, pct(i.maxProbability), i.grants, time(i.openedAt)];
      }));
      var vms = table('fleet-at-risk', ['#', 'VM', 'probability', 'ETA', 'severity', 'incident', 'host', 'incidents'], v.atRisk.items.map(function (r, k) {
        return [(v.atRisk.page - 1) * v.atRisk.size + k + 1, link('#/vm/' + enc(r.vmId), r.vmId), pct(r.probability), eta(r.etaAt), num(r.severity), link('#/incident/' + enc(r.incidentId), r.incidentId), r.hostId || '–', r.incidents];
      }));
      return [
        el('h2', { text: 'Fleet' }),
        el('p', { id: 'fleet-counts', text: v.counts.openIncidents + ' open incidents, ' + v.counts.atRiskVms + ' VMs at risk' }),
        el('h3', { text: 'Open incidents' }), incidents, pager(v.incidents, 'incidentPage', 'incidents'),
        el('h3', { text: 'At-risk VMs, likeliest first' }), vms, pager(v.atRisk, 'vmPage', 'VMs'),
      ];
    });
  },
  incident: function (route) {
    var q = route.query;
    return api('/api/incidents/' + enc(route.id) + '?page=' + (q.get('page') || '1') + '&size=20&commands=30').then(function (v) {
      var i = v.incident;
      var graph = el('div', { id: 'incident-graph', class: 'drawing' }); svgInto(graph, v.graphSvg);
      var grants = el('div', { id: 'incident-grants', class: 'drawing' }); svgInto(grants, v.grantsSvg);
      var atRisk = table('incident-at-risk', ['VM', 'probability', 'ETA', 'host', 'likeliest path (per hop: kind, p, delay)'], v.atRisk.items.map(function (r) {
        var hops = r.contributions.map(function (c) { return c.from + ' → ' + c.to + ' ' + c.kind + ' p ' + num(c.probability) + ' ' + Math.round(c.delayMs / 1000) + 's'; }).join('; ');
        return [link('#/vm/' + enc(r.vmId), r.vmId), pct(r.probability), eta(r.etaAt), r.hostId || '–', hops || (r.path.length ? r.path.join(' → ') : 'path with the next risk version')];
      }));
      var commands = table('incident-commands', ['time', 'action', 'mode', 'VM', 'host', 'resources', 'lease until', 'why'], v.commands.slice().reverse().map(function (c) {
        return [time(c.at), c.action, c.mode, link('#/vm/' + enc(c.vmId), c.vmId), c.hostId, res(c.resources), time(c.leaseExpiresAt), c.why];
      }));
      var history = lineChart('incident-versions', 'Likeliest VM probability by risk version', [{ name: 'max p', color: '#2563eb', points: v.versions.map(function (x) { return [x.version, x.maxProbability]; }) }]);
      return [
        el('h2', null, ['Incident ', el('span', { id: 'incident-id', text: i.incidentId })]),
        el('p', { class: 'facts' }, [
          i.status + ' · ' + (i.anomalyType || 'type unknown') + ' · system ' + (i.systemId || '–') + ' · severity ' + num(i.severity) + ' · risk version ',
          el('strong', { id: 'risk-version', text: String(i.version) }),
          ' · model v' + i.modelVersion + ' · ' + i.atRisk + ' VMs at risk · ' + i.grants + ' grants · sources ' + v.sources.map(function (s) { return s.vmId; }).join(', '),
          i.traceId ? ' · trace ' : '',
          i.traceId ? traceLink(i.traceId) : '',
        ]),
        el('h3', { text: 'Neighbourhood: sources, likeliest paths, at-risk VMs' }), graph,
        el('h3', { text: 'Grants over time' }), grants,
        el('h3', { text: 'At-risk VMs' }), atRisk, pager(v.atRisk, 'page', 'VMs'),
        history,
        el('h3', { text: 'Allocation commands, newest first' }), commands,
      ];
    });
  },
  vm: function (route) {
    return api('/api/vms/' + enc(route.id)).then(function (v) {
      var risk = table('vm-risk', ['incident', 'risk version', 'probability', 'ETA'], v.risk.incidents.map(function (r) {
        return [link('#/incident/' + enc(r.incidentId), r.incidentId), r.version, pct(r.probability), eta(r.etaAt)];
      }));
      var byIncident = {};
      v.history.points.forEach(function (p) { (byIncident[p.incidentId] = byIncident[p.incidentId] || []).push([p.at, p.probability]); });
      var colors = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c'];
      var chart = lineChart('vm-risk-history', 'Risk over time, by incident', Object.keys(byIncident).slice(0, 5).map(function (k, n) { return { name: k, color: colors[n], points: byIncident[k] }; }));
      var pathways = table('vm-pathways', ['direction', 'other VM', 'kind', 'bandwidth Mbps', 'calls/s', 'p99 ms', 'error rate'], v.pathways.items.map(function (p) {
        return [p.direction, link('#/vm/' + enc(p.otherVmId), p.otherVmId), p.kind, num(p.bandwidthMbps, 1), num(p.callsPerSec, 1), num(p.latencyP99Ms, 1), num(p.errorRate, 3)];
      }));
      var grants = table('vm-grants', ['time', 'action', 'mode', 'incident', 'resources', 'lease until'], v.history.commands.slice().reverse().map(function (c) {
        return [time(c.at), c.action, c.mode, link('#/incident/' + enc(c.incidentId), c.incidentId), res(c.resources), time(c.leaseExpiresAt)];
      }));
      var vuln = v.vulnerability, learned = vuln && vuln.learned;
      return [
        el('h2', null, ['VM ', el('span', { id: 'vm-id', text: v.vmId })]),
        el('p', { class: 'facts', text: (v.vm ? 'host ' + v.vm.hostId + ' · group ' + v.vm.groupId + ' · system ' + v.vm.systemId + ' · criticality ' + num(v.vm.criticality) : 'not in the inventory') +
          ' · history: affected by ' + vuln.affected + ' of ' + vuln.exposed + ' past incidents it did not start (' + vuln.asSource + ' started at it)' +
          ' · learned vulnerability ' + (learned ? num(learned.mean, 3) + ' (Beta ' + num(learned.alpha, 1) + ', ' + num(learned.beta, 1) + (learned.learned ? '' : ', the prior') + '; weight ' + num(learned.weight) + ', model v' + learned.modelVersion + ')' : 'unknown') +
          ' · highest risk now ' + pct(v.risk.maxProbability) }),
        el('h3', { text: 'Threatened by' }), risk, chart,
        el('h3', { text: 'Pathways' }), pathways, pager(v.pathways, 'page', 'pathways'),
        el('h3', { text: 'Grants and releases' }), grants,
      ];
    });
  },
  model: function () {
    return api('/api/models').then(function (v) {
      var versions = table('model-versions', ['model', 'version', 'parent', 'published', 'grant threshold', 'held-out AUPRC', 'held-out Brier', 'held-out log loss', 'held-out positives', 'why published'], v.versions.map(function (m) {
        return [m.modelId, m.version, m.parentVersion === null ? '–' : m.parentVersion, time(m.publishedAt), num(m.grantThreshold, 3), num(m.metrics.heldOutAuprc, 3), num(m.metrics.heldOutBrier, 4), num(m.metrics.heldOutLogLoss, 4), m.metrics.heldOutPositives === undefined ? '–' : m.metrics.heldOutPositives, m.why];
      }));
      var decisions = table('model-decisions', ['verdict', 'candidates', 'meaning'], v.decisions.map(function (d) { return [d.verdict, d.count, d.meaning]; }));
      var curve = lineChart('model-learning-curve', 'Learning curve: per judged incident (rolling mean of ' + v.learningCurve.window + ')', [
        { name: 'precision', color: '#2563eb', points: v.learningCurve.points.map(function (p) { return [p.n, p.precision]; }) },
        { name: 'recall', color: '#16a34a', points: v.learningCurve.points.map(function (p) { return [p.n, p.recall]; }) },
        { name: 'Brier', color: '#dc2626', points: v.learningCurve.points.map(function (p) { return [p.n, p.brier]; }) },
      ]);
      return [
        el('h2', { text: 'Model' }),
        el('h3', { text: 'Published versions' }), versions,
        el('h3', { text: 'Candidates judged by the publication gate' }),
        el('p', { class: 'facts', text: v.decisionsSource }), decisions,
        curve,
      ];
    });
  },
  pool: function (route) {
    var q = route.query;
    return api('/api/pool?page=' + (q.get('page') || '1') + '&size=50').then(function (v) {
      var hosts = table('pool-hosts', ['host', 'reserved / capacity (CPU)', 'reserved', 'free', 'capacity'], v.hosts.items.map(function (h) {
        return [h.hostId, h.ledger ? bar(h.ledger.reserved.cpuMillis, h.ledger.capacity.cpuMillis) : 'no capacity set', h.ledger ? res(h.ledger.reserved) : '–', h.ledger ? res(h.ledger.free) : '–', h.ledger ? res(h.ledger.capacity) : '–'];
      }));
      var refusals = table('pool-refusals', ['reason', 'grants refused', 'where it is counted'], v.refusals.map(function (r) { return [r.reason, r.count, r.source]; }));
      var outcomes = table('pool-outcomes', ['time', 'command', 'VM', 'status', 'detail'], v.outcomes.map(function (o) { return [time(o.at), o.commandId, link('#/vm/' + enc(o.vmId), o.vmId), o.status, o.detail]; }));
      return [
        el('h2', { text: 'Pool' }),
        el('p', { id: 'pool-budget', class: 'facts' }, ['budget: reserved ', res(v.budget.reserved), ' of ', res(v.budget.capacity), ' ', bar(v.budget.reserved.cpuMillis, v.budget.capacity.cpuMillis), ' · ' + v.activeReservations + ' active reservations']),
        el('h3', { text: 'Per host' }), hosts, pager(v.hosts, 'page', 'hosts'),
        el('h3', { text: 'Guardrails that refused grants' }), el('p', { class: 'facts', text: v.refusalsSource }), refusals,
        el('h3', { text: 'Commands the actuator did not apply' }), outcomes,
      ];
    });
  },
};

function render() {
  var route = parseHash();
  var view = views[route.name];
  document.querySelectorAll('nav a').forEach(function (a) { a.classList.toggle('active', a.getAttribute('data-view') === route.name); });
  if (!view) { main.replaceChildren(el('p', { class: 'error', text: 'no such view: ' + route.name })); return Promise.resolve(); }
  if (route.name !== 'fleet' && route.name !== 'model' && route.name !== 'pool' && !route.id) { main.replaceChildren(el('p', { class: 'error', text: 'which ' + route.name + '?' })); return Promise.resolve(); }
  state.pending = true;
  return view(route).then(function (nodes) {
    main.replaceChildren.apply(main, nodes);
    state.loadedAt = Date.now();
    document.body.setAttribute('data-view', route.name);
    document.body.setAttribute('data-loaded', String(state.loadedAt));
  }, function (error) {
    main.replaceChildren(el('p', { class: 'error', id: 'view-error', text: String(error.message || error) }));
  }).then(function () { state.pending = false; });
}
function scheduleRefresh() {
  if (state.timer !== null) return;
  state.timer = setTimeout(function () { state.timer = null; if (state.pending) { scheduleRefresh(); return; } render(); }, 300);
}
function connect() {
  var source = new EventSource('/api/events');
  source.addEventListener('hello', function () { statusLine.textContent = 'live'; statusLine.className = 'live'; });
  source.addEventListener('change', function (event) {
    var batch = JSON.parse(event.data);
    statusLine.textContent = 'live · updated ' + new Date().toLocaleTimeString() + ' (' + batch.risk.length + ' risk versions, ' + batch.allocations + ' commands)';
    document.body.setAttribute('data-changes', String(Number(document.body.getAttribute('data-changes') || '0') + 1));
    scheduleRefresh();
  });
  source.onerror = function () { statusLine.textContent = 'reconnecting…'; statusLine.className = 'stale'; };
}
document.getElementById('vm-form').addEventListener('submit', function (e) {
  e.preventDefault();
  var id = document.getElementById('vm-input').value.trim();
  if (id) location.hash = '#/vm/' + enc(id);
});
window.addEventListener('hashchange', render);
render();
connect();
`;
