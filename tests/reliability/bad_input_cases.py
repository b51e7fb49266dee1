# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bad input cases generated from an argument spec (a module's, an action's, a role's or a playbook's), so that a new
option is covered as soon as it exists: wrong types, values outside the choices, out-of-range numbers, unknown and
missing keys in list items, and the spec's own mutually exclusive / required together / required one of / required if
rules. Each case is (label, arguments, names the failure message must hold)."""

from __future__ import annotations

from collections import namedtuple

Case = namedtuple('Case', 'label args names')
SECRET_IN_BAD_VALUE = 'bad-input-secret-Qz71'
# Integer options and the values outside their range; every integer option must be listed here or in UNBOUNDED.
RANGES = {
    'timeout': (0, -1),
    'retries': (-1,),
    'rate_limit_burst': (-1,),
    'max_concurrency': (0, -1),
    'max_expiry_days': (0, -5),
    'min_validity': (-1,),
    'refresh_token_lifetime': (0,),
    'bitbucket_oauth_min_validity': (-1,),
    'bitbucket_oauth_consent_timeout': (0,),
    'bitbucket_access_token_max_expiry_days': (0,),
}
# Epoch seconds given back by the collection itself (a store, a registered result): any integer is a time.
UNBOUNDED = {'expires_at', 'refresh_token_issued_at'}
URL_OPTIONS = {'url': 'bitbucket.example.com', 'token_url': 'bitbucket.example.com/rest/oauth2/latest/token',
               'bitbucket_url': 'bitbucket.example.com'}


def bad_values(definition):
    """(what, value) pairs that the option's type cannot take."""
    kind = definition.get('type', 'str')
    secret = SECRET_IN_BAD_VALUE if definition.get('no_log') else 'value'
    values = {
        'str': [('a dictionary', {'key': secret}), ('a list', [secret])],
        'path': [('a dictionary', {'key': secret}), ('a list', [secret])],
        'int': [('text', 'twelve'), ('a dictionary', {'key': 1}), ('a fraction', 1.5)],
        'bool': [('text that is no boolean', 'maybe'), ('a list', [True])],
        'list': [('a dictionary', {'key': secret})],
        'dict': [('text', 'no dictionary'), ('a list', [secret])],
    }.get(kind, [])
    if kind == 'list' and definition.get('elements') in ('str', 'path'):
        values.append(('a dictionary item', [{'key': secret}]))
    if kind == 'list' and definition.get('elements') == 'dict':
        values.append(('an item that is not a dictionary', ['no dictionary']))
    if definition.get('choices') and kind == 'str':
        values.append(('a value not among the choices', 'not-a-choice'))
    if definition.get('choices') and kind == 'list':
        values.append(('an item not among the choices', ['not-a-choice']))
    return values


def sample(name, definition, *bases):
    """A valid value for the option: from a base if one holds it, else from its type."""
    for base in bases:
        if name in base:
            return base[name]
    if definition.get('choices'):
        return definition['choices'][0]
    return {'str': 'sample', 'path': '/tmp/sample', 'int': 5, 'bool': True, 'dict': {}}.get(
        definition.get('type', 'str'), ['sample'])


def integer_options_without_range(spec):
    return sorted(name for name, definition in spec.items()
                  if definition.get('type') == 'int' and name not in RANGES and name not in UNBOUNDED)


