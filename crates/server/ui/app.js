// crowdlens web UI. Plain JavaScript, no build step: it calls the same /v1 API as any client,
// with the token the user signed in with, and draws answers as SVG. Nothing here is fetched
// from another origin: the base map is the vendored TopoJSON the server embeds.
'use strict';

const SVG_NS = 'http://www.w3.org/2000/svg';
const TOKEN_KEY = 'crowdlens.token';
// The questions (kinds, parameters, help) are the server's descriptors, from /v1/questions.
const session = { token: sessionStorage.getItem(TOKEN_KEY), me: null, store: null, questions: null };

// ---------------------------------------------------------------- helpers

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (k === 'text') e.textContent = v;
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

function svgEl(tag, attrs, ...children) {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null) continue;
    e.setAttribute(k, v);
  }
  for (const c of children.flat()) if (c) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

function fmt(x, digits) {
  if (x === null || x === undefined || Number.isNaN(x)) return '–';
  if (typeof x !== 'number') return String(x);
  if (Number.isInteger(x)) return x.toLocaleString('en-US');
  if (Math.abs(x) > 0 && Math.abs(x) < 1e-3) return x.toExponential(1);
  return x.toLocaleString('en-US', { maximumFractionDigits: digits === undefined ? 2 : digits });
}

class ApiError extends Error {
  constructor(status, code, message, field) { super(message); this.status = status; this.code = code; this.field = field; }
}

async function api(method, path, body) {
  const headers = { Authorization: 'Bearer ' + session.token };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  let json = null;
  try { json = await response.json(); } catch (_) { /* an empty or non-JSON body */ }
  if (!response.ok) {
    throw new ApiError(response.status, json && json.code, (json && json.message) || `the server answered HTTP ${response.status}`, json && json.field);
  }
  return json;
}

function view() { return document.getElementById('view'); }

function show(...children) {
  const v = view();
  v.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined));
  hideTooltip();
}

function errorBox(e) {
  if (e instanceof ApiError && e.status === 403) {
    return el('div', { class: 'message forbidden', id: 'forbidden' },
      el('b', {}, 'Not available to your role. '), e.message);
  }
  return el('div', { class: 'message error' }, e.message);
}

function download(name, type, text) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = el('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

// A row's measures, in reading order after its key (the server's exports use the same order).
const MEASURES = ['value', 'ci_low', 'ci_high', 'adjusted'];

// The columns of answer rows: the key's fields as first seen, then the measures present.
function answerColumns(rows) {
  const columns = [];
  for (const r of rows) for (const k of Object.keys(r)) if (!columns.includes(k) && !MEASURES.includes(k)) columns.push(k);
  for (const m of MEASURES) if (rows.some((r) => m in r)) columns.push(m);
  return columns;
}

// An H3 cell id as the API writes it (15 hex digits).
function isCellId(s) { return typeof s === 'string' && /^[0-9a-f]{15}$/.test(s); }

const EXPORT_TYPES = { csv: 'text/csv', json: 'application/json', geojson: 'application/geo+json' };

// A kept answer as the server exports it (GET /v1/answers/{id}/export): the one place that
// writes CSV, JSON and GeoJSON, each carrying the question.
async function exportText(id, format, adjusted) {
  const response = await fetch(`/v1/answers/${id}/export?format=${format}${adjusted ? '&adjust=true' : ''}`,
    { headers: { Authorization: 'Bearer ' + session.token } });
  const text = await response.text();
  if (!response.ok) {
    let json = null;
    try { json = JSON.parse(text); } catch (_) { /* not JSON */ }
    throw new ApiError(response.status, json && json.code, (json && json.message) || `the export failed: HTTP ${response.status}`, json && json.field);
  }
  return text;
}

async function downloadExport(id, format, adjusted) {
  try {
    download(`crowdlens-answer-${id}.${format}`, EXPORT_TYPES[format], await exportText(id, format, adjusted));
  } catch (e) { view().prepend(errorBox(e)); }
}

const tooltip = () => document.getElementById('tooltip');
function showTooltip(text, x, y) {
  const t = tooltip();
  t.textContent = text;
  t.hidden = false;
  t.style.left = Math.min(x + 14, window.innerWidth - 330) + 'px';
  t.style.top = (y + 14) + 'px';
}
function hideTooltip() { const t = tooltip(); if (t) t.hidden = true; }

// ---------------------------------------------------------------- sign-in and navigation

async function restoreSession() {
  session.token = session.token || sessionStorage.getItem(TOKEN_KEY);
  if (!session.token) return false;
  try {
    session.me = await api('GET', '/v1/token');
    session.store = await api('GET', '/v1/store');
    session.questions = await api('GET', '/v1/questions');
    return true;
  } catch (e) {
    signOut(inFormTerms(e instanceof ApiError && e.status === 401 ? 'That token was not accepted: ' + e.message : e.message, []));
    return false;
  }
}

function signOut(message) {
  sessionStorage.removeItem(TOKEN_KEY);
  session.token = null;
  session.me = null;
  viewSignIn(message);
}

function updateChrome() {
  const nav = document.getElementById('nav');
  const signedIn = !!session.me;
  nav.hidden = !signedIn;
  document.getElementById('signout').hidden = !signedIn;
  document.getElementById('who').textContent = signedIn ? `${session.me.name} · ${session.me.role}` : '';
  const page = location.hash.split('/')[1] || '';
  for (const a of nav.querySelectorAll('a')) {
    a.hidden = !signedIn || !a.dataset.roles.split(' ').includes(session.me.role);
    a.classList.toggle('active', a.getAttribute('href') === '#/' + page);
  }
}

function homePage() {
  return { analyst: '#/ask', auditor: '#/audit', admin: '#/tokens', supervisor: '#/approvals' }[session.me.role] || '#/budget';
}

function viewSignIn(message) {
  updateChrome();
  const input = el('input', { id: 'token', type: 'password', autocomplete: 'off', placeholder: 'cl_…' });
  const submit = async (ev) => {
    ev.preventDefault();
    session.token = input.value.trim();
    sessionStorage.setItem(TOKEN_KEY, session.token);
    if (await restoreSession()) {
      if (!location.hash || location.hash === '#/' || location.hash === '#/signin') location.hash = homePage();
      else route();
    }
  };
  show(el('div', { class: 'card', style: 'max-width:480px;margin:40px auto' },
    el('h1', {}, 'Sign in'),
    el('p', { class: 'muted' }, 'Paste the API token an administrator gave you (', el('code', {}, 'crowdlens token create'), '). It is kept in this tab only and sent with every request.'),
    message ? el('div', { class: 'message error', id: 'signin-error' }, message) : null,
    el('form', { onsubmit: submit },
      el('label', { for: 'token' }, 'API token'), input,
      el('div', { class: 'actions' }, el('button', { id: 'signin', type: 'submit' }, 'Sign in')))));
  input.focus();
}

const PAGES = { ask: viewAsk, answers: viewAnswers, answer: viewAnswer, compare: viewCompare, budget: viewBudget, audit: viewAudit, tokens: viewTokens, approvals: viewApprovals };

async function route() {
  if (!session.me && !(await restoreSession())) {
    if (!session.token) viewSignIn();
    return;
  }
  const [, page, arg] = location.hash.split('/');
  if (!PAGES[page]) { location.hash = homePage(); return; }
  updateChrome();
  show(el('p', { class: 'muted' }, 'Loading…'));
  try {
    await PAGES[page](arg);
  } catch (e) {
    show(el('h1', {}, page[0].toUpperCase() + page.slice(1)), errorBox(e));
  }
}

// ---------------------------------------------------------------- the map

function project(lon, lat) {
  const s = Math.sin(Math.max(-85, Math.min(85, lat)) * Math.PI / 180);
  return [(lon + 180) / 360, 0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)];
}

function unproject(x, y) {
  const n = Math.PI - 2 * Math.PI * y;
  return [x * 360 - 180, (180 / Math.PI) * Math.atan(0.5 * (Math.exp(n) - Math.exp(-n)))];
}

// The operator's base map, if `serve --basemap` names one: its style, built here from what the
// server says of the file, with MapLibre loaded only then (it is large, and most serves have
// no base map).
let operatorBasemapPromise = null;
let activeBasemap = null;
function operatorBasemap() {
  if (!operatorBasemapPromise) {
    operatorBasemapPromise = fetch('/ui/basemap/info.json').then(async (r) => {
      if (r.status === 404) return null;
      if (!r.ok) throw new Error('base map: HTTP ' + r.status);
      const info = await r.json();
      await loadScript('/ui/vendor/maplibre-gl-csp.js', '/ui/vendor/maplibre-gl.css');
      maplibregl.setWorkerUrl('/ui/vendor/maplibre-gl-csp-worker.js');
      return { info, style: basemapStyle(info) };
    }).catch((e) => { operatorBasemapPromise = null; throw e; });
  }
  return operatorBasemapPromise;
}

function loadScript(src, css) {
  document.head.append(el('link', { rel: 'stylesheet', href: css }));
  return new Promise((resolve, reject) => {
    const s = el('script', { src });
    s.onload = resolve;
    s.onerror = () => reject(new Error('could not load ' + src));
    document.head.append(s);
  });
}

// A plain style for any tiles: water blue, green space green, roads white, everything else a
// quiet fill and line, so that the answers on top stay the figure.
function basemapStyle(info) {
  const tiles = [location.origin + '/ui/basemap/{z}/{x}/{y}'];
  const zooms = { minzoom: info.minzoom, maxzoom: info.maxzoom };
  if (Array.isArray(info.bounds) && info.bounds.length === 4 && info.bounds.every(Number.isFinite)) zooms.bounds = info.bounds;
  const layers = [{ id: 'background', type: 'background', paint: { 'background-color': '#f2efe9' } }];
  if (info.kind === 'raster') {
    return { version: 8, sources: { basemap: { type: 'raster', tiles, tileSize: 256, ...zooms } }, layers: [...layers, { id: 'raster', type: 'raster', source: 'basemap' }] };
  }
  const fillOf = (id) => /water|ocean|lake|river/.test(id) ? '#aad3df' : /park|green|wood|forest|landcover|grass/.test(id) ? '#d8e8c8' : /building/.test(id) ? '#ddd6cf' : '#ebe6dc';
  // Layer ids as the file names them: strings, each once (MapLibre refuses a style otherwise).
  const ids = [...new Set((Array.isArray(info.vector_layers) ? info.vector_layers : []).map((l) => l && l.id).filter((id) => typeof id === 'string'))];
  for (const id of ids) {
    const road = /road|transport|street|highway/.test(id);
    const common = { source: 'basemap', 'source-layer': id };
    layers.push(
      { id: id + '-fill', type: 'fill', ...common, filter: ['==', ['geometry-type'], 'Polygon'], paint: { 'fill-color': fillOf(id), 'fill-opacity': 0.7 } },
      { id: id + '-line', type: 'line', ...common, paint: { 'line-color': road ? '#ffffff' : '#a89f90', 'line-width': road ? 1.6 : 0.8 } },
      { id: id + '-point', type: 'circle', ...common, filter: ['==', ['geometry-type'], 'Point'], paint: { 'circle-radius': 2, 'circle-color': '#6d6456' } });
  }
  return { version: 8, sources: { basemap: { type: 'vector', tiles, ...zooms } }, layers };
}

let baseMapPromise = null;
function loadBaseMap() {
  if (!baseMapPromise) {
    const get = (p) => fetch(p).then((r) => { if (!r.ok) throw new Error('base map ' + p + ': HTTP ' + r.status); return r.json(); });
    baseMapPromise = Promise.all([get('/ui/vendor/world-atlas-countries-50m.json'), get('/ui/vendor/us-atlas-counties-10m.json')])
      .then(([world, us]) => {
        const withBounds = (fs) => fs.map((f) => ({ f, b: bounds(f.geometry) }));
        const states = withBounds(topojson.feature(us, us.objects.states).features);
        return {
          countries: withBounds(topojson.feature(world, world.objects.countries).features),
          states,
          // A county's FIPS id starts with its state's.
          stateNames: Object.fromEntries(states.map(({ f }) => [String(f.id), f.properties.name])),
          counties: withBounds(topojson.feature(us, us.objects.counties).features),
        };
      });
  }
  return baseMapPromise;
}

