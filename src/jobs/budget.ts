import type { ComputeRecord } from '../store/index.js';

export const BUDGET_WINDOW_MS = 60 * 60 * 1000;

export interface BudgetInput {
  readonly budgetSeconds: number;
  /** runs that ended inside the window, oldest first, with their measured compute */
  readonly finished: readonly ComputeRecord[];
  /** estimated compute of jobs queued or running in the same scope */
  readonly pendingSeconds: number;
  /** estimated compute of the job asking to join */
  readonly neededSeconds: number;
}

export type BudgetVerdict =
  | { readonly ok: true }
  | { readonly ok: false; readonly tooLarge: true }
  /** retryAt null: even an empty window would not fit it while the pending jobs count */
  | { readonly ok: false; readonly tooLarge: false; readonly retryAt: Date | null };

/**
 * A sliding-hour budget: measured compute of the runs that ended within the last hour, plus the estimates
 * of the jobs already admitted, plus this one. Admitted jobs count by estimate because refusing at the door
 * is kinder than cancelling later; a run that overshoots its estimate is charged in full when it ends.
 * When it does not fit, the retry time is when enough old runs leave the window.
 */
export function checkBudget(input: BudgetInput): BudgetVerdict {
  if (input.neededSeconds > input.budgetSeconds) return { ok: false, tooLarge: true };
  const used = input.finished.reduce((sum, r) => sum + r.computeSeconds, 0);
  let excess = used + input.pendingSeconds + input.neededSeconds - input.budgetSeconds;
  if (excess <= 0) return { ok: true };
  for (const record of input.finished) {
    excess -= record.computeSeconds;
    if (excess <= 0) return { ok: false, tooLarge: false, retryAt: new Date(record.finishedAt.getTime() + BUDGET_WINDOW_MS) };
  }
  return { ok: false, tooLarge: false, retryAt: null };
}
