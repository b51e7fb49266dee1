"""The AWX credential type (extensions/awx/credential_type.yml) as AWX validates and injects it, and its registration.

``inject_credential`` renders a custom credential type the way AWX does when a job starts (awx_plugins
``inject_credential``: Jinja2 immutable sandbox, empty inputs left undefined, ``file`` injectors written under the
job's ``env/`` directory and named by ``tower.filename``, ``extra_vars`` written to a YAML file passed as
``-e @file``). test_awx_job.py uses it to start jobs with exactly what the injectors produce.
"""

import os
import re
import stat
import tempfile
from pathlib import Path
from types import SimpleNamespace

import yaml
from jinja2 import StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

REPO = Path(__file__).resolve().parents[2]
DEFINITION = REPO / 'extensions' / 'awx' / 'credential_type.yml'
REGISTER_PLAYBOOK = REPO / 'playbooks' / 'register_awx_credential_type.yml'
# AWX refuses these in env injectors (CredentialTypeInjectorField / awx_plugins ENV_BLOCKLIST), and ANSIBLE_*.
ENV_BLOCKLIST = {'VIRTUAL_ENV', 'PATH', 'PYTHONPATH', 'JOB_ID', 'INVENTORY_ID', 'INVENTORY_SOURCE_ID',
                 'INVENTORY_UPDATE_ID', 'AD_HOC_COMMAND_ID', 'REST_API_URL', 'REST_API_TOKEN', 'MAX_EVENT_RES',
                 'CALLBACK_QUEUE', 'CALLBACK_CONNECTION', 'CACHE', 'JOB_CALLBACK_DEBUG', 'INVENTORY_HOSTVARS',
                 'AWX_HOST', 'PROJECT_REVISION', 'SUPERVISOR_CONFIG_PATH'}

PEM = '-----BEGIN CERTIFICATE-----\nMIIBexample\n-----END CERTIFICATE-----\n'
FULL_INPUTS = {
    'url': 'https://bitbucket.example.com/bitbucket', 'client_id': 'ansible-client', 'client_secret': 'cl1ent-s3cret',
    'redirect_uri': 'http://127.0.0.1:8765/callback', 'username': 'automation', 'password': 'b4sic-pa55',
    'ca_bundle': PEM, 'vault_url': 'https://vault.example.com:8200', 'vault_token': 'hvs.v4ult-t0ken',
    'vault_role_id': 'role-1d', 'vault_secret_id': 's3cret-1d', 'vault_mount_point': 'kv-ops',
    'vault_namespace': 'team-eu', 'vault_ca_bundle': PEM,
}
VAULT_EXTRA_VARS = {'bitbucket_oauth_token_store_backend', 'bitbucket_oauth_hashi_vault'}


def load_definition():
    return yaml.safe_load(DEFINITION.read_text())


def inject_credential(definition, inputs, private_data_dir):
    """(env, args) for a job using a credential with ``inputs``, rendered as AWX renders custom credential types."""
    injectors = definition['injectors']
    env_dir = Path(private_data_dir) / 'env'
    env_dir.mkdir(parents=True, exist_ok=True)
    sandbox = ImmutableSandboxedEnvironment()
    namespace = {'tower': SimpleNamespace()}
    namespace.update({name: value for name, value in inputs.items() if value})

    files = {}
    for label, template in injectors.get('file', {}).items():
        handle, path = tempfile.mkstemp(dir=env_dir)
        with os.fdopen(handle, 'w') as stream:
            stream.write(sandbox.from_string(template).render(**namespace))
        os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
        files[label.partition('.')[2]] = path
    namespace['tower'].filename = files.pop('', None) or SimpleNamespace(**files)

    env = {name: sandbox.from_string(template).render(**namespace) for name, template in injectors['env'].items()}
    args = []

    def render(node):  # nested mappings and lists are rendered leaf by leaf, as AWX's build_extra_vars does
        if isinstance(node, dict):
            return {render(key): render(value) for key, value in node.items()}
        if isinstance(node, list):
            return [render(item) for item in node]
        return sandbox.from_string(node).render(**namespace)

    extra_vars = render(injectors.get('extra_vars', {}))
    if extra_vars:
        handle, path = tempfile.mkstemp(dir=env_dir)
        with os.fdopen(handle, 'w') as stream:
            stream.write(yaml.safe_dump(extra_vars))
        os.chmod(path, stat.S_IRUSR)
        args += ['-e', '@%s' % path]
    return env, args


