/**
 * Routing figures: does a method send an issue to the team its maintainers sent it to? Scored
 * per label family (`sig/*`), per issue, and beside each other in one run. Pure: the CLI
 * replays the history (each issue sees only the issues filed before it) and hands in what
 * every method said.
 *
 * - routed: issues the maintainers gave a label of the family; unrouted: the others.
 * - precision: of the routed issues a method labelled in the family, the share where every
 *   label it applied is one the maintainers applied (sending a copy to a second team is wrong).
 * - coverage: the share of routed issues the method labelled in the family at all.
 * - unrouted labelled: unrouted issues the method gave a label of the family; the corpus cannot
 *   say whether that was right (maintainers leave many race issues unrouted).
 */
import { labelMatcher } from '../triage/label-patterns.js';

/** One issue: the maintainers' labels, whether the bot could read a race in it, and each method's labels. */
export interface RoutingCase {
  truth: string[];
  /** The issue holds a race report race-triage reads: only those can be labelled by it. */
  readable: boolean;
  predicted: Record<string, string[]>;
}

export interface RoutingScore {
  method: string;
  family: string;
  routed: number;
  /** Routed issues that hold a race report race-triage reads. */
  routedReadable: number;
  labelledRouted: number;
  agreeing: number;
  precision: number | null;
  coverage: number | null;
  /** Coverage of the routed issues with a readable race report: the most race-triage can label. */
  coverageReadable: number | null;
  unrouted: number;
  unroutedLabelled: number;
}

const share = (part: number, whole: number): number | null => (whole === 0 ? null : part / whole);

/** One score per method, in the order given, for the family `family` (a label pattern such as `sig/*`). */
export function routingScores(cases: RoutingCase[], methods: string[], family: string): RoutingScore[] {
  const inFamily = labelMatcher([family]);
  return methods.map((method) => {
    let routed = 0, routedReadable = 0, labelledRouted = 0, labelledReadable = 0, agreeing = 0, unrouted = 0, unroutedLabelled = 0;
    for (const c of cases) {
      const truth = new Set(c.truth.filter(inFamily).map((l) => l.toLowerCase()));
      const said = [...new Set((c.predicted[method] ?? []).filter(inFamily).map((l) => l.toLowerCase()))];
      if (truth.size === 0) {
        unrouted++;
        if (said.length > 0) unroutedLabelled++;
        continue;
      }
      routed++;
      if (c.readable) routedReadable++;
      if (said.length === 0) continue;
      labelledRouted++;
      if (c.readable) labelledReadable++;
      if (said.every((l) => truth.has(l))) agreeing++;
    }
    return {
      method,
      family,
      routed,
      routedReadable,
      labelledRouted,
      agreeing,
      precision: share(agreeing, labelledRouted),
      coverage: share(labelledRouted, routed),
      coverageReadable: share(labelledReadable, routedReadable),
      unrouted,
      unroutedLabelled,
    };
  });
}
