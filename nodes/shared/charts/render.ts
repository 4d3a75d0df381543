/**
 * Server-side charts for Slack: ECharts renders the chart to an SVG string
 * (`ssr: true`, no DOM, no browser) and resvg rasterises it to PNG. Text uses
 * the system fonts (DejaVu Sans on Debian); without any font the chart still
 * draws its lines and areas, only the labels are missing.
 */
import { Resvg } from '@resvg/resvg-js';
import * as echarts from 'echarts';

export interface RenderOptions {
	width?: number;
	height?: number;
	/** Device pixel ratio of the PNG (default 2: sharp on Retina screens). */
	scale?: number;
}

export interface RenderedChart {
	svg: string;
	png: Buffer;
	width: number;
	height: number;
}

export function renderChart(option: echarts.EChartsCoreOption, options: RenderOptions = {}): RenderedChart {
	const width = options.width ?? 720;
	const height = options.height ?? 360;
	const scale = options.scale ?? 2;
	const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
	try {
		chart.setOption({ animation: false, backgroundColor: '#ffffff', textStyle: { fontFamily: 'DejaVu Sans, Arial, sans-serif' }, ...option });
		const svg = chart.renderToSVGString();
		const png = new Resvg(svg, { fitTo: { mode: 'zoom', value: scale }, font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' }, background: '#ffffff' }).render().asPng();
		return { svg, png, width: width * scale, height: height * scale };
	} finally {
		chart.dispose();
	}
}

/** A text's box on the chart, in pixels of the unscaled chart (x, y: top left). */
export interface TextBox {
	text: string;
	x: number;
	y: number;
	width: number;
	height: number;
}

/**
 * Every text the chart draws (title, subtitle, legend names, axis names and
 * labels) with its laid-out box, from ECharts' own layout of `option` (the
 * scene `renderChart` turns into SVG), so a test can check that nothing
 * overlaps.
 */
export function chartTextBoxes(option: echarts.EChartsCoreOption, options: Pick<RenderOptions, 'width' | 'height'> = {}): TextBox[] {
	const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: options.width ?? 720, height: options.height ?? 360 });
	try {
		chart.setOption({ animation: false, textStyle: { fontFamily: 'DejaVu Sans, Arial, sans-serif' }, ...option });
		type El = { style?: { text?: unknown }; transform?: number[] | null; getBoundingRect(): { clone(): { applyTransform(m: number[]): void; x: number; y: number; width: number; height: number } } };
		const scene = (chart.getZr() as unknown as { storage: { getDisplayList(update: boolean): El[] } }).storage.getDisplayList(true);
		const out: TextBox[] = [];
		for (const el of scene) {
			const text = el.style?.text;
			if (typeof text !== 'string' || text === '') continue;
			const box = el.getBoundingRect().clone();
			if (el.transform) box.applyTransform(el.transform);
			out.push({ text, x: box.x, y: box.y, width: box.width, height: box.height });
		}
		return out;
	} finally {
		chart.dispose();
	}
}

/** Do two boxes share any area? */
export function boxesIntersect(a: Pick<TextBox, 'x' | 'y' | 'width' | 'height'>, b: Pick<TextBox, 'x' | 'y' | 'width' | 'height'>): boolean {
	return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}
