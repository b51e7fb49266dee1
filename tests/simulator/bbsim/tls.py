"""A throw-away CA and a server certificate for 127.0.0.1/localhost, made by ``trustme`` (only with --tls)."""

import os
import ssl

import trustme


def create(directory):
    """Write ca.pem (for clients to trust) into ``directory``; returns (server ssl context, path of ca.pem)."""
    authority = trustme.CA(organization_name='bbsim test CA')
    ca_path = os.path.join(directory, 'ca.pem')
    authority.cert_pem.write_to_path(ca_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    authority.issue_cert('127.0.0.1', 'localhost').configure_cert(context)
    return context, ca_path
