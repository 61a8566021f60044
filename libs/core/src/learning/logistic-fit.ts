import { sigmoid } from '../model/transmission.js';

/**
 * One Bernoulli observation of a carrier: features x, outcome y, and a fixed log-odds offset (target vulnerability).
 * y may be soft (in [0, 1]): the posterior probability that this edge transmitted, as in the E-step of a joint fit.
 */
export interface TransmissionExample {
  readonly x: Float64Array;
  y: number;
  readonly offset: number;
}

/** How a regularised logistic fit is run. */
export interface LogisticFitOptions {
  /** L2 precision toward `anchor`, per coefficient (> 0 keeps the Hessian positive definite). */
  readonly l2: number;
  readonly maxSteps: number;
  readonly maxAbsWeight: number;
  /** Where Newton starts (default: the anchor); the optimum does not depend on it, only the number of steps. */
  readonly start?: readonly number[];
  /**
   * Per coefficient, a lower bound (undefined: free): the fit is the MAP estimate on the box, by projected Newton.
   * The anchor and the start are projected onto it first.
   */
  readonly lowerBounds?: readonly (number | undefined)[];
}

const CONVERGED = 1e-8;

function log1pExp(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

function dot(w: Float64Array, x: Float64Array): number {
  let z = 0;
  for (let i = 0; i < w.length; i++) z += (w[i] ?? 0) * (x[i] ?? 0);
  return z;
}

/** Penalised negative log-likelihood: Σ log(1+e^z) − y z + λ/2 ‖w − anchor‖². */
function objective(w: Float64Array, examples: readonly TransmissionExample[], anchor: Float64Array, l2: number): number {
  let f = 0;
  for (const e of examples) {
    const z = dot(w, e.x) + e.offset;
    f += log1pExp(z) - e.y * z;
  }
  for (let i = 0; i < w.length; i++) {
    const d = (w[i] ?? 0) - (anchor[i] ?? 0);
    f += 0.5 * l2 * d * d;
  }
  return f;
}

/** Solves A v = b for a symmetric positive-definite A (row-major n×n) by Cholesky; returns undefined if not SPD. */
function solveSpd(a: Float64Array, b: Float64Array, n: number): Float64Array | undefined {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * n + j] ?? 0;
      for (let k = 0; k < j; k++) s -= (l[i * n + k] ?? 0) * (l[j * n + k] ?? 0);
      if (i === j) {
        if (!(s > 0)) return undefined;
        l[i * n + i] = Math.sqrt(s);
      } else {
        l[i * n + j] = s / (l[j * n + j] ?? 1);
      }
    }
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i] ?? 0;
    for (let k = 0; k < i; k++) s -= (l[i * n + k] ?? 0) * (y[k] ?? 0);
    y[i] = s / (l[i * n + i] ?? 1);
  }
  const v = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i] ?? 0;
    for (let k = i + 1; k < n; k++) s -= (l[k * n + i] ?? 0) * (v[k] ?? 0);
    v[i] = s / (l[i * n + i] ?? 1);
  }
  return v;
}

/** The coefficients held at their lower bound: at it, with the gradient pushing further down. */
function activeSet(w: Float64Array, grad: Float64Array, lower: readonly (number | undefined)[] | undefined): boolean[] {
  const active = new Array<boolean>(w.length).fill(false);
  if (lower === undefined) return active;
  for (let i = 0; i < w.length; i++) {
    const lo = lower[i];
    if (lo !== undefined && (w[i] ?? 0) <= lo + 1e-12 && (grad[i] ?? 0) > 0) active[i] = true;
  }
  return active;
}

function project(w: Float64Array, lower: readonly (number | undefined)[] | undefined): void {
  if (lower === undefined) return;
  for (let i = 0; i < w.length; i++) {
    const lo = lower[i];
    if (lo !== undefined && (w[i] ?? 0) < lo) w[i] = lo;
  }
}

/**
 * MAP logistic regression with a fixed per-example offset and a Gaussian prior centred on `anchor`:
 * damped Newton (IRLS) with backtracking, then clamped to ±maxAbsWeight. With `lowerBounds`, projected Newton
 * (Bertsekas): coefficients at their bound with the gradient pushing down are held there, the Newton step is taken on
 * the others, and every trial point is projected onto the box. With no examples it returns the (projected) anchor.
 */
export function fitLogistic(examples: readonly TransmissionExample[], anchor: readonly number[], options: LogisticFitOptions): number[] {
  const n = anchor.length;
  const lower = options.lowerBounds;
  const a = Float64Array.from(anchor);
  project(a, lower);
  const clampOut = (w: Float64Array): number[] => Array.from(w, (v) => Math.min(Math.max(v, -options.maxAbsWeight), options.maxAbsWeight));
  if (examples.length === 0) return clampOut(a);
  const w = Float64Array.from(options.start ?? anchor);
  project(w, lower);
  const grad = new Float64Array(n);
  const hess = new Float64Array(n * n);
  let f = objective(w, examples, a, options.l2);
  for (let step = 0; step < options.maxSteps; step++) {
    grad.fill(0);
    hess.fill(0);
    for (const e of examples) {
      const p = sigmoid(dot(w, e.x) + e.offset);
      const r = p - e.y;
      const h = p * (1 - p);
      for (let i = 0; i < n; i++) {
        const xi = e.x[i] ?? 0;
        grad[i] = (grad[i] ?? 0) + r * xi;
        if (xi === 0) continue;
        for (let j = 0; j <= i; j++) hess[i * n + j] = (hess[i * n + j] ?? 0) + h * xi * (e.x[j] ?? 0);
      }
    }
    for (let i = 0; i < n; i++) {
      grad[i] = (grad[i] ?? 0) + options.l2 * ((w[i] ?? 0) - (a[i] ?? 0));
      hess[i * n + i] = (hess[i * n + i] ?? 0) + options.l2;
      for (let j = 0; j < i; j++) hess[j * n + i] = hess[i * n + j] ?? 0;
    }
    // Held coefficients: their rows and columns of the Hessian become the identity and their step is 0.
    const active = activeSet(w, grad, lower);
    for (let i = 0; i < n; i++) {
      if (!active[i]) continue;
      for (let j = 0; j < n; j++) {
        hess[i * n + j] = i === j ? 1 : 0;
        hess[j * n + i] = i === j ? 1 : 0;
      }
      grad[i] = 0;
    }
    const delta = solveSpd(hess, grad, n);
    if (delta === undefined) break;
    // Backtracking keeps every accepted step a strict decrease of the penalised objective.
    let t = 1;
    let accepted = false;
    let largest = 0;
    const trial = new Float64Array(n);
    for (let halvings = 0; halvings < 30; halvings++) {
      for (let i = 0; i < n; i++) trial[i] = (w[i] ?? 0) - t * (delta[i] ?? 0);
      project(trial, lower);
      const ft = objective(trial, examples, a, options.l2);
      if (Number.isFinite(ft) && ft <= f) {
        for (let i = 0; i < n; i++) largest = Math.max(largest, Math.abs((trial[i] ?? 0) - (w[i] ?? 0)));
        w.set(trial);
        f = ft;
        accepted = true;
        break;
      }
      t /= 2;
    }
    if (!accepted || largest < CONVERGED) break;
  }
  return clampOut(w);
}
