/**
 * The inspector: what the user clicked, in plain words. A workload: labels, the policies selecting it, who
 * can reach it and whom it can reach (as the rules say it), flags, and its connections as a keyboard-usable
 * list. A connection: the explanation, rule by rule on each side. A namespace, an address range, a policy.
 */
import {
  BY_NAME,
  domainLabel,
  domainNode,
  externalLabel,
  l7Text,
  namespaceGroup,
  nodeAddressLabel,
  OUTSIDE,
  type EdgeInput,
} from '../lib/graph.ts';
import { formatPorts } from '../lib/ports.ts';
import type {
  CiliumPolicyJson,
  ClusterPolicyJson,
  ClusterRuleJson,
  ConnectionJson,
  IsolationJson as Isolation,
  ModelWorkloadJson as WorkloadJson,
} from '../../src/contract/api.ts';
import type { CiliumSideJson, ExplainSideJson, ExplanationJson } from '../../src/contract/explain.ts';
import type {
  CiliumExposureStatementJson,
  ExposureDirectionJson,
  TierExposureStatementJson,
} from '../../src/contract/exposure.ts';
import { nodeAddressText } from '../../src/describe/node-address.ts';
import type { App } from './app.ts';
import { h, replace } from './dom.ts';

/**
 * ` TCP 8080 (allowed at L4, filtered at L7 on TCP 8080 by …)`: a connection's ports, never plainly allowed
 * when Cilium's proxy filters it.
 */
function edgeText(e: Pick<ConnectionJson, 'summary' | 'open' | 'l7'>): string {
  const l7 = e.l7 === undefined ? '' : ` (allowed at L4, ${l7Text(e.l7)})`;
  return ` ${e.summary}${e.open ? ' (unrestricted)' : ''}${l7}`;
}

const ISOLATION_TEXT: Record<Isolation, [string, string]> = {
  isolated: ['restricted', 'Policies select it: only their rules allow'],
  partly: ['partly restricted', 'Policies select some of its pods only'],
  'not-isolated': ['unrestricted', 'No policy selects it: everything is allowed'],
  'host-network': ['host network', 'Runs on the node network: NetworkPolicies do not apply'],
};

/**
 * With cluster policies, a direction is restricted when a NetworkPolicy isolates it or a cluster policy denies
 * some of it (the model's tier-combined isolation; the report's "unprotected" is the same).
 */
const TIERED_ISOLATION_TEXT: Partial<Record<Isolation, string>> = {
  isolated: 'A NetworkPolicy isolates it, or a cluster policy denies some of it: only what the rules allow',
  partly: 'Some of its pods only are isolated by a NetworkPolicy or a cluster policy deny',
  'not-isolated':
    'No NetworkPolicy isolates it and no cluster policy denies any of it: everything is allowed',
};

/**
 * With Cilium policies, a direction is restricted when a NetworkPolicy or a Cilium rule set in default deny
 * isolates it, or a deny rule (Cilium's, a cluster policy's) denies some of it: the model's isolation.
 */
const CILIUM_ISOLATION_TEXT: Partial<Record<Isolation, string>> = {
  isolated:
    'A NetworkPolicy or a Cilium policy in default deny isolates it, or a deny rule denies some of it: only what the rules allow',
  partly: 'Some of its pods only are isolated, or see a deny rule',
  'not-isolated': 'No policy isolates it and no deny rule denies any of it: everything is allowed',
};

/**
 * A direction's badge. Selected by policies but open to anyone on every port (an allow-all rule, as shop/web's
 * ingress on the bundled example), it is not "restricted": it says open, as the graph's orange does.
 */
function badge(dir: string, iso: Isolation, wider: 'tiers' | 'cilium' | null, open = false): HTMLElement {
  if (open && iso === 'isolated')
    return h(
      'span',
      {
        class: 'badge iso-not-isolated',
        title: `Policies select it, but a rule allows every connection ${dir === 'ingress' ? 'from anyone' : 'to anywhere'}, on every port`,
      },
      `${dir}: open (an allow-all rule)`,
    );
  const [text, plain] = ISOLATION_TEXT[iso];
  const title =
    wider === 'cilium'
      ? (CILIUM_ISOLATION_TEXT[iso] ?? plain)
      : wider === 'tiers'
        ? (TIERED_ISOLATION_TEXT[iso] ?? plain)
        : plain;
  return h('span', { class: `badge iso-${iso}`, title }, `${dir}: ${text}`);
}

function where(file: string | null, line: number | null): string {
  return file === null ? '' : `${file}${line === null ? '' : `:${line}`}`;
}

/** A button that selects something in the current view (keyboard-usable, unlike the canvas). */
function selectButton(app: App, sel: string, text: string, title?: string): HTMLButtonElement {
  return h('button', { class: 'linkish', type: 'button', title, onclick: () => app.set({ sel }) }, text);
}

