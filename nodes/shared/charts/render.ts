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
