/**
 * Chart.js, bundled (no CDN), registered with only the parts the dashboard draws. Charts are
 * decorative for screen readers: every chart sits beside a table with the same figures.
 */
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip } from 'chart.js';
import { h } from './dom';
import { formatNumber } from './format';
import { lang } from './i18n';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement, Tooltip, Legend);

/** Colours with at least 3:1 contrast against the white background (WCAG non-text contrast). */
export const PALETTE = ['#1b5e20', '#0d47a1', '#b71c1c', '#6a1b9a', '#e65100', '#37474f'];

export interface Drawn {
  figure: HTMLElement;
  destroy: () => void;
}

export interface Series {
  label: string;
  values: Array<number | null>;
  stack?: string;
  type?: 'bar' | 'line';
}

/** A bar (or bar + line) chart in a labelled figure; returns the figure and a destroy function. */
export function barChart(title: string, labels: string[], series: Series[], unit: string, digits = 1): Drawn {
  const canvas = h('canvas', { role: 'img', 'aria-label': title });
  const figure = h('figure', { class: 'chart' }, h('div', { class: 'chart-box' }, canvas), h('figcaption', {}, title));
  const chart = new Chart(canvas, {
    type: 'bar',
    data: {
      labels,
      datasets: series.map((s, i) => ({
        type: s.type ?? 'bar',
        label: s.label,
        data: s.values,
        stack: s.stack,
        backgroundColor: PALETTE[i % PALETTE.length],
        borderColor: PALETTE[i % PALETTE.length],
        maxBarThickness: 48,
      })) as never,
    },
    options: {
      locale: lang() === 'nb' ? 'nb-NO' : 'en-GB',
      animation: false,
      maintainAspectRatio: false,
      scales: {
        x: { stacked: series.some((s) => s.stack) },
        y: { stacked: series.some((s) => s.stack), beginAtZero: true, title: { display: true, text: unit }, ticks: digits === 0 ? { precision: 0 } : {} },
      },
      plugins: {
        legend: { display: series.length > 1 },
        tooltip: { callbacks: { label: (item) => `${item.dataset.label}: ${formatNumber(item.parsed.y, digits)} ${unit}` } },
      },
    },
  });
  return { figure, destroy: () => chart.destroy() };
}

export interface WaterfallStep {
  label: string;
  value: number;
  /** A level drawn from zero (the two years), or a change drawn from the level before it. */
  kind: 'total' | 'change';
}

/**
 * A waterfall: totals from zero, changes as floating bars from the running level (Chart.js
 * floating bars, [start, end]); increases red, decreases green, totals blue. The tooltip gives
 * the step's own value.
 */
export function waterfallChart(title: string, steps: WaterfallStep[], unit: string, digits = 1): Drawn {
  const canvas = h('canvas', { role: 'img', 'aria-label': title });
  const figure = h('figure', { class: 'chart' }, h('div', { class: 'chart-box' }, canvas), h('figcaption', {}, title));
  let level = 0;
  const bars = steps.map((step) => {
    const start = step.kind === 'total' ? 0 : level;
    const end = step.kind === 'total' ? step.value : level + step.value;
    level = end;
    return [start, end] as [number, number];
  });
  const colours = steps.map((step) => (step.kind === 'total' ? PALETTE[1] : step.value > 0 ? PALETTE[2] : PALETTE[0]));
  const chart = new Chart(canvas, {
    type: 'bar',
    data: { labels: steps.map((step) => step.label), datasets: [{ label: title, data: bars, backgroundColor: colours, borderColor: colours, maxBarThickness: 64 }] },
    options: {
      locale: lang() === 'nb' ? 'nb-NO' : 'en-GB',
      animation: false,
      maintainAspectRatio: false,
      scales: { y: { beginAtZero: true, title: { display: true, text: unit } } },
      plugins: {
        legend: { display: false },
        tooltip: { callbacks: { label: (item) => `${formatNumber(steps[item.dataIndex].value, digits)} ${unit}` } },
      },
    },
  });
  return { figure, destroy: () => chart.destroy() };
}
