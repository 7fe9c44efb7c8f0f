import { z } from 'zod';
import { BACKEND_TRANSPORTS, backendUrlProblem } from '../runtime/backend-config.js';
import { parseDuration } from '../runtime/parse-duration.js';
import { CONFLICT_RESOLUTIONS } from './aggregation-config.js';

/**
 * The vMCP's configuration as ToolHive names it (its `spec.config`, static mode), plus
 * this project's few extensions and the keys of earlier releases: one schema for the
 * config file, the VirtualMCPServer's `spec.config`, and the operator's validation.
 */

const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,251}[A-Za-z0-9])?$/;

const duration = z
  .string({ error: 'a duration such as 30s, 1m30s or 500ms' })
  .transform((text, ctx) => {
    try {
      return parseDuration('', text);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'a duration such as 30s, 1m30s or 500ms' });
      return z.NEVER;
    }
  });
const positiveDuration = duration.refine((ms) => ms > 0, 'a duration above 0, such as 30s');
const count = z.int({ error: 'an integer >= 1' }).min(1, 'an integer >= 1');

export const backendSchema = z.strictObject({
  name: z
    .string({ error: 'a name' })
    .regex(NAME, 'a name of letters, digits, "-", "_" and "." (at most 253 characters)'),
  url: z.string({ error: 'an http:// or https:// URL' }).superRefine((text, ctx) => {
    const expected = backendUrlProblem(text);
    if (expected !== undefined) ctx.addIssue({ code: 'custom', message: expected });
  }),
  transport: z
    .enum(BACKEND_TRANSPORTS, { error: `one of ${BACKEND_TRANSPORTS.join(', ')}` })
    .optional(),
  /** The config file's only: `${VAR}` is read from the environment. Never in a spec. */
  headers: z.record(z.string(), z.string({ error: 'a string' })).optional(),
  /** ToolHive's, accepted and not used. */
  type: z.string().optional(),
  caBundlePath: z.string().optional(),
  metadata: z.record(z.string(), z.string()).optional(),
});

const circuitBreakerSchema = z.strictObject({
  enabled: z.boolean({ error: 'true or false' }).optional(),
  failureThreshold: count.optional(),
  /** ToolHive's name. */
  timeout: positiveDuration.optional(),
});

export const aggregationSchema = z.strictObject({
  conflictResolution: z
    .enum(CONFLICT_RESOLUTIONS, { error: `one of ${CONFLICT_RESOLUTIONS.join(', ')}` })
    .optional(),
  conflictResolutionConfig: z
    .strictObject({
      prefixFormat: z.string({ error: 'a string such as {workload}_' }).optional(),
      priorityOrder: z.array(z.string({ error: 'a backend name' })).optional(),
    })
    .optional(),
  excludeAllTools: z.boolean({ error: 'true or false' }).optional(),
  defaultToolVisibility: z.enum(['allow', 'deny'], { error: 'allow or deny' }).optional(),
  tools: z
    .array(
      z.strictObject({
        workload: z.string({ error: 'a backend name' }),
        filter: z.array(z.string({ error: 'a tool name' })).optional(),
        excludeAll: z.boolean({ error: 'true or false' }).optional(),
        overrides: z
          .record(
            z.string(),
            z.strictObject({
              name: z.string({ error: 'a tool name' }).optional(),
              description: z.string({ error: 'a description' }).optional(),
              annotations: z.record(z.string(), z.unknown()).optional(),
            }),
          )
          .optional(),
        /** ToolHive's (an MCPToolConfig of its operator), not supported. */
        toolConfigRef: z.strictObject({ name: z.string() }).optional(),
      }),
    )
    .optional(),
});

export const operationalSchema = z.strictObject({
  logLevel: z.string().optional(),
  timeouts: z
    .strictObject({
      /** One backend call's deadline. */
      default: positiveDuration.optional(),
      perWorkload: z.record(z.string(), positiveDuration).optional(),
      backendInit: positiveDuration.optional(),
    })
    .optional(),
  failureHandling: z
    .strictObject({
      healthCheckInterval: positiveDuration.optional(),
      healthCheckTimeout: positiveDuration.optional(),
      unhealthyThreshold: count.optional(),
      statusReportingInterval: positiveDuration.optional(),
      partialFailureMode: z.enum(['fail', 'best_effort']).optional(),
      circuitBreaker: circuitBreakerSchema.optional(),
      /** This project's: a probe whose `ping` is slower marks the backend degraded. */
      degradedThreshold: duration.optional(),
      /** This project's: probes running at once, over all backends. */
      maxConcurrentChecks: count.optional(),
    })
    .optional(),
  listChanged: z.unknown().optional(),
});

/** The keys of ToolHive's `spec.config` this project accepts but does not use. */
export const UNSUPPORTED_TOOLHIVE_KEYS = [
  'name',
  'groupRef',
  'incomingAuth',
  'outgoingAuth',
  'compositeTools',
  'compositeToolRefs',
  'metadata',
  'telemetry',
  'audit',
  'optimizer',
  'codeMode',
  'sessionStorage',
  'rateLimiting',
  'passthroughHeaders',
] as const;

/** Earlier releases' keys, still read (each a deprecation warning). */
const legacySchema = {
  interval: positiveDuration.optional(),
  probe: z
    .strictObject({
      interval: positiveDuration.optional(),
      timeout: positiveDuration.optional(),
      degradedThreshold: duration.optional(),
      unhealthyThreshold: count.optional(),
      maxConcurrent: count.optional(),
      relistToolsEvery: count.optional(),
      circuitBreaker: z
        .strictObject({
          enabled: z.boolean({ error: 'true or false' }).optional(),
          failureThreshold: count.optional(),
          openTimeout: duration.optional(),
        })
        .optional(),
    })
    .optional(),
};

/** The whole document: `spec.config`, or the config file. */
export const vmcpConfigSchema = z.strictObject({
  backends: z
    .array(backendSchema, { error: 'a list of backends' })
    .superRefine((list, ctx) => {
      const seen = new Set<string>();
      list.forEach((backend, index) => {
        if (seen.has(backend.name)) {
          ctx.addIssue({
            code: 'custom',
            message: 'a name no other backend has',
            path: [index, 'name'],
          });
        }
        seen.add(backend.name);
      });
    })
    .optional(),
  aggregation: aggregationSchema.optional(),
  operational: operationalSchema.optional(),
  /** This project's: at most this many `status.discoveredBackends` entries. */
  maxReportedBackends: z
    .int({ error: 'an integer >= 0' })
    .min(0, 'an integer >= 0')
    .max(10_000, 'at most 10000 (the CRD allows no more)')
    .optional(),
  ...legacySchema,
  ...Object.fromEntries(UNSUPPORTED_TOOLHIVE_KEYS.map((key) => [key, z.unknown().optional()])),
});

/** The document as the schema reads it (durations in ms). */
export type VmcpConfigDocument = z.infer<typeof vmcpConfigSchema>;