function policyButton(app: App, id: string): HTMLButtonElement {
  return selectButton(app, `policy:${id}`, id, 'Show this policy');
}

function section(title: string, ...body: (Node | string | null)[]): HTMLElement {
  return h('section', { class: 'insp-section' }, h('h3', {}, title), ...body);
}

function loading(target: HTMLElement): HTMLElement {
  const el = h('p', { class: 'muted' }, 'Loading…');
  target.append(el);
  return el;
}

/** Who can reach it (whom it can reach): the Admin tier's rules, the NetworkPolicies', the Baseline tier's. */
function directionList(app: App, d: ExposureDirectionJson, ingress: boolean): HTMLElement {
  if (d.admin.length === 0 && d.baseline.length === 0)
    return h('div', {}, policyList(app, d, ingress), ciliumList(app, d.cilium));
  const np =
    d.status === 'not-isolated'
      ? h(
          'p',
          {},
          `Not isolated for ${ingress ? 'ingress' : 'egress'}: ${d.baseline.length > 0 ? 'on to the Baseline tier' : 'what the Admin tier leaves is allowed'}.`,
        )
      : d.status === 'isolated' && d.admin.length > 0
        ? h(
            'div',
            {},
            h(
              'p',
              {},
              'Isolated by ',
              ...d.policies.flatMap((p, i) => [i > 0 ? ', ' : '', policyButton(app, p)]),
              ': they decide what the Admin tier passes or leaves.',
            ),
            d.statements.length === 0 ? null : policyList(app, d, ingress),
          )
        : policyList(app, d, ingress);
  return h(
    'div',
    { class: 'tier-exposure' },
    d.admin.length === 0 ? null : tierList(app, TIER_TEXT.admin, d.admin),
    h('h4', {}, 'NetworkPolicies'),
    np,
    ciliumList(app, d.cilium),
    d.baseline.length === 0 ? null : tierList(app, TIER_TEXT.baseline, d.baseline),
  );
}

const TIER_ACTION: Record<TierExposureStatementJson['action'], string> = {
  allow: 'verdict-allowed',
  deny: 'verdict-denied',
  pass: 'muted',
};

/** A tier's rules that apply, in evaluation order: what each allows, denies or passes, and from whom today. */
function tierList(app: App, title: string, list: readonly TierExposureStatementJson[]): HTMLElement {
  return h(
    'div',
    {},
    h('h4', {}, title),
    h(
      'ul',
      { class: 'statements' },
      list.map((s) =>
        h(
          'li',
          { class: `tier-${s.action}` },
          h('span', { class: TIER_ACTION[s.action] }, s.description),
          h('br'),
          h(
            'small',
            {},
            'by ',
            policyButton(app, s.policy),
            `${s.rule === null ? '' : ` rule "${s.rule}"`} ${s.path}`,
            s.file === null ? '' : ` · ${where(s.file, s.line)}`,
            s.today.length === 0 ? '' : ` · today: ${s.today.map((id) => app.workloadName(id)).join(', ')}`,
          ),
        ),
      ),
    ),
  );
}

/**
 * The rules of the Cilium rule sets selecting the workload in a direction, as `netfence exposure` lists them
 * (allows, with "filtered at L7" when L7 rules filter them, and denies, which win over every allow).
 */
function ciliumList(app: App, list: readonly CiliumExposureStatementJson[]): HTMLElement | null {
  if (list.length === 0) return null;
  return ciliumBlock(
    'cilium-rules',
    'statements',
    list.map((s) =>
      h(
        'li',
        { class: s.deny ? 'cilium-deny' : 'cilium-allow' },
        h('span', { class: s.deny ? 'verdict-denied' : s.l7.length > 0 ? 'l7-note' : '' }, s.description),
        h('br'),
        h(
          'small',
          {},
          'by ',
          ...ciliumRuleRef(app, s),
          s.deny || s.today.length > 0
            ? ` · today: ${s.today.length === 0 ? 'none' : s.today.map((id) => app.workloadName(id)).join(', ')}`
            : '',
        ),
      ),
    ),
  );
}

/** A titled list of Cilium rules (the inspector's "Cilium rules" of a workload's direction or of a side). */
function ciliumBlock(cls: string, listClass: string, items: readonly (HTMLElement | null)[]): HTMLElement {
  return h('div', { class: cls }, h('h4', {}, 'Cilium rules'), h('ul', { class: listClass }, items));
}

/** Whether any rule of the NetworkPolicy layer (NetworkPolicies, Cilium allow rules) allows something. */
function allowsAny(d: ExposureDirectionJson): boolean {
  return d.statements.length > 0 || d.cilium.some((s) => !s.deny);
}