def generated_cases(prefix, spec, base, bulk_base=None, rules=None, swap_credentials=None, lean=False):
    """Every case of one argument spec.

    base: valid arguments (one object); bulk_base: valid arguments of the list form, used for the options it holds;
    rules: mutually_exclusive, required_together, required_one_of, required_if as AnsibleModule takes them;
    swap_credentials: (options, arguments) - cases of these options start from these arguments instead (Basic auth
    options start without a token, which would otherwise conflict with them);
    lean: one wrong type per option instead of all (for ansible-playbook runs, where each case costs a host).
    """
    bulk_base = bulk_base or {}
    rules = rules or {}

    def start(option):
        if swap_credentials and option in swap_credentials[0]:
            return dict(swap_credentials[1])
        return dict(bulk_base if option in bulk_base else base)

    cases = []
    for option, definition in sorted(spec.items()):
        if definition.get('required') and option in start(option):
            cases.append(Case('%s: %s missing (required)' % (prefix, option),
                              {key: value for key, value in start(option).items() if key != option}, [option]))
        values = bad_values(definition)
        for what, value in values[:1] + [pair for pair in values[1:] if 'choices' in pair[0]] if lean else values:
            cases.append(Case('%s: %s given %s' % (prefix, option, what), dict(start(option), **{option: value}),
                              [option]))
        if definition.get('type') == 'int':
            for value in RANGES.get(option, ()):
                cases.append(Case('%s: %s out of range (%s)' % (prefix, option, value),
                                  dict(start(option), **{option: value}), [option]))
        if option in URL_OPTIONS:
            cases.append(Case('%s: %s without a scheme' % (prefix, option),
                              dict(start(option), **{option: URL_OPTIONS[option]}), [option]))
        if definition.get('elements') == 'dict' and definition.get('options'):
            cases += item_cases(prefix, option, definition['options'], start(option))
    cases += rule_cases(prefix, spec, base, bulk_base, rules, start)
    return cases


def item_cases(prefix, option, suboptions, start):
    """Unknown and missing keys, and every suboption's bad values, inside one item of a list of dictionaries."""
    item = dict(start[option][0])
    cases = [Case('%s: unknown key inside a %s item' % (prefix, option),
                  dict(start, **{option: [dict(item, unknown_key='x')]}), [option, 'unknown_key'])]
    for key, definition in sorted(suboptions.items()):
        if definition.get('required'):
            cases.append(Case('%s: %s item without its required key %s' % (prefix, option, key),
                              dict(start, **{option: [{k: v for k, v in item.items() if k != key}]}), [option, key]))
        for what, value in bad_values(definition):
            cases.append(Case('%s: %s[].%s given %s' % (prefix, option, key, what),
                              dict(start, **{option: [dict(item, **{key: value})]}), [option, key]))
    return cases


def rule_cases(prefix, spec, base, bulk_base, rules, start):
    """Cases breaking each rule of the spec, starting from arguments that break no other rule."""
    together = [set(pair) for pair in rules.get('required_together', [])]

    def clean(arguments, *names):
        """arguments without names, nor the options required together with them."""
        drop = set(names)
        for group in together:
            if drop & group:
                drop |= group
        return {key: value for key, value in arguments.items() if key not in drop}

    def value(name):
        return sample(name, spec.get(name, {}), base, bulk_base)

    cases = []
    for first, second in rules.get('mutually_exclusive', []):
        source = bulk_base if first in bulk_base or second in bulk_base else base
        arguments = dict(clean(source, first, second), **{first: value(first), second: value(second)})
        for name in (first, second):
            for partner in set().union(*[group for group in together if name in group] or [set()]):
                arguments.setdefault(partner, value(partner))
        cases.append(Case('%s: %s with %s (mutually exclusive)' % (prefix, first, second), arguments,
                          [first, second]))
    for group in rules.get('required_together', []):
        first = group[0]
        cases.append(Case('%s: %s without %s (required together)' % (prefix, first, ', '.join(group[1:])),
                          dict(clean(start(first), *group), **{first: value(first)}), list(group)))
    for group in rules.get('required_one_of', []):
        cases.append(Case('%s: none of %s (one is required)' % (prefix, ', '.join(group)), clean(base, *group),
                          list(group)))
    for rule in rules.get('required_if', []):
        key, wanted, needed = rule[0], rule[1], rule[2]
        any_of = len(rule) > 3 and rule[3]
        missing = ' or '.join(needed) if any_of else ', '.join(needed)
        cases.append(Case('%s: %s=%s without %s (required if)' % (prefix, key, wanted, missing),
                          dict(clean(base, *needed), **{key: wanted}), list(needed)))
    return cases
