import { expect } from 'chai';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import {
  aggregationProblems,
  type AggregationConfig,
} from '../../../src/config/aggregation-config.js';
import { resolveTools, unresolvedConflicts } from '../../../src/server/resolve-tools.js';

const tool = (name: string, description = `${name}!`): Tool => ({
  name,
  description,
  inputSchema: { type: 'object' },
});
const offered = new Map<string, Tool[]>([
  ['github', [tool('search'), tool('create_issue')]],
  ['jira', [tool('search'), tool('create_ticket')]],
  ['wiki', [tool('search')]],
]);
const served = (config: AggregationConfig, from = offered) =>
  resolveTools(from, config).tools.map((t) => `${t.name}<-${t.backend}.${t.originalName}`);

describe('resolveTools (ToolHive conflict resolution)', function () {
  it('prefix (the default): every tool is renamed {workload}_name, conflicting or not', function () {
    expect(served({})).to.deep.equal([
      'github_create_issue<-github.create_issue',
      'github_search<-github.search',
      'jira_create_ticket<-jira.create_ticket',
      'jira_search<-jira.search',
      'wiki_search<-wiki.search',
    ]);
    const custom = { conflictResolutionConfig: { prefixFormat: 'x.{workload}.{workload}-' } };
    expect(served(custom, new Map([['a', [tool('t')]]]))).to.deep.equal(['x.a.a-t<-a.t']);
  });

  it('prefix: a name that still collides goes to the first backend by name', function () {
    const resolution = resolveTools(
      new Map([
        ['b', [tool('x_y')]],
        ['b_x', [tool('y')]],
      ]),
      {},
    );
    // b + "b_x_y"? no: b_x_y from b.x_y and b_x_y from b_x.y.
    expect(resolution.tools.map((t) => `${t.name}<-${t.backend}`)).to.deep.equal(['b_x_y<-b']);
    expect(resolution.conflicts).to.deep.include({
      name: 'b_x_y',
      backends: ['b', 'b_x'],
      winner: 'b',
      reason: 'collision after prefixing: the first backend by name keeps it',
    });
  });

  it('priority: the first listed wins; a name one backend has keeps it, listed or not', function () {
    expect(
      served({
        conflictResolution: 'priority',
        conflictResolutionConfig: { priorityOrder: ['jira', 'github', 'wiki'] },
      }),
    ).to.deep.equal([
      'create_issue<-github.create_issue',
      'create_ticket<-jira.create_ticket',
      'search<-jira.search',
    ]);
  });

  it('priority: a conflict with an unlisted backend drops every candidate', function () {
    const resolution = resolveTools(offered, {
      conflictResolution: 'priority',
      conflictResolutionConfig: { priorityOrder: ['github', 'jira'] },
    });
    expect(resolution.tools.map((t) => t.name)).to.deep.equal(['create_issue', 'create_ticket']);
    expect(unresolvedConflicts(resolution).map((c) => [c.name, c.backends])).to.deep.equal([
      ['search', ['github', 'jira', 'wiki']],
    ]);
  });

  it('manual: overrides (keyed by the backend name) settle conflicts; one left unsettled serves none', function () {
    const config: AggregationConfig = {
      conflictResolution: 'manual',
      tools: [
        { workload: 'github', overrides: { search: { name: 'gh_search' } } },
        { workload: 'jira', overrides: { search: { name: 'jira_search', description: 'Jira' } } },
      ],
    };
    const resolution = resolveTools(offered, config);
    expect(resolution.tools.map((t) => `${t.name}<-${t.backend}.${t.originalName}`)).to.deep.equal([
      'create_issue<-github.create_issue',
      'create_ticket<-jira.create_ticket',
      'gh_search<-github.search',
      'jira_search<-jira.search',
      'search<-wiki.search',
    ]);
    expect(resolution.tools.find((t) => t.name === 'jira_search')?.tool.description).to.equal(
      'Jira',
    );
    expect(unresolvedConflicts(resolution)).to.deep.equal([]);
    const unsettled = resolveTools(offered, { ...config, tools: config.tools?.slice(0, 1) });
    expect(unresolvedConflicts(unsettled).map((c) => [c.name, c.backends])).to.deep.equal([
      ['search', ['jira', 'wiki']],
    ]);
  });

  it('filters after overrides and conflicts: filter names the overridden name', function () {
    const config: AggregationConfig = {
      tools: [
        {
          workload: 'github',
          filter: ['gh_search'],
          overrides: { search: { name: 'gh_search' } },
        },
        { workload: 'jira', excludeAll: true },
      ],
      defaultToolVisibility: 'deny',
    };
    // wiki has no entry and visibility is deny; jira excludes all; github keeps gh_search.
    expect(served(config)).to.deep.equal(['github_gh_search<-github.search']);
    expect(served({ excludeAllTools: true })).to.deep.equal([]);
  });

  it('merges annotation overrides field by field and keeps the input schema', function () {
    const [first] = resolveTools(
      new Map([['a', [{ ...tool('t'), annotations: { readOnlyHint: true, title: 'T' } }]]]),
      {
        tools: [
          { workload: 'a', overrides: { t: { description: 'd', annotations: { title: 'New' } } } },
        ],
      },
    ).tools;
    expect(first?.tool).to.deep.include({
      name: 'a_t',
      description: 'd',
      annotations: { readOnlyHint: true, title: 'New' },
      inputSchema: { type: 'object' },
    });
  });
});

describe('aggregationProblems', function () {
  const names = ['github', 'jira'];
  const fields = (config: AggregationConfig) =>
    aggregationProblems(config, names).map((p) => p.message);

  it('accepts the defaults and a full valid configuration', function () {
    expect(fields({})).to.deep.equal([]);
    expect(
      fields({
        conflictResolution: 'priority',
        conflictResolutionConfig: { priorityOrder: ['jira', 'github'] },
        tools: [{ workload: 'github', filter: ['x'], overrides: { a: { name: 'b' } } }],
      }),
    ).to.deep.equal([]);
  });

  it('names each bad field and what was expected', function () {
    expect(fields({ conflictResolution: 'random' as never })).to.deep.equal([
      'aggregation.conflictResolution: expected one of prefix, priority, manual, got "random"',
    ]);
    expect(fields({ conflictResolution: 'priority' })).to.deep.equal([
      'aggregation.conflictResolutionConfig.priorityOrder: expected the backends in order of priority (the priority strategy needs it)',
    ]);
    expect(
      fields({
        conflictResolution: 'priority',
        conflictResolutionConfig: { priorityOrder: ['gitlab'] },
      }),
    ).to.deep.equal([
      'aggregation.conflictResolutionConfig.priorityOrder[0]: expected a configured backend (github, jira), got "gitlab"',
    ]);
    expect(
      fields({
        conflictResolution: 'manual',
        tools: [{ workload: 'github' }, { workload: 'github', overrides: { s: {} } }],
      }),
    ).to.deep.equal([
      'aggregation.tools[1].workload: expected a backend no other tools[] entry names, got "github"',
      'aggregation.tools[1].overrides.s: expected a name or a description (or both)',
    ]);
    expect(fields({ conflictResolution: 'manual' })).to.deep.equal([
      'aggregation.tools: expected tool overrides that rename the conflicting tools (the manual strategy needs them)',
    ]);
  });
});
