/**
 * What "both cores against one core" means on a machine whose cores do not run at the same
 * speed. This one is a shared virtual machine: the same pinned pass over the scale corpus
 * has taken 23.3 s on one of its CPUs and 31.0 s on the other a minute later, and which CPU
 * is the slower one changes from minute to minute. Divided by the faster CPU's pass, a
 * jobs=2 pass of 15 s scores 1.55; divided by the slower one's, 2.07.
 *
 * So "one core" is the mean core: the mean of the rates (pages per second) each CPU gives
 * one process pinned to it, measured in the same round. Two cores can at best give the sum
 * of their rates, which is twice the mean whatever their difference: a perfect runner
 * scores 2 on equal and on unequal cores alike, and on equal cores this is the plain ratio
 * of the two passes' times.
 */

/** Pages per ms of the mean core, for passes over the same pages, one pinned to each CPU. */
function meanRate(onePerCpuMs: readonly number[]): number {
  if (onePerCpuMs.length === 0 || onePerCpuMs.some((ms) => !(ms > 0))) throw new RangeError(`pass times must be positive: ${onePerCpuMs.join(', ')}`);
  return onePerCpuMs.reduce((sum, ms) => sum + 1 / ms, 0) / onePerCpuMs.length;
}

/**
 * Speed-up of a pass on all cores over the mean core.
 * @param onePerCpuMs one pass over the pages on each CPU, pinned, in the same round
 * @param allCoresMs one pass over the same pages on all cores
 */
export function speedUpOverMeanCore(onePerCpuMs: readonly number[], allCoresMs: number): number {
  if (!(allCoresMs > 0)) throw new RangeError(`pass time must be positive: ${allCoresMs}`);
  return 1 / allCoresMs / meanRate(onePerCpuMs);
}

/**
 * The machine's own ceiling for a kind of work: what two processes give side by side, each
 * pinned to its own CPU and timed over the same pages, against the mean core, from passes
 * over those pages alone on each CPU. Below 2 by what the processes cost each other
 * (shared caches, memory, the host), not by the cores' difference.
 * @param alonePerCpuMs one pass on each CPU, alone
 * @param togetherPerCpuMs one pass on each CPU, all at once
 */
export function ceilingOverMeanCore(alonePerCpuMs: readonly number[], togetherPerCpuMs: readonly number[]): number {
  return meanRate(togetherPerCpuMs) * togetherPerCpuMs.length / meanRate(alonePerCpuMs);
}
