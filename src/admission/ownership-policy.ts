/**
 * The ValidatingAdmissionPolicy that makes the status ownership table enforceable by
 * kube-apiserver itself (no webhook to run): an UPDATE of `virtualmcpservers/status`
 * may change a runtime-owned field only as the object's runtime ServiceAccount, an
 * operator-owned one only as the operator; break-glass groups bypass it. Pure builders.
 */
import { FIELD_MANAGERS, type StatusOwner } from '../apply/ownership.js';
import type { ResolvedStatusLayout } from '../apply/status-layout.js';
import { ConfigError } from '../errors.js';
import {
  CONDITION_VARIABLES,
  celString,
  celStringList,
  changedLabelsExpression,
  ownedFieldChecks,
} from './ownership-cel.js';

/** Who may write what: the parameters of the generated policy. */
export interface OwnershipPolicyOptions {
  /**
   * Name of the runtime's ServiceAccount, in the object's own namespace; `{name}`
   * stands for the VirtualMCPServer's name. Defaults to `{name}-vmcp`, the name the
   * operator gives it.
   */
  readonly runtimeServiceAccount?: string;
  /**
   * Usernames the operator runs as (a ServiceAccount is
   * `system:serviceaccount:NAMESPACE:NAME`). Defaults to
   * `['system:serviceaccount:vmcp-system:vmcp-operator']`.
   */
  readonly operatorUsernames?: readonly string[];
  /** Members of these groups may always write (break-glass). Defaults to `['system:masters']`. */
  readonly breakGlassGroups?: readonly string[];
  /** Name of the policy (and of the binding). Defaults to `vmcp-status-ownership`. */
  readonly name?: string;
  /** API group of the VirtualMCPServer CRD. Defaults to `vmcp-status.dev`. */
  readonly group?: string;
  /**
   * The status layout the policy enforces (src/apply/ownership.ts): `top-level` (this
   * project's CRD) or `runtime` (ToolHive's: the runtime may change only
   * `status.runtime`, the operator everything else). Defaults to `top-level`.
   */
  readonly layout?: ResolvedStatusLayout;
}

export const DEFAULT_POLICY_OPTIONS: Required<OwnershipPolicyOptions> = {
  runtimeServiceAccount: '{name}-vmcp',
  operatorUsernames: ['system:serviceaccount:vmcp-system:vmcp-operator'],
  breakGlassGroups: ['system:masters'],
  name: 'vmcp-status-ownership',
  group: 'vmcp-status.dev',
  layout: 'top-level',
};

/**
 * The defaults for the `runtime` layout: ToolHive's operator as its Helm chart installs
 * it (ServiceAccount `toolhive-operator` in `toolhive-system`); ToolHive names a vMCP's
 * ServiceAccount `{name}-vmcp` too.
 */
export const TOOLHIVE_POLICY_OPTIONS: Required<OwnershipPolicyOptions> = {
  ...DEFAULT_POLICY_OPTIONS,
  operatorUsernames: ['system:serviceaccount:toolhive-system:toolhive-operator'],
  layout: 'runtime',
};

/** What a binding does with a failed validation (admissionregistration.k8s.io/v1). */
export type ValidationAction = 'Deny' | 'Warn' | 'Audit';

/** Enforce: the default. */
export const DENY: readonly ValidationAction[] = ['Deny'];
/** Report only: the response carries a warning and the audit log an annotation. */
export const WARN_AND_AUDIT: readonly ValidationAction[] = ['Warn', 'Audit'];

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const PRINTABLE = /^[\x21-\x7e]+$/;

/** The options with defaults filled in, validated; a {@link ConfigError} names the bad one. */
export function resolvePolicyOptions(
  options: OwnershipPolicyOptions = {},
): Required<OwnershipPolicyOptions> {
  // A JavaScript caller may pass anything.
  const layout: string | undefined = options.layout;
  if (layout !== undefined && !['top-level', 'runtime'].includes(layout))
    throw new ConfigError('layout', 'top-level or runtime', layout);
  const defaults = options.layout === 'runtime' ? TOOLHIVE_POLICY_OPTIONS : DEFAULT_POLICY_OPTIONS;
  const resolved = { ...defaults, ...options };
  const sample = resolved.runtimeServiceAccount.replaceAll('{name}', 'x');
  if (!DNS_SUBDOMAIN.test(sample) || sample.length > 253)
    throw new ConfigError(
      'runtimeServiceAccount',
      'a ServiceAccount name in which {name} stands for the VirtualMCPServer',
      resolved.runtimeServiceAccount,
    );
  if (resolved.operatorUsernames.length === 0)
    throw new ConfigError('operatorUsernames', 'at least one username');
  for (const username of resolved.operatorUsernames)
    if (!PRINTABLE.test(username))
      throw new ConfigError('operatorUsernames', 'usernames without spaces', username);
  for (const group of resolved.breakGlassGroups)
    if (!PRINTABLE.test(group))
      throw new ConfigError('breakGlassGroups', 'group names without spaces', group);
  if (!DNS_SUBDOMAIN.test(resolved.name))
    throw new ConfigError('name', 'a DNS subdomain', resolved.name);
  if (!DNS_SUBDOMAIN.test(resolved.group))
    throw new ConfigError('group', 'an API group', resolved.group);
  return resolved;
}

