import type { AnomalyEvent } from '@foresight/contracts';
import {
  applyComponentAnomaly, applyScopeAnomaly, rescoreDue, rescoreIncident,
  type EstimatorName, type EvidenceOutcome, type OriginOptions, type RiskVersion, type TopologySnapshot, type TrackedIncident,
} from '@foresight/core';
import { RuntimeError, type Logger, type Publish } from '@foresight/messaging';
import type { HasIdempotency, HotScores } from '@foresight/stores';
import type { ActiveModel } from './active-model.js';
import type { IncidentBook } from './incident-book.js';
import { hotScores, riskAssessmentMessage } from './risk-assessment-message.js';
import type { ScorerStateLoss } from './scorer-state-epoch.js';
import type { TopologyView } from './topology-view.js';

/** The scorer's incident settings (durations in event-time ms). */
export interface IncidentTrackerOptions extends OriginOptions {
  /** An incident with no anomalous evidence for this long closes (timed out). */
  readonly incidentTimeoutMs: number;
  /** TTL of the hot scores in the state store (a safety net for abandoned incidents). */
  readonly scoreTtlMs: number;
  /** At most this many at-risk VMs per assessment (published, stored as hot scores, kept for joining). */
  readonly maxAtRisk: number;
  readonly estimator: EstimatorName;
  /** Scoring floor: VMs less likely than this are not at risk. */
  readonly probabilityFloor: number;
  /** How long one instance's claim on a time-driven re-score or time-out lasts. */
  readonly claimTtlMs: number;
}

/** Observes the scorer's work (service-kit instruments in production, nothing in tests). */
export interface PropagationScorerMetrics {
  /** After every change of a system's incidents: totals over the systems this instance has seen. */
  incidents(open: number, atRiskVms: number): void;
  /** An anomaly that changed no incident, and why. */
  anomalyIgnored(reason: string): void;
  published(status: 'OPEN' | 'CLOSED'): void;
  /** The state store held no scorer state (its epoch marker was gone), and how many open incidents were restored. */
  stateLost?(cause: ScorerStateLoss, restored: number): void;
}

/** How the tracker finds and repairs a state store that lost its data (see ScorerStateEpoch). */
export interface StateRecovery {
  /**
   * Resolves once the store holds the scorer's epoch, after a restore when it lost it (event time `now`): true when
   * it held the epoch this instance knew already (nothing was restored, so reads issued alongside the check stand).
   */
  ensure(now: number, publish: Publish): Promise<boolean>;
}

/**
 * Turns anomalies into incidents and incidents into versioned risk assessments: read the system's incidents, apply
 * the evidence, re-score what it touched on the last compiled snapshot with the active model, write the hot scores,
 * publish, then store the incidents. Publishing before storing means a crash in between republishes the same
 * version (same event id) on redelivery instead of skipping it. Resolved incidents publish CLOSED and are dropped.
 */
export class IncidentTracker {
  private readonly totals = new Map<string, { open: number; atRisk: number }>();
  /** Open incidents remembered when the store lost them, by system, not yet put back (their system not owned then). */
  private readonly unrestored = new Map<string, TrackedIncident[]>();

  constructor(
    private readonly view: TopologyView,
    private readonly model: ActiveModel,
    private readonly book: IncidentBook,
    private readonly stateStore: HotScores & HasIdempotency,
    private readonly options: IncidentTrackerOptions,
    private readonly logger: Logger,
    private readonly metrics: PropagationScorerMetrics,
    private readonly recovery: StateRecovery = { ensure: () => Promise.resolve(true) },
    /** Whether this instance owns a system's anomalies now (the one to put its remembered incidents back). */
    private readonly owns: (systemId: string) => boolean = () => true,
  ) {}

  /** One anomaly report (any level, OPEN or RESOLVED), at event time max(eventTime, detectedAt). */
  onAnomaly(event: AnomalyEvent, publish: Publish): Promise<void> {
    return this.onAnomalies([event], publish);
  }