/** What NetworkPolicies allow in a direction, statement by statement (the Cilium rules follow apart). */
function policyList(app: App, d: ExposureDirectionJson, ingress: boolean): HTMLElement | null {
  const dir = ingress ? 'ingress' : 'egress';
  if (d.status === 'not-isolated')
    return h(
      'p',
      {},
      d.cilium.length === 0
        ? `${ingress ? 'Anyone' : 'Anywhere'} (no policy restricts its ${dir}).`
        : `${ingress ? 'Anyone' : 'Anywhere'} (not isolated for ${dir}) but for what Cilium rules deny:`,
    );
  if (d.status === 'host-network') return h('p', {}, 'Anyone and anywhere: it runs on the host network.');
  if (d.statements.length === 0 && allowsAny(d)) return null;
  if (d.statements.length === 0)
    return h(
      'p',
      {},
      'Nothing: isolated by ',
      ...d.policies.flatMap((p, i) => [i > 0 ? ', ' : '', policyButton(app, p)]),
      ', and no rule allows any.',
    );
  return h(
    'ul',
    { class: 'statements' },
    d.statements.map((s) =>
      h(
        'li',
        { class: s.allowsSomething ? '' : 'muted' },
        h(
          'span',
          {},
          `${s.description}, ${s.portsDescription}${s.allowsSomething ? '' : ' (allows nothing)'}`,
        ),
        h('br'),
        h(
          'small',
          {},
          'by ',
          policyButton(app, s.policy),
          ` ${s.path}`,
          s.file === null ? '' : ` · ${where(s.file, s.line)}`,
        ),
      ),
    ),
  );
}

function connectionList(app: App, id: string, dir: 'in' | 'out'): HTMLElement {
  const { edges } = app.edges();
  const mine = edges.filter((e) => (dir === 'in' ? e.dst === id : e.src === id));
  if (mine.length === 0)
    return h('p', { class: 'muted' }, dir === 'in' ? 'No incoming connections.' : 'No outgoing connections.');
  return h(
    'ul',
    { class: 'conn-list' },
    mine.map((e) => {
      const other = dir === 'in' ? e.src : e.dst;
      return h(
        'li',
        {},
        selectButton(
          app,
          `edge:${e.src}>${e.dst}`,
          `${dir === 'in' ? '←' : '→'} ${app.workloadName(other)}`,
          'Explain this connection',
        ),
        h('small', { class: e.open ? 'muted' : '' }, edgeText(e)),
      );
    }),
  );
}

/** The workloads' names, offered by the explain form (one list per model, however many workloads are inspected). */
let peerList: { model: unknown; list: HTMLDataListElement } | undefined;

/**
 * "Explain a connection with …": any other workload or address, allowed or not, to or from this workload, as
 * `netfence explain` takes them (a denied pair has no line to click on the graph). Opens the pair's explanation.
 */
function explainForm(app: App, w: WorkloadJson): HTMLElement {
  if (peerList?.model !== app.model) {
    const list = h(
      'datalist',
      { id: 'explain-peers' },
      app.model.workloads.map((x) => h('option', { value: x.displayName })),
    );
    peerList = { model: app.model, list };
  }
  const input = h('input', {
    type: 'text',
    id: 'explain-peer',
    list: 'explain-peers',
    placeholder: 'another workload, or an address',
    autocomplete: 'off',
  });
  const go = (dir: 'to' | 'from'): void => {
    const text = input.value.trim();
    if (text === '') {
      input.focus();
      return;
    }
    // A workload by its name or id; anything else (an address, a namespace/Kind/name) as explain reads it.
    const peer = app.model.workloads.find((x) => x.displayName === text || x.id === text)?.id ?? text;
    app.set({ sel: dir === 'to' ? `edge:${w.id}>${peer}` : `edge:${peer}>${w.id}` });
  };
  return h(
    'form',
    {
      class: 'explain-pair',
      onsubmit: (e: Event) => {
        e.preventDefault();
        const dir = (e as SubmitEvent).submitter?.dataset.dir === 'from' ? 'from' : 'to';
        go(dir);
      },
    },
    h('label', { for: 'explain-peer' }, 'Explain a connection with'),
    input,
    peerList.list,
    h(
      'span',
      { class: 'row' },
      h('button', { type: 'submit', 'data-dir': 'to' }, `${w.displayName} → it`),
      h('button', { type: 'submit', 'data-dir': 'from' }, `it → ${w.displayName}`),
    ),
  );
}