function rings(geometry) {
  if (!geometry) return [];
  if (geometry.type === 'Polygon') return geometry.coordinates;
  if (geometry.type === 'MultiPolygon') return geometry.coordinates.flat();
  return [];
}

function bounds(geometry) {
  let b = [Infinity, Infinity, -Infinity, -Infinity];
  for (const ring of rings(geometry)) for (const [x, y] of ring) {
    b = [Math.min(b[0], x), Math.min(b[1], y), Math.max(b[2], x), Math.max(b[3], y)];
  }
  return b;
}

class MapView {
  constructor(container, { onArea } = {}) {
    this.onArea = onArea;
    this.cells = [];
    this.arrows = [];
    this.area = null;
    this.center = project(-96, 38);
    this.scale = 2000;
    this.svg = svgEl('svg', { class: 'map', id: 'map', role: 'img', 'aria-label': 'map' });
    this.svg.append(svgEl('defs', {},
      svgEl('pattern', { id: 'hatch', patternUnits: 'userSpaceOnUse', width: 6, height: 6, patternTransform: 'rotate(45)' },
        svgEl('rect', { width: 6, height: 6, fill: '#eceff1' }),
        svgEl('line', { x1: 0, y1: 0, x2: 0, y2: 6, stroke: '#90a4ae', 'stroke-width': 2 })),
      svgEl('marker', { id: 'arrowhead', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 12, markerHeight: 12, markerUnits: 'userSpaceOnUse', orient: 'auto-start-reverse' },
        svgEl('path', { d: 'M0,0 L10,5 L0,10 z', fill: '#b2182b' }))));
    this.gBase = svgEl('g', { class: 'base' });
    this.gGrid = svgEl('g', { class: 'grid' });
    this.grid = { key: null, res: null, rings: [] };
    this.gCells = svgEl('g', { class: 'cells' });
    this.gOverlay = svgEl('g', { class: 'overlay' });
    this.gLabels = svgEl('g', { class: 'labels', 'pointer-events': 'none' });
    this.places = { key: null, list: [] };
    this.svg.append(this.gBase, this.gGrid, this.gCells, this.gOverlay, this.gLabels);
    const zoom = (f) => () => { this.scale = Math.max(600, Math.min(3e7, this.scale * f)); this.render(); };
    this.drawButton = onArea ? el('button', { type: 'button', class: 'secondary', id: 'draw-area', title: 'drag a rectangle on the map', onclick: () => this.setDrawing(!this.drawing) }, 'Draw area') : null;
    container.append(el('div', { class: 'map-wrap' }, this.svg,
      el('div', { class: 'map-tools' },
        el('button', { type: 'button', class: 'secondary', title: 'zoom in', onclick: zoom(2) }, '+'),
        el('button', { type: 'button', class: 'secondary', title: 'zoom out', onclick: zoom(0.5) }, '−'),
        this.drawButton),
      this.whereBox = el('div', { class: 'map-where', id: 'map-where' }),
      this.credit = el('div', { class: 'map-credit' })));
    this.updateCredit();
    this.listen();
    loadBaseMap().then((base) => { this.base = base; this.render(); }).catch((e) => container.append(errorBox(e)));
    operatorBasemap().then((style) => { if (style) this.addBasemap(style); }).catch((e) => container.append(errorBox(e)));
  }

  /// The operator's base map (`serve --basemap`), drawn by MapLibre under the SVG and moved
  /// with it: the SVG's Web Mercator scale is pixels per world, MapLibre's zoom z is 512·2^z.
  addBasemap({ style, info }) {
    const wrap = this.svg.parentElement;
    const box = el('div', { class: 'basemap', id: 'basemap' });
    wrap.prepend(box);
    this.svg.classList.add('over-basemap');
    // One WebGL context at a time: the map of the page left behind is let go.
    if (activeBasemap) activeBasemap.remove();
    this.basemap = activeBasemap = new maplibregl.Map({ container: box, style, interactive: false, attributionControl: false, fadeDuration: 0 });
    // Counted for whoever checks the page (the browser test): the base map's features drawn.
    this.basemap.on('idle', () => {
      const features = (info.vector_layers || []).reduce((n, l) => n + this.basemap.querySourceFeatures('basemap', { sourceLayer: l.id }).length, 0);
      wrap.setAttribute('data-basemap', 'drawn');
      wrap.setAttribute('data-basemap-features', info.kind === 'vector' ? features : '');
    });
    this.basemap.on('error', (e) => wrap.setAttribute('data-basemap-error', String(e.error && e.error.message)));
    this.basemapCredit = [info.attribution, info.name].find((t) => typeof t === 'string' && t) || 'the operator\'s base map';
    this.updateCredit();
    this.render();
  }

  syncBasemap() {
    if (!this.basemap) return;
    // Only what changed: a resize re-reads the canvas, and a jump to the same view redraws.
    const size = this.size().join('x');
    if (size !== this.basemapSize) { this.basemapSize = size; this.basemap.resize(); }
    const view = { center: unproject(this.center[0], this.center[1]), zoom: Math.max(0, Math.log2(this.scale / 512)) };
    const key = [...view.center, view.zoom].map((v) => v.toFixed(7)).join(',');
    if (key === this.basemapView) return;
    this.basemapView = key;
    this.svg.parentElement.setAttribute('data-basemap', 'moving');
    this.basemap.jumpTo(view);
  }

  updateCredit() {
    this.credit.textContent = (this.basemapCredit ? `Base map: ${this.basemapCredit}. ` : '')
      + 'Boundaries: U.S. Census Bureau 2017 (us-atlas), Natural Earth (world-atlas). Places: GeoNames. Hexagons: H3'
      + (this.grid.res === null ? '.' : `; grey grid: H3 resolution ${this.grid.res}.`);
  }

  /// The largest places in view, from the vendored gazetteer, fetched after the map settles;
  /// kept for naming zones too.
  refreshPlaces() {
    clearTimeout(this.placesTimer);
    this.placesTimer = setTimeout(async () => {
      const vb = this.viewBounds();
      const box = [Math.max(-180, vb[0]), Math.max(-85, vb[1]), Math.min(180, vb[2]), Math.min(85, vb[3])];
      const key = box.map((v) => v.toFixed(3)).join(',');
      if (key === this.places.key) return;
      try {
        const r = await api('GET', '/v1/places?limit=60&bbox=' + box.map((v) => v.toFixed(4)).join(','));
        this.places = { key, list: r.places };
      } catch (_) {
        this.places = { key, list: [] };
      }
      this.drawLabels();
    }, 250);
  }

  /// Place names, largest first, skipping any that would overlap one already placed.
  drawLabels() {
    const [w, h] = this.size();
    const placed = [];
    const labels = [];
    for (const p of this.places.list) {
      const [x, y] = this.toScreen(p.lon, p.lat);
      if (x < 0 || y < 0 || x > w || y > h) continue;
      const big = p.population >= 100000;
      const width = p.name.length * (big ? 7.5 : 6.5) + 8;
      const box = [x - 3, y - 12, x + width, y + 4];
      if (placed.some((b) => box[0] < b[2] && box[2] > b[0] && box[1] < b[3] && box[3] > b[1])) continue;
      placed.push(box);
      labels.push(svgEl('circle', { cx: x.toFixed(1), cy: y.toFixed(1), r: big ? 3 : 2, fill: '#37474f' }),
        svgEl('text', { x: (x + 5).toFixed(1), y: (y + 4).toFixed(1), class: 'place-label' + (big ? ' big' : ''), 'data-place': p.name }, p.name));
      if (placed.length >= 25) break;
    }
    this.gLabels.replaceChildren(...labels);
  }

  /// The US county (and state) at a point, from the vendored outlines, or null.
  countyAt(lon, lat) {
    if (!this.base) return null;
    const county = this.base.counties.find(({ b, f }) => lon >= b[0] && lon <= b[2] && lat >= b[1] && lat <= b[3] && contains(f.geometry, lon, lat));
    if (!county) return null;
    const state = this.base.stateNames[String(county.f.id).slice(0, 2)];
    return county.f.properties.name + (state ? ', ' + state : '');
  }

  /// Says where the pointer is: the county, and the nearest named place.
  showWhere(lon, lat) {
    const county = this.countyAt(lon, lat);
    const near = nearestPlace(this.places.list, lon, lat);
    const parts = [county ? 'County: ' + county : null, near ? 'near ' + near.name : null].filter(Boolean);
    this.whereBox.textContent = parts.join(' · ');
  }

  /// The H3 grid of the view, at a resolution that keeps it to a few thousand cells; fetched
  /// after the map settles, since it is context and not data.
  refreshGrid() {
    clearTimeout(this.gridTimer);
    this.gridTimer = setTimeout(async () => {
      const vb = this.viewBounds();
      const span = Math.max(vb[2] - vb[0], vb[3] - vb[1]);
      const res = span < 0.15 ? 9 : span < 0.45 ? 8 : span < 1.3 ? 7 : null;
      const box = [Math.max(-180, vb[0]), Math.max(-85, vb[1]), Math.min(180, vb[2]), Math.min(85, vb[3])];
      const key = res === null ? null : res + ':' + box.map((v) => v.toFixed(3)).join(',');
      if (key === this.grid.key) return;
      if (res === null) {
        this.grid = { key, res: null, rings: [] };
      } else {
        try {
          const r = await api('POST', '/v1/cells', { grid: 'bbox:' + box.map((v) => v.toFixed(5)).join(','), res });
          this.grid = { key, res, rings: Object.values(r.boundaries) };
        } catch (_) {
          this.grid = { key, res: null, rings: [] };
        }
      }
      this.updateCredit();
      // Only the grid layer: the answer's cells stay the same elements under a pointer.
      this.drawGrid();
    }, 250);
  }

  drawGrid() {
    this.gGrid.replaceChildren(...this.grid.rings.map((ring) => svgEl('path', { d: this.path([ring]), fill: 'none', stroke: '#9fb3c8', 'stroke-width': 0.5, class: 'grid-cell' })));
  }

  setDrawing(on) {
    this.drawing = on;
    this.svg.classList.toggle('drawing', on);
    if (this.drawButton) this.drawButton.textContent = on ? 'Drawing… (drag)' : 'Draw area';
  }

  size() { return [this.svg.clientWidth || 800, this.svg.clientHeight || 560]; }

  toScreen(lon, lat) {
    const [w, h] = this.size();
    const [x, y] = project(lon, lat);
    return [(x - this.center[0]) * this.scale + w / 2, (y - this.center[1]) * this.scale + h / 2];
  }

  toLonLat(sx, sy) {
    const [w, h] = this.size();
    return unproject(this.center[0] + (sx - w / 2) / this.scale, this.center[1] + (sy - h / 2) / this.scale);
  }

  viewBounds() {
    const [w, h] = this.size();
    const [west, north] = this.toLonLat(0, 0);
    const [east, south] = this.toLonLat(w, h);
    return [west, south, east, north];
  }

  fit(b, margin = 0.08) {
    const [w, h] = this.size();
    const p0 = project(b[0], b[3]);
    const p1 = project(b[2], b[1]);
    this.center = [(p0[0] + p1[0]) / 2, (p0[1] + p1[1]) / 2];
    const spanX = Math.max(p1[0] - p0[0], 1e-7);
    const spanY = Math.max(p1[1] - p0[1], 1e-7);
    this.scale = Math.min(w / spanX, h / spanY) * (1 - 2 * margin);
    this.render();
  }

