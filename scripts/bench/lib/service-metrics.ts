/**
 * Reads the ingest's own Prometheus metrics (only with --service-metrics, which adds the api role
 * to the measured process so that /metrics is reachable): batch sizes, commit times, re-deliveries.
 */
export interface IngestMetrics {
  batches: number;
  rowsPerBatch: number;
  commitMsAvg: number;
  commitMsP50: string;
  commitMsP99: string;
  duplicates: number;
  writeRetries: number;
}

function value(text: string, name: string): number {
  const match = new RegExp(`^${name}(?:\\{\\})? ([0-9.e+-]+)$`, 'm').exec(text);
  return match ? Number(match[1]) : NaN;
}

/** The upper bound of the histogram bucket holding quantile q, as text ("<= 5 ms"). */
function bucketQuantile(text: string, name: string, q: number, scale: number): string {
  const buckets = [...text.matchAll(new RegExp(`^${name}_bucket\\{le="([^"]+)"\\} ([0-9.e+-]+)$`, 'gm'))].map((m) => [m[1], Number(m[2])] as const);
  const total = buckets.at(-1)?.[1] ?? 0;
  if (!total) return '?';
  const bucket = buckets.find(([, count]) => count >= q * total);
  if (!bucket || bucket[0] === '+Inf') return `> ${Number(buckets.at(-2)?.[0]) * scale} ms`;
  return `<= ${Number(bucket[0]) * scale} ms`;
}

export async function readIngestMetrics(port: number): Promise<IngestMetrics> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const batches = value(text, 'klimaklok_ingest_batch_rows_count');
  return {
    batches,
    rowsPerBatch: value(text, 'klimaklok_ingest_batch_rows_sum') / batches,
    commitMsAvg: (1000 * value(text, 'klimaklok_ingest_commit_seconds_sum')) / value(text, 'klimaklok_ingest_commit_seconds_count'),
    commitMsP50: bucketQuantile(text, 'klimaklok_ingest_commit_seconds', 0.5, 1000),
    commitMsP99: bucketQuantile(text, 'klimaklok_ingest_commit_seconds', 0.99, 1000),
    duplicates: value(text, 'klimaklok_ingest_samples_duplicate_total') || 0,
    writeRetries: value(text, 'klimaklok_ingest_write_retries_total') || 0,
  };
}

export function describeIngestMetrics(m: IngestMetrics, seconds: number): string {
  return (
    `${m.batches} batches (${(m.batches / seconds).toFixed(0)}/s), ${m.rowsPerBatch.toFixed(1)} rows per batch, ` +
    `write+commit avg ${m.commitMsAvg.toFixed(1)} ms (p50 ${m.commitMsP50}, p99 ${m.commitMsP99}), re-delivered duplicates ${m.duplicates}, write retries ${m.writeRetries}`
  );
}
