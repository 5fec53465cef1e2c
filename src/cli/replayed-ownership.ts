import { OwnershipModel, type OwnershipRecord, type OwnershipSettings } from '../triage/ownership.js';

/**
 * Learned ownership per repository, kept up to date one issue at a time as the replay goes:
 * each issue is labelled from the issues filed before it, as the app's history would have it,
 * without learning the whole history again for every issue.
 */
export class ReplayedOwnership {
  readonly #models = new Map<string, { model: OwnershipModel; records: OwnershipRecord[] }>();

  constructor(private readonly settings: OwnershipSettings) {}

  model(repo: string): OwnershipModel {
    return this.#entry(repo).model;
  }

  add(repo: string, record: OwnershipRecord): void {
    const entry = this.#entry(repo);
    entry.records.push(record);
    // Filing order by date and by number disagree only for odd histories (a transferred issue): learn again in number order.
    if (!entry.model.add(record)) entry.model = OwnershipModel.learn(entry.records, this.settings);
  }

  #entry(repo: string) {
    let entry = this.#models.get(repo);
    if (!entry) this.#models.set(repo, (entry = { model: OwnershipModel.learn([], this.settings), records: [] }));
    return entry;
  }
}
