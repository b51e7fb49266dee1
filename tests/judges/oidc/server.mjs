// An OAuth 2.0 authorization server shaped like Bitbucket Data Center's provider, built on oidc-provider.
// Only this configuration is ours; the grants, PKCE, rotation and reuse detection are oidc-provider's.
// Settings come as JSON in the environment variable OIDC_JUDGE (see tests/judges/oidc_server.py):
//   {"port": 0, "clients": [{client_id, client_secret, redirect_uris}], "scopes": [...], "account": "admin",
//    "ttl": {"AccessToken": s, "RefreshToken": s, "AuthorizationCode": s}}
// Prints one JSON line {"url": ...} when it listens on 127.0.0.1.
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

const settings = JSON.parse(process.env.OIDC_JUDGE || '{}');
const INTERACTION = '/interaction/';
// docs/dev/bitbucket-api-notes.md §1.5: Data Center's defaults (access 1 h, refresh 90 days, codes 10 s).
const ttl = { AccessToken: 3600, RefreshToken: 90 * 86400, AuthorizationCode: 10, ...settings.ttl };

const server = createServer();
server.listen(settings.port || 0, '127.0.0.1', () => {
  const url = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(url, {
    clients: settings.clients.map((client) => ({
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      // docs/dev/bitbucket-api-notes.md §1.3: the client authenticates with form parameters, not HTTP Basic.
      token_endpoint_auth_method: 'client_secret_post',
      ...client,
    })),
    scopes: settings.scopes || ['REPO_READ', 'REPO_WRITE', 'REPO_ADMIN', 'PROJECT_ADMIN', 'ADMIN_WRITE', 'SYSTEM_ADMIN'],
    routes: { authorization: '/rest/oauth2/latest/authorize', token: '/rest/oauth2/latest/token' },
    pkce: { required: () => true },
    // Data Center rotates on every refresh, and issues refresh tokens without an offline_access scope.
    rotateRefreshToken: true,
    issueRefreshToken: async (ctx, client) => client.grantTypeAllowed('refresh_token'),
    ttl: {
      AccessToken: ttl.AccessToken,
      RefreshToken: ttl.RefreshToken,
      AuthorizationCode: ttl.AuthorizationCode,
      Grant: Math.max(ttl.RefreshToken, 600), // the grant outlives a short refresh token: its expiry is what a test sees
      Interaction: 600,
      Session: 600,
    },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (ctx, interaction) => `${INTERACTION}${interaction.uid}` },
    findAccount: async (ctx, sub) => ({ accountId: sub, claims: async () => ({ sub }) }),
    cookies: { keys: ['judge-cookie-key-not-a-secret'] },
  });
  provider.proxy = false;

  // The logged-in administrator who always allows: every interaction ends in login plus consent to what was asked.
  provider.use(async (ctx, next) => {
    if (!ctx.path.startsWith(INTERACTION)) {
      return next();
    }
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    const accountId = settings.account || 'admin';
    const grant = details.grantId ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId, clientId: details.params.client_id });
    grant.addOIDCScope(details.params.scope || '');
    const grantId = await grant.save();
    ctx.respond = false;
    return provider.interactionFinished(ctx.req, ctx.res, { login: { accountId }, consent: { grantId } },
      { mergeWithLastSubmission: false });
  });

  server.on('request', provider.callback());
  process.stdout.write(`${JSON.stringify({ url })}\n`);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