  path(ringsLonLat) {
    let d = '';
    for (const ring of ringsLonLat) {
      let prevLon = null;
      ring.forEach(([lon, lat], i) => {
        const [x, y] = this.toScreen(lon, lat);
        // A ring that crosses the antimeridian is split rather than drawn across the map.
        const jump = prevLon !== null && Math.abs(lon - prevLon) > 180;
        d += (i === 0 || jump ? 'M' : 'L') + x.toFixed(1) + ',' + y.toFixed(1);
        prevLon = lon;
      });
      d += 'Z';
    }
    return d;
  }

  render() {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => { this.pending = false; this.draw(); });
  }

  draw() {
    const [w, h] = this.size();
    this.svg.setAttribute('viewBox', `0 0 ${w} ${h}`);
    this.syncBasemap();
    const vb = this.viewBounds();
    const visible = ({ b }) => b[0] <= vb[2] && b[2] >= vb[0] && b[1] <= vb[3] && b[3] >= vb[1];
    const base = [];
    if (this.base) {
      // Over the operator's base map, the land is its to draw: outlines only.
      const land = this.basemap ? 'none' : '#f7f4ee';
      for (const c of this.base.countries.filter(visible)) base.push(svgEl('path', { d: this.path(rings(c.f.geometry)), fill: land, stroke: '#b8b0a2', 'stroke-width': 0.8 }));
      if (vb[2] - vb[0] < 20) {
        for (const c of this.base.counties.filter(visible)) base.push(svgEl('path', { d: this.path(rings(c.f.geometry)), fill: 'none', stroke: '#cfc6b6', 'stroke-width': 0.7 }));
      }
      for (const s of this.base.states.filter(visible)) base.push(svgEl('path', { d: this.path(rings(s.f.geometry)), fill: 'none', stroke: '#978f80', 'stroke-width': 1.2 }));
    }
    this.gBase.replaceChildren(...base);
    this.drawGrid();
    this.refreshGrid();
    this.drawLabels();
    this.refreshPlaces();
    this.gCells.replaceChildren(...this.cells.map((c) => {
      const p = svgEl('path', {
        class: 'hex', d: this.path([c.ring]), fill: c.fill, stroke: c.stroke || '#ffffff', 'stroke-width': 0.6,
        'fill-opacity': c.opacity === undefined ? 0.85 : c.opacity, tabindex: c.label ? 0 : undefined,
        'data-cell': c.cell, 'data-label': c.label,
      });
      if (c.label) {
        const on = (ev) => {
          const r = ev.type === 'focus' ? p.getBoundingClientRect() : null;
          showTooltip(c.label, r ? r.right : ev.clientX, r ? r.top : ev.clientY);
        };
        p.addEventListener('mouseenter', on);
        p.addEventListener('mousemove', on);
        p.addEventListener('focus', on);
        p.addEventListener('mouseleave', hideTooltip);
        p.addEventListener('blur', hideTooltip);
      }
      return p;
    }));
    const overlay = this.arrows.map((a) => {
      const [x1, y1] = this.toScreen(a.from[0], a.from[1]);
      const [x2, y2] = this.toScreen(a.to[0], a.to[1]);
      // Bent to the right of travel, so that A→B and B→A are two arcs, not one line.
      const [dx, dy] = [x2 - x1, y2 - y1];
      const [cx, cy] = [(x1 + x2) / 2 - dy * 0.18, (y1 + y2) / 2 + dx * 0.18];
      const line = svgEl('path', {
        d: `M${x1.toFixed(1)},${y1.toFixed(1)} Q${cx.toFixed(1)},${cy.toFixed(1)} ${x2.toFixed(1)},${y2.toFixed(1)}`,
        fill: 'none', stroke: a.solid ? '#b2182b' : '#9e9e9e', 'stroke-width': a.width, 'stroke-opacity': 0.8,
        'stroke-dasharray': a.solid ? null : '4 3', 'marker-end': 'url(#arrowhead)', 'stroke-linecap': 'round', class: 'flow',
      });
      line.addEventListener('mousemove', (ev) => showTooltip(a.label, ev.clientX, ev.clientY));
      line.addEventListener('mouseleave', hideTooltip);
      return line;
    });
    const outline = (b, fill, stroke, id) => {
      const [x1, y1] = this.toScreen(b[0], b[3]);
      const [x2, y2] = this.toScreen(b[2], b[1]);
      return svgEl('rect', { x: Math.min(x1, x2), y: Math.min(y1, y2), width: Math.abs(x2 - x1), height: Math.abs(y2 - y1), fill, stroke, 'stroke-width': 2, 'stroke-dasharray': '6 3', id });
    };
    if (this.area) overlay.push(outline(this.area, 'rgba(47,109,176,0.12)', '#2f6db0', 'area-outline'));
    // Co-visit's second area, in its own colour.
    if (this.areaB) overlay.push(outline(this.areaB, 'rgba(230,97,1,0.12)', '#e66101', 'area-b-outline'));
    if (this.areaRings) overlay.push(svgEl('path', { d: this.path(this.areaRings), fill: 'rgba(47,109,176,0.12)', stroke: '#2f6db0', 'stroke-width': 2 }));
    this.gOverlay.replaceChildren(...overlay);
  }

  listen() {
    let drag = null;
    const point = (ev) => { const r = this.svg.getBoundingClientRect(); return [ev.clientX - r.left, ev.clientY - r.top]; };
    this.svg.addEventListener('pointerdown', (ev) => {
      if (ev.button !== 0 || (ev.target.closest && ev.target.closest('button'))) return;
      this.svg.setPointerCapture(ev.pointerId);
      drag = { start: point(ev), center: this.center.slice(), drawing: this.drawing };
    });
    this.svg.addEventListener('pointermove', (ev) => {
      if (!drag) {
        const [x, y] = point(ev);
        this.showWhere(...this.toLonLat(x, y));
        return;
      }
      const [x, y] = point(ev);
      if (drag.drawing) {
        const a = this.toLonLat(drag.start[0], drag.start[1]);
        const b = this.toLonLat(x, y);
        this.area = [Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[0], b[0]), Math.max(a[1], b[1])];
        this.areaRings = null;
      } else {
        this.center = [drag.center[0] - (x - drag.start[0]) / this.scale, drag.center[1] - (y - drag.start[1]) / this.scale];
      }
      this.render();
    });
    this.svg.addEventListener('pointerup', () => {
      if (drag && drag.drawing && this.area && this.onArea) {
        this.onArea(this.area);
        this.setDrawing(false);
      }
      drag = null;
    });
    this.svg.addEventListener('wheel', (ev) => {
      ev.preventDefault();
      const [x, y] = point(ev);
      const before = this.toLonLat(x, y);
      this.scale = Math.max(600, Math.min(3e7, this.scale * (ev.deltaY < 0 ? 1.25 : 0.8)));
      const [bx, by] = this.toScreen(before[0], before[1]);
      this.center = [this.center[0] + (bx - x) / this.scale, this.center[1] + (by - y) / this.scale];
      this.render();
    }, { passive: false });
    window.addEventListener('resize', () => this.render());
  }
}

async function outlines(cells) {
  const out = {};
  const unique = [...new Set(cells)];
  // 2,000 cell ids are about 36 KB: under the server's default 64 KB body limit.
  for (let i = 0; i < unique.length; i += 2000) {
    const r = await api('POST', '/v1/cells', { cells: unique.slice(i, i + 2000) });
    Object.assign(out, r.boundaries);
  }
  return out;
}

function centroid(ring) {
  let x = 0, y = 0;
  for (const [lon, lat] of ring) { x += lon; y += lat; }
  return [x / ring.length, y / ring.length];
}

// Whether a (Multi)Polygon holds a point: even-odd over all its rings, holes included.
function contains(geometry, lon, lat) {
  let inside = false;
  for (const ring of rings(geometry)) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [xi, yi] = ring[i], [xj, yj] = ring[j];
      if ((yi > lat) !== (yj > lat) && lon < (xj - xi) * (lat - yi) / (yj - yi) + xi) inside = !inside;
    }
  }
  return inside;
}

// The place nearest a point, within about 15 km, among `places` (from /v1/places), or null.
function nearestPlace(places, lon, lat) {
  let best = null, bestKm = 15;
  for (const p of places || []) {
    const km = Math.hypot((p.lon - lon) * Math.cos(lat * Math.PI / 180), p.lat - lat) * 111.2;
    if (km < bestKm) { best = p; bestKm = km; }
  }
  return best;
}

function ringsBounds(listOfRings) {
  return bounds({ type: 'Polygon', coordinates: listOfRings });
}

// Noisy values can be negative, so the scale diverges at 0: purples (few to many) above it,
// oranges below it. Classes have round breaks, and the legend lists exactly the classes the map
// uses. A cell whose interval includes 0 is hatched instead.
const POSITIVE = ['#fde725', '#b5de2b', '#6ece58', '#35b779', '#1f9e89', '#26828e', '#31688e', '#3e4989', '#482878', '#440154'];
const NEGATIVE = ['#fdd0a2', '#fdae6b', '#f16913', '#a63603'];

// A round step (1, 2, 2.5 or 5 times a power of ten) of about `rough`.
function niceStep(rough) {
  if (!(rough > 0)) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(rough)));
  const f = rough / p;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10) * p;
}

// Round ticks covering [min, max], about `count` of them.
function niceTicks(min, max, count) {
  const step = niceStep((max - min) / Math.max(1, count));
  const ticks = [];
  for (let v = Math.floor(min / step) * step; v <= max + step * 1e-9; v += step) ticks.push(Math.round(v * 1e6) / 1e6);
  return ticks;
}

// The classes for values from `min` to `max`: [{lo, hi, colour}], from the lowest up. Each value
// falls in exactly one class: lo <= v < hi (the top class includes its hi).
function colourClasses(min, max) {
  const top = Math.max(1, max);
  const step = niceStep(top / POSITIVE.length);
  const classes = [];
  const below = Math.min(0, min);
  if (below < 0) {
    const negStep = niceStep(-below / NEGATIVE.length);
    const n = Math.min(NEGATIVE.length, Math.ceil(-below / negStep));
    for (let i = n - 1; i >= 0; i--) {
      classes.push({ lo: i === n - 1 ? -Infinity : -(i + 1) * negStep, hi: -i * negStep, colour: NEGATIVE[Math.min(NEGATIVE.length - 1, i)] });
    }
  }
  const n = Math.min(POSITIVE.length, Math.ceil(top / step));
  for (let i = 0; i < n; i++) classes.push({ lo: i * step, hi: i === n - 1 ? Infinity : (i + 1) * step, colour: POSITIVE[Math.round((i * (POSITIVE.length - 1)) / Math.max(1, n - 1))] });
  return classes;
}

function classOf(classes, v) {
  return classes.find((c) => v >= c.lo && v < c.hi) || (v < 0 ? classes[0] : classes[classes.length - 1]);
}

// True when the 95% interval contains 0: the value may be noise around nothing.
function includesZero(r) { return r.ci_low <= 0 && r.ci_high >= 0; }

function classLabel(c) {
  if (c.lo === -Infinity) return `below ${fmt(c.hi)}`;
  if (c.hi === Infinity) return `${fmt(c.lo)} or more`;
  return `${fmt(c.lo)} to ${fmt(c.hi)}`;
}

function mapLegend(classes, unit) {
  return el('div', { class: 'legend', id: 'legend' },
    el('span', {}, `${unit} (noisy):`),
    classes.map((c) => el('span', { class: 'legend-class', 'data-colour': c.colour },
      el('span', { class: 'swatch', style: `background:${c.colour}` }), classLabel(c))),
    el('span', {}, svgSwatchHatch(), '95% interval includes 0: may be noise, not people'));
}

function svgSwatchHatch() {
  return svgEl('svg', { width: 18, height: 12, class: 'swatch' },
    svgEl('rect', { width: 18, height: 12, fill: 'url(#hatch)' }));
}

// ---------------------------------------------------------------- charts