export function renderWorkload(app: App, target: HTMLElement, w: WorkloadJson, actions: Node[] = []): void {
  const labels = Object.entries(w.labels);
  const cilium = w.ciliumPolicies;
  const wider = cilium.length > 0 ? 'cilium' : app.model.clusterPolicies.length > 0 ? 'tiers' : null;
  const selectedBy = [...w.policies, ...cilium];
  replace(
    target,
    h('h2', {}, w.displayName),
    h(
      'p',
      { class: 'muted' },
      `${w.kind} in namespace ${w.namespace}${w.replicas === null ? '' : ` · ${w.replicas} replica${w.replicas === 1 ? '' : 's'}`}`,
    ),
    h(
      'p',
      { class: 'badges' },
      badge('ingress', w.isolated.ingress, wider, w.open.ingress),
      ' ',
      badge('egress', w.isolated.egress, wider, w.open.egress),
    ),
    actions.length > 0 ? h('p', { class: 'actions' }, ...actions) : null,
    // A static report holds the explanations of the allowed connections only.
    app.api.isStatic ? null : explainForm(app, w),
    section(
      'Labels',
      labels.length === 0
        ? h('p', { class: 'muted' }, 'none')
        : h(
            'ul',
            { class: 'chips' },
            labels.map(([k, v]) => h('li', { class: 'chip' }, `${k}=${v}`)),
          ),
    ),
    section(
      'Selected by',
      selectedBy.length === 0
        ? h('p', { class: 'muted' }, 'No policy selects it.')
        : h(
            'ul',
            { class: 'plain selected-by' },
            selectedBy.map((p) => h('li', {}, policyButton(app, p))),
          ),
    ),
    app.model.clusterPolicies.length === 0 ? null : clusterPolicySection(app, w.clusterPolicies),
    domainSection(app, w.id),
  );
  const exposure = h('div', {});
  target.append(exposure);
  const wait = loading(exposure);
  app.api.workload(w.id).then(
    (detail) => {
      wait.remove();
      const x = detail.exposure;
      if (x === null) return;
      exposure.append(
        section('Reachable from', directionList(app, x.ingress, true)),
        section('Can reach', directionList(app, x.egress, false)),
        x.flags.length === 0
          ? ''
          : section(
              'Exposure',
              h(
                'ul',
                { class: 'flags' },
                x.flags.map((f) => h('li', {}, h('strong', {}, f.flag), `: ${f.reason}`)),
              ),
            ),
      );
    },
    (error: unknown) => {
      wait.textContent = error instanceof Error ? error.message : String(error);
    },
  );
  target.append(
    section('Incoming connections', connectionList(app, w.id, 'in')),
    section('Outgoing connections', connectionList(app, w.id, 'out')),
  );
}

const TIER_TEXT: Record<ClusterPolicyJson['tier'], string> = {
  admin: 'Admin tier (before NetworkPolicies)',
  baseline: 'Baseline tier (after NetworkPolicies)',
};

function tierLine(p: ClusterPolicyJson): string {
  return `${TIER_TEXT[p.tier]}${p.priority === null ? '' : `, priority ${p.priority}`}`;
}

function ruleList(rules: readonly ClusterRuleJson[]): HTMLElement {
  return h(
    'ol',
    { class: 'rules', start: 0 },
    rules.map((r) =>
      h(
        'li',
        {},
        h('small', { class: 'muted' }, `rule ${r.index} · `),
        h('strong', { class: `action-${r.action}` }, ACTION_TEXT[r.action]),
        r.name === null ? '' : ` "${r.name}"`,
        ` ${r.peers.join('; ')}`,
        h('br'),
        h('small', {}, r.ports),
      ),
    ),
  );
}

const ACTION_TEXT: Record<ClusterRuleJson['action'], string> = {
  allow: 'Accept',
  deny: 'Deny',
  pass: 'Pass',
};

/** The cluster policies selecting a workload, in evaluation order, each with its tier and rules. */
function clusterPolicySection(app: App, ids: readonly string[]): HTMLElement {
  const policies = ids.flatMap((id) => app.model.clusterPolicies.filter((p) => p.id === id));
  return section(
    'Cluster policies',
    policies.length === 0
      ? h('p', { class: 'muted' }, 'No cluster policy selects it.')
      : h(
          'ul',
          { class: 'plain cluster-policies' },
          policies.map((p) =>
            h(
              'li',
              {},
              policyButton(app, p.id),
              h('br'),
              h('small', { class: 'muted' }, tierLine(p)),
              p.ingress.length === 0 ? null : h('div', {}, h('small', {}, 'Ingress'), ruleList(p.ingress)),
              p.egress.length === 0 ? null : h('div', {}, h('small', {}, 'Egress'), ruleList(p.egress)),
            ),
          ),
        ),
  );
}

/** `an address of node n1` → `An address of node n1`. */
function capitalized(text: string): string {
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
}

/** The words of a side whose end is a node's address (`explain`'s status `node-address`), in explain's words. */
function nodeAddressWords(nodes: readonly string[]): string {
  return `${capitalized(nodeAddressText(nodes))}, not a pod: no pod's NetworkPolicy applies on this side.`;
}

