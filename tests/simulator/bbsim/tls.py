"""A throw-away CA and a server certificate for 127.0.0.1/localhost, made by ``trustme`` (only with --tls)."""

import os
import ssl

import trustme


def create(directory):
    """Write ca.pem, server.pem and server.key into ``directory``; returns (ssl context, path of ca.pem)."""
    authority = trustme.CA(organization_name='bbsim test CA')
    server = authority.issue_cert('127.0.0.1', 'localhost')
    ca_path = os.path.join(directory, 'ca.pem')
    cert_path = os.path.join(directory, 'server.pem')
    key_path = os.path.join(directory, 'server.key')
    authority.cert_pem.write_to_path(ca_path)
    server.cert_chain_pems[0].write_to_path(cert_path)
    for blob in server.cert_chain_pems[1:]:
        blob.write_to_path(cert_path, append=True)
    server.private_key_pem.write_to_path(key_path)
    for path in (ca_path, cert_path, key_path):
        os.chmod(path, 0o600)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    return context, ca_path
