// The names this gateway answers to. A browser page on another site can make its own domain
// resolve to 127.0.0.1 (DNS rebinding) and then talk to a local gateway as "same origin"; the
// Host header it sends still names the attacker's domain, so only Hosts that are this
// gateway's own addresses (or that the operator allowed) may reach it.
import { hostname, networkInterfaces } from 'node:os';

const WILDCARD_BINDS = new Set(['', '0.0.0.0', '::', '[::]']);

/** The Host header's name part: lower case, no port, no trailing dot; IPv6 keeps its brackets. */
export function hostnameOf(hostHeader: string): string {
  let h = hostHeader.toLowerCase();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    h = end === -1 ? h : h.slice(0, end + 1);
  } else {
    const colon = h.lastIndexOf(':');
    if (colon !== -1) h = h.slice(0, colon);
  }
  return h.endsWith('.') ? h.slice(0, -1) : h;
}

/** IPv6 literals in brackets, as a Host header carries them ('::1' → '[::1]'; 'name:8080' stays). */
function bracketed(address: string): string {
  return address.indexOf(':') !== address.lastIndexOf(':') && !address.startsWith('[') ? `[${address}]` : address;
}

/**
 * Loopback names always; the bound address; when bound to every interface, this machine's
 * host name and interface addresses (as they are at start-up); then the operator's extras.
 */
export function ownHostnames(bindHost: string, extra: readonly string[]): ReadonlySet<string> {
  const names = new Set(['localhost', '127.0.0.1', '[::1]']);
  const bind = bindHost.toLowerCase();
  if (WILDCARD_BINDS.has(bind)) {
    const me = hostname().toLowerCase();
    names.add(me);
    names.add(`${me}.local`);
    for (const list of Object.values(networkInterfaces())) {
      for (const i of list ?? []) names.add(bracketed(i.address.toLowerCase()));
    }
  } else {
    names.add(bracketed(bind));
  }
  for (const e of extra) names.add(hostnameOf(bracketed(e)));
  return names;
}

/** Splits a comma-separated flag value into trimmed, non-empty entries. */
export function listOf(value: string): string[] {
  return value.split(',').map((s) => s.trim()).filter((s) => s !== '');
}