  /**
   * A run of anomaly reports of ONE system, in order. Each is applied and its incidents re-scored in memory exactly
   * as one by one (so a later report joins an incident an earlier one in the run predicted); then the effects are
   * paid once: the newest version of each changed incident gets its hot scores and is published (intermediate
   * versions of the run are coalesced), and the incidents are stored once. Versions count every re-score, so a
   * redelivered run, however it is cut, publishes each version number with the same content and event id.
   */
  async onAnomalies(events: readonly AnomalyEvent[], publish: Publish): Promise<void> {
    if (events.length === 0) return;
    const systemId = events[0].systemId;
    if (events.some((e) => e.systemId !== systemId)) throw new RuntimeError('HANDLER_FATAL', 'a run of anomalies must be of one system');
    // The system's index is asked for with the epoch check (one round trip); it is used only when the check found the
    // epoch this instance knew: after a restore it is read again.
    const index = this.book.fetchIndex(systemId);
    index.catch(() => undefined); // NOTE: a failed fetch fails the read below, or is not used
    let steady = await this.recovery.ensure(Math.max(...events.map((e) => Math.max(e.eventTime, e.detectedAt))), publish);
    if (this.unrestored.has(systemId)) {
      steady = false;
      await this.restoreSystem(systemId, Math.max(events[0].eventTime, events[0].detectedAt), publish);
    }
    let incidents = await this.book.read(systemId, steady ? index : undefined);
    const versions = new Map<string, { version: RiskVersion; snapshot: TopologySnapshot }>();
    let changed = false;
    for (const event of events) {
      const now = Math.max(event.eventTime, event.detectedAt);
      const outcome: EvidenceOutcome = event.level === 'COMPONENT'
        ? applyComponentAnomaly(incidents, event, now)
        : applyScopeAnomaly(incidents, event, now, this.view.snapshot(now), this.model.current, this.options);
      if (outcome.ignored !== undefined) {
        this.metrics.anomalyIgnored(outcome.ignored);
        this.logger.debug({ eventId: event.eventId, systemId: event.systemId, level: event.level, subjectId: event.subjectId, reason: outcome.ignored }, 'anomaly changed no incident');
      }
      if (event.level === 'COMPONENT' && event.state === 'OPEN' && !this.view.hasVm(event.subjectId)) {
        this.metrics.anomalyIgnored('unknown_vm');
        this.logger.warn({ eventId: event.eventId, vmId: event.subjectId }, 'anomaly on a VM the topology does not know: recorded, scored once the topology knows it');
      }
      const rescored = this.rescore(outcome.incidents, outcome.touched, new Set(), now, outcome.vmIds);
      for (const v of rescored.versions) versions.set(v.incidentId, { version: v, snapshot: rescored.snapshot! });
      incidents = rescored.open;
      if (outcome.ignored === undefined || outcome.touched.size > 0) changed = true;
    }
    await this.emit([...versions.values()], publish);
    if (changed) await this.write(systemId, incidents);
  }

  /**
   * Time-driven work at event time `now`, over every system with open incidents: incidents without evidence for the
   * time-out close (CLOSED), and incidents assessed with an older model, or with VMs the topology has learnt since,
   * are re-scored. Each is taken under a claim, so of two instances only one publishes it.
   */
  async tick(now: number, publish: Publish): Promise<void> {
    await this.recovery.ensure(now, publish);
    for (const systemId of [...this.unrestored.keys()]) if (this.owns(systemId)) await this.restoreSystem(systemId, now, publish);
    const modelVersion = this.model.current.version;
    const due = (incident: TrackedIncident) => rescoreDue(incident, now, modelVersion, this.options.incidentTimeoutMs, (vmId) => this.view.hasVm(vmId));
    // One read of every index; a system whose index is the one this instance holds, with nothing due, costs no
    // further round trip (the common case: the systems whose anomalies it handles). The others are read fresh.
    for (const [systemId, indexJson] of await this.book.indexes()) {
      const held = this.book.held(systemId, indexJson);
      if (held !== undefined && !held.some((incident) => due(incident) !== undefined)) {
        this.track(systemId, held);
        continue;
      }
      const incidents = await this.book.read(systemId);
      const expired = new Set<string>();
      const stale = new Set<string>();
      // The claims of a system's due incidents go out together (one round trip).
      const claims = incidents.flatMap((incident) => {
        const reason = due(incident);
        if (reason === undefined) return [];
        const id = incident.state.incidentId;
        return [this.stateStore.idempotency.claim(`propagation-scorer:tick:${id}:${incident.riskVersion}`, this.options.claimTtlMs).then((claimed) => ({ id, reason, claimed }))];
      });
      for (const { id, reason, claimed } of await Promise.all(claims)) if (claimed) (reason === 'expired' ? expired : stale).add(id);
      if (expired.size === 0 && stale.size === 0) {
        this.track(systemId, incidents);
        continue;
      }
      const rescored = this.rescore(incidents, new Set([...expired, ...stale]), expired, now, []);
      await this.emit(rescored.versions.map((version) => ({ version, snapshot: rescored.snapshot! })), publish);
      for (const id of expired) this.logger.info({ incidentId: id, systemId }, 'incident timed out');
      await this.write(systemId, rescored.open);
    }
  }

