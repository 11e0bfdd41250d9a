/** Choosing a local instance, and the plain-language errors when a call cannot be routed (docs/decisions/bus.md). */
import { capabilityLabel, namespaceOf } from './capability';
import type { CapabilityEntry, RouteRequest } from './entry';
import { BusError } from './errors';
import type { Registry } from './registry';
import { loadOf } from './router';

/** Why no instance can take `req`, as the error the caller sees. */
export function noRouteError(registry: Registry, req: RouteRequest): BusError {
  const label = capabilityLabel(req.capability, req.versionReq);
  const offered = registry.find(req.capability, req.versionReq);
  if (offered.length === 0)
    return new BusError('not_found', `No device in your community offers ${label} right now`, {
      details: { alt_capabilities: alternatives(registry, req.capability, false) },
    });
  if (offered.every((e) => e.contract === 'mismatch'))
    return new BusError(
      'not_found',
      `Devices offer ${label}, but with a different contract than this one; one of them needs a HearthNet update`,
      { details: { alt_nodes: offered.map((e) => e.node_id) } },
    );
  if (!offered.some((e) => registry.paramsMatch(e, req.params)))
    return new BusError('not_found', `No device offers ${label} with ${JSON.stringify(req.params)}`, {
      details: { alt_nodes: offered.map((e) => e.node_id) },
    });
  return new BusError('quarantined', `Every device offering ${label} is failing right now; try again in a minute`);
}

/** The local instance to serve an inbound call: params match, least loaded. */
export function pickLocal(registry: Registry, req: RouteRequest): CapabilityEntry {
  const label = capabilityLabel(req.capability, req.versionReq);
  const locals = registry.find(req.capability, req.versionReq).filter((e) => e.is_local && e.handler);
  if (!locals.length)
    throw new BusError('not_found', `This node does not offer ${label}`, {
      details: { alt_capabilities: alternatives(registry, req.capability, true) },
    });
  const matching = locals.filter((e) => registry.paramsMatch(e, req.params));
  if (!matching.length)
    throw new BusError('not_found', `This node offers ${label} but not with ${JSON.stringify(req.params)}`);
  return matching.sort((a, b) => loadOf(a) - loadOf(b))[0];
}

/** Names (with version) in the same namespace we could offer instead. */
function alternatives(registry: Registry, name: string, localOnly: boolean): string[] {
  const ns = namespaceOf(name);
  const names = (localOnly ? registry.allLocal() : registry.all())
    .filter((e) => namespaceOf(e.descriptor.name) === ns && e.descriptor.name !== name)
    .map((e) => capabilityLabel(e.descriptor.name, e.descriptor.version));
  return [...new Set(names)].sort();
}
