/** How the Ask tab names models, collections and who answered, in household words. */
import type { Household, MeshCollection, MeshModel } from '../../../../src-main/runtime/api';

/** "on this computer", "on Bob's computer", "on Bob's and Carol's computers", "on 4 households' computers". */
export function whereOffered(households: readonly Household[]): string {
  if (households.length === 0) return 'on no computer right now';
  if (households.some((h) => h.is_local) && households.length === 1) return 'on this computer';
  const names = households.map((h) => (h.is_local ? 'this computer' : `${h.name}'s`));
  if (households.length === 1) return `on ${names[0]} computer`;
  if (households.length <= 3)
    return `on ${names.slice(0, -1).join(', ')} and ${names[names.length - 1]} computers`.replace(
      'this computer computers',
      'this computer',
    );
  return `on ${households.length} households' computers`;
}

export function modelLabel(m: MeshModel): string {
  return `${m.model} (${whereOffered(m.households)})`;
}

export function collectionLabel(c: MeshCollection): string {
  const docs = c.documents === null ? '' : `${c.documents} document${c.documents === 1 ? '' : 's'}, `;
  return `${c.corpus} (${docs}${whereOffered(c.households)})`;
}

/** "Bob's computer answered" / "This computer answered". */
export function whoAnswered(household: { node_id: string; name: string } | null, selfId: string | undefined): string {
  if (!household) return 'No computer on the street wrote an answer';
  if (household.node_id === selfId) return 'This computer answered';
  return `${household.name}'s computer answered`;
}