function barChart(items, { title, id } = {}) {
  // items: [{label, value, lo, hi}]
  const width = 720, rowH = 26, left = 170, right = 80;
  const height = items.length * rowH + 40;
  const max = Math.max(1, ...items.map((i) => Math.max(i.hi, i.value)));
  const min = Math.min(0, ...items.map((i) => Math.min(i.lo, i.value)));
  const x = (v) => left + ((v - min) / (max - min)) * (width - left - right);
  const s = svgEl('svg', { viewBox: `0 0 ${width} ${height}`, width: '100%', class: 'chart', id: id || null, role: 'img', 'aria-label': title || 'chart' });
  s.append(svgEl('line', { x1: x(0), x2: x(0), y1: 10, y2: height - 24, stroke: '#6b778a' }));
  items.forEach((it, i) => {
    const y = 14 + i * rowH;
    const zero = it.lo <= 0 && it.hi >= 0;
    s.append(
      svgEl('text', { x: left - 8, y: y + 13, 'text-anchor': 'end', 'font-size': 12, fill: '#1d2430' }, it.label),
      svgEl('rect', { x: Math.min(x(0), x(it.value)), y, width: Math.abs(x(it.value) - x(0)), height: rowH - 8, fill: zero ? 'url(#hatch-chart)' : '#2f6db0', stroke: zero ? '#90a4ae' : 'none' }),
      svgEl('line', { x1: x(it.lo), x2: x(it.hi), y1: y + (rowH - 8) / 2, y2: y + (rowH - 8) / 2, stroke: '#1d2430', 'stroke-width': 1.5 }),
      svgEl('line', { x1: x(it.lo), x2: x(it.lo), y1: y + 3, y2: y + rowH - 11, stroke: '#1d2430' }),
      svgEl('line', { x1: x(it.hi), x2: x(it.hi), y1: y + 3, y2: y + rowH - 11, stroke: '#1d2430' }),
      svgEl('text', { x: width - right + 6, y: y + 13, 'font-size': 12, fill: '#1d2430' }, fmt(it.value)));
  });
  s.append(svgEl('text', { x: left, y: height - 6, 'font-size': 11, fill: '#5b6677' }, 'bars: noisy value · whiskers: 95% interval · hatched: interval includes 0'));
  s.prepend(svgEl('defs', {}, svgEl('pattern', { id: 'hatch-chart', patternUnits: 'userSpaceOnUse', width: 6, height: 6, patternTransform: 'rotate(45)' },
    svgEl('rect', { width: 6, height: 6, fill: '#eceff1' }), svgEl('line', { x1: 0, y1: 0, x2: 0, y2: 6, stroke: '#90a4ae', 'stroke-width': 2 }))));
  return s;
}

function lineChart(series, labels, { id, yLabel } = {}) {
  // series: [{name, colour, dashed, points: [{value, lo, hi}]}] indexed like labels
  const width = 760, height = 300, left = 60, right = 48, top = 16, bottom = 56;
  const all = series.flatMap((s) => s.points.flatMap((p) => [p.lo, p.hi, p.value]));
  // The axis runs over round ticks that cover every value and interval.
  const ticks = niceTicks(Math.min(0, ...all), Math.max(1, ...all), 4);
  const min = ticks[0], max = Math.max(ticks[ticks.length - 1], min + 1);
  const n = Math.max(2, labels.length);
  const x = (i) => left + (i / (n - 1)) * (width - left - right);
  const y = (v) => top + (1 - (v - min) / (max - min)) * (height - top - bottom);
  const s = svgEl('svg', { viewBox: `0 0 ${width} ${height}`, width: '100%', class: 'chart', id: id || null, role: 'img', 'aria-label': 'line chart' });
  for (const v of ticks) {
    s.append(svgEl('line', { x1: left, x2: width - right, y1: y(v), y2: y(v), stroke: '#e3e8ee' }),
      svgEl('text', { x: left - 6, y: y(v) + 4, 'text-anchor': 'end', 'font-size': 11, fill: '#5b6677' }, fmt(v)));
  }
  labels.forEach((l, i) => {
    if (labels.length > 12 && i % Math.ceil(labels.length / 12)) return;
    s.append(svgEl('text', { x: x(i), y: height - bottom + 16, 'text-anchor': 'middle', 'font-size': 10, fill: '#5b6677' }, l));
  });
  for (const se of series) {
    const pts = se.points;
    if (!pts.length) continue;
    const band = pts.map((p, i) => `${x(i)},${y(p.hi)}`).concat(pts.map((p, i) => `${x(i)},${y(p.lo)}`).reverse());
    s.append(svgEl('polygon', { points: band.join(' '), fill: se.colour, 'fill-opacity': 0.15, class: 'band' }),
      svgEl('polyline', { points: pts.map((p, i) => `${x(i)},${y(p.value)}`).join(' '), fill: 'none', stroke: se.colour, 'stroke-width': 2, 'stroke-dasharray': se.dashed ? '6 4' : null }));
  }
  let lx = left;
  for (const se of series) {
    s.append(svgEl('line', { x1: lx, x2: lx + 24, y1: height - 14, y2: height - 14, stroke: se.colour, 'stroke-width': 2, 'stroke-dasharray': se.dashed ? '6 4' : null }),
      svgEl('text', { x: lx + 30, y: height - 10, 'font-size': 12 }, se.name));
    lx += 40 + se.name.length * 7;
  }
  s.append(svgEl('text', { x: lx + 10, y: height - 10, 'font-size': 11, fill: '#5b6677' }, (yLabel || '') + ' shaded: 95% interval'));
  return s;
}

// ---------------------------------------------------------------- ask

/** The descriptor of question `kind`, as /v1/questions serves it. */
function descriptorOf(kind) {
  return session.questions.questions.find((d) => d.kind === kind);
}

