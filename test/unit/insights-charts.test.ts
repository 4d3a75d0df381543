/**
 * Charts render to real PNGs without a browser: the PNG is decoded here
 * (signature, IHDR, zlib-inflated scanlines with their filters undone) and
 * must have the requested size and not be blank (pixel variance, red anomaly
 * marker pixels present, blue series pixels present).
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'vitest';
import { inflateSync } from 'node:zlib';
import { anomalyChart, pacingChart } from '../../nodes/shared/charts';
import { buildSeries, dayNumber, dayString, pace, scanSeries, type PerformanceRow } from '../../nodes/shared/insights';
import { generateSeries } from './insights-fixtures';

function decodePng(buf: Buffer): { width: number; height: number; rgba: Uint8Array } {
	assert.deepEqual([...buf.subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10], 'PNG signature');
	let off = 8;
	let width = 0;
	let height = 0;
	let colorType = 0;
	const idat: Buffer[] = [];
	while (off < buf.length) {
		const len = buf.readUInt32BE(off);
		const type = buf.toString('latin1', off + 4, off + 8);
		const data = buf.subarray(off + 8, off + 8 + len);
		if (type === 'IHDR') {
			width = data.readUInt32BE(0);
			height = data.readUInt32BE(4);
			assert.equal(data[8], 8, 'bit depth 8');
			colorType = data[9];
		} else if (type === 'IDAT') idat.push(data);
		off += 12 + len;
	}
	const bpp = colorType === 6 ? 4 : colorType === 2 ? 3 : assert.fail(`colour type ${colorType}`);
	const raw = inflateSync(Buffer.concat(idat));
	const stride = width * bpp;
	const out = new Uint8Array(width * height * 4);
	const prev = new Uint8Array(stride);
	const cur = new Uint8Array(stride);
	for (let y = 0; y < height; y++) {
		const f = raw[y * (stride + 1)];
		for (let x = 0; x < stride; x++) {
			const v = raw[y * (stride + 1) + 1 + x];
			const a = x >= bpp ? cur[x - bpp] : 0;
			const b = prev[x];
			const c = x >= bpp ? prev[x - bpp] : 0;
			let pr = 0;
			if (f === 1) pr = a;
			else if (f === 2) pr = b;
			else if (f === 3) pr = (a + b) >> 1;
			else if (f === 4) {
				const p = a + b - c;
				const pa = Math.abs(p - a);
				const pb = Math.abs(p - b);
				const pc = Math.abs(p - c);
				pr = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
			}
			cur[x] = (v + pr) & 0xff;
		}
		for (let x = 0; x < width; x++) {
			for (let k = 0; k < 3; k++) out[(y * width + x) * 4 + k] = cur[x * bpp + k];
			out[(y * width + x) * 4 + 3] = bpp === 4 ? cur[x * bpp + 3] : 255;
		}
		prev.set(cur);
	}
	return { width, height, rgba: out };
}

function stats(rgba: Uint8Array): { variance: number; red: number; blue: number } {
	let s = 0;
	let s2 = 0;
	let red = 0;
	let blue = 0;
	const n = rgba.length / 4;
	for (let i = 0; i < n; i++) {
		const [r, g, b] = [rgba[i * 4], rgba[i * 4 + 1], rgba[i * 4 + 2]];
		const l = 0.299 * r + 0.587 * g + 0.114 * b;
		s += l;
		s2 += l * l;
		if (r > 180 && g < 80 && b < 80) red++;
		if (b > 140 && r < 80 && g > 90 && g < 150) blue++;
	}
	return { variance: s2 / n - (s / n) ** 2, red, blue };
}

const OUT = join(process.cwd(), 'test', 'fixtures', 'insights');

test('anomaly chart: the series, its band and the marked anomaly as a PNG of the stated size', () => {
	const g = generateSeries(5, { anomalies: 0, days: 120, level: 400, noise: 0.02 });
	const rows: PerformanceRow[] = Array.from({ length: 120 }, (_, i) => ({ date: dayString(dayNumber('2025-02-10') + i), platform: 'meta', account_id: 'act_1', campaign_id: 'c1', campaign_name: 'Summer sale', currency: 'USD', spend: i === 119 ? g.values[i] * 2.6 : g.values[i], impressions: 1000, clicks: 100, conversions: 5 }));
	const [a] = scanSeries(buildSeries(rows, { historyDays: 120, accounts: false }), { metrics: ['spend'], lookbackDays: 1 }).anomalies;
	assert.ok(a, 'the planted spike is found');
	const chart = anomalyChart(a);
	const png = decodePng(chart.png);
	assert.deepEqual([png.width, png.height], [1440, 720]);
	const s = stats(png.rgba);
	assert.ok(s.variance > 100, `variance ${s.variance}`);
	assert.ok(s.red > 50, `red anomaly marker pixels: ${s.red}`);
	assert.ok(s.blue > 500, `blue series pixels: ${s.blue}`);
	assert.match(chart.svg, /Summer sale/);
	mkdirSync(OUT, { recursive: true });
	writeFileSync(join(OUT, 'anomaly-example.png'), chart.png);
});

test('pacing chart: cumulative spend against plan with the forecast cone; a blank chart would fail', () => {
	const daily = Array.from({ length: 75 }, (_, i) => ({ date: dayString(dayNumber('2025-04-01') + i), spend: 120 + 30 * Math.sin(i) }));
	const p = pace({ month: '2025-06', asOf: '2025-06-14', daily, plan: 3000 });
	let c = 0;
	const cumulative = daily.filter((d) => d.date >= '2025-06-01').map((d) => (c += d.spend));
	const chart = pacingChart(p, cumulative, 'Meta account act_1', 'USD');
	const png = decodePng(chart.png);
	assert.deepEqual([png.width, png.height], [1440, 720]);
	const s = stats(png.rgba);
	assert.ok(s.variance > 100 && s.blue > 300, JSON.stringify(s));
	mkdirSync(OUT, { recursive: true });
	writeFileSync(join(OUT, 'pacing-example.png'), chart.png);
	// the decoder itself: a white image has no variance
	const blank = decodePng(pacingChart({ ...p, daysRemaining: 0 }, [], 'x').png);
	assert.ok(stats(blank.rgba).blue < s.blue);
});
