using System.Text.Json.Nodes;
using OpenMcpChain.Gateway.Auth;
using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.Gateway.OpenApi;

/// <summary>
/// The authorization server's endpoints that OpenIddict answers itself (no endpoint of ours, so nothing to generate
/// from): revocation, RFC 8414 metadata and the signing keys, described here for the auth document.
/// </summary>
public static class AuthServerPaths
{
    public static void AddTo(JsonObject paths, string origin)
    {
        paths[AuthPaths.Revoke] = new JsonObject
        {
            ["post"] = new JsonObject
            {
                ["tags"] = new JsonArray("Auth"), ["operationId"] = "RevokeToken",
                ["summary"] = "Revoke a token (RFC 7009)",
                ["description"] = "Revokes a refresh or access token at once (an access token stops working on its next use). " +
                                  "A public client sends its `client_id`; revoking an unknown token still answers 200, as RFC 7009 says.",
                ["requestBody"] = Form(new JsonObject
                {
                    ["token"] = Text("The token to revoke."),
                    ["token_type_hint"] = Text("`access_token` or `refresh_token` (optional)."),
                    ["client_id"] = Text("The client the token was issued to (a public client)."),
                    ["client_secret"] = Text("A confidential client's secret."),
                }, "token"),
                ["responses"] = new JsonObject
                {
                    ["200"] = new JsonObject { ["description"] = "Revoked (or already unknown)." },
                    ["400"] = DocumentComposer.ErrorResponse(400, ErrorCodes.InvalidArgument, ErrorCodes.InvalidClient),
                },
            },
        };
        foreach (var (path, id) in new[] { ("/.well-known/oauth-authorization-server", "AuthorizationServerMetadata"), ("/.well-known/openid-configuration", "OpenIdConfiguration") })
        {
            paths[path] = Get(id, "Authorization server metadata (RFC 8414)",
                $"Where the endpoints are (`{origin}{AuthPaths.Authorize}`, `{AuthPaths.Token}`, `{AuthPaths.Revoke}`, `{AuthPaths.Register}`), " +
                "the grants, scopes and PKCE methods (S256) offered. The same document at both addresses.",
                new JsonObject
                {
                    ["issuer"] = origin + "/", ["authorization_endpoint"] = origin + AuthPaths.Authorize, ["token_endpoint"] = origin + AuthPaths.Token,
                    ["revocation_endpoint"] = origin + AuthPaths.Revoke, ["registration_endpoint"] = origin + AuthPaths.Register,
                    ["jwks_uri"] = origin + "/.well-known/jwks", ["code_challenge_methods_supported"] = new JsonArray("S256"),
                    ["grant_types_supported"] = new JsonArray("authorization_code", "client_credentials", "password", "refresh_token"),
                    ["scopes_supported"] = new JsonArray([.. ScopeNames.All.Append("offline_access").Select(s => (JsonNode)s)]),
                });
        }
        paths["/.well-known/jwks"] = Get("SigningKeys", "The token signing keys (JWKS)",
            "The public keys that access tokens (ES256 JWTs) are signed with, for a resource that checks tokens itself.",
            new JsonObject { ["keys"] = new JsonArray(new JsonObject { ["kty"] = "EC", ["crv"] = "P-256", ["alg"] = "ES256", ["use"] = "sig", ["kid"] = "…", ["x"] = "…", ["y"] = "…" }) });
    }

    private static JsonObject Get(string id, string summary, string description, JsonObject example) => new()
    {
        ["get"] = new JsonObject
        {
            ["tags"] = new JsonArray("Auth"), ["operationId"] = id, ["summary"] = summary, ["description"] = description,
            ["responses"] = new JsonObject
            {
                ["200"] = new JsonObject
                {
                    ["description"] = "OK",
                    ["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = new JsonObject { ["type"] = "object" }, ["example"] = example } },
                },
            },
        },
    };

    private static JsonObject Text(string description) => new() { ["type"] = "string", ["description"] = description };

    private static JsonObject Form(JsonObject properties, params string[] required) => new()
    {
        ["required"] = true,
        ["content"] = new JsonObject
        {
            ["application/x-www-form-urlencoded"] = new JsonObject
            {
                ["schema"] = new JsonObject
                {
                    ["type"] = "object", ["properties"] = properties, ["required"] = new JsonArray([.. required.Select(r => (JsonNode)r)]),
                },
            },
        },
    };
}