function addDays(day, n) {
  const d = new Date(day + 'T00:00:00Z');
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

// What the page fills in beyond the descriptors' own defaults: dates inside the store's data,
// a modest ε, and the store's bound. A series' window follows its baseline day.
function defaults(question) {
  const st = session.store;
  // The first stored day is often partial (a feed's first hours in UTC): start on the second
  // when there is one.
  const first = !st.first_day ? new Date().toISOString().slice(0, 10)
    : (st.last_day && addDays(st.first_day, 1) < st.last_day ? addDays(st.first_day, 1) : st.first_day);
  // Asked by accuracy by default: ±24 per value, the interval ε 0.5 of Laplace noise gives at
  // L = 4, and the server picks the noise that costs the week less for it.
  const d = { purpose: st.purposes[0], accuracy: '24', max_partitions: String(st.default_max_partitions) };
  for (const p of descriptorOf(question).params) {
    if (p.default !== undefined) d[p.name] = p.default;
  }
  Object.assign(d, {
    from: first + 'T00:00:00Z', to: addDays(first, 1) + 'T00:00:00Z',
    baseline_from: first + 'T00:00:00Z', baseline_to: addDays(first, 1) + 'T00:00:00Z',
  });
  if (question === 'series') {
    d.from = addDays(first, 1) + 'T00:00:00Z';
    d.to = addDays(first, 2) + 'T00:00:00Z';
    d.bucket = '6h';
  }
  return d;
}

let askState = { question: 'presence', values: null };

// What a running job is doing, by its stage (GET /v1/jobs/{id}).
const JOB_STAGES = {
  queued: 'Queued…',
  checking: 'Checking the question and the budget…',
  reading: 'Charged; reading the store…',
  releasing: 'Adding noise and recording the answer…',
  finished: 'Finished.',
};

async function viewAsk() {
  const st = session.store;
  if (!askState.values) askState.values = defaults(askState.question);
  const budget = await api('GET', '/v1/budget').catch(() => null);
  const form = el('form', { id: 'ask-form', 'data-question': askState.question, onsubmit: (ev) => ev.preventDefault() });
  const priceBox = el('div', { id: 'price', class: 'price' });
  const generalError = el('div', { id: 'ask-error' });
  const jobBox = el('div', { id: 'ask-job' });
  let priced = null;
  const askButton = el('button', { type: 'button', id: 'ask', disabled: true }, 'Ask and spend');
  const priceButton = el('button', { type: 'button', id: 'price-button', class: 'secondary' }, 'Price it (dry run, free)');
  const mapCard = el('div', { class: 'card' }, el('h2', {}, 'Area'), el('p', { class: 'muted' }, 'Drag to pan, scroll or +/− to zoom, “Draw area” and drag to set a rectangle.'));
  // Drawing fills the area field chosen here (area B only where the question has one).
  let drawInto = 'area';
  const drawTarget = el('div', { class: 'row', id: 'draw-into' });
  const map = new MapView(mapCard, {
    onArea: (b) => {
      const spec = 'bbox:' + b.map((v) => v.toFixed(5)).join(',');
      const input = form.querySelector(`[name=${drawInto}]`) || form.querySelector('[name=area]');
      input.value = spec;
      input.dispatchEvent(new Event('input', { bubbles: true }));
    },
  });

  // A place search: its box becomes the area drawing would fill, and the map moves there.
  const placeResults = el('div', { id: 'place-results', class: 'place-results' });
  const placeInput = el('input', { type: 'search', id: 'place-search', placeholder: 'Find a place: a town or city, e.g. “downtown Minneapolis”', 'aria-label': 'find a place' });
  const usePlace = (found) => {
    map.onArea(found.bbox);
    map.fit(found.bbox, 0.2);
    placeResults.replaceChildren(el('span', { class: 'muted', id: 'place-chosen' }, `Area set to a box about ${placeName(found)} (GeoNames gives a point; the box is wider for a larger place).`));
  };
  const findPlace = async () => {
    const q = placeInput.value.trim();
    if (!q) return;
    try {
      const r = await api('GET', '/v1/places?limit=6&q=' + encodeURIComponent(q));
      placeResults.replaceChildren(...(r.places.length
        ? r.places.map((f, i) => el('button', { type: 'button', class: 'secondary place-result', id: 'place-result-' + i, onclick: () => usePlace(f) }, placeName(f)))
        : [el('span', { class: 'muted', id: 'place-none' }, `No place called “${q}” in the gazetteer (towns and cities of at least 1,000 people). Draw the area instead.`)]));
    } catch (e) { placeResults.replaceChildren(errorBox(e)); }
  };
  placeInput.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') { ev.preventDefault(); findPlace(); } });
  mapCard.append(el('div', { class: 'row place-search' }, placeInput, el('button', { type: 'button', class: 'secondary', id: 'place-find', onclick: findPlace }, 'Find')), placeResults);

  const descriptor = descriptorOf(askState.question);
  const params = [...session.questions.asking.filter((p) => p.type !== 'flag'), ...descriptor.params];
  const fieldNames = params.map((p) => p.name);
  const NUMERIC = ['resolution', 'count', 'epsilon', 'accuracy'];
  const input = (p) => {
    const name = p.name;
    const v = askState.values[name] ?? '';
    if (name === 'purpose') return el('select', { name, id: 'f-' + name }, st.purposes.map((o) => el('option', { value: o, selected: o === v }, o)));
    if (p.type === 'mechanism') return el('select', { name, id: 'f-' + name }, ['auto', 'laplace', 'gaussian'].map((o) => el('option', { value: o, selected: o === v }, o)));
    if (p.type === 'area') { const t = el('textarea', { name, id: 'f-' + name, placeholder: p.help }); t.value = v; return t; }
    const placeholder = p.required || v ? null : 'default: the store decides';
    return el('input', { name, id: 'f-' + name, value: v, placeholder, type: NUMERIC.includes(p.type) ? 'number' : 'text', step: ['epsilon', 'accuracy'].includes(p.type) ? 'any' : null });
  };
  const hint = (p) => p.type === 'area' ? p.help + ' Or draw it on the map.' : p.help;
  form.append(...[
    el('label', { for: 'f-question' }, 'Question'),
    el('select', { id: 'f-question', onchange: (ev) => {
      // What the new question shares with this one (case, purpose, area, window, accuracy) carries over.
      const kept = { ...askState.values, ...values() };
      const next = ev.target.value;
      const names = [...session.questions.asking, ...descriptorOf(next).params].map((p) => p.name);
      // A series' window follows its baseline, and buckets differ by kind: those start afresh.
      const windowDiffers = (next === 'series') !== (askState.question === 'series');
      const fresh = (k) => k === 'bucket' || (windowDiffers && ['from', 'to'].includes(k));
      const carried = Object.fromEntries(Object.entries(kept).filter(([k, v]) => names.includes(k) && v !== '' && v !== undefined && !fresh(k)));
      const nextValues = { ...defaults(next), ...carried };
      // ε and accuracy are two ways to say what to spend: the one carried over wins.
      if (carried.epsilon) delete nextValues.accuracy;
      if (carried.accuracy) delete nextValues.epsilon;
      askState = { question: next, values: nextValues };
      viewAsk();
    } },
      session.questions.questions.map((d) => el('option', { value: d.kind, selected: d.kind === askState.question }, d.kind))),
    el('p', { class: 'muted', id: 'question-summary' }, descriptor.summary),
    params.map((p) => el('div', { class: 'field' },
      el('label', { for: 'f-' + p.name }, p.label, el('span', { class: 'hint' }, ' — ' + hint(p))),
      input(p),
      el('div', { class: 'field-error', id: 'err-' + p.name }),
      p.type === 'area' ? el('div', { class: 'field-warning', id: 'warn-' + p.name }) : null)),
    el('div', { class: 'actions' }, priceButton, askButton), jobBox, generalError, priceBox].flat());
  // An area outside the region the store's feeds cover (as its operator declared it) would be
  // answered with noise about zero, and still be charged: say so before pricing.
  const warnOutside = () => {
    for (const p of params.filter((q) => q.type === 'area')) {
      const slot = form.querySelector('#warn-' + p.name);
      const b = areaBounds(form.querySelector(`[name="${p.name}"]`).value.trim());
      const c = st.coverage;
      const outside = b && c && (b[2] < c[0] || b[0] > c[2] || b[3] < c[1] || b[1] > c[3]);
      slot.textContent = outside
        ? `This area lies outside the region this store's feeds cover (${c.map((v) => v.toFixed(2)).join(', ')}, as its operator declared it): its answer would be noise about zero, and would still be charged.`
        : '';
    }
  };

  const values = () => {
    const v = {};
    for (const name of fieldNames) v[name] = form.querySelector(`[name="${name}"]`).value.trim();
    return v;
  };
  const body = (dryRun) => {
    const v = values();
    askState.values = { ...askState.values, ...v };
    const b = { dry_run: dryRun };
    for (const p of params) {
      if (v[p.name] === '') continue;
      b[p.name] = NUMERIC.includes(p.type) ? Number(v[p.name]) : v[p.name];
    }
    return b;
  };
  const clearErrors = () => {
    generalError.replaceChildren();
    for (const e of form.querySelectorAll('.field-error')) e.textContent = '';
    for (const e of form.querySelectorAll('.invalid')) e.classList.remove('invalid');
  };
  const showError = (e) => {
    const name = fieldFor(e, fieldNames);
    const slot = name && form.querySelector('#err-' + name);
    e.message = inFormTerms(e.message, params);
    if (slot) {
      slot.textContent = e.message;
      form.querySelector(`[name="${name}"]`).classList.add('invalid');
    } else {
      generalError.replaceChildren(errorBox(e));
    }
  };
  form.addEventListener('input', (ev) => {
    // Accuracy and ε are two ways to say what to spend: typing one clears the other.
    const other = { accuracy: 'epsilon', epsilon: 'accuracy' }[ev.target.name];
    if (other && ev.target.value.trim()) {
      const field = form.querySelector(`[name="${other}"]`);
      if (field) field.value = '';
    }
    // Any change invalidates the price shown: the analyst must price what they spend. The
    // changed question is priced again once typing pauses (a dry run: free, and audited).
    priced = null;
    askButton.disabled = true;
    const slot = form.querySelector('#err-' + ev.target.name);
    if (slot) { slot.textContent = ''; ev.target.classList.remove('invalid'); }
    if (priceBox.firstChild) priceBox.replaceChildren(el('div', { class: 'message info', id: 'price-stale' }, 'Changed: pricing again…'));
    // A price still on its way is for the old question: it must not enable asking.
    pricing++;
    clearTimeout(repriceTimer);
    repriceTimer = setTimeout(() => { if (form.isConnected) reprice(); }, 700);
    const area = form.querySelector('[name=area]').value.trim();
    const areaB = form.querySelector('[name=area_b]');
    drawAreaSpec(map, area, areaB && areaB.value.trim());
    warnOutside();
  });
  let repriceTimer = null;
  let pricing = 0;
  // Prices the form as it is now (a dry run). Only the newest pricing may show its price and
  // enable asking, and what is asked is exactly what was priced: the form as it was sent.
  const reprice = async ({ scroll } = {}) => {
    clearTimeout(repriceTimer);
    const turn = ++pricing;
    clearErrors();
    askButton.disabled = true;
    const asked = JSON.stringify(body(false));
    try {
      const price = await api('POST', '/v1/ask/' + askState.question, body(true));
      if (turn !== pricing) return;
      priced = asked;
      priceBox.replaceChildren(renderPrice(price, budget));
      askButton.disabled = false;
      if (scroll) priceBox.scrollIntoView({ block: 'nearest' });
    } catch (e) {
      if (turn !== pricing) return;
      priceBox.replaceChildren();
      showError(e);
    }
  };
  priceButton.addEventListener('click', () => { priceBox.replaceChildren(); reprice({ scroll: true }); });
  // The question runs as a job (POST /v1/jobs): no request stays open while it reads, the
  // bar follows its stages, and Cancel drops it (a charged question's charge stands).
  askButton.addEventListener('click', async () => {
    if (!priced) return;
    clearErrors();
    askButton.disabled = true;
    askButton.textContent = 'Asking…';
    const restore = () => { askButton.textContent = 'Ask and spend'; askButton.disabled = false; jobBox.replaceChildren(); };
    try {
      let status = await api('POST', '/v1/jobs', Object.assign({ question: askState.question }, JSON.parse(priced)));
      const bar = el('progress', { id: 'ask-progress', max: '1', value: '0' });
      const stage = el('span', { id: 'ask-stage', class: 'muted' });
      const cancel = el('button', { type: 'button', id: 'ask-cancel', class: 'secondary' }, 'Cancel');
      let cancelling = false;
      cancel.addEventListener('click', async () => {
        cancelling = true;
        cancel.disabled = true;
        try { status = await api('POST', `/v1/jobs/${status.id}/cancel`); } catch (e) { if (e.code !== 'job_finished') showError(e); }
      });
      jobBox.replaceChildren(el('div', { class: 'job' }, bar, stage, cancel));
      while (status.status === 'running' && form.isConnected) {
        bar.value = status.progress;
        stage.textContent = JOB_STAGES[status.stage];
        try {
          status = await api('GET', `/v1/jobs/${status.id}?wait=5`);
        } catch (e) {
          // Over the rate limit the job goes on: look again shortly rather than ask again.
          if (e.status !== 429) throw e;
          await new Promise((done) => setTimeout(done, 5000));
        }
      }
      if (status.status === 'cancelled') {
        restore();
        generalError.replaceChildren(el('div', { class: 'message info', id: 'ask-cancelled' },
          cancelling ? 'Cancelled. If it had been charged, the charge stands and the audit log says it was abandoned after charge.' : 'The question was cancelled.'));
        return;
      }
      const answer = await api('GET', `/v1/jobs/${status.id}/result`);
      // Bought just now, unless the server gave a kept answer again.
      session.justBought = answer.reused ? null : answer.audit_id;
      location.hash = '#/answer/' + answer.audit_id;
    } catch (e) {
      restore();
      showError(e);
    }
  });
  const areaFields = params.filter((p) => p.type === 'area');
  if (areaFields.length > 1) {
    const choose = (name) => {
      drawInto = name;
      for (const r of drawTarget.querySelectorAll('input')) r.checked = r.value === name;
    };
    drawTarget.append(el('span', {}, 'Drawing fills:'), ...areaFields.map((p) => el('label', { class: 'inline' },
      el('input', { type: 'radio', name: 'draw-into', value: p.name, id: 'draw-into-' + p.name, checked: p.name === drawInto, onchange: () => choose(p.name) }), ' ', p.label)));
    mapCard.append(drawTarget);
    // Clicking into an area field makes it the one drawing fills.
    for (const p of areaFields) form.querySelector(`[name="${p.name}"]`).addEventListener('focus', () => choose(p.name));
  }
  show(el('h1', {}, 'Ask a question'),
    el('div', { class: 'grid2' }, el('div', { class: 'card' }, form), mapCard));
  requestAnimationFrame(() => {
    if (form.querySelector('[name=area]')) warnOutside();
    if (st.map_home) map.fit(st.map_home);
    drawAreaSpec(map, askState.values.area || '', fieldNames.includes('area_b') ? askState.values.area_b : null);
    // An area carried over or typed before is shown where it is, with its surroundings.
    if (map.area) {
      const [x0, y0, x1, y1] = map.area;
      const dx = (x1 - x0) * 1.5, dy = (y1 - y0) * 1.5;
      map.fit([x0 - dx, y0 - dy, x1 + dx, y1 + dy]);
    }
  });
}

// "Minneapolis, MN, US (410,939 people)"
function placeName(p) {
  return `${p.name}, ${p.admin && !/^\d+$/.test(p.admin) ? p.admin + ', ' : ''}${p.country}` + (p.population ? ` (${fmt(p.population)} people)` : '');
}

// The bounds of an area as typed: a `bbox:` or a pasted GeoJSON geometry (cells: specs have
// no bounds without their outlines, and are not judged).
function areaBounds(spec) {
  const b = bboxOf(spec);
  if (b) return b;
  if (!spec || !spec.startsWith('{')) return null;
  try {
    const g = JSON.parse(spec);
    const geometry = g.type === 'Feature' ? g.geometry : g;
    const r = bounds(geometry);
    return r.every(Number.isFinite) ? r : null;
  } catch (_) { return null; }
}

// A `bbox:` spec's four numbers, or null.
function bboxOf(spec) {
  if (!spec || !spec.startsWith('bbox:')) return null;
  const b = spec.slice(5).split(',').map(Number);
  return b.length === 4 && b.every(Number.isFinite) ? b : null;
}

function drawAreaSpec(map, spec, specB) {
  map.areaB = bboxOf(specB);
  map.area = bboxOf(spec);
  map.areaRings = null;
  if (spec.startsWith('{')) {
    try {
      const g = JSON.parse(spec);
      const geoms = g.type === 'FeatureCollection' ? g.features.map((f) => f.geometry) : g.type === 'Feature' ? [g.geometry] : [g];
      map.areaRings = geoms.flatMap(rings);
    } catch (_) { /* the API explains bad GeoJSON when it is priced */ }
  }
  map.render();
}

// The server's messages name parameters as the CLI spells them (`--zones-res`) and quote
// code in backticks; the form names them by their labels.
function inFormTerms(message, params) {
  const label = (flag) => {
    const p = params.find((q) => q.name === flag.replace(/-/g, '_'));
    return p ? `“${p.label}”` : `“${flag.replace(/-/g, ' ')}”`;
  };
  return String(message || '')
    .replace(/--([a-z][a-z0-9-]*)/g, (_, flag) => label(flag))
    .replace(/`([^`]*)`/g, '“$1”');
}

// The form field an error concerns: the API names it (`field`) for every refusal of a
// parameter. ε and accuracy are two ways to give one price, so a refusal of the price goes
// under whichever the form used.
function fieldFor(e, fieldNames) {
  if (!e.field) return null;
  const field = e.field === 'epsilon' && askedByAccuracy() ? 'accuracy' : e.field;
  return fieldNames.includes(field) ? field : null;
}

function renderPrice(p, budget) {
  if (p.reused) {
    return el('div', { class: 'message info', id: 'price-reused' },
      el('span', { id: 'price-ci' }, `You asked this same question of the same data before (answer #${p.reused.answer}): asking again gives that answer back at no charge.`));
  }
  const remaining = {};
  for (const e of (budget && budget.epochs) || []) remaining[e.epoch] = e.epsilon_remaining;
  const keys = p.keys.kind === 'public' ? 'fixed by the question, all released' : `found in the data, released above ${p.keys.threshold}`;
  return el('div', { class: 'message info' },
    el('div', {}, 'This question would spend ', el('b', {}, 'ε = ' + fmt(p.epsilon, 4)), ' and ', el('b', {}, 'δ = ' + fmt(p.delta)), ` in each of ${p.epochs.length} epoch${p.epochs.length === 1 ? '' : 's'}:`),
    el('table', { id: 'price-epochs' }, el('tr', {}, el('th', {}, 'epoch'), el('th', { class: 'num' }, 'ε remaining now'), el('th', { class: 'num' }, 'after this question')),
      p.epochs.map((e) => {
        const r = remaining[e] === undefined ? (session.store.rules.epsilon_per_epoch) : remaining[e];
        // A Gaussian question is charged its ρ, which composes with the epoch's other charges:
        // what remains after it is the budget page's to say.
        const pure = !p.cost || (p.cost.rho === 0 && p.cost.delta === 0);
        return el('tr', {}, el('td', {}, e), el('td', { class: 'num' }, fmt(r, 4)), el('td', { class: 'num' }, pure ? fmt(Math.max(0, r - p.epsilon), 4) : 'composed in zCDP'));
      })),
    el('div', {}, 'Partitions: ', el('b', { id: 'price-partitions' }, fmt(p.partitions)), ` (keys ${keys}); contribution bound L = ${p.max_partitions}; mechanism `, el('b', { id: 'price-mechanism' }, mechanismName(p.mechanism)), p.cost && p.cost.rho > 0 ? ` (charged ρ = ${fmt(p.cost.rho, 4)} of zCDP).` : '.'),
    el('div', {}, 'Every released value will be within ', el('b', { id: 'price-ci' }, '± ' + fmt(p.ci_half_width, 1)), ' of the truth with 95% confidence.'),
    p.questions_left === undefined ? null : el('div', { id: 'price-left' }, 'What is left of the budget pays for ', el('b', {}, fmt(p.questions_left)), ' question' + (p.questions_left === 1 ? '' : 's') + ' like this one, this one included.'),
    planner(p));
}

