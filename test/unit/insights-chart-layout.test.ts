/**
 * The insight charts' legend never covers the title or the subtitle: the boxes
 * ECharts lays out for the option `renderChart` renders (charts/render.ts's
 * chartTextBoxes, the same scene that becomes the SVG and PNG) are checked
 * pairwise, with the longest subtitles the alerts produce (an entity label
 * with a long campaign name; a pacing status), and the plot's y-axis name
 * stays clear of the legend too. Before the fix the legend sat at top 40,
 * on the subtitle's row: "Meta account …, campaign …" ran under it.
 */
import assert from 'node:assert/strict';
import { test } from 'vitest';
import { anomalyChartOption, boxesIntersect, chartTextBoxes, pacingChartOption, type TextBox } from '../../nodes/shared/charts';

const days = Array.from({ length: 14 }, (_, i) => ({ date: `2026-11-${String(i + 10).padStart(2, '0')}`, value: 100 + (i % 7) * 5 + (i === 13 ? 200 : 0), expected: 100 + (i % 7) * 5 }));

function check(boxes: TextBox[], title: string, subtitle: string, legend: readonly string[], axisName: string): void {
	const find = (t: string) => boxes.find((b) => b.text === t) ?? assert.fail(`no text "${t}" laid out (${boxes.map((b) => b.text).join(' | ')})`);
	// the PNG's font (DejaVu Sans) runs wider than the widths ECharts estimates without a browser ("expected band": 79 px
	// estimated, 89 px in the PNG): texts are checked 15 % wider (a legend name grows to the right, towards the next item)
	const wide = (b: TextBox): TextBox => ({ ...b, width: b.width * 1.15 });
	const head = [find(title), find(subtitle)].map(wide);
	const names = legend.map(find).map(wide);
	for (let i = 0; i + 1 < names.length; i++) {
		const symbolGap = 5 + 19; // the next item's gap to its name (5 px) and its drawn symbol (a line from 25 px, a dot from 19 px away)
		assert.ok(names[i]!.x + names[i]!.width <= names[i + 1]!.x - symbolGap, `legend "${names[i]!.text}" runs into "${names[i + 1]!.text}"`);
	}
	for (const h of head) for (const n of names) assert.ok(!boxesIntersect(h, n), `legend "${n.text}" ${JSON.stringify(n)} overlaps "${h.text}" ${JSON.stringify(h)}`);
	const axis = find(axisName);
	for (const n of names) assert.ok(!boxesIntersect(axis, n), `legend "${n.text}" overlaps the y axis name ${JSON.stringify(axis)}`);
	// the legend, at the PNG font's width, is inside the picture (720 px wide)
	for (const n of names) assert.ok(n.x >= 0 && n.x + n.width <= 720 && n.y >= 0, `legend "${n.text}" leaves the picture: ${JSON.stringify(n)}`);
}

test('anomaly chart: legend clear of title and a long subtitle', () => {
	for (const subtitle of ['Meta account act_1234567890, campaign Black Friday retargeting — all products, EU + UK (120211234567890123)', 'Linkedin account 5123, campaign c1', 'Google_ads account 123-456-7890']) {
		const option = anomalyChartOption({ title: 'spend: spike on 2026-11-23', subtitle, days, band: { halfWidth: 12 }, anomalies: ['2026-11-23'], unit: 'EUR' });
		check(chartTextBoxes(option), 'spend: spike on 2026-11-23', subtitle, ['actual', 'expected', 'expected band', 'anomaly'], 'EUR');
	}
});

test('pacing chart: legend clear of title and subtitle', () => {
	const option = pacingChartOption({
		title: 'Meta account act_1234567890, campaign Black Friday retargeting: 131 % of plan forecast for 2026-11',
		subtitle: 'over-pacing: forecast month end 13,100.00 EUR against a plan of 10,000.00 EUR',
		month: '2026-11',
		daysInMonth: 30,
		plan: 10_000,
		cumulative: Array.from({ length: 20 }, (_, i) => (i + 1) * 440),
		forecast: Array.from({ length: 10 }, (_, h) => ({ mean: 8800 + (h + 1) * 430, lower: 8800 + (h + 1) * 380, upper: 8800 + (h + 1) * 480 })),
		currency: 'EUR',
	});
	check(chartTextBoxes(option), option.title ? (option.title as { text: string }).text : '', (option.title as { subtext: string }).subtext, ['spent', 'plan', 'forecast', 'forecast interval'], 'EUR');
});