/** explain's walk of one side through the tiers, one line per port range that takes one way. */
function tiersView(app: App, side: ExplainSideJson): HTMLElement | null {
  const t = side.tiers;
  if (t.status === 'no-policies' || t.status === 'outside-cluster' || t.status === 'node-address')
    return null;
  if (t.status === 'hairpin')
    return h('p', { class: 'muted' }, 'Cluster policies do not apply: the pod connects to its own IP.');
  if (t.status === 'host-network')
    return h(
      'p',
      { class: 'muted' },
      'Cluster policies do not apply: a host-network pod is never their subject.',
    );
  const domains = t.dnsRules.flatMap((r) => r.domains);
  return h(
    'div',
    { class: 'tiers' },
    h('p', { class: 'muted small' }, 'Through the tiers (Admin → NetworkPolicy → Baseline → default):'),
    h(
      'ul',
      { class: 'rules' },
      t.paths.map((p) => {
        const policies = [...new Set(p.steps.flatMap((x) => (x.kind === 'rule' ? [x.match.policy] : [])))];
        return h(
          'li',
          { class: `decided-${p.decidedBy}` },
          h('span', { class: p.allowed ? 'verdict-allowed' : 'verdict-denied' }, p.allowed ? '✓ ' : '✗ '),
          h('strong', {}, p.summary),
          `: ${p.text}`,
          policies.length === 0 ? null : h('br'),
          ...policies.flatMap((id, i) => [i > 0 ? ' · ' : '', policyButton(app, id)]),
        );
      }),
    ),
    domains.length === 0
      ? null
      : h(
          'p',
          { class: 'muted small' },
          `Allowed by DNS name too (${domains.join(', ')}): whether this address is one depends on DNS resolution.`,
        ),
  );
}

function sideText(app: App, side: ExplainSideJson, title: string): HTMLElement {
  const tiers = side.tiers.status === 'applies';
  const status =
    side.status === 'not-isolated'
      ? h(
          'p',
          {},
          tiers
            ? 'No NetworkPolicy selects it in this direction: the cluster policies below decide, else everything is allowed.'
            : 'Not isolated: no policy restricts this direction, so everything is allowed.',
        )
      : side.status === 'host-network'
        ? h('p', {}, 'Host network: NetworkPolicies do not apply.')
        : side.status === 'outside-cluster'
          ? h('p', {}, 'Outside the cluster: nothing to check on this side.')
          : side.status === 'node-address'
            ? h('p', {}, nodeAddressWords(side.nodes ?? []))
            : h(
                'p',
                {},
                'Isolated by ',
                ...side.isolatedBy.flatMap((p, i) => [i > 0 ? ', ' : '', policyButton(app, p.policy)]),
                '.',
              );
  const rules =
    side.rules.length === 0
      ? null
      : h(
          'ul',
          { class: 'rules' },
          side.rules.map((r) =>
            h(
              'li',
              {},
              h('span', { class: 'verdict-allowed' }, '✓ '),
              policyButton(app, r.policy),
              ` ${r.path}${r.peer === null ? '' : `.${r.direction === 'ingress' ? 'from' : 'to'}[${r.peer}]`}`,
              h('br'),
              h(
                'small',
                {},
                `allows ${formatPorts(r.ports)}${r.file === null ? '' : ` · ${where(r.file, r.line)}`}`,
              ),
            ),
          ),
        );
  const misses =
    side.nearMisses.length === 0
      ? null
      : h(
          'details',
          { open: side.rules.length === 0 },
          h('summary', {}, `Closest rules that do not match (${side.nearMisses.length})`),
          h(
            'ul',
            { class: 'rules' },
            side.nearMisses.map((m) =>
              h(
                'li',
                {},
                h('span', { class: 'verdict-denied' }, '✗ '),
                policyButton(app, m.policy),
                ` ${m.path}`,
                m.file === null ? null : h('small', {}, ` · ${where(m.file, m.line)}`),
                h(
                  'ul',
                  {},
                  // As explain says where each reason is: the field and its line.
                  m.reasons.map((r) =>
                    h(
                      'li',
                      {},
                      h(
                        'small',
                        {},
                        r.line === null ? r.message : `${r.message} (${r.path}, line ${r.line})`,
                      ),
                    ),
                  ),
                ),
              ),
            ),
          ),
        );
  return section(title, status, rules, misses, ciliumSide(app, side.cilium), tiersView(app, side));
}

/** A rule of a Cilium policy: the policy (a button), its path, and where it is written. */
function ciliumRuleRef(
  app: App,
  r: { policy: string; path: string; file: string | null; line: number | null },
): (Node | string)[] {
  return [policyButton(app, r.policy), ` ${r.path}${r.file === null ? '' : ` · ${where(r.file, r.line)}`}`];
}