function mechanismName(m) {
  return m === 'gaussian' ? 'discrete Gaussian' : 'discrete Laplace';
}

// The budget planner line: what a week buys at this question's accuracy, by each mechanism,
// and which one the server chose.
function planner(p) {
  if (!p.considered || !p.considered.length) return null;
  const at = p.accuracy !== undefined ? `±${fmt(p.accuracy)}` : `ε = ${fmt(p.epsilon, 4)}`;
  const options = p.considered.map((o) => `${mechanismName(o.mechanism)}: ±${fmt(o.ci_half_width, 1)}, ${fmt(o.per_epoch)} a week${o.above_cap ? ' (above the cap)' : ''}`);
  return el('div', { id: 'price-planner' }, el('b', {}, 'Budget planner'), ` at ${at}: ${options.join('; ')}. Chosen: ${mechanismName(p.mechanism)}.`);
}

function askedByAccuracy() {
  const field = document.querySelector('#ask-form [name=accuracy]');
  return !!(field && field.value.trim());
}

// ---------------------------------------------------------------- answers

async function viewAnswers() {
  const r = await api('GET', '/v1/answers');
  const byCase = new Map();
  for (const a of r.answers) {
    if (!byCase.has(a.case_id)) byCase.set(a.case_id, []);
    byCase.get(a.case_id).push(a);
  }
  // Two answers ticked can be compared, key by key.
  const picked = [];
  const compareButton = el('button', { type: 'button', id: 'compare', disabled: true, onclick: () => { location.hash = '#/compare/' + picked.join(','); } }, 'Compare the two ticked');
  const pick = (id, on) => {
    const i = picked.indexOf(id);
    if (on && i < 0) picked.push(id);
    if (!on && i >= 0) picked.splice(i, 1);
    compareButton.disabled = picked.length !== 2;
  };
  show(el('h1', {}, 'Released answers'),
    el('p', { class: 'muted' }, 'Every released answer is kept with the audit entry of its digest. Opening one again costs no budget and runs nothing. Tick two answers of the same question to compare them.'),
    r.answers.length ? el('div', { class: 'actions' }, compareButton) : el('div', { class: 'message info' }, 'No answers yet.'),
    [...byCase.entries()].map(([c, list]) => el('div', { class: 'card' },
      el('h2', {}, 'Case ', c),
      el('table', { class: 'answers' },
        headRow(['', 'answer', 'question', 'asked', 'purpose', 'released at', 'ε', 'δ', 'rows', 'by']),
        list.map((a) => el('tr', {},
          el('td', {}, el('input', { type: 'checkbox', class: 'compare-pick', 'data-id': a.audit_id, 'aria-label': 'compare answer #' + a.audit_id, onchange: (ev) => pick(a.audit_id, ev.target.checked) })),
          el('td', {}, el('a', { href: '#/answer/' + a.audit_id, class: 'open-answer' }, '#' + a.audit_id)),
          el('td', {}, a.question), el('td', { class: 'asked' }, askedSummary(a.asked)), el('td', {}, a.purpose), el('td', {}, a.at.replace('T', ' ').slice(0, 19)),
          el('td', { class: 'num' }, fmt(a.epsilon, 4)), el('td', { class: 'num' }, fmt(a.delta)),
          el('td', { class: 'num' }, fmt(a.rows)), el('td', {}, a.actor)))))));
}

// Two answers of the same question, key by key: the second less the first, with a 95%
// interval combining both (half-widths added in quadrature: the noises are independent; exact
// for Gaussian noise, a little wide for Laplace noise of equal scale). Keys in only one
// answer (found in the data, or another shape) are counted, not compared.
function compareAnswers(a, b) {
  if (a.question !== b.question) {
    throw new Error(`answer #${a.audit_id} is ${a.question} and #${b.audit_id} is ${b.question}: only answers to the same question can be compared`);
  }
  if ((a.confidence || 0.95) !== (b.confidence || 0.95)) {
    throw new Error(`answer #${a.audit_id}'s intervals are at ${a.confidence} and #${b.audit_id}'s at ${b.confidence}: only intervals of the same confidence combine`);
  }
  const keyOf = (r) => JSON.stringify(Object.keys(r).filter((k) => !MEASURES.includes(k)).sort().map((k) => [k, r[k]]));
  const inB = new Map(b.rows.map((r) => [keyOf(r), r]));
  const rows = [];
  let onlyA = 0;
  const half = (r) => (r.ci_high - r.ci_low) / 2;
  for (const ra of a.rows) {
    const k = keyOf(ra);
    const rb = inB.get(k);
    if (!rb) { onlyA++; continue; }
    inB.delete(k);
    const key = Object.fromEntries(Object.entries(ra).filter(([f]) => !MEASURES.includes(f)));
    const value = rb.value - ra.value;
    const h = Math.sqrt(half(ra) ** 2 + half(rb) ** 2);
    rows.push({ ...key, value_a: ra.value, value_b: rb.value, value, ci_low: value - h, ci_high: value + h });
  }
  if (!rows.length) {
    throw new Error(`answers #${a.audit_id} and #${b.audit_id} share no key (cells, buckets, zones or bins): ask the same area, window and resolution to compare`);
  }
  return { rows, onlyA, onlyB: inB.size };
}

async function viewCompare(arg) {
  const [ida, idb] = String(arg || '').split(',');
  const [a, b] = await Promise.all([ida, idb].map((id) => api('GET', '/v1/answers/' + encodeURIComponent(id))));
  const c = compareAnswers(a, b);
  const diff = { question: a.question, rows: c.rows, audit_id: `${a.audit_id}-${b.audit_id}` };
  const picture = el('div', { id: 'compare-body' });
  const shown = c.rows.filter((r) => !includesZero(r)).length;
  show(el('h1', {}, `Answer #${b.audit_id} less answer #${a.audit_id} (${a.question})`),
    el('div', { class: 'card' },
      el('p', { id: 'compare-note' }, `${c.rows.length} keys compared: each value is #${b.audit_id}'s less #${a.audit_id}'s, with a ${Math.round((a.confidence || 0.95) * 100)}% interval combining both answers' noise. `
        + `${shown} differ beyond their interval; the rest are hatched. The interval covers the noise only: each answer also keeps its own random choice of L keys per device, so where devices hold more than L keys the two differ by that too.`
        + (c.onlyA || c.onlyB ? ` ${c.onlyA} keys only in #${a.audit_id} and ${c.onlyB} only in #${b.audit_id} are left out.` : '')),
      el('p', { class: 'muted' }, `#${a.audit_id}: ${askedSummary(a.asked)} (ε ${fmt(a.epsilon, 4)}). #${b.audit_id}: ${askedSummary(b.asked)} (ε ${fmt(b.epsilon, 4)}). Comparing is free: it reads the two kept answers only.`)),
    el('div', { class: 'card' }, picture, el('div', { class: 'scroll', id: 'compare-table' }, rowsTable(c.rows, ['value_a', 'value_b', ...MEASURES]))));
  if (a.question === 'presence' || a.question === 'reach') await drawCellMap(diff, picture);
  else if (a.question === 'flows') await drawFlows(diff, picture);
  else {
    const label = (r) => Object.entries(r).filter(([k]) => !['value_a', 'value_b', ...MEASURES].includes(k)).map(([, v]) => v).join(' ');
    picture.append(barChart(c.rows.map((r) => ({ label: label(r), value: r.value, lo: r.ci_low, hi: r.ci_high })), { id: 'compare-chart', title: 'difference' }));
  }
}

// A kept answer's question in one line: its window and its own parameters (not ε, shown beside).
function askedSummary(asked) {
  if (!asked) return '';
  const short = (v) => { const t = [...String(v)]; return t.length > 40 ? t.slice(0, 40).join('') + '…' : t.join(''); };
  const when = (t) => String(t).slice(0, 16).replace('T', ' ');
  const window = asked.from && asked.to ? `${when(asked.from)} – ${when(asked.to)}` : '';
  const rest = Object.entries(asked)
    .filter(([k, v]) => v !== null && !['kind', 'from', 'to', 'epsilon', 'mechanism', 'max_partitions'].includes(k))
    .map(([k, v]) => `${k} ${short(v)}`);
  return [window, ...rest].filter(Boolean).join(' · ');
}

