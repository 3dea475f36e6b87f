/**
 * A minimal SVG bar chart, written by the benchmark itself so the results
 * page has a picture without any charting package: panels of labelled
 * horizontal bars, stacked vertically.
 */

export interface Bar {
  label: string;
  value: number;
  /** A fill colour; bars of one series share it. */
  color: string;
}

export interface Panel {
  title: string;
  unit: string;
  bars: Bar[];
}

const WIDTH = 760;
const LABEL_WIDTH = 190;
const VALUE_WIDTH = 90;
const BAR_HEIGHT = 18;
const BAR_GAP = 6;
const TITLE_HEIGHT = 28;
const PANEL_GAP = 18;

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function formatValue(value: number, unit: string): string {
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} ${unit}`;
}

/** Renders the panels as one SVG document. Negative values are drawn as zero-length bars. */
export function renderBarChart(title: string, panels: readonly Panel[]): string {
  const parts: string[] = [];
  let y = 40;
  for (const panel of panels) {
    parts.push(`<text x="12" y="${y + 16}" font-size="14" font-weight="bold">${escapeXml(panel.title)}</text>`);
    y += TITLE_HEIGHT;
    const largest = Math.max(...panel.bars.map((bar) => bar.value), Number.MIN_VALUE);
    const room = WIDTH - LABEL_WIDTH - VALUE_WIDTH - 24;
    for (const bar of panel.bars) {
      const length = Number.isFinite(bar.value) && bar.value > 0 ? Math.max(1, (bar.value / largest) * room) : 0;
      parts.push(
        `<text x="${LABEL_WIDTH}" y="${y + 13}" font-size="12" text-anchor="end">${escapeXml(bar.label)}</text>`,
        `<rect x="${LABEL_WIDTH + 8}" y="${y}" width="${length.toFixed(1)}" height="${BAR_HEIGHT}" fill="${bar.color}"/>`,
        `<text x="${LABEL_WIDTH + 14 + length}" y="${y + 13}" font-size="12">${escapeXml(formatValue(bar.value, panel.unit))}</text>`,
      );
      y += BAR_HEIGHT + BAR_GAP;
    }
    y += PANEL_GAP;
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${y}" viewBox="0 0 ${WIDTH} ${y}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="12" y="24" font-size="16" font-weight="bold">${escapeXml(title)}</text>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}
