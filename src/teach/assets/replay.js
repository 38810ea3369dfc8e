// mmsim replay page: decodes the run's data (integer ticks, lots and ms) and draws the moment.
// Stable hook: #now carries data-t (seconds), data-phase (chosen group's phase) and data-last.
(function () {
  'use strict';
  var t0 = performance.now();
  var D = JSON.parse(document.getElementById('data').textContent);
  var $ = function (id) { return document.getElementById(id); };
  var COLORS = D.colors; // class -> '#rrggbb', from the simulator's one palette (teach::log::CLASS_RGB)
  var PHASE_COLORS = ['#f59f00', '#7048e8', '#e03131', '#1098ad', '#5c940d', '#d6336c', '#495057', '#1971c2'];
  var NAMES = { buyback: 'buy-back', rebalance: 'rebalance (wash trader)', exploit: 'exploit (spoofer\u2019s real order)',
    kpi_gaming: 'KPI gaming' };
  var N_LEVELS = 10;
  var END = Math.max(D.end, 1);

  // ---- decode -------------------------------------------------------------------------------
  function cum(a) { var out = new Float64Array(a.length), s = 0; for (var i = 0; i < a.length; i++) { s += a[i]; out[i] = s; } return out; }
  var TR = { t: cum(D.trades.dt), p: cum(D.trades.p), q: D.trades.q, c: D.trades.c, tk: D.trades.tk, mk: D.trades.mk };
  var LAST = { t: TR.t, p: TR.p };
  if (D.trades.last.length) {
    var lt = [], lp = [], st = 0, sp = 0;
    for (var i = 0; i < D.trades.last.length; i += 2) { st += D.trades.last[i]; sp += D.trades.last[i + 1]; lt.push(st); lp.push(sp); }
    LAST = { t: lt, p: lp };
  }
  var BK = (function () {
    var d = D.book.d, n = d.length / 4, t = new Float64Array(n), p = new Float64Array(n), g = new Int32Array(n), q = new Float64Array(n), s = 0;
    for (var i = 0; i < n; i++) { s += d[4 * i]; t[i] = s; p[i] = d[4 * i + 1]; g[i] = d[4 * i + 2]; q[i] = d[4 * i + 3]; }
    return { n: n, t: t, p: p, g: g, q: q };
  })();
  var MOVES = D.moves.map(function (m) { return cum(m); });
  var SP = [];
  for (var k = 0; k < D.spoofs.length; k += 5) SP.push({ t0: D.spoofs[k], t1: D.spoofs[k + 1], p: Math.abs(D.spoofs[k + 2]), bid: D.spoofs[k + 2] > 0, q: D.spoofs[k + 3], g: D.spoofs[k + 4] });
  var PR = D.price;
  var tick = parseFloat(D.tick), lot = parseFloat(D.lot);

  // ---- helpers ------------------------------------------------------------------------------
  function upper(arr, v) { var lo = 0, hi = arr.length; while (lo < hi) { var m = (lo + hi) >> 1; if (arr[m] <= v) lo = m + 1; else hi = m; } return lo; }
  function fmtPrice(ticks) { return (ticks * tick).toFixed(D.tickDec); }
  function fmtQty(lots) { return (lots * lot).toFixed(D.lotDec); }
  function group3(x, dec) { var s = Math.abs(x).toFixed(dec), parts = s.split('.'); parts[0] = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, ','); return (x < 0 ? '\u2212' : '') + parts.join('.'); }
  function fmtTime(ms) {
    var s = Math.floor(ms / 1000), d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60), sec = s % 60;
    var frac = String(Math.round(ms % 1000)).padStart(3, '0');
    var hh = (d ? d + 'd ' : '') + String(h).padStart(2, '0') + ':' + String(m).padStart(2, '0') + ':' + String(sec).padStart(2, '0');
    return hh + '.' + frac;
  }
  function shortTime(ms, span) {
    if (span > 3 * 86400e3) return (ms / 86400e3).toFixed(1) + 'd';
    if (span > 3 * 3600e3) return (ms / 3600e3).toFixed(span > 12 * 3600e3 ? 0 : 1) + 'h';
    if (span > 180e3) return (ms / 60e3).toFixed(span > 1800e3 ? 0 : 1) + 'min';
    return (ms / 1000).toFixed(span > 20e3 ? 0 : 1) + 's';
  }
  function phaseAt(t) {
    for (var i = 0; i < D.phases.length; i++) { var ph = D.phases[i]; if (ph[1] <= t && t < ph[2]) return ph[0]; }
    return '';
  }
  var phaseNames = []; D.phases.forEach(function (p) { if (phaseNames.indexOf(p[0]) < 0) phaseNames.push(p[0]); });
  function phaseColor(name) { return PHASE_COLORS[Math.max(0, phaseNames.indexOf(name)) % PHASE_COLORS.length]; }
  function lastPrice(t) { var k = upper(LAST.t, t); return k ? LAST.p[k - 1] : null; }

  // ---- state --------------------------------------------------------------------------------
  var S = { t: 0, g: 0, v0: 0, v1: END, playing: false, speed: 0 };
  var defaultGroup = D.phased;
  if (defaultGroup === null || defaultGroup === undefined) {
    defaultGroup = D.groups.findIndex(function (g) { return g.manip; });
    if (defaultGroup < 0) defaultGroup = Math.max(0, D.groups.findIndex(function (g) { return !g.crowd; }));
  }
  S.g = defaultGroup;

  // ---- the book at a moment -----------------------------------------------------------------
  var cache = { k: 0, lv: new Map() };
  function apply(lv, i) {
    var key = BK.p[i], e = lv.get(key);
    if (!e) { e = { tot: 0, by: {} }; lv.set(key, e); }
    e.tot += BK.q[i]; e.by[BK.g[i]] = (e.by[BK.g[i]] || 0) + BK.q[i];
    if (e.tot === 0) lv.delete(key);
  }
  function bookAt(t) {
    var k = upper(BK.t, t);
    if (k < cache.k) {
      var lv = new Map(), from = 0;
      D.book.snaps.forEach(function (s) { if (s[0] <= k && s[0] > from) from = s[0]; });
      if (from > 0) {
        var snap = D.book.snaps.find(function (s) { return s[0] === from; });
        for (var j = 1; j < snap.length; j += 3) {
          var e = lv.get(snap[j]); if (!e) { e = { tot: 0, by: {} }; lv.set(snap[j], e); }
          e.tot += snap[j + 2]; e.by[snap[j + 1]] = (e.by[snap[j + 1]] || 0) + snap[j + 2];
        }
      }
      cache = { k: from, lv: lv };
    }
    for (var i = cache.k; i < k; i++) apply(cache.lv, i);
    cache.k = k;
    return cache.lv;
  }
  function ladder(t) {
    var lv = bookAt(t), bids = [], asks = [];
    lv.forEach(function (e, sp) { if (e.tot > 0) (sp > 0 ? bids : asks).push([Math.abs(sp), e.tot, e.by[S.g] || 0]); });
    bids.sort(function (a, b) { return b[0] - a[0]; }); asks.sort(function (a, b) { return a[0] - b[0]; });
    return { bids: bids.slice(0, N_LEVELS), asks: asks.slice(0, N_LEVELS), nb: bids.length, na: asks.length };
  }

  // ---- canvases -----------------------------------------------------------------------------
  var PAD = { l: 64, r: 12, t: 8, b: 24 };
  function setup(c) {
    var r = window.devicePixelRatio || 1, w = c.clientWidth, h = c.height / (c._r || 1);
    c._r = r; c.width = Math.round(w * r); c.height = Math.round(h * r); c._w = w; c._h = h;
    var ctx = c.getContext('2d'); ctx.setTransform(r, 0, 0, r, 0, 0); return ctx;
  }
  function xOf(c, t) { return PAD.l + (t - S.v0) / (S.v1 - S.v0) * (c._w - PAD.l - PAD.r); }
  function tOf(c, x) { return S.v0 + (x - PAD.l) / (c._w - PAD.l - PAD.r) * (S.v1 - S.v0); }
  function timeAxis(ctx, c) {
    var span = S.v1 - S.v0, steps = [1e3, 5e3, 10e3, 30e3, 60e3, 300e3, 600e3, 1800e3, 3600e3, 3 * 3600e3, 6 * 3600e3, 12 * 3600e3, 86400e3, 7 * 86400e3];
    var step = steps.find(function (s) { return span / s <= 9; }) || steps[steps.length - 1];
    ctx.fillStyle = '#6c757d'; ctx.font = '11.5px system-ui, sans-serif'; ctx.textAlign = 'center'; ctx.strokeStyle = '#eef0f2';
    for (var t = Math.ceil(S.v0 / step) * step; t <= S.v1; t += step) {
      var x = xOf(c, t); ctx.beginPath(); ctx.moveTo(x, PAD.t); ctx.lineTo(x, c._h - PAD.b); ctx.stroke();
      ctx.fillText(shortTime(t, span), x, c._h - 8);
    }
  }
  function yScale(c, lo, hi, log) {
    var top = PAD.t + 14, bot = c._h - PAD.b - 4;
    if (log) { var a = Math.log(lo), b = Math.log(hi); return function (v) { return bot - (Math.log(v) - a) / (b - a) * (bot - top); }; }
    return function (v) { return bot - (v - lo) / (hi - lo) * (bot - top); };
  }
  // An axis label: on a linear axis as many decimals as the step between labels needs (so labels
  // 1.000, 1.005, 1.010 stay distinct on a narrow range), else `digits` significant digits.
  function axisNumber(v, step, digits) {
    if (step) return v.toFixed(Math.max(0, -Math.floor(Math.log10(step) + 1e-9)));
    var t = v.toPrecision(digits);
    return t.indexOf('.') < 0 || t.indexOf('e') >= 0 ? t : t.replace(/0+$/, '').replace(/\.$/, '');
  }
  function yAxis(ctx, c, lo, hi, log, y, fmt) {
    ctx.fillStyle = '#6c757d'; ctx.font = '11.5px system-ui, sans-serif'; ctx.textAlign = 'right'; ctx.strokeStyle = '#eef0f2';
    var ticks = [];
    if (log) { for (var e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) [1, 2, 5].forEach(function (m) { var v = m * Math.pow(10, e); if (v >= lo && v <= hi) ticks.push(v); }); }
    else { var raw = (hi - lo) / 5, p = Math.pow(10, Math.floor(Math.log10(raw))), st = [1, 2, 5, 10].map(function (m) { return m * p; }).find(function (s) { return s >= raw; }); for (var v = Math.ceil(lo / st) * st; v <= hi; v += st) ticks.push(v); }
    ticks.forEach(function (v) { var yy = y(v); ctx.beginPath(); ctx.moveTo(PAD.l, yy); ctx.lineTo(c._w - PAD.r, yy); ctx.stroke(); ctx.fillText(fmt(v, log ? null : st), PAD.l - 6, yy + 4); });
  }
  function cursor(ctx, c) {
    var x = xOf(c, S.t); ctx.strokeStyle = '#212529'; ctx.lineWidth = 1.5; ctx.setLineDash([4, 3]);
    ctx.beginPath(); ctx.moveTo(x, PAD.t); ctx.lineTo(x, c._h - PAD.b); ctx.stroke(); ctx.setLineDash([]); ctx.lineWidth = 1;
  }
  function inView(arr) { return [upper(arr, S.v0 - 1), upper(arr, S.v1)]; }

  function priceRange() {
    var lo = Infinity, hi = -Infinity, a = inView(PR.t);
    for (var i = Math.max(0, a[0] - 1); i < Math.min(PR.t.length, a[1] + 1); i++) { var v = PR.last[i] != null ? PR.last[i] : PR.mid[i]; if (v != null) { lo = Math.min(lo, v); hi = Math.max(hi, v); } }
    var b = inView(TR.t); for (var j = b[0]; j < b[1]; j++) { lo = Math.min(lo, TR.p[j]); hi = Math.max(hi, TR.p[j]); }
    if (!isFinite(lo)) { lo = 1; hi = 2; }
    var log = hi / lo > 10;
    if (log) { lo /= 1.15; hi *= 1.15; } else { var pad = Math.max((hi - lo) * 0.08, 2); lo = Math.max(0.5, lo - pad); hi += pad; }
    return [lo, hi, log];
  }

  function drawPrice() {
    var c = $('price'), ctx = setup(c), r = priceRange(), lo = r[0], hi = r[1], log = r[2], y = yScale(c, lo, hi, log);
    ctx.clearRect(0, 0, c._w, c._h);
    // phase bands
    D.phases.forEach(function (ph) {
      if (ph[2] < S.v0 || ph[1] > S.v1) return;
      var x0 = Math.max(PAD.l, xOf(c, ph[1])), x1 = Math.min(c._w - PAD.r, xOf(c, ph[2]));
      ctx.fillStyle = phaseColor(ph[0]); ctx.globalAlpha = 0.13; ctx.fillRect(x0, PAD.t, x1 - x0, c._h - PAD.b - PAD.t); ctx.globalAlpha = 1;
      ctx.font = '600 12px system-ui, sans-serif'; var label = ph[0].replace(/_/g, ' ');
      if (ctx.measureText(label).width + 6 < x1 - x0) { ctx.fillStyle = phaseColor(ph[0]); ctx.textAlign = 'center'; ctx.fillText(label, (x0 + x1) / 2, PAD.t + 12); }
    });
    timeAxis(ctx, c);
    yAxis(ctx, c, lo * tick, hi * tick, log, function (v) { return y(v / tick); }, function (v, st) { return axisNumber(v, st, 4); });
    ctx.save(); ctx.beginPath(); ctx.rect(PAD.l, PAD.t, c._w - PAD.l - PAD.r, c._h - PAD.t - PAD.b); ctx.clip();
    // spoof segments
    SP.forEach(function (s) {
      if (s.t1 < S.v0 || s.t0 > S.v1) return;
      var mine = s.g === S.g; ctx.strokeStyle = COLORS.spoof; ctx.globalAlpha = mine ? 0.9 : 0.5; ctx.lineWidth = 3;
      ctx.beginPath(); ctx.moveTo(xOf(c, s.t0), y(s.p)); ctx.lineTo(Math.max(xOf(c, s.t1), xOf(c, s.t0) + 2), y(s.p)); ctx.stroke();
    });
    ctx.globalAlpha = 1; ctx.lineWidth = 1;
    // last-trade line from the samples
    ctx.strokeStyle = '#adb5bd'; ctx.lineWidth = 1.2; ctx.beginPath(); var on = false;
    for (var i = 0; i < PR.t.length; i++) { var v = PR.last[i]; if (v == null) { on = false; continue; } var x = xOf(c, PR.t[i]), yy = y(v); if (on) ctx.lineTo(x, yy); else ctx.moveTo(x, yy); on = true; }
    ctx.stroke(); ctx.lineWidth = 1;
    // trades, organic first so the manipulators' dots stay on top
    var a = inView(TR.t), n = a[1] - a[0], every = Math.max(1, Math.floor(n / 40000));
    for (var pass = 0; pass < 2; pass++) {
      for (var j = a[0]; j < a[1]; j++) {
        var cl = TR.c[j]; if ((cl === 0) !== (pass === 0)) continue; if (cl === 0 && j % every) continue;
        var mine = TR.tk[j] === S.g || TR.mk[j] === S.g, rad = cl === 0 ? 1.6 : (mine ? 2.8 : 2.2);
        ctx.fillStyle = COLORS[D.classes[cl]]; ctx.globalAlpha = cl === 0 ? 0.55 : 0.9;
        ctx.fillRect(xOf(c, TR.t[j]) - rad, y(TR.p[j]) - rad, 2 * rad, 2 * rad);
      }
    }
    ctx.globalAlpha = 1; ctx.restore();
    cursor(ctx, c);
    if (drag) { ctx.fillStyle = 'rgba(28,100,184,0.15)'; ctx.fillRect(Math.min(drag.x0, drag.x1), PAD.t, Math.abs(drag.x1 - drag.x0), c._h - PAD.b - PAD.t); }
  }

  function drawHeat() {
    var c = $('heat'), ctx = setup(c), H = D.heat; ctx.clearRect(0, 0, c._w, c._h);
    var y = yScale(c, H.lo, H.hi, H.log), rowY = function (r) { return H.log ? Math.exp(Math.log(H.lo) + r / H.rows * (Math.log(H.hi) - Math.log(H.lo))) : H.lo + r / H.rows * (H.hi - H.lo); };
    timeAxis(ctx, c);
    yAxis(ctx, c, H.lo * tick, H.hi * tick, H.log, function (v) { return y(v / tick); }, function (v, st) { return axisNumber(v, st, 3); });
    for (var col = 0; col < H.cols; col++) {
      var ta = END * col / H.cols, tb = END * (col + 1) / H.cols; if (tb < S.v0 || ta > S.v1) continue;
      var x0 = Math.max(PAD.l, xOf(c, ta)), x1 = Math.min(c._w - PAD.r, xOf(c, tb)) + 0.5;
      for (var r = 0; r < H.rows; r++) {
        var b = H.bid[col * H.rows + r], a = H.ask[col * H.rows + r]; if (!b && !a) continue;
        var ya = y(rowY(r + 1)), yb = y(rowY(r));
        if (b) { ctx.fillStyle = 'rgba(43,138,62,' + (0.08 + 0.9 * b / 99).toFixed(3) + ')'; ctx.fillRect(x0, ya, x1 - x0, yb - ya + 0.5); }
        if (a) { ctx.fillStyle = 'rgba(201,42,42,' + (0.08 + 0.9 * a / 99).toFixed(3) + ')'; ctx.fillRect(x0, ya, x1 - x0, yb - ya + 0.5); }
      }
    }
    ctx.save(); ctx.beginPath(); ctx.rect(PAD.l, PAD.t, c._w - PAD.l - PAD.r, c._h - PAD.t - PAD.b); ctx.clip();
    ctx.strokeStyle = '#212529'; ctx.lineWidth = 1.2; ctx.beginPath(); var on = false;
    for (var i = 0; i < PR.t.length; i++) { var v = PR.last[i]; if (v == null) { on = false; continue; } var x = xOf(c, PR.t[i]); if (on) ctx.lineTo(x, y(v)); else ctx.moveTo(x, y(v)); on = true; }
    ctx.stroke(); ctx.restore(); ctx.lineWidth = 1;
    cursor(ctx, c);
  }

  var CROWD = D.hold.parties.filter(function (p) { return p.crowd; });
  function partyOf(name) { return D.hold.parties.find(function (p) { return p.name === name; }); }
  function crowdSeries(key) { var n = D.hold.t.length, out = new Array(n).fill(0); CROWD.forEach(function (p) { for (var i = 0; i < n; i++) out[i] += p[key][i]; }); return out; }
  function delta(a) { return a.map(function (v) { return v - a[0]; }); }
  function drawHold() {
    var c = $('hold'), ctx = setup(c); ctx.clearRect(0, 0, c._w, c._h);
    var g = D.groups[S.g], p = g && partyOf(g.name), HT = D.hold.t;
    var mine = p ? [delta(p.tokens), delta(p.cash), p.pnl] : [[], [], []];
    var crowd = [delta(crowdSeries('tokens')), delta(crowdSeries('cash')), crowdSeries('pnl')];
    var titles = ['tokens, change since start', 'cash, change since start', 'PnL, marked to the last trade'];
    var w = (c._w - 10) / 3, k = upper(HT, S.t) - 1;
    for (var panel = 0; panel < 3; panel++) {
      var ox = panel * (w + 5), lo = 0, hi = 0;
      [mine[panel], crowd[panel]].forEach(function (s) { for (var i = 0; i < s.length; i++) { if (HT[i] < S.v0 || HT[i] > S.v1) continue; lo = Math.min(lo, s[i]); hi = Math.max(hi, s[i]); } });
      if (hi - lo < 1e-9) { hi = lo + 1; }
      var pad = (hi - lo) * 0.08; lo -= pad; hi += pad;
      var x = function (t) { return ox + 52 + (t - S.v0) / (S.v1 - S.v0) * (w - 58); }, y = function (v) { return c._h - 22 - (v - lo) / (hi - lo) * (c._h - 50); };
      ctx.fillStyle = '#343a40'; ctx.font = '600 12px system-ui, sans-serif'; ctx.textAlign = 'left'; ctx.fillText(titles[panel], ox + 52, 12);
      ctx.fillStyle = '#6c757d'; ctx.font = '11px system-ui, sans-serif'; ctx.textAlign = 'right';
      [lo + pad, 0, hi - pad].forEach(function (v) { if (v < lo || v > hi) return; ctx.fillText(compact(v), ox + 48, y(v) + 4); ctx.strokeStyle = v === 0 ? '#ced4da' : '#f1f3f5'; ctx.beginPath(); ctx.moveTo(ox + 52, y(v)); ctx.lineTo(ox + w - 6, y(v)); ctx.stroke(); });
      [[crowd[panel], '#868e96'], [mine[panel], '#e8590c']].forEach(function (sc) {
        var s = sc[0]; ctx.strokeStyle = sc[1]; ctx.lineWidth = 2; ctx.beginPath();
        var started = false;
        for (var i = 0; i < s.length; i++) { if (HT[i] < S.v0 - (S.v1 - S.v0) * 0.01 || HT[i] > S.v1) continue; if (started) ctx.lineTo(x(HT[i]), y(s[i])); else ctx.moveTo(x(HT[i]), y(s[i])); started = true; }
        ctx.stroke(); ctx.lineWidth = 1;
        if (k >= 0 && s.length) { ctx.fillStyle = sc[1]; ctx.beginPath(); ctx.arc(x(Math.max(S.v0, Math.min(S.v1, HT[k]))), y(s[k]), 3.5, 0, 7); ctx.fill(); }
      });
      var cx = x(S.t); ctx.strokeStyle = '#212529'; ctx.setLineDash([4, 3]); ctx.beginPath(); ctx.moveTo(cx, 18); ctx.lineTo(cx, c._h - 22); ctx.stroke(); ctx.setLineDash([]);
    }
    var name = g ? g.name : '';
    var now = p && k >= 0 ? ' \u2014 now ' + group3(p.tokens[k], D.lotDec) + ' tokens, ' + group3(p.cash[k], 2) + ' cash, PnL ' + group3(p.pnl[k], 2) : '';
    $('hold-title').innerHTML = 'Holdings: <span style="color:#e8590c">' + esc(name) + '</span> against <span style="color:#868e96">the crowd (' +
      esc(CROWD.map(function (q) { return q.name; }).join(' + ') || 'none') + ')</span><small>' + esc(now) + '</small>';
  }
  function compact(v) { var a = Math.abs(v); if (a >= 1e6) return (v / 1e6).toFixed(1) + 'M'; if (a >= 1e3) return (v / 1e3).toFixed(1) + 'k'; return v.toFixed(a < 10 ? 2 : 0); }
  function esc(s) { return String(s).replace(/[&<>"]/g, function (ch) { return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[ch]; }); }

  // ---- side panels --------------------------------------------------------------------------
  function drawLadder() {
    var L = ladder(S.t), rows = [], max = 1, gname = D.groups[S.g] ? D.groups[S.g].name : '';
    L.asks.concat(L.bids).forEach(function (l) { max = Math.max(max, l[1]); });
    rows.push('<tr><th>' + esc(gname) + '\u2019s</th><th>price</th><th>size</th><th></th></tr>');
    function row(side, l) {
      var w = (100 * l[1] / max).toFixed(1), o = (100 * l[2] / Math.max(l[1], 1)).toFixed(1);
      return '<tr class="' + side + (l[2] > 0 ? ' own' : '') + '" data-price="' + fmtPrice(l[0]) + '" data-qty="' + fmtQty(l[1]) + '" data-own="' + fmtQty(l[2]) + '">' +
        '<td class="mine">' + (l[2] > 0 ? group3(l[2] * lot, D.lotDec) : '') + '</td><td class="px">' + fmtPrice(l[0]) + '</td><td>' + group3(l[1] * lot, D.lotDec) +
        '</td><td class="bar"><div style="width:' + w + '%"><b style="width:' + o + '%"></b></div></td></tr>';
    }
    L.asks.slice().reverse().forEach(function (l) { rows.push(row('ask', l)); });
    var spread = L.asks.length && L.bids.length ? 'spread ' + fmtPrice(L.asks[0][0] - L.bids[0][0]) + ' (' + ((L.asks[0][0] - L.bids[0][0]) / ((L.asks[0][0] + L.bids[0][0]) / 2) * 1e4).toFixed(1) + ' bps)' : 'one side empty';
    rows.push('<tr class="mid"><td colspan="4">' + spread + '</td></tr>');
    L.bids.forEach(function (l) { rows.push(row('bid', l)); });
    $('ladder').innerHTML = rows.join('');
    $('ladder-note').textContent = 'Top ' + N_LEVELS + ' of ' + L.na + ' ask and ' + L.nb + ' bid levels. Orange: ' + gname + '\u2019s own orders at the level.';
  }
  function drawRecent() {
    var k = upper(TR.t, S.t), rows = ['<tr><th>time</th><th>price</th><th>size</th><th style="text-align:left">intent</th><th style="text-align:left">taker \u2192 maker</th></tr>'];
    for (var j = k - 1; j >= Math.max(0, k - 8); j--) {
      var cl = D.classes[TR.c[j]];
      rows.push('<tr data-intent="' + cl + '" data-price="' + fmtPrice(TR.p[j]) + '" data-qty="' + fmtQty(TR.q[j]) + '" data-color="' + COLORS[cl] + '"><td>' + fmtTime(TR.t[j]).slice(-12, -4) + '</td><td>' + fmtPrice(TR.p[j]) + '</td><td>' +
        group3(TR.q[j] * lot, D.lotDec) + '</td><td class="who"><i style="background:' + COLORS[cl] + '"></i>' + (NAMES[cl] || cl) + '</td><td class="who">' +
        esc((D.groups[TR.tk[j]] || {}).name) + ' \u2192 ' + esc((D.groups[TR.mk[j]] || {}).name) + '</td></tr>');
    }
    if (k === 0) rows.push('<tr><td colspan="5" class="who">no trade yet</td></tr>');
    $('recent').innerHTML = rows.join('');
  }
  function drawNow() {
    var phase = S.g === D.phased ? phaseAt(S.t) : '', lp = lastPrice(S.t), el = $('now');
    el.dataset.t = String(S.t / 1000); el.dataset.phase = phase; el.dataset.last = lp == null ? '' : fmtPrice(lp);
    el.innerHTML = 't = ' + fmtTime(S.t) + ' \u00b7 ' + esc(D.groups[S.g] ? D.groups[S.g].name : '') + ' phase: ' +
      (phase ? '<span class="phase" style="background:' + phaseColor(phase) + '">' + phase.replace(/_/g, ' ') + '</span>' : 'none') +
      ' \u00b7 last trade ' + (lp == null ? '\u2014' : fmtPrice(lp));
    $('phase-name').textContent = phase ? 'Phase: ' + phase.replace(/_/g, ' ') : (S.g === D.phased ? 'No phase' : D.groups[S.g] ? D.groups[S.g].name + ' reports no phases' : '');
    $('explain').textContent = D.explain[phase] || D.explain[''];
  }
  function drawLegend() {
    var counts = {}; for (var j = 0; j < TR.c.length; j++) counts[TR.c[j]] = (counts[TR.c[j]] || 0) + 1;
    var parts = D.classes.map(function (cl, i) { return counts[i] ? '<span data-intent="' + cl + '"><i style="background:' + COLORS[cl] + '"></i>' + (NAMES[cl] || cl) + ' trades (' + group3(counts[i], 0) + ')</span>' : ''; });
    if (SP.length) parts.push('<span><i class="seg" style="background:' + COLORS.spoof + '"></i>spoof order, placed \u2192 gone (' + group3(SP.length, 0) + ')</span>');
    phaseNames.forEach(function (n) { parts.push('<span><i class="band" style="background:' + phaseColor(n) + '"></i>phase: ' + n.replace(/_/g, ' ') + '</span>'); });
    $('legend').innerHTML = parts.join('');
  }

  // ---- interaction --------------------------------------------------------------------------
  var pending = false;
  function render() { renderNow(); }
  function renderSoon() {
    if (pending) return; pending = true;
    requestAnimationFrame(function () { pending = false; renderNow(); });
  }
  function renderNow() {
    drawNow(); drawLadder(); drawRecent(); drawPrice(); drawHeat(); drawHold();
    $('scrubber').value = String(Math.round((S.t - S.v0) / (S.v1 - S.v0) * 1000));
    var frag = '#t=' + S.t / 1000 + '&group=' + encodeURIComponent(D.groups[S.g] ? D.groups[S.g].name : '') + (S.v0 > 0 || S.v1 < END ? '&view=' + S.v0 / 1000 + '-' + S.v1 / 1000 : '');
    $('link').href = frag;
    if (location.hash !== frag) { try { history.replaceState(null, '', frag); } catch (e) { /* file:// in some browsers */ } }
  }
  function setT(t) { S.t = Math.max(0, Math.min(END, Math.round(t))); if (S.t < S.v0 || S.t > S.v1) { var w = S.v1 - S.v0; S.v0 = Math.max(0, Math.min(END - w, S.t - w / 2)); S.v1 = S.v0 + w; } render(); }
  function zoom(f) { var w = Math.max(2000, Math.min(END, (S.v1 - S.v0) * f)); S.v0 = Math.max(0, Math.min(END - w, S.t - w / 2)); S.v1 = S.v0 + w; render(); }
  function move(dir) {
    var m = MOVES[S.g] || [];
    if (dir > 0) { var k = upper(m, S.t); if (k < m.length) setT(m[k]); }
    else { var j = upper(m, S.t - 1) - 1; if (j >= 0) setT(m[j]); }
  }
  D.groups.forEach(function (g, i) {
    var o = document.createElement('option'); o.value = i; o.textContent = g.name + ' (' + g.kind + (g.crowd ? ', crowd of ' + g.agents : '') + ')'; $('group').appendChild(o);
  });
  [['whole view in 1 min', 0], ['1\u00d7', 1], ['10\u00d7', 10], ['60\u00d7', 60], ['600\u00d7', 600], ['3600\u00d7', 3600]].forEach(function (s) {
    var o = document.createElement('option'); o.value = s[1]; o.textContent = s[0]; $('speed').appendChild(o);
  });
  function syncMoveButtons() { var crowd = !MOVES[S.g] || !MOVES[S.g].length; $('next-move').disabled = crowd; $('prev-move').disabled = crowd; $('next-move').textContent = 'next move of ' + (D.groups[S.g] ? D.groups[S.g].name : '') + ' \u25b6'; }
  $('group').onchange = function () { S.g = +this.value; syncMoveButtons(); render(); };
  $('speed').onchange = function () { S.speed = +this.value; };
  $('next-move').onclick = function () { move(1); };
  $('prev-move').onclick = function () { move(-1); };
  $('zoom-in').onclick = function () { zoom(0.25); };
  $('zoom-out').onclick = function () { zoom(4); };
  $('zoom-all').onclick = function () { S.v0 = 0; S.v1 = END; render(); };
  $('scrubber').oninput = function () { setT(S.v0 + (+this.value) / 1000 * (S.v1 - S.v0)); };
  var last = null;
  function tick_(now) {
    if (!S.playing) { last = null; return; }
    if (last !== null) { var rate = S.speed || (S.v1 - S.v0) / 60000; setT(S.t + (now - last) * rate); if (S.t >= END) { S.playing = false; $('play').textContent = '\u25b6 play'; } }
    last = now; requestAnimationFrame(tick_);
  }
  $('play').onclick = function () { S.playing = !S.playing; this.textContent = S.playing ? '\u275a\u275a pause' : '\u25b6 play'; if (S.playing) requestAnimationFrame(tick_); };
  document.addEventListener('keydown', function (e) {
    if (e.target.tagName === 'SELECT' || e.target.tagName === 'INPUT') return;
    if (e.key === ' ') { e.preventDefault(); $('play').click(); } else if (e.key === 'n') move(1); else if (e.key === 'p') move(-1);
    else if (e.key === '+') zoom(0.25); else if (e.key === '-') zoom(4);
  });
  var drag = null;
  ['price', 'heat'].forEach(function (id) {
    var c = $(id);
    c.onmousedown = function (e) { var x = e.offsetX; drag = { c: c, x0: x, x1: x }; };
    c.onmousemove = function (e) { if (drag && drag.c === c) { drag.x1 = e.offsetX; renderSoon(); } };
    c.onmouseup = function (e) {
      if (!drag) return; var d = drag; drag = null; d.x1 = e.offsetX;
      if (Math.abs(d.x1 - d.x0) > 6) { var a = tOf(c, Math.min(d.x0, d.x1)), b = tOf(c, Math.max(d.x0, d.x1)); S.v0 = Math.max(0, a); S.v1 = Math.min(END, Math.max(b, S.v0 + 2000)); if (S.t < S.v0 || S.t > S.v1) S.t = Math.round(S.v0); render(); }
      else setT(tOf(c, d.x0));
    };
    c.addEventListener('wheel', function (e) { e.preventDefault(); var at = tOf(c, e.offsetX), f = e.deltaY > 0 ? 1.5 : 1 / 1.5, w = Math.max(2000, Math.min(END, (S.v1 - S.v0) * f)), r = (at - S.v0) / (S.v1 - S.v0); S.v0 = Math.max(0, Math.min(END - w, at - r * w)); S.v1 = S.v0 + w; renderSoon(); }, { passive: false });
  });
  window.addEventListener('resize', renderSoon);
  function fromHash() {
    var h = {}; location.hash.replace(/^#/, '').split('&').forEach(function (kv) { var i = kv.indexOf('='); if (i > 0) h[kv.slice(0, i)] = decodeURIComponent(kv.slice(i + 1)); });
    if (h.group !== undefined) { var gi = D.groups.findIndex(function (g) { return g.name === h.group; }); if (gi >= 0) S.g = gi; }
    if (h.view) { var v = h.view.split('-').map(Number); if (v.length === 2 && v[1] > v[0]) { S.v0 = Math.max(0, v[0] * 1000); S.v1 = Math.min(END, v[1] * 1000); } }
    if (h.t !== undefined && isFinite(+h.t)) S.t = Math.max(0, Math.min(END, Math.round(+h.t * 1000)));
    if (S.t < S.v0 || S.t > S.v1) { S.v0 = 0; S.v1 = END; }
  }
  window.addEventListener('hashchange', function () { var before = S.t; fromHash(); if (S.t !== before || true) { $('group').value = S.g; syncMoveButtons(); render(); } });

  $('name').textContent = D.name; $('description').textContent = D.description;
  var notes = D.notes.slice();
  notes.push('Trade dots are coloured by the intent behind them (ground truth from the simulator): wash when both sides have one owner, else the taker\u2019s manipulative intent, else the maker\u2019s, else organic.');
  notes.push('Times are milliseconds since the start (order-log times rounded up); phases are sampled at the run\u2019s sampling interval; the book, trades and spoofs come from orders.csv (' + group3(D.events, 0) + ' order events, ' + group3(D.trades.n, 0) + ' trades).');
  notes.push('Keys: space play/pause, n / p next / previous move, + / \u2212 zoom. Drag on a chart to zoom into a window; click to move there. The address bar keeps #t=\u2026&group=\u2026 so a link reopens this moment.');
  $('notes').innerHTML = notes.map(function (n) { return '<li>' + esc(n) + '</li>'; }).join('');
  fromHash(); $('group').value = S.g; syncMoveButtons(); drawLegend(); renderNow();
  // Measured load: ms from navigation start to the first full render, and of that in this script.
  document.body.dataset.readyMs = performance.now().toFixed(1);
  document.body.dataset.scriptMs = (performance.now() - t0).toFixed(1);
})();
