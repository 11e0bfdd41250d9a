/** Settings › Phones: the joining engineer's PhoneAccess panel (onboarding/) when this build has it. */
import { lazy, Suspense, type Component, type JSX } from 'solid-js';
import { Loading } from '../../ui/states';

const found = import.meta.glob<Record<string, unknown>>('../../onboarding/PhoneAccess.tsx');

const PhoneAccess: Component | undefined = (() => {
  const load = Object.values(found).at(0); // none when this build has no PhoneAccess.tsx
  if (!load) return undefined;
  return lazy(async () => {
    const m = await load();
    return { default: (m.default ?? m.PhoneAccess) as Component };
  });
})();

export function PhonesSection(): JSX.Element {
  return (
    <section class="card" aria-labelledby="set-phones">
      <h2 id="set-phones">Phones in your household</h2>
      {PhoneAccess ? (
        <Suspense fallback={<Loading label="Opening phone access…" />}>
          <PhoneAccess />
        </Suspense>
      ) : (
        <p>
          Using HearthNet from a phone on your home Wi-Fi is not available in this version yet. On this computer
          everything works as usual.
        </p>
      )}
    </section>
  );
}