def read_extra_vars(args):
    return yaml.safe_load(Path(args[args.index('-e') + 1][1:]).read_text())


def test_definition_is_one_awx_accepts_and_matches_the_collection():
    definition = load_definition()
    fields = {field['id']: field for field in definition['inputs']['fields']}
    injectors = definition['injectors']

    # Input schema as AWX checks it.
    assert definition['kind'] == 'cloud'
    assert len(fields) == len(definition['inputs']['fields'])
    assert all(re.fullmatch(r'[a-zA-Z_][a-zA-Z0-9_]*', name) for name in fields)
    assert all(field['type'] == 'string' and field['label'] for field in fields.values())
    assert set(definition['inputs']['required']) == {'url', 'client_id', 'client_secret', 'redirect_uri'}
    secret_inputs = {'client_secret', 'password', 'vault_token', 'vault_secret_id'}
    assert {name for name, field in fields.items() if field.get('secret')} == secret_inputs
    assert fields['ca_bundle'].get('multiline') is True and fields['vault_ca_bundle'].get('multiline') is True

    # Injector validation as AWX does it: allowed env names, every template renders with StrictUndefined when all
    # inputs are set and each file label is known.
    assert set(injectors) == {'env', 'extra_vars', 'file'}
    for name in injectors['env']:
        assert not name.startswith('ANSIBLE_') and name not in ENV_BLOCKLIST
    strict = ImmutableSandboxedEnvironment(undefined=StrictUndefined)
    namespace = dict.fromkeys(fields, 'EXAMPLE')
    namespace['tower'] = SimpleNamespace(filename=SimpleNamespace(
        **{label.partition('.')[2]: 'EXAMPLE_FILENAME' for label in injectors['file']}))
    for kind in ('file', 'env', 'extra_vars'):
        for template in injectors[kind].values():
            for leaf in (template.values() if isinstance(template, dict) else [template]):
                strict.from_string(leaf).render(**namespace)

    # Env names are the collection's connection fallbacks; extra vars are the role's options.
    fragment = ''.join((REPO / 'plugins' / 'doc_fragments' / name).read_text() for name in ('connection.py', 'auth.py'))
    vault_env = {'VAULT_ADDR', 'VAULT_TOKEN', 'VAULT_NAMESPACE', 'VAULT_CACERT'}
    assert set(injectors['env']) == {'BITBUCKET_DC_URL', 'BITBUCKET_DC_USERNAME', 'BITBUCKET_DC_PASSWORD',
                                     'BITBUCKET_DC_CA_PATH'} | vault_env
    assert all('E(%s)' % name in fragment for name in set(injectors['env']) - vault_env)
    module_doc = (REPO / 'plugins' / 'doc_fragments' / 'hashi_vault_token_store.py').read_text()
    assert all('E(%s)' % name in module_doc for name in vault_env), 'the hashi_vault option documents the fallbacks'
    role_options = yaml.safe_load((REPO / 'roles' / 'oauth_session' / 'meta' / 'argument_specs.yml').read_text())[
        'argument_specs']['main']['options']
    assert set(injectors['extra_vars']) == {'bitbucket_url', 'bitbucket_oauth_client_id',
                                            'bitbucket_oauth_client_secret', 'bitbucket_oauth_redirect_uri'} \
        | VAULT_EXTRA_VARS
    assert set(injectors['extra_vars']) <= set(role_options)