/** CEL for the runtime's username: `system:serviceaccount:<ns>:<pattern with {name}>`. */
function runtimeUsernameExpression(pattern: string): string {
  // Literal text and CEL terms, adjacent literals merged: 'a' + x + 'b'.
  const terms: Array<{ literal: string } | { cel: string }> = [
    { literal: 'system:serviceaccount:' },
    { cel: 'object.metadata.namespace' },
    { literal: ':' },
  ];
  pattern.split('{name}').forEach((part, i) => {
    if (i > 0) terms.push({ cel: 'object.metadata.name' });
    const last = terms.at(-1);
    if (last !== undefined && 'literal' in last) last.literal += part;
    else if (part !== '') terms.push({ literal: part });
  });
  return terms.map((t) => ('cel' in t ? t.cel : celString(t.literal))).join(' + ');
}

/** CEL for "`owner`'s fields this request changes but its caller may not": the denied ones. */
function deniedFields(owner: StatusOwner, allowed: string): string {
  return `${allowed} ? [] : variables.${owner}FieldsChanged`;
}

/** Who a denial says owns `owner`'s fields: its field manager, or ToolHive's operator. */
function ownerName(owner: StatusOwner, layout: ResolvedStatusLayout): string {
  return owner === 'operator' && layout === 'runtime'
    ? 'the ToolHive operator'
    : FIELD_MANAGERS[owner];
}

/** One part of the denial message: `status.phase (owned by vmcp-runtime, written only by …)`. */
function deniedPart(owner: StatusOwner, writers: string, layout: ResolvedStatusLayout): string {
  const denied = `variables.${owner}DeniedFields`;
  const owned = `' (owned by ${ownerName(owner, layout)}, written only by `;
  // A literal writer joins the literal before it: '… written only by system:…)'.
  const text = writers.startsWith("'")
    ? `${denied}.join(', ') + ${owned}${writers.slice(1, -1)})'`
    : `${denied}.join(', ') + ${owned}' + ${writers} + ')'`;
  return `(size(${denied}) > 0 ? [${text}] : [])`;
}

/** The `ValidatingAdmissionPolicy` object (admissionregistration.k8s.io/v1). */
export function ownershipPolicy(options: OwnershipPolicyOptions = {}) {
  const o = resolvePolicyOptions(options);
  const operators = celStringList(o.operatorUsernames);
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicy',
    metadata: { name: o.name },
    spec: {
      failurePolicy: 'Fail',
      matchConstraints: {
        resourceRules: [
          {
            apiGroups: [o.group],
            apiVersions: ['*'],
            operations: ['UPDATE'],
            resources: ['virtualmcpservers/status'],
          },
        ],
      },
      matchConditions: [
        {
          name: 'not-break-glass',
          expression: `!request.userInfo.?groups.orValue([]).exists(g, g in ${celStringList(o.breakGlassGroups)})`,
        },
      ],
      variables: [
        { name: 'caller', expression: 'request.userInfo.username' },
        {
          name: 'runtimeUsername',
          expression: runtimeUsernameExpression(o.runtimeServiceAccount),
        },
        ...Object.entries(CONDITION_VARIABLES).map(([name, expression]) => ({ name, expression })),
        {
          name: 'runtimeFieldsChanged',
          expression: changedLabelsExpression(ownedFieldChecks('runtime', o.layout)),
        },
        {
          name: 'operatorFieldsChanged',
          expression: changedLabelsExpression(ownedFieldChecks('operator', o.layout)),
        },
        {
          name: 'runtimeDeniedFields',
          expression: deniedFields('runtime', 'variables.caller == variables.runtimeUsername'),
        },
        {
          name: 'operatorDeniedFields',
          expression: deniedFields('operator', `variables.caller in ${operators}`),
        },
      ],
      validations: [
        {
          expression:
            'size(variables.runtimeDeniedFields) + size(variables.operatorDeniedFields) == 0',
          // Only the first failed validation reaches the caller: one validation names all.
          messageExpression: [
            "variables.caller + ' may not change '",
            `(${deniedPart('runtime', 'variables.runtimeUsername', o.layout)}`,
            `${deniedPart('operator', celString(o.operatorUsernames.join(' or ')), o.layout)}).join('; ')`,
          ].join('\n+ '),
          reason: 'Forbidden',
        },
      ],
    },
  };
}

/** Options of {@link ownershipPolicyBinding}. */
export interface OwnershipBindingOptions {
  /** Defaults to {@link DENY}; {@link WARN_AND_AUDIT} to see who would be denied first. */
  readonly validationActions?: readonly ValidationAction[];
  /** Defaults to the policy's name. */
  readonly name?: string;
  /** Defaults to {@link DEFAULT_POLICY_OPTIONS}' name. */
  readonly policyName?: string;
  /** Limits the binding to matching namespaces. Defaults to none: every namespace. */
  readonly namespaceSelector?: { readonly matchLabels: Readonly<Record<string, string>> };
}

/** The `ValidatingAdmissionPolicyBinding` that puts the policy in force. */
export function ownershipPolicyBinding(options: OwnershipBindingOptions = {}) {
  const policyName = options.policyName ?? DEFAULT_POLICY_OPTIONS.name;
  const validationActions = [...(options.validationActions ?? DENY)];
  if (
    validationActions.length === 0 ||
    (validationActions.includes('Deny') && validationActions.includes('Warn'))
  )
    throw new ConfigError(
      'validationActions',
      'a non-empty list without both Deny and Warn',
      validationActions.join(','),
    );
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicyBinding',
    metadata: { name: options.name ?? policyName },
    spec: {
      policyName,
      validationActions,
      ...(options.namespaceSelector !== undefined
        ? {
            matchResources: {
              namespaceSelector: { matchLabels: { ...options.namespaceSelector.matchLabels } },
            },
          }
        : {}),
    },
  };
}