/** explain's Cilium part of one side: the rule sets in default deny, the allow and deny rules that match. */
function ciliumSide(app: App, c: CiliumSideJson | undefined): HTMLElement | null {
  if (c === undefined) return null;
  const sets = [
    ...c.isolatedBy.map((x) => ({ ...x, text: 'default deny by ' })),
    ...c.openBy.map((x) => ({ ...x, text: 'selected, default deny off, by ' })),
  ];
  const block = ciliumBlock('cilium-side', 'rules', [
    ...sets.map((x) => h('li', { class: 'muted' }, x.text, ...ciliumRuleRef(app, { ...x, path: x.spec }))),
    ...c.allows.map((r) =>
      h(
        'li',
        { class: 'cilium-allow' },
        h('span', { class: 'verdict-allowed' }, '✓ '),
        ...ciliumRuleRef(app, r),
        h('br'),
        h('small', {}, `allows ${r.summary} (${r.peer})`),
      ),
    ),
    ...c.denies.map((r) =>
      h(
        'li',
        { class: 'cilium-deny' },
        h('span', { class: 'verdict-denied' }, '✗ '),
        ...ciliumRuleRef(app, r),
        h('br'),
        h('small', {}, `denies ${r.summary} (${r.peer}): a deny wins over every allow`),
      ),
    ),
  ]);
  if (c.allows.length === 0 && c.denies.length === 0)
    block.append(h('p', { class: 'muted small' }, 'No Cilium rule matches this connection.'));
  return block;
}

/** "Allowed at L4, filtered at L7 by …": the L7 rules Cilium's proxy applies to the allowed part. */
function l7View(app: App, x: ExplanationJson): HTMLElement | null {
  if (x.l7 === undefined || x.l7.length === 0) return null;
  const policies = [...new Set(x.l7.map((l) => l.policy))];
  return h(
    'div',
    { class: 'l7' },
    h(
      'p',
      { class: 'l7-note' },
      'Allowed at L4, filtered at L7 by ',
      ...policies.flatMap((p, i) => [i > 0 ? ', ' : '', policyButton(app, p)]),
      ': its proxy decides each request, so not every one is allowed.',
    ),
    h(
      'ul',
      { class: 'rules' },
      x.l7.map((l) =>
        h('li', {}, `${l.l7} rules on ${l.summary}: `, ...ciliumRuleRef(app, { ...l, path: l.entry })),
      ),
    ),
  );
}

function explanationView(app: App, x: ExplanationJson): HTMLElement {
  const verdict =
    x.verdict === 'allowed'
      ? `Allowed: ${x.summary}`
      : x.verdict === 'denied'
        ? 'Denied on every port'
        : `Allowed on ${x.summary} only`;
  return h(
    'div',
    { class: 'explanation' },
    h('p', { class: `verdict verdict-${x.verdict}` }, verdict),
    l7View(app, x),
    x.segments.length > 1
      ? section(
          'By port',
          h(
            'ul',
            { class: 'plain' },
            x.segments.map((s) =>
              h(
                'li',
                {},
                h(
                  'span',
                  { class: s.allowed ? 'verdict-allowed' : 'verdict-denied' },
                  s.allowed ? '✓ ' : '✗ ',
                ),
                s.summary,
              ),
            ),
          ),
        )
      : null,
    sideText(app, x.egress, `Egress of ${x.src.name}`),
    sideText(app, x.ingress, `Ingress of ${x.dst.name}`),
  );
}

/** One connection between two entities: the explanation of the server. */
export function renderConnection(
  app: App,
  target: HTMLElement,
  src: string,
  dst: string,
  extra: Node[] = [],
): void {
  replace(target, h('h2', {}, `${app.workloadName(src)} → ${app.workloadName(dst)}`), ...extra);
  const body = h('div', {});
  target.append(body);
  const wait = loading(body);
  app.api.explain(src, dst).then(
    (r) => {
      wait.remove();
      for (const x of r.explanations) body.append(explanationView(app, x));
    },
    (error: unknown) => {
      wait.textContent = error instanceof Error ? error.message : String(error);
    },
  );
}

/** An aggregated edge (a collapsed namespace): the connections it stands for. */
export function renderAggregate(
  app: App,
  target: HTMLElement,
  title: string,
  members: readonly EdgeInput[],
  note?: string,
): void {
  replace(
    target,
    h('h2', {}, title),
    h(
      'p',
      { class: 'muted' },
      note ??
        `${members.length} connection${members.length === 1 ? '' : 's'}: pick one to see why it is allowed.`,
    ),
    h(
      'ul',
      { class: 'conn-list' },
      members.map((e) =>
        h(
          'li',
          {},
          selectButton(
            app,
            `edge:${e.src}>${e.dst}`,
            `${app.workloadName(e.src)} → ${app.workloadName(e.dst)}`,
          ),
          h('small', { class: e.open ? 'muted' : '' }, edgeText(e)),
        ),
      ),
    ),
  );
}

