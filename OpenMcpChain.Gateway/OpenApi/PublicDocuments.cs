namespace OpenMcpChain.Gateway.OpenApi;

/// <summary>One OpenAPI document of the API reference: a public surface, cut from the document of the service that owns it.</summary>
/// <param name="Service">The cluster whose <c>/openapi/v1.json</c> it comes from; null for the Gateway's own endpoints.</param>
/// <param name="Prefixes">The public paths it documents (whole segments).</param>
public sealed record PublicDocument(string Name, string Title, string Description, string? Service, string[] Prefixes)
{
    public bool Covers(string path) => Prefixes.Any(p => path == p || path.StartsWith(p + "/", StringComparison.Ordinal));
}

/// <summary>The API reference's documents, served at <c>/openapi/{name}.json</c> and listed at <c>/scalar</c>.</summary>
public static class PublicDocuments
{
    public static readonly PublicDocument[] All =
    [
        new("tasks", "Tasks",
            "Submit a goal in natural language, follow its steps, read the result with its provenance; agent profiles. " +
            "Wire-compatible with the original OpenMCP-Chain daemon (snake_case JSON, UNIX-second times).",
            "agentservice", ["/api/v1/tasks", "/api/v1/profiles"]),
        new("approvals", "Approvals",
            "The approval inbox: writes the policy gate parked for a person to judge, each with what the decision needs " +
            "(network, wallet, recipient, value, decoded call, simulation, task, requester, expiry), and the decisions.",
            "chainservice", ["/api/v1/approvals"]),
        new("proofs", "Proofs",
            "What anyone needs to verify a task without trusting this server: the signer, attestations (EIP-712), proof bundles " +
            "and their verifier, the RFC 9162 transparency log (entries, signed tree heads, inclusion and consistency proofs) " +
            "and the tree heads anchored on chain. Open to anyone: no token needed.",
            "proofservice", ["/api/v1/signer", "/api/v1/attestations", "/api/v1/bundles", "/api/v1/log", "/api/v1/anchors"]),
        new("auth", "Auth",
            "The OAuth 2.1 authorization server: the token endpoint (also at /api/v1/auth/token as the original daemon offered it), " +
            "authorization code with PKCE and its sign-in page, revocation, dynamic client registration (RFC 7591), and the " +
            "RFC 8414 / RFC 9728 metadata from which clients discover it.",
            null, ["/api/v1/auth", "/connect", "/account", "/.well-known"]),
    ];

    public static PublicDocument? Find(string name) => All.FirstOrDefault(d => d.Name == name);
}
