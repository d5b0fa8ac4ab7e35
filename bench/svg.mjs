#!/usr/bin/env node
// Draws docs/bench.svg from bench/results/latest.json: a horizontal grouped bar chart, one group per shape,
// one bar per backend (plain loops, js, native 1 thr, native 2 thr), values-only medians, as the speed-up over
// plain loops on a log axis: bars grow right of the 1x line when faster, left when slower; plain loops is the 1x
// marker. Each bar is labelled with its speed-up and its median ms per call.
//
//   node bench/svg.mjs [results.json] [out.svg]
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

const FAMILIES = [
  { family: 'plain loops', color: '#9aa0a6' },
  { family: 'js', color: '#e8a317' },
  { family: 'native 1 thr', color: '#3b82c4' },
  { family: 'native 2 thr', color: '#174a7c' },
];

const FONT = "system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif";

function esc(s) {
  return String(s).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c],
  );
}

function fmtMs(x) {
  return x >= 100 ? x.toFixed(0) : x.toPrecision(x >= 1 ? 3 : 2);
}

function fmtX(x) {
  return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
}

function fmtTick(x) {
  return `${x}×`;
}

/** Groups of values-only rows (fresh output; unpool: out), one per shape, in run order. */
function groupsOf(result) {
  const groups = [];
  for (const row of result.rows) {
    if (row.indices || row.alloc === 'prealloc') continue;
    let g = groups.find((x) => x.shape === row.shape);
    if (!g) {
      const dims = `${row.dims.join('x')} k${row.kernel} s${row.stride}${row.padding ? ` p${row.padding}` : ''}`;
      const title = `${row.op === 'unpool' ? 'unpool: ' : ''}${row.name}${row.dtype === 'float64' ? ' (float64)' : ''}`;
      g = { shape: row.shape, title, dims, bars: [] };
      groups.push(g);
    }
    g.bars.push(row);
  }
  for (const g of groups) {
    g.bars = FAMILIES.map((f) => g.bars.find((r) => r.family === f.family)).filter(Boolean);
  }
  return groups;
}

