using System.Text.Json.Nodes;
using OpenMcpChain.Gateway.Auth;
using OpenMcpChain.Gateway.Edge;
using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.Gateway.OpenApi;

/// <summary>
/// Turns a service's OpenAPI document into a public one: only the paths and methods the Gateway forwards (per
/// <see cref="PublicRoutes"/>), at their public paths, with the caller's origin as the only server, the OAuth 2.1 scheme
/// and the scope each route needs, and the errors the Gateway itself answers.
/// </summary>
public static class DocumentComposer
{
    private static readonly string[] Methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
    private const string Scheme = "oauth2";
    private const string ErrorSchema = "#/components/schemas/ApiError";

    public static JsonObject Compose(PublicDocument definition, JsonObject source, string origin)
    {
        var paths = new JsonObject();
        foreach (var (servicePath, item) in source["paths"]?.AsObject() ?? [])
        {
            foreach (var (method, operation) in item!.AsObject())
            {
                if (!Methods.Contains(method) || operation is not JsonObject op) continue;
                var (path, route) = definition.Service is null
                    ? (servicePath, null)
                    : PublicRoutes.ToPublic(definition.Service, method.ToUpperInvariant(), servicePath) is { } found ? found : default;
                if (path is null || !definition.Covers(path)) continue;
                var target = (paths[path] ??= new JsonObject()).AsObject();
                target[method] = Publish(op.DeepClone().AsObject(), route, forwarded: definition.Service is not null);
            }
        }
        if (definition.Service is null) AuthServerPaths.AddTo(paths, origin);

        var components = source["components"]?.DeepClone().AsObject() ?? [];
        var schemas = Referenced(paths, components["schemas"]?.AsObject());
        schemas["ApiError"] = ApiErrorSchema();
        components["schemas"] = schemas;
        components["securitySchemes"] = new JsonObject { [Scheme] = OAuthScheme(origin) };
        var tags = new JsonArray([.. paths.SelectMany(p => p.Value!.AsObject().Select(o => o.Value?["tags"]?[0]?.GetValue<string>()))
            .OfType<string>().Distinct().Select(t => (JsonNode)new JsonObject { ["name"] = t })]);
        return new JsonObject
        {
            ["openapi"] = source["openapi"]?.DeepClone() ?? "3.1.1",
            ["info"] = new JsonObject
            {
                ["title"] = $"OpenMCP-Chain {definition.Title} API", ["version"] = "v1", ["description"] = definition.Description,
            },
            ["servers"] = new JsonArray(new JsonObject { ["url"] = origin, ["description"] = "This Gateway" }),
            ["paths"] = paths,
            ["components"] = components,
            ["tags"] = tags,
        };
    }

    /// <summary>An operation as the public meets it: the scope its route needs, and the answers the Gateway gives before the service does.</summary>
    private static JsonObject Publish(JsonObject operation, PublicRoute? route, bool forwarded)
    {
        var responses = (operation["responses"] ??= new JsonObject()).AsObject();
        if (route?.Policy is { } scope)
        {
            operation["security"] = new JsonArray(new JsonObject { [Scheme] = new JsonArray(scope) });
            AddError(responses, 401, ErrorCodes.Unauthenticated);
            AddError(responses, 403, ErrorCodes.Forbidden);
        }
        AddError(responses, 429, ErrorCodes.RateLimited);
        if (forwarded) AddError(responses, 503, ErrorCodes.Unavailable);
        return operation;
    }

    private static void AddError(JsonObject responses, int status, string code)
    {
        if (responses.ContainsKey(status.ToString())) return;
        responses[status.ToString()] = ErrorResponse(status, code);
    }

    /// <summary>An error answer in the API's problem shape, with its codes, their meanings and one example each.</summary>
    public static JsonObject ErrorResponse(int status, params string[] codes) => new()
    {
        ["description"] = ErrorCodeDocs.Describe(codes),
        ["content"] = new JsonObject
        {
            ["application/problem+json"] = new JsonObject
            {
                ["schema"] = new JsonObject { ["$ref"] = ErrorSchema },
                ["examples"] = new JsonObject([.. codes.Select(c => KeyValuePair.Create(c, (JsonNode?)new JsonObject
                {
                    ["value"] = new JsonObject { ["status"] = status, ["code"] = c, ["message"] = ErrorCodeDocs.Describe(c) },
                }))]),
            },
        },
    };

    /// <summary>The schemas the kept operations use, and the ones those use: a route left out leaves no schema behind.</summary>
    private static JsonObject Referenced(JsonObject paths, JsonObject? schemas)
    {
        var kept = new JsonObject();
        if (schemas is null) return kept;
        var pending = new Queue<string>(References(paths));
        while (pending.TryDequeue(out var name))
        {
            if (kept.ContainsKey(name) || schemas[name] is not { } schema) continue;
            kept[name] = schema.DeepClone();
            foreach (var next in References(schema)) pending.Enqueue(next);
        }
        return kept;
    }

    private static IEnumerable<string> References(JsonNode node) => node switch
    {
        JsonObject o => o.SelectMany(p => p.Key == "$ref" && p.Value?.GetValue<string>() is { } r && r.StartsWith("#/components/schemas/", StringComparison.Ordinal)
            ? [r["#/components/schemas/".Length..]]
            : p.Value is null ? [] : References(p.Value)),
        JsonArray a => a.SelectMany(v => v is null ? [] : References(v)),
        _ => [],
    };

    private static JsonObject ApiErrorSchema() => new()
    {
        ["type"] = "object",
        ["description"] = "The body of every error (an RFC 9457 problem): a stable `code` to act on and a `message` for people.",
        ["required"] = new JsonArray("code", "message"),
        ["properties"] = new JsonObject
        {
            ["code"] = new JsonObject { ["type"] = "string", ["description"] = "The stable error code (ErrorCodes, ChainErrorCodes in OpenMcpChain.Sdk.Contracts)." },
            ["message"] = new JsonObject { ["type"] = "string", ["description"] = "What went wrong, in words." },
            ["status"] = new JsonObject { ["type"] = "integer" },
            ["title"] = new JsonObject { ["type"] = "string" },
            ["detail"] = new JsonObject { ["type"] = "string" },
        },
    };

    private static JsonObject OAuthScheme(string origin)
    {
        var scopes = new JsonObject
        {
            [ScopeNames.TasksRead] = "Read tasks, their steps and events, profiles and approvals",
            [ScopeNames.TasksWrite] = "Submit and cancel tasks",
            [ScopeNames.ApprovalsDecide] = "Approve or reject parked writes",
            [ScopeNames.ChainTools] = "Use the chain tools over MCP at /mcp",
        };
        return new JsonObject
        {
            ["type"] = "oauth2",
            ["description"] = "An access token from this Gateway, sent as `Authorization: Bearer <token>`. Each route needs the scope it names.",
            ["flows"] = new JsonObject
            {
                ["authorizationCode"] = new JsonObject
                {
                    ["authorizationUrl"] = origin + AuthPaths.Authorize, ["tokenUrl"] = origin + AuthPaths.Token,
                    ["refreshUrl"] = origin + AuthPaths.Token, ["scopes"] = scopes.DeepClone(),
                },
                ["clientCredentials"] = new JsonObject { ["tokenUrl"] = origin + AuthPaths.Token, ["scopes"] = scopes.DeepClone() },
                ["password"] = new JsonObject { ["tokenUrl"] = origin + AuthPaths.LegacyToken, ["scopes"] = scopes.DeepClone() },
            },
        };
    }
}