export function renderNamespace(
  app: App,
  target: HTMLElement,
  name: string,
  collapsed: boolean,
  toggle: () => void,
): void {
  const ns = app.model.namespaces.find((n) => n.name === name);
  const workloads = app.model.workloads.filter((w) => w.namespace === name);
  const policies = app.model.policies.filter((p) => p.namespace === name);
  replace(
    target,
    h('h2', {}, `namespace ${name}`),
    h(
      'p',
      { class: 'actions' },
      h('button', { type: 'button', onclick: toggle }, collapsed ? 'Expand' : 'Collapse into one node'),
    ),
    section(
      'Labels',
      h(
        'ul',
        { class: 'chips' },
        Object.entries(ns?.labels ?? {}).map(([k, v]) => h('li', { class: 'chip' }, `${k}=${v}`)),
      ),
    ),
    section(
      `Workloads (${workloads.length})`,
      h(
        'ul',
        { class: 'plain' },
        workloads.map((w) =>
          h(
            'li',
            {},
            selectButton(app, `node:${w.id}`, w.displayName),
            h('small', { class: 'muted' }, ` ${w.kind}`),
          ),
        ),
      ),
    ),
    section(
      `Policies (${policies.length})`,
      policies.length === 0
        ? h('p', { class: 'muted' }, 'No policy in this namespace.')
        : h(
            'ul',
            { class: 'plain' },
            policies.map((p) => h('li', {}, policyButton(app, p.id))),
          ),
    ),
  );
}

/** The names a workload may reach by DNS name (the model's `domains`), or null when none. */
function domainSection(app: App, id: string): HTMLElement | null {
  const mine = app.model.domains.filter((d) => d.src === id);
  if (mine.length === 0) return null;
  return section(
    `Reaches by DNS name (${mine.length})`,
    h(
      'ul',
      { class: 'conn-list' },
      mine.map((d) =>
        h(
          'li',
          {},
          selectButton(
            app,
            `edge:${id}>${domainNode(d.domain)}`,
            `→ ${domainLabel(d.domain)}`,
            'Show this destination',
          ),
          h('small', {}, ` ${d.summary}`),
        ),
      ),
    ),
    h(
      'p',
      { class: 'muted small' },
      'A policy allows these names (a Cilium toFQDNs rule, a cluster policy domainNames rule); the addresses depend on DNS resolution: not counted as connections.',
    ),
  );
}

/**
 * A destination by DNS name: who may reach it, on which ports (`sources`: those of the selected line, or
 * null for every one).
 */
export function renderDomain(
  app: App,
  target: HTMLElement,
  domain: string,
  sources: string | readonly string[] | null,
): void {
  const keep = sources === null ? null : new Set(typeof sources === 'string' ? [sources] : sources);
  const list = app.model.domains.filter((d) => d.domain === domain && (keep === null || keep.has(d.src)));
  replace(
    target,
    h('h2', {}, domainLabel(domain)),
    h(
      'p',
      {},
      'A destination outside the cluster named by a policy (a Cilium ',
      h('code', {}, 'toFQDNs'),
      " rule, a cluster policy's ",
      h('code', {}, 'domainNames'),
      ' Accept rule): the addresses depend on DNS resolution, so these are not counted as connections (as in ',
      h('code', {}, 'netfence analyze'),
      ').',
    ),
    section(
      `Allowed from (${list.length})`,
      h(
        'ul',
        { class: 'conn-list' },
        list.map((d) =>
          h(
            'li',
            {},
            selectButton(app, `node:${d.src}`, app.workloadName(d.src), 'Show this workload'),
            h('small', {}, ` ${d.summary}`),
          ),
        ),
      ),
    ),
  );
}

export function renderExternal(app: App, target: HTMLElement, id: string): void {
  const x = app.model.external.find((e) => e.id === id);
  if (x === undefined) return;
  if (x.nodes !== undefined && x.nodes.length > 0) {
    // A Node's address is in the cluster, not outside it (explain's `node-address`).
    replace(
      target,
      h('h2', {}, nodeAddressLabel(x.nodes)),
      h(
        'p',
        {},
        `${capitalized(nodeAddressText(x.nodes))}, in the cluster (not a pod): `,
        h('code', {}, x.description),
      ),
      h('p', { class: 'muted' }, "No pod's NetworkPolicy applies on its side of a connection."),
      section('Incoming connections', connectionList(app, id, 'in')),
      section('Outgoing connections', connectionList(app, id, 'out')),
    );
    return;
  }
  replace(
    target,
    h('h2', {}, externalLabel(x.description)),
    h('p', {}, 'Addresses outside the cluster: ', h('code', {}, x.description)),
    h(
      'p',
      { class: 'muted' },
      'Policies split the outside world at every CIDR they mention: each range here is treated alike by every ipBlock.',
    ),
    section('Incoming connections', connectionList(app, id, 'in')),
    section('Outgoing connections', connectionList(app, id, 'out')),
  );
}

