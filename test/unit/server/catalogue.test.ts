import { expect } from 'chai';
import type { Prompt, Resource, ResourceTemplate, Tool } from '@modelcontextprotocol/sdk/types.js';
import { Catalogue, type BackendOffer } from '../../../src/server/catalogue.js';
import { resolvePrompts } from '../../../src/server/resolve-prompts.js';

const tool = (name: string): Tool => ({ name, description: name, inputSchema: { type: 'object' } });
const prompt = (name: string): Prompt => ({ name, description: name });
const resource = (uri: string): Resource => ({ uri, name: uri });
const template = (uriTemplate: string): ResourceTemplate => ({ uriTemplate, name: uriTemplate });
const offer = (parts: Partial<BackendOffer>): BackendOffer => ({
  tools: [],
  resources: [],
  resourceTemplates: [],
  prompts: [],
  ...parts,
});

const offers = new Map<string, BackendOffer>([
  [
    'a',
    offer({
      tools: [tool('search')],
      prompts: [prompt('greet')],
      resources: [resource('test://shared'), resource('test://a')],
      resourceTemplates: [template('test://items/{id}')],
    }),
  ],
  [
    'b',
    offer({
      tools: [tool('search'), tool('fetch')],
      prompts: [prompt('greet')],
      resources: [resource('test://shared')],
      resourceTemplates: [template('test://items/{id}'), template('test://b/{path}')],
    }),
  ],
]);

describe('Catalogue', function () {
  it('serves only servable backends, and counts each configured backend', function () {
    const all = new Catalogue(offers, () => true, {}, ['a', 'b', 'c']);
    expect(all.tools.map((t) => t.name)).to.deep.equal(['a_search', 'b_fetch', 'b_search']);
    expect([...all.served]).to.deep.equal([
      ['a', ['a_search']],
      ['b', ['b_fetch', 'b_search']],
      ['c', []],
    ]);
    const withoutB = new Catalogue(offers, (name) => name !== 'b', {}, ['a', 'b']);
    expect(withoutB.tools.map((t) => t.name)).to.deep.equal(['a_search']);
    expect(withoutB.served.get('b')).to.deep.equal([]);
    expect(all.changedLists(withoutB)).to.deep.equal(['tools', 'resources', 'prompts']);
    expect(all.changedLists(new Catalogue(offers, () => true, {}, ['a', 'b']))).to.deep.equal([]);
  });

  it('routes a call back to the backend under its own name', function () {
    const catalogue = new Catalogue(offers, () => true, {}, ['a', 'b']);
    expect(catalogue.tool('b_search')).to.include({ backend: 'b', originalName: 'search' });
    expect(catalogue.tool('search')).to.equal(undefined);
    expect(catalogue.prompt('a_greet')).to.include({ backend: 'a', originalName: 'greet' });
  });

  it('routes resources by exact URI, the first backend by name winning, then by template', function () {
    const catalogue = new Catalogue(offers, () => true, {}, ['a', 'b']);
    expect(catalogue.resources.map((r) => `${r.item.uri}<-${r.backend}`)).to.deep.equal([
      'test://a<-a',
      'test://shared<-a',
    ]);
    expect(catalogue.resourceOwner('test://shared')).to.equal('a');
    expect(catalogue.resourceOwner('test://items/42')).to.equal('a');
    expect(catalogue.resourceOwner('test://b/x')).to.equal('b');
    expect(catalogue.resourceOwner('test://nowhere')).to.equal(undefined);
    expect(catalogue.resourceOwner(`test://b/${'x'.repeat(3000)}`)).to.equal(undefined);
    expect(catalogue.templateOwner('test://b/{path}')).to.equal('b');
  });
});

describe('resolvePrompts', function () {
  it('prefixes every prompt; under priority listed backends keep their names', function () {
    const prompts = new Map([
      ['a', [prompt('greet'), prompt('bye')]],
      ['b', [prompt('greet')]],
      ['c', [prompt('greet')]],
    ]);
    expect(resolvePrompts(prompts).map((p) => p.name)).to.deep.equal([
      'a_bye',
      'a_greet',
      'b_greet',
      'c_greet',
    ]);
    const priority = resolvePrompts(prompts, {
      conflictResolution: 'priority',
      conflictResolutionConfig: { priorityOrder: ['b', 'a'] },
    });
    expect(priority.map((p) => `${p.name}<-${p.backend}`)).to.deep.equal([
      'bye<-a',
      'c_greet<-c',
      'greet<-b',
    ]);
  });

  it('drops every claimant of a name two different prompts compose to', function () {
    const prompts = new Map([
      ['a', [prompt('b_x')]],
      ['a_b', [prompt('x')]],
    ]);
    expect(resolvePrompts(prompts).map((p) => p.name)).to.deep.equal([]);
  });
});