  /**
   * After the state store lost the open incidents: takes what this instance remembers of them and puts back at once
   * those of the systems it owns (the others when it handles or owns them later); the number restored. Called by the
   * state epoch, once per loss.
   */
  async restore(cause: ScorerStateLoss, now: number, publish: Publish): Promise<number> {
    if (cause !== 'lost') return 0;
    for (const [systemId, incidents] of this.book.remembered()) {
      this.unrestored.set(systemId, incidents);
      this.book.forget(systemId);
    }
    let restored = 0;
    for (const systemId of [...this.unrestored.keys()]) if (this.owns(systemId)) restored += await this.restoreSystem(systemId, now, publish);
    return restored;
  }

  /**
   * Puts one system's remembered incidents back, unless the store holds its index again (another instance wrote the
   * system since the loss: its picture wins). Each is re-scored and published as a new OPEN version before it is
   * stored: an allocator that lost its ledger too releases what that version names (why ledger_lost) before granting.
   */
  private async restoreSystem(systemId: string, now: number, publish: Publish): Promise<number> {
    const incidents = this.unrestored.get(systemId);
    if (incidents === undefined) return 0;
    // Taken while restoring (a tick and a run of the system may both come here); put back when it fails.
    this.unrestored.delete(systemId);
    try {
      if (await this.book.stored(systemId)) {
        this.logger.warn({ systemId, incidents: incidents.length }, 'open incidents not restored: the store holds this system\'s incidents again, written by another instance');
        return 0;
      }
      const rescored = this.rescore(incidents, new Set(incidents.map((i) => i.state.incidentId)), new Set(), now, []);
      await this.emit(rescored.versions.map((version) => ({ version, snapshot: rescored.snapshot! })), publish);
      await this.write(systemId, rescored.open);
    } catch (error) {
      this.unrestored.set(systemId, incidents);
      throw error;
    }
    this.logger.warn({ systemId, incidentIds: incidents.map((i) => i.state.incidentId) }, 'open incidents restored from memory after the state store lost them');
    return incidents.length;
  }

  /**
   * Re-scores the touched incidents in memory (closing `closing` and the resolved ones): the incidents still open,
   * and the new version of each touched incident (CLOSED ones included), scored on `snapshot`.
   */
  private rescore(
    incidents: readonly TrackedIncident[], touched: ReadonlySet<string>, closing: ReadonlySet<string>, now: number, needed: readonly string[],
  ): { open: TrackedIncident[]; versions: RiskVersion[]; snapshot: TopologySnapshot | undefined } {
    if (touched.size === 0) return { open: [...incidents], versions: [], snapshot: undefined };
    const snapshot = this.view.snapshot(now, needed);
    const model = this.model.current;
    const open: TrackedIncident[] = [];
    const versions: RiskVersion[] = [];
    for (const incident of incidents) {
      const id = incident.state.incidentId;
      if (!touched.has(id)) {
        open.push(incident);
        continue;
      }
      const { version, next } = rescoreIncident(incident, snapshot, model, now, closing.has(id), this.options);
      versions.push(version);
      this.logger.debug({ incidentId: id, version: version.version, status: version.closed ? 'CLOSED' : 'OPEN', atRisk: version.assessment.atRisk.length, modelVersion: model.version }, 'risk assessed');
      if (next !== undefined) open.push(next);
    }
    return { open, versions, snapshot };
  }

  /**
   * Writes the hot scores of each version (asked for in one tick: the store writes them in one script call) and
   * publishes them all in one call, both before the incidents are stored: a failure of either redoes both on
   * redelivery (the same versions: the scores are then a refused replay, the messages the same event ids).
   */
  private async emit(versions: readonly { version: RiskVersion; snapshot: TopologySnapshot }[], publish: Publish): Promise<void> {
    if (versions.length === 0) return;
    const scores = Promise.all(versions.map(({ version }) => this.stateStore.putIncidentScores(
      version.incidentId, version.version, hotScores(version, this.options.maxAtRisk), this.options.scoreTtlMs,
    )));
    scores.catch(() => undefined); // NOTE: awaited below, after the publish is under way
    await Promise.all([scores, publish('risk', versions.map(({ version, snapshot }) => riskAssessmentMessage(version, snapshot, this.options.maxAtRisk)))]);
    for (const { version } of versions) this.metrics.published(version.closed ? 'CLOSED' : 'OPEN');
  }

  private async write(systemId: string, incidents: readonly TrackedIncident[]): Promise<void> {
    await this.book.write(systemId, incidents);
    this.track(systemId, incidents);
  }

  private track(systemId: string, incidents: readonly TrackedIncident[]): void {
    if (incidents.length === 0) this.totals.delete(systemId);
    else this.totals.set(systemId, { open: incidents.length, atRisk: incidents.reduce((n, i) => n + i.predicted.size, 0) });
    let open = 0;
    let atRisk = 0;
    for (const t of this.totals.values()) {
      open += t.open;
      atRisk += t.atRisk;
    }
    this.metrics.incidents(open, atRisk);
  }
}