async function viewAnswer(id, adjusted = false) {
  const a = await api('GET', '/v1/answers/' + encodeURIComponent(id) + (adjusted ? '?adjust=true' : ''));
  a.fresh = session.justBought === a.audit_id;
  const body = el('div', { id: 'answer-body' });
  const table = el('div', { class: 'scroll', id: 'answer-table' }, rowsTable(a.rows));
  const tabs = el('div', { class: 'tabs' });
  const pictureButton = el('button', { type: 'button', class: 'active', id: 'tab-picture' }, a.question === 'presence' || a.question === 'reach' || a.question === 'flows' ? 'Map' : 'Chart');
  const tableButton = el('button', { type: 'button', class: 'secondary', id: 'tab-table' }, `Table (${a.rows.length} rows)`);
  const select = (which) => {
    body.hidden = which !== 'picture';
    table.hidden = which !== 'table';
    pictureButton.className = which === 'picture' ? 'active' : 'secondary';
    tableButton.className = which === 'table' ? 'active' : 'secondary';
  };
  pictureButton.onclick = () => select('picture');
  tableButton.onclick = () => select('table');
  tabs.append(pictureButton, tableButton,
    ...['csv', 'json', 'geojson'].map((format) => el('button', { type: 'button', class: 'secondary', id: 'download-' + format,
      onclick: () => downloadExport(a.audit_id, format, adjusted) }, 'Download ' + (format === 'geojson' ? 'GeoJSON' : format.toUpperCase()))),
    // Post-processing is free and releases nothing new; the raw values stay beside it.
    el('button', { type: 'button', class: 'secondary', id: 'toggle-adjusted', onclick: () => viewAnswer(id, !adjusted) },
      adjusted ? 'Raw values only' : 'Add adjusted values'));
  show(el('h1', {}, `Answer #${a.audit_id}: ${a.question}`),
    el('div', { class: 'card' }, answerMeta(a)),
    a.post_processing ? el('div', { class: 'message info', id: 'adjusted-note' }, el('b', {}, 'Post-processed: '), a.post_processing.note) : null,
    el('div', { class: 'card' }, tabs, body, table));
  select('picture');
  if (!a.rows.length) {
    body.append(el('div', { class: 'message info', id: 'empty-answer' },
      'No rows were released. Keys found in the data (reach categories, flows from a top-from cell) are released only when their noisy count passes a threshold that hides keys a single device could create, and none did here. ',
      'A larger ε, a longer window or coarser zones release more; the charge stands either way.'));
    return;
  }
  const draw = { presence: drawCellMap, reach: drawCellMap, flows: drawFlows, dwell: drawDwell, 'co-visit': drawCovisit, series: drawSeries }[a.question];
  if (draw) await draw(a, body);
}

function answerMeta(a) {
  const items = [
    ['question', a.question], ['case', a.case], ['purpose', a.purpose],
    ['ε spent', fmt(a.epsilon, 4)], ['δ spent', fmt(a.delta)], ['epochs', a.epochs.join(', ')],
    ['mechanism', a.mechanism], ['contribution bound L', a.max_partitions], ['intervals', `${Math.round(a.confidence * 100)}%`],
    ['audit entry', `#${a.audit_id} (charged in #${a.charged_in})`],
  ];
  // The whole question as asked (answers kept before questions were recorded whole lack it).
  const d = session.questions && descriptorOf(a.question);
  if (a.asked && d) {
    for (const p of d.params) {
      const v = a.asked[p.name];
      if (v !== undefined && v !== null && !['epsilon', 'mechanism', 'max_partitions'].includes(p.name)) items.push([p.label, v]);
    }
  }
  if (a.tiled) items.push(['tiled', `${a.tiled.cells} cells at H3 resolution ${a.tiled.res}`]);
  if (a.kept) items.push(['released at', a.kept.at], ['rows digest', a.kept.digest], ['digest check', a.kept.digest_matches_audit_entry ? (a.fresh ? 'matches the audit entry' : 'matches the audit entry; re-opened without a charge') : 'MISMATCH']);
  return el('dl', { class: 'meta', id: 'answer-meta' }, items.flatMap(([k, v]) => [el('dt', {}, k), el('dd', { 'data-meta': k }, String(v))]));
}

// Columns of numbers, whose headers sit right-aligned over them.
const NUMBER_COLUMNS = ['ε', 'δ', 'rows', 'ε spent', 'ε remaining', 'δ spent', 'pure ε', 'ρ (zCDP)', '(ε, δ) pairs', 'questions', 'ε charged', 'δ charged', 'ρ charged'];
function headRow(names) {
  return el('tr', {}, names.map((h) => el('th', { class: NUMBER_COLUMNS.includes(h) ? 'num' : null }, h)));
}

function rowsTable(rows, measures = MEASURES) {
  const columns = answerColumns(rows).filter((c) => !measures.includes(c)).concat(measures.filter((m) => rows.some((r) => m in r)));
  const numeric = (c) => measures.includes(c);
  return el('table', {}, el('tr', {}, columns.map((c) => el('th', { class: numeric(c) ? 'num' : null }, c))),
    rows.slice(0, 5000).map((r) => el('tr', {}, columns.map((c) => el('td', { class: numeric(c) ? 'num' : null }, numeric(c) ? fmt(r[c], 1) : (r[c] ?? ''))))));
}

// A category by its taxonomy name where the answer gives one: "Personal Finance (IAB13)".
function categoryLabel(rows, code) {
  const named = rows.find((r) => r.category === code && r.category_name);
  return named ? `${named.category_name} (${code})` : code;
}