def test_injection_with_all_inputs_and_with_the_required_ones_only(tmp_path):
    definition = load_definition()

    env, args = inject_credential(definition, FULL_INPUTS, tmp_path / 'full')
    assert env['BITBUCKET_DC_URL'] == FULL_INPUTS['url']
    assert (env['BITBUCKET_DC_USERNAME'], env['BITBUCKET_DC_PASSWORD']) == ('automation', 'b4sic-pa55')
    ca_file = Path(env['BITBUCKET_DC_CA_PATH'])
    assert ca_file.parent == tmp_path / 'full' / 'env' and ca_file.read_text() == PEM
    assert read_extra_vars(args) == {
        'bitbucket_url': FULL_INPUTS['url'], 'bitbucket_oauth_client_id': 'ansible-client',
        'bitbucket_oauth_client_secret': 'cl1ent-s3cret', 'bitbucket_oauth_redirect_uri': FULL_INPUTS['redirect_uri'],
        'bitbucket_oauth_token_store_backend': 'hashi_vault',
        'bitbucket_oauth_hashi_vault': {'auth_method': 'approle', 'role_id': 'role-1d', 'secret_id': 's3cret-1d',
                                        'mount_point': 'kv-ops'}}
    assert (env['VAULT_ADDR'], env['VAULT_TOKEN'], env['VAULT_NAMESPACE']) == (
        'https://vault.example.com:8200', 'hvs.v4ult-t0ken', 'team-eu')
    assert Path(env['VAULT_CACERT']).read_text() == PEM and env['VAULT_CACERT'] != env['BITBUCKET_DC_CA_PATH']

    required = {name: FULL_INPUTS[name] for name in definition['inputs']['required']}
    env, args = inject_credential(definition, required, tmp_path / 'required')
    # Unset optional inputs become empty strings, which the collection treats as unset (no CA file path).
    assert (env['BITBUCKET_DC_USERNAME'], env['BITBUCKET_DC_PASSWORD'], env['BITBUCKET_DC_CA_PATH']) == ('', '', '')
    assert read_extra_vars(args)['bitbucket_oauth_client_secret'] == 'cl1ent-s3cret'
    # Without Vault inputs: the file backend (empty backend), no VAULT_* value.
    assert read_extra_vars(args)['bitbucket_oauth_token_store_backend'] == ''
    assert read_extra_vars(args)['bitbucket_oauth_hashi_vault']['auth_method'] == 'token'
    assert {env[name] for name in ('VAULT_ADDR', 'VAULT_TOKEN', 'VAULT_NAMESPACE', 'VAULT_CACERT')} == {''}


FAKE_CREDENTIAL_TYPE_MODULE = '''\
from ansible.module_utils.basic import AnsibleModule


def main():
    # The argument spec of awx.awx.credential_type (awx_collection/plugins/modules/credential_type.py), without the
    # controller connection options, which come from the environment.
    module = AnsibleModule(argument_spec=dict(
        name=dict(required=True), new_name=dict(), description=dict(),
        kind=dict(choices=['ssh', 'vault', 'net', 'scm', 'cloud', 'insights']),
        inputs=dict(type='dict'), injectors=dict(type='dict'),
        state=dict(choices=['present', 'absent'], default='present'),
    ))
    module.exit_json(changed=True, received=module.params)


main()
'''


def fake_awx_collection(base):
    """A collections path holding a stand-in awx.awx with credential_type only; returns the path."""
    modules = base / 'ansible_collections' / 'awx' / 'awx' / 'plugins' / 'modules'
    modules.mkdir(parents=True)
    (modules / 'credential_type.py').write_text(FAKE_CREDENTIAL_TYPE_MODULE)
    (modules.parent.parent / 'galaxy.yml').write_text('namespace: awx\nname: awx\nversion: 0.0.1\n')
    return str(base)


def test_registration_playbook_sends_the_definition_unrendered(tmp_path, run_playbook, collection_env):
    """The registration playbook hands AWX the injector templates exactly as written in the definition file.

    awx.awx is not installable here (a Galaxy collection): a stand-in with its module's argument spec records the
    arguments instead of calling a controller.
    """
    paths = os.pathsep.join([collection_env['ANSIBLE_COLLECTIONS_PATH'], fake_awx_collection(tmp_path / 'fake')])

    result = run_playbook(REGISTER_PLAYBOOK, env={'ANSIBLE_COLLECTIONS_PATH': paths})

    received = result.task_result('Create or update the credential type')['received']
    definition = load_definition()
    assert received['name'] == 'Bitbucket Data Center (dcops.bitbucket)'
    assert received['kind'] == 'cloud' and received['state'] == 'present'
    assert received['description'] == definition['description']
    assert received['inputs'] == definition['inputs']
    assert received['injectors'] == definition['injectors']
    assert received['injectors']['env']['BITBUCKET_DC_URL'] == '{{ url }}'