/** Renders the chart as an SVG string. */
export function renderSvg(result) {
  const groups = groupsOf(result);
  const families = FAMILIES.filter((f) => groups.some((g) => g.bars.some((b) => b.family === f.family)));
  const speedups = groups.flatMap((g) => g.bars.filter((b) => b.status === 'ok' && b.xPlain).map((b) => b.xPlain));
  const lo = Math.min(0.5, ...speedups.map((x) => x / 1.5));
  const hi = Math.max(10, ...speedups) * 1.05;
  const xminNice = [0.5, 0.2, 0.1, 0.05, 0.02, 0.01, 0.005, 0.002, 0.001].find((v) => v <= lo) ?? lo;
  const xmaxNice =
    [10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000].find((v) => v >= hi) ?? hi;

  const W = 1000;
  const left = 250;
  const right = 150;
  const plotW = W - left - right;
  const barH = 13;
  const barGap = 3;
  const groupGap = 16;
  const top = 104;
  const groupH = (g) => g.bars.length * barH + (g.bars.length - 1) * barGap;
  const plotH = groups.reduce((s, g) => s + groupH(g) + groupGap, 0) - (groups.length ? groupGap : 0);
  const bottom = 64;
  const H = top + plotH + bottom;
  const lx = (v) =>
    left + ((Math.log10(v) - Math.log10(xminNice)) / (Math.log10(xmaxNice) - Math.log10(xminNice))) * plotW;

  const S = [];
  S.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="${esc(FONT)}" font-size="12">`,
  );
  S.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);

  // Title and machine.
  const b = result.backend ?? {};
  const date = String(result.date ?? '').slice(0, 10);
  S.push(
    `<text x="16" y="26" font-size="17" font-weight="600" fill="#111">maxpool2d: speed-up over plain nested loops (values only, median per call)</text>`,
  );
  const machine = `${date} · ${result.cpu ?? 'unknown CPU'}, ${result.cores ?? '?'} cores · node ${result.node ?? '?'} · backend ${b.name ?? '?'}${b.isa ? ` (${b.isa})` : ''}`;
  S.push(`<text x="16" y="46" fill="#444">${esc(machine)}</text>`);
  let note =
    'float32 NCHW unless marked · fresh output per call (unpool: into out) · every bar bit-exact vs plain loops';
  if (result.nativeSkipped) note += ` · native not loaded: ${result.nativeSkipped}`;
  S.push(
    `<text x="16" y="64" fill="#666" font-size="11">${esc(note.length > 170 ? `${note.slice(0, 167)}...` : note)}</text>`,
  );

  // Legend.
  let lgx = 16;
  for (const f of families) {
    S.push(`<rect x="${lgx}" y="76" width="14" height="12" fill="${f.color}"/>`);
    S.push(`<text x="${lgx + 20}" y="86.5" fill="#222">${esc(f.family)}</text>`);
    lgx += 34 + f.family.length * 7;
  }

  // Zebra bands behind each other group (drawn before the grid so the grid stays visible).
  {
    let by = top;
    groups.forEach((g, gi) => {
      const h = groupH(g);
      if (gi % 2 === 0)
        S.push(
          `<rect x="8" y="${by - groupGap / 2 + 1}" width="${W - 16}" height="${h + groupGap - 2}" fill="#f3f5f8"/>`,
        );
      by += h + groupGap;
    });
  }

  // Grid: 1-2-5 ticks, bolder at powers of ten and at 1x.
  const ticks = [];
  for (let e = Math.floor(Math.log10(xminNice)); 10 ** e <= xmaxNice; e++) {
    for (const m of [1, 2, 5]) {
      const v = Number((m * 10 ** e).toPrecision(6));
      if (v >= xminNice * 0.999 && v <= xmaxNice * 1.001) ticks.push(v);
    }
  }
  const gridBottom = top + plotH + 6;
  for (const t of ticks) {
    const x = lx(t).toFixed(1);
    const major = Math.abs(Math.log10(t) - Math.round(Math.log10(t))) < 1e-9;
    S.push(
      `<line x1="${x}" y1="${top - 6}" x2="${x}" y2="${gridBottom}" stroke="${t === 1 ? '#666' : major ? '#c8c8c8' : '#ececec'}" stroke-width="1"/>`,
    );
    S.push(
      `<text x="${x}" y="${gridBottom + 15}" text-anchor="middle" fill="${major ? '#222' : '#777'}" font-size="11">${fmtTick(t)}</text>`,
    );
  }
  S.push(
    `<text x="${left + plotW / 2}" y="${gridBottom + 36}" text-anchor="middle" fill="#222">speed-up over plain loops (log scale; right of 1× = faster, left = slower); labels: speed-up · median ms per call</text>`,
  );

  // Groups.
  const one = lx(1);
  let y = top;
  groups.forEach((g) => {
    const h = groupH(g);
    S.push(
      `<text x="${left - 10}" y="${y + h / 2 - 2}" text-anchor="end" font-weight="600" fill="#111">${esc(g.title)}</text>`,
    );
    S.push(
      `<text x="${left - 10}" y="${y + h / 2 + 12}" text-anchor="end" fill="#555" font-size="11">${esc(g.dims)}</text>`,
    );
    for (const bar of g.bars) {
      const color = FAMILIES.find((f) => f.family === bar.family).color;
      const tip = `<title>${esc(`${g.shape} · ${bar.config}: median ${bar.medianMs} ms, min ${bar.minMs} ms, ${fmtX(bar.xPlain ?? 0)}x plain loops`)}</title>`;
      if (bar.status !== 'ok' || !bar.xPlain) {
        S.push(
          `<text x="${(one + 5).toFixed(1)}" y="${y + barH - 2.5}" fill="#c00" font-weight="600">${esc(bar.family)}: ${esc(bar.status)}</text>`,
        );
      } else if (bar.family === 'plain loops') {
        // The baseline: a marker on the 1x line.
        S.push(`<rect x="${(one - 2).toFixed(1)}" y="${y}" width="4" height="${barH}" fill="${color}">${tip}</rect>`);
        S.push(
          `<text x="${(one + 6).toFixed(1)}" y="${y + barH - 2.5}" fill="#222" font-size="11">${esc(`plain loops ${fmtMs(bar.medianMs)} ms`)}</text>`,
        );
      } else {
        // Speed-ups grow right from the 1x line, slow-downs left; the label sits right of whichever is further.
        const x1 = lx(bar.xPlain);
        const x0 = Math.min(one, x1);
        const w = Math.max(1, Math.abs(x1 - one));
        S.push(
          `<rect x="${x0.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="${barH}" fill="${color}">${tip}</rect>`,
        );
        const label = `${fmtX(bar.xPlain)}× · ${fmtMs(bar.medianMs)} ms`;
        S.push(
          `<text x="${(Math.max(one, x1) + 5).toFixed(1)}" y="${y + barH - 2.5}" fill="#222" font-size="11">${esc(label)}</text>`,
        );
      }
      y += barH + barGap;
    }
    y += groupGap - barGap;
  });
  S.push('</svg>');
  return `${S.join('\n')}\n`;
}

/** Writes the chart for `result` (the latest.json object) to `outPath`. */
export function writeSvg(result, outPath) {
  fs.mkdirSync(path.dirname(outPath), { recursive: true });
  fs.writeFileSync(outPath, renderSvg(result));
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const input = process.argv[2] ?? path.join(here, 'results', 'latest.json');
  const output = process.argv[3] ?? path.join(here, '..', 'docs', 'bench.svg');
  const result = JSON.parse(fs.readFileSync(input, 'utf8'));
  writeSvg(result, output);
  process.stderr.write(`wrote ${path.relative(process.cwd(), output)}\n`);
}