// A UTC instant as written, with the same instant in the browser's own time zone beside it.
function withLocalTime(utc) {
  const t = new Date(utc);
  if (Number.isNaN(t.getTime())) return String(utc);
  const local = t.toLocaleString('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false, timeZoneName: 'short' });
  return `${utc} (${local.replace(',', '')} local)`;
}

// Names zones (H3 cells) by the nearest place of the vendored gazetteer: "872830828ffffff
// (near Minneapolis)". A zone with no place within about 15 km keeps its id alone.
async function zoneNamer(boundaries) {
  const all = Object.values(boundaries);
  if (!all.length) return (zone) => zone;
  const b = ringsBounds(all);
  const pad = 0.15;
  let places = [];
  try {
    places = (await api('GET', '/v1/places?limit=200&bbox=' + [b[0] - pad, b[1] - pad, b[2] + pad, b[3] + pad].map((v) => v.toFixed(4)).join(','))).places;
  } catch (_) { /* names are context: without them, ids */ }
  return (zone) => {
    const ring = boundaries[zone];
    const near = ring && nearestPlace(places, ...centroid(ring));
    return near ? `${zone} (near ${near.name})` : zone;
  };
}

function intervalText(r) { return `${fmt(r.value)} devices (95% interval ${fmt(r.ci_low, 1)} to ${fmt(r.ci_high, 1)})`; }

async function drawCellMap(a, container) {
  const cellKey = a.question === 'presence' ? 'cell' : 'zone';
  const groupKey = a.question === 'presence' ? 'bucket_start' : 'category';
  const groups = [...new Set(a.rows.map((r) => r[groupKey]))].sort();
  const boundaries = await outlines(a.rows.map((r) => r[cellKey]));
  const zoneName = cellKey === 'zone' ? await zoneNamer(boundaries) : (c) => c;
  const values = a.rows.map((r) => r.value);
  const classes = colourClasses(Math.min(0, ...values), Math.max(0, ...values));
  const colour = (v) => classOf(classes, v).colour;
  const label = el('span', { id: 'group-label' });
  const control = groups.length > 1
    ? (a.question === 'presence'
      ? el('input', { type: 'range', min: 0, max: groups.length - 1, value: 0, id: 'bucket-slider', 'aria-label': 'time bucket' })
      : el('select', { id: 'category-select' }, groups.map((g, i) => el('option', { value: i }, categoryLabel(a.rows, g)))))
    : null;
  const summary = el('div', { class: 'muted', id: 'map-summary' });
  const mapBox = el('div');
  // Buckets can be played through in order, one a second; any touch of the slider stops it.
  let playing = null;
  const stop = () => { clearInterval(playing); playing = null; play.textContent = 'Play'; };
  const play = control && a.question === 'presence' ? el('button', { type: 'button', class: 'secondary', id: 'play-buckets', onclick: () => {
    if (playing) return stop();
    play.textContent = 'Pause';
    if (Number(control.value) >= groups.length - 1) { control.value = 0; render(0); }
    playing = setInterval(() => {
      if (!control.isConnected) return stop();
      const next = Number(control.value) + 1;
      if (next >= groups.length) return stop();
      control.value = next;
      render(next);
    }, 1000);
  } }, 'Play') : null;
  container.append(el('div', { class: 'row' }, el('div', {}, groupKey === 'bucket_start' ? 'Bucket starting ' : 'Category ', label), control, play), mapBox);
  const map = new MapView(mapBox);
  container.append(mapLegend(classes, 'devices'), summary);
  const render = (i) => {
    const g = groups[i];
    label.textContent = groupKey === 'bucket_start' ? withLocalTime(g) : categoryLabel(a.rows, g);
    const rows = a.rows.filter((r) => r[groupKey] === g);
    map.cells = rows.filter((r) => boundaries[r[cellKey]]).map((r) => ({
      cell: r[cellKey], ring: boundaries[r[cellKey]],
      fill: includesZero(r) ? 'url(#hatch)' : colour(r.value), opacity: includesZero(r) ? 1 : 0.85,
      label: `${zoneName(r[cellKey])} · ${g}: ${intervalText(r)}${includesZero(r) ? ' — interval includes 0' : ''}`,
    }));
    const noisy = rows.filter(includesZero).length;
    summary.textContent = `${rows.length} cells in this ${groupKey === 'bucket_start' ? 'bucket' : 'category'}; ${noisy} hatched because their interval includes 0. ${groups.length} ${groupKey === 'bucket_start' ? 'buckets' : 'categories'} in all.`;
    map.render();
  };
  if (control) control.addEventListener('input', () => { if (playing) stop(); render(Number(control.value)); });
  requestAnimationFrame(() => {
    const all = Object.values(boundaries);
    if (all.length) map.fit(ringsBounds(all));
    render(0);
  });
}

async function drawFlows(a, container) {
  const isCell = isCellId;
  const rows = a.rows.slice().sort((x, y) => y.value - x.value);
  const cells = rows.flatMap((r) => [r.origin, r.destination]).filter(isCell);
  const boundaries = cells.length ? await outlines(cells) : {};
  const zoneName = await zoneNamer(boundaries);
  const list = el('table', { id: 'flows-ranked' }, el('tr', {}, ['rank', 'origin', 'destination', 'devices', '95% interval'].map((h, i) => el('th', { class: i >= 3 ? 'num' : null }, h))),
    rows.slice(0, 25).map((r, i) => el('tr', {}, el('td', {}, i + 1), el('td', {}, zoneName(r.origin)), el('td', {}, zoneName(r.destination)),
      el('td', { class: 'num' }, fmt(r.value)), el('td', { class: 'num' }, `${fmt(r.ci_low, 1)} – ${fmt(r.ci_high, 1)}`))));
  if (cells.length) {
    const mapBox = el('div');
    container.append(mapBox);
    const map = new MapView(mapBox);
    map.cells = Object.entries(boundaries).map(([cell, ring]) => ({ cell, ring, fill: '#ffffff', opacity: 0.5, stroke: '#7c8794' }));
    const top = Math.max(1, rows[0] ? rows[0].value : 1);
    map.arrows = rows.filter((r) => r.origin !== r.destination && boundaries[r.origin] && boundaries[r.destination]).slice(0, 40).map((r) => ({
      from: centroid(boundaries[r.origin]), to: centroid(boundaries[r.destination]),
      width: 1 + 6 * Math.max(0, r.value) / top, solid: !includesZero(r),
      label: `${zoneName(r.origin)} → ${zoneName(r.destination)}: ${intervalText(r)}`,
    }));
    container.append(el('p', { class: 'muted' }, 'Arrows: the 40 largest flows between different zones, width by devices; dashed grey where the 95% interval includes 0.'));
    requestAnimationFrame(() => map.fit(ringsBounds(Object.values(boundaries))));
  }
  container.append(el('h2', {}, 'Largest flows'), list);
}

function drawDwell(a, container) {
  container.append(el('p', {}, 'Visits to the area by how long they lasted.'),
    barChart(a.rows.map((r) => ({ label: r.dwell, value: r.value, lo: r.ci_low, hi: r.ci_high })), { id: 'dwell-chart', title: 'dwell' }));
}

function drawCovisit(a, container) {
  container.append(el('p', {}, 'Devices seen in both areas, and how long after the first area they reached the second.'),
    barChart(a.rows.map((r) => ({ label: r.measure === 'lag' ? 'lag ' + r.lag : 'in both areas', value: r.value, lo: r.ci_low, hi: r.ci_high })), { id: 'covisit-chart', title: 'co-visit' }));
}

function drawSeries(a, container) {
  const target = a.rows.filter((r) => r.period === 'window').map((r) => ({ label: r.bucket_start, value: r.value, lo: r.ci_low, hi: r.ci_high }));
  const change = (a.derived && a.derived.change) || [];
  // The baseline drawn is what the change is measured against: the mean of the baseline
  // window's buckets at the same time of day.
  const baseline = change.map((c) => (c.baseline === undefined ? null : { value: c.baseline, lo: c.baseline, hi: c.baseline }));
  const short = (t) => t.replace('T', ' ').slice(5, 16);
  container.append(el('p', {}, 'Devices in the area per bucket of the window (band: 95% interval), and the baseline it is compared with: the mean of the baseline window at the same time of day.'),
    lineChart([{ name: 'window', colour: '#2f6db0', points: target }, { name: 'baseline mean', colour: '#e66101', dashed: true, points: baseline.every(Boolean) ? baseline : [] }],
      target.map((p) => short(p.label)), { id: 'series-chart', yLabel: 'devices;' }));
  const known = change.filter((c) => c.change_pct !== null && c.change_pct !== undefined);
  container.append(el('h2', {}, 'Change against the baseline (%)'),
    known.length ? barChart(known.map((c) => ({ label: short(c.bucket_start), value: Math.round(c.change_pct * 10) / 10, lo: c.ci_low, hi: c.ci_high })), { id: 'change-chart', title: 'change %' }) : null,
    change.filter((c) => !known.includes(c)).map((c) => el('p', { class: 'muted' }, `${short(c.bucket_start)}: no change given (${c.note}).`)));
}

// ---------------------------------------------------------------- budget, audit, tokens

async function viewBudget() {
  const b = await api('GET', '/v1/budget');
  const width = 260;
  show(el('h1', {}, 'Budget'),
    el('div', { class: 'card' },
      el('p', {}, `Each epoch (an ISO week, UTC) may spend ε = ${fmt(b.rules.epsilon_per_epoch)} and δ = ${fmt(b.rules.delta_per_epoch)} in all; one question at most ε = ${fmt(b.rules.max_epsilon_per_question)}. Spent budget is never given back.`),
      el('table', { id: 'budget-epochs' },
        headRow(['epoch', 'ε spent', '', 'ε remaining', 'δ spent', 'pure ε', 'ρ (zCDP)', '(ε, δ) pairs', 'questions']),
        b.epochs.map((e) => el('tr', { 'data-epoch': e.epoch },
          el('td', {}, e.epoch), el('td', { class: 'num epsilon-spent' }, fmt(e.epsilon_spent, 4)),
          el('td', {}, svgEl('svg', { width, height: 12 },
            svgEl('rect', { class: 'bar-bg', width, height: 12 }),
            svgEl('rect', { class: 'bar-fg', width: width * Math.min(1, e.epsilon_spent / e.epsilon_total), height: 12 }))),
          el('td', { class: 'num' }, fmt(e.epsilon_remaining, 4)), el('td', { class: 'num' }, fmt(e.delta_spent)),
          el('td', { class: 'num parts-pure' }, fmt(e.parts.epsilon_pure, 4)), el('td', { class: 'num parts-rho' }, fmt(e.parts.rho, 4)),
          el('td', { class: 'num parts-pairs' }, `${fmt(e.parts.epsilon_approx, 4)}, ${fmt(e.parts.delta_approx)}`),
          el('td', { class: 'num' }, e.questions)))),
      el('p', { class: 'muted' }, 'ε spent is the epoch\'s guarantee: pure ε (Laplace questions) adds; ρ (Gaussian questions) composes in zCDP and converts to (ε, δ) once for the epoch, at its whole δ; (ε, δ) pairs (thresholded keys) add.')),
    el('div', { class: 'card' }, el('h2', {}, 'By case and purpose'),
      b.by_case.length ? el('table', { id: 'budget-cases' },
        headRow(['epoch', 'case', 'purpose', 'ε charged', 'δ charged', 'ρ charged', 'questions']),
        b.by_case.map((c) => el('tr', {}, el('td', {}, c.epoch), el('td', {}, c.case_id), el('td', {}, c.purpose),
          el('td', { class: 'num' }, fmt(c.epsilon_spent, 4)), el('td', { class: 'num' }, fmt(c.delta_spent)), el('td', { class: 'num' }, fmt(c.rho_spent || 0, 4)), el('td', { class: 'num' }, c.questions))))
        : el('p', { class: 'muted' }, 'Nothing spent yet.')));
}

async function viewAudit() {
  const r = await api('GET', '/v1/audit');
  const entries = r.entries.slice().reverse();
  const head = r.entries.length ? r.entries[r.entries.length - 1] : null;
  const report = async (format) => {
    const response = await fetch('/v1/report?format=' + format, { headers: { Authorization: 'Bearer ' + session.token } });
    if (!response.ok) throw new ApiError(response.status, null, 'the report could not be made: HTTP ' + response.status);
    download('crowdlens-transparency.' + format, format === 'html' ? 'text/html' : 'application/json', await response.text());
  };
  show(el('h1', {}, 'Audit log'),
    el('div', { class: 'actions' },
      el('button', { type: 'button', class: 'secondary', id: 'report-html', onclick: () => report('html').catch((e) => view().prepend(errorBox(e))) }, 'Transparency report (HTML)'),
      el('button', { type: 'button', class: 'secondary', id: 'report-json', onclick: () => report('json').catch((e) => view().prepend(errorBox(e))) }, 'Transparency report (JSON)')),
    r.intact
      ? el('div', { class: 'message ok', id: 'audit-status' }, `Chain verified: ${r.entries.length} entries, each hash covering the one before. Head #${head ? head.id : 0}: ${head ? head.hash : '–'}`)
      : el('div', { class: 'message error', id: 'audit-status' }, 'Chain does NOT verify: ' + r.problem),
    el('div', { class: 'card scroll' }, el('table', { id: 'audit-entries' },
      headRow(['#', 'at', 'actor', 'role', 'case', 'purpose', 'outcome', 'ε', 'δ', 'digest']),
      entries.slice(0, 1000).map((e) => el('tr', {},
        el('td', {}, e.id), el('td', {}, e.at.replace('T', ' ').slice(0, 19)), el('td', {}, e.actor), el('td', {}, e.role),
        el('td', {}, e.case_id), el('td', {}, e.purpose), el('td', {}, e.outcome), el('td', { class: 'num' }, e.epsilon),
        el('td', { class: 'num' }, e.delta), el('td', {}, e.answer_digest ? e.answer_digest.slice(0, 12) + '…' : ''))))));
}

async function viewTokens() {
  const r = await api('GET', '/v1/tokens');
  const created = el('div', { id: 'token-created' });
  const name = el('input', { id: 'new-token-name', placeholder: 'holder name' });
  const role = el('select', { id: 'new-token-role' }, ['analyst', 'auditor', 'admin', 'supervisor'].map((x) => el('option', { value: x }, x)));
  const expires = el('input', { id: 'new-token-expires', placeholder: 'expires (e.g. 30d)', size: 14 });
  const cap = el('input', { id: 'new-token-cap', placeholder: 'ε cap per week', size: 12 });
  const create = async () => {
    try {
      const body = { name: name.value, role: role.value };
      if (expires.value.trim()) body.expires = expires.value.trim();
      if (cap.value.trim()) body.epsilon_cap_per_epoch = Number(cap.value);
      const t = await api('POST', '/v1/tokens', body);
      await viewTokens();
      document.getElementById('token-created').replaceChildren(el('div', { class: 'message ok' },
        `Created ${t.info.role} token #${t.info.id} for ${t.info.name}. It is shown only now; hand it over securely:`, el('div', { class: 'secret' }, t.token)));
    } catch (e) { created.replaceChildren(errorBox(e)); }
  };
  show(el('h1', {}, 'Tokens'),
    el('div', { class: 'card' }, el('h2', {}, 'New token'), el('div', { class: 'row' }, name, role, expires, cap, el('button', { type: 'button', id: 'create-token', onclick: create }, 'Create')), created),
    el('div', { class: 'card' }, el('table', { id: 'tokens' },
      headRow(['#', 'name', 'role', 'created', 'expires', 'ε cap', 'revoked', '']),
      r.tokens.map((t) => el('tr', {}, el('td', {}, t.id), el('td', {}, t.name), el('td', {}, t.role), el('td', {}, t.created_at),
        el('td', {}, t.expires_at || ''), el('td', { class: 'num' }, t.epsilon_cap_per_epoch ?? ''), el('td', {}, t.revoked_at || ''),
        el('td', {}, t.revoked_at ? '' : el('button', { type: 'button', class: 'secondary', onclick: async () => {
          if (!confirm(`Revoke token #${t.id} (${t.name})? It stops working at once.`)) return;
          try { await api('POST', `/v1/tokens/${t.id}/revoke`); await viewTokens(); } catch (e) { created.replaceChildren(errorBox(e)); }
        } }, 'Revoke')))))));
}

// Questions over the store's approval threshold wait here for a supervisor who did not ask them.
async function viewApprovals() {
  const r = await api('GET', '/v1/approvals');
  const supervisor = session.me.role === 'supervisor';
  const message = el('div', { id: 'approval-message' });
  const summary = (q) => {
    const parts = [q.kind, q.area || q.zones || '', q.from && q.to ? `${q.from} → ${q.to}` : ''];
    return parts.filter(Boolean).join(' · ');
  };
  const decide = (request, verb, reason) => async () => {
    if (!reason.value.trim()) { message.replaceChildren(el('div', { class: 'message error' }, 'Give a reason: it is recorded in the audit entry.')); return; }
    try {
      await api('POST', `/v1/approvals/${request.id}/${verb}`, { reason: reason.value.trim() });
      await viewApprovals();
      document.getElementById('approval-message').replaceChildren(el('div', { class: 'message ok' },
        `Request #${request.id} ${verb === 'approve' ? 'approved' : 'declined'}; audited with both of you. ` +
        (verb === 'approve' ? 'Its asker may now ask exactly the same question again, once.' : '')));
    } catch (e) { message.replaceChildren(errorBox(e)); }
  };
  show(el('h1', {}, 'Approvals'),
    el('p', { class: 'muted' }, `A question charged more than ε ${r.threshold} waits for a supervisor's approval; whoever asked it cannot approve it. ` +
      (supervisor ? 'Approve or decline the requests of others below.' : 'Your requests are below; ask the same question again once one is approved.')),
    message,
    el('div', { class: 'card' }, r.approvals.length === 0 ? el('p', { id: 'no-approvals' }, 'No requests.') : el('table', { id: 'approvals' },
      headRow(['#', 'asked by', 'question', 'case', 'purpose', 'ε', 'status', supervisor ? 'decision' : '']),
      r.approvals.map((a) => {
        const reason = el('input', { class: 'approval-reason', placeholder: 'reason (audited)', size: 18 });
        const actions = supervisor && a.status === 'pending'
          ? el('div', { class: 'row' }, reason,
              el('button', { type: 'button', class: 'approve', onclick: decide(a, 'approve', reason) }, 'Approve'),
              el('button', { type: 'button', class: 'secondary decline', onclick: decide(a, 'decline', reason) }, 'Decline'))
          : (a.decided_by ? `by ${a.decided_by}` : '');
        return el('tr', { 'data-request': a.id }, el('td', {}, '#' + a.id), el('td', {}, a.actor), el('td', {}, summary(a.question)),
          el('td', {}, a.case_id), el('td', {}, a.purpose), el('td', { class: 'num' }, a.epsilon.toFixed(3)),
          el('td', { class: 'status' }, a.status), el('td', {}, actions));
      }))));
}

// ---------------------------------------------------------------- start

document.getElementById('signout').addEventListener('click', () => { location.hash = ''; signOut(); });
window.addEventListener('hashchange', route);
route();