/** "Edit in what-if" for a policy (none in a static report). */
function editButton(app: App, id: string): HTMLElement | null {
  return app.api.isStatic
    ? null
    : h(
        'p',
        { class: 'actions' },
        h('a', { class: 'button', href: `#/whatif?policy=${encodeURIComponent(id)}` }, 'Edit in what-if'),
      );
}

/** The workloads a policy selects, and its YAML. */
function selectsAndYaml(app: App, p: { selects: readonly string[]; yaml: string }): HTMLElement[] {
  return [
    section(
      `Selects (${p.selects.length})`,
      p.selects.length === 0
        ? h('p', { class: 'warn' }, 'No workload: this policy does nothing.')
        : h(
            'ul',
            { class: 'plain' },
            p.selects.map((w) => h('li', {}, selectButton(app, `node:${w}`, app.workloadName(w)))),
          ),
    ),
    section('YAML', h('pre', { class: 'yaml' }, p.yaml)),
  ];
}

/** A cluster policy: tier, priority, subject, rules, what it selects, YAML. */
function renderClusterPolicy(app: App, target: HTMLElement, p: ClusterPolicyJson): void {
  replace(
    target,
    h('h2', {}, p.id),
    h('p', { class: 'muted' }, `${where(p.file, p.line) || 'from the cluster'} · ${tierLine(p)}`),
    editButton(app, p.id),
    h('p', {}, `Subject: ${p.subject}`),
    p.ingress.length === 0 ? null : section('Ingress rules, in order', ruleList(p.ingress)),
    p.egress.length === 0 ? null : section('Egress rules, in order', ruleList(p.egress)),
    ...selectsAndYaml(app, p),
  );
}

/**
 * A Cilium policy: its kind, where it comes from, whether it puts what it selects in default deny, what it
 * selects, its YAML (and a link to edit it in What-if).
 */
function renderCiliumPolicy(app: App, target: HTMLElement, p: CiliumPolicyJson): void {
  const deny = [p.ingress ? 'ingress' : null, p.egress ? 'egress' : null].filter((x) => x !== null);
  replace(
    target,
    h('h2', {}, p.id),
    h('p', { class: 'muted' }, `${where(p.file, p.line) || 'from the cluster'} · ${p.kind}`),
    editButton(app, p.id),
    h(
      'p',
      {},
      deny.length === 0
        ? 'Default deny: none (its rules allow or deny only what they name; everything else is left to the other policies).'
        : `Default deny for ${deny.join(' and ')}: what it selects is allowed only what some rule allows.`,
    ),
    h(
      'p',
      { class: 'muted small' },
      'Its rules, per selected workload, are listed in the workload\'s "Reachable from" and "Can reach".',
    ),
    ...selectsAndYaml(app, p),
  );
}

export function renderPolicy(app: App, target: HTMLElement, id: string): void {
  const p = app.model.policies.find((x) => x.id === id);
  const cluster = p === undefined ? app.model.clusterPolicies.find((x) => x.id === id) : undefined;
  if (cluster !== undefined) {
    renderClusterPolicy(app, target, cluster);
    return;
  }
  const cilium = p === undefined ? app.model.ciliumPolicies.find((x) => x.id === id) : undefined;
  if (cilium !== undefined) {
    renderCiliumPolicy(app, target, cilium);
    return;
  }
  if (p === undefined) {
    replace(target, h('p', { class: 'muted' }, `No policy "${id}".`));
    return;
  }
  const types = [p.ingress ? 'Ingress' : null, p.egress ? 'Egress' : null]
    .filter((t) => t !== null)
    .join(', ');
  replace(
    target,
    h('h2', {}, p.id),
    h(
      'p',
      { class: 'muted' },
      `${where(p.file, p.line) || 'from the cluster'} · policyTypes: ${types || 'none'}`,
    ),
    editButton(app, p.id),
    ...selectsAndYaml(app, p),
  );
}

/** The inspector's resting text. */
export function renderEmpty(target: HTMLElement, hint: string): void {
  replace(target, h('p', { class: 'muted empty' }, hint));
}

export function groupName(id: string): string {
  if (id === BY_NAME) return 'by DNS name';
  return id === OUTSIDE ? 'outside the cluster' : id.startsWith('ns:') ? id.slice(3) : id;
}

export { namespaceGroup };
