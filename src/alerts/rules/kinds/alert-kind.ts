import { ModuleRef } from '@nestjs/core';

/** What a rule watches: its subjects are vehicles, charge points (of one organization or all) or the climate budget. */
export const SUBJECT_KINDS = ['vehicle', 'charge_point', 'budget'] as const;
export type SubjectKind = (typeof SUBJECT_KINDS)[number];

/**
 * One kind of alert rule: a small file per kind, listed in ALERT_KINDS. A kind says which
 * subjects it can watch, checks a rule's parameters, and gives one SQL query that finds, for
 * every enabled rule of the kind at once, the subjects whose condition holds.
 *
 * The query sees `rules` (the enabled rules of the kind, as alert_rules rows; for a kind with
 * computeInput, only those the input was computed for) and `$1` (now,
 * timestamptz), and yields (rule_id, subject_id, subject_part, subject_label, raise, value,
 * message) for each subject whose condition *holds*: `raise` is the strict condition that opens an
 * alert, while a row with `raise` false keeps an open alert open (the hysteresis band, e.g. an
 * availability still below threshold + margin). A subject with no row is clear.
 */
export interface AlertKind {
  name: string;
  subjectKinds: readonly SubjectKind[];
  /** The parameters in their stored form; throws an Error whose message names what is wrong. */
  parseParams(input: Record<string, unknown>): Record<string, number | string>;
  conditionSql: string;
  /**
   * For a condition SQL cannot compute (the climate budget's forecast): a value the service
   * computes once per cycle from the kind's enabled rules, given to every conditionSql as
   * `$2::jsonb -> '<kind name>'`. Services come from the alerts module (`services.get`).
   */
  computeInput?(rules: ReadonlyArray<{ id: string; params: Record<string, unknown> }>, now: Date, services: ModuleRef): Promise<unknown>;
}

/** A positive number from the rule's parameters. */
export function positive(input: Record<string, unknown>, name: string, max: number): number {
  const value = input[name];
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > max) throw new Error(`params.${name} must be a number above 0 and at most ${max}`);
  return value;
}

/** A number in [0, max] from the rule's parameters, or the fallback when absent. */
export function nonNegative(input: Record<string, unknown>, name: string, max: number, fallback: number): number {
  const value = input[name] ?? fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > max) throw new Error(`params.${name} must be a number from 0 to ${max}`);
  return value;
}
