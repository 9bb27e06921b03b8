using System.Reflection;
using System.Text.Json;
using ModelContextProtocol.Server;
using OpenMcpChain.ChainService.Errors;
using OpenMcpChain.ChainService.Tools;
using OpenMcpChain.Sdk;
using OpenMcpChain.Sdk.Contracts;

namespace Microsoft.AspNetCore.Builder;

/// <summary>The MCP tools as internal REST: <c>POST /api/tools/{name}</c> with the arguments as a JSON object.</summary>
public static class ToolsApi
{
    private static readonly Dictionary<string, MethodInfo> Tools = typeof(ChainTools).GetMethods()
        .Select(m => (Method: m, Tool: m.GetCustomAttribute<McpServerToolAttribute>()))
        .Where(x => x.Tool?.Name is not null)
        .ToDictionary(x => x.Tool!.Name!, x => x.Method);

    public static RouteGroupBuilder MapToolsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/tools");
        api.MapGet("/", () => TypedResults.Ok(Tools.Keys.Order()));
        api.MapPost("/{name}", InvokeAsync);
        return api;
    }

    private static async Task<IResult> InvokeAsync(string name, JsonElement? body, ChainTools tools)
    {
        if (!Tools.TryGetValue(name, out var method))
            return ApiErrors.Problem(404, ChainErrorCodes.NotFound, $"No tool '{name}'. Tools: {string.Join(", ", Tools.Keys.Order())}.");
        if (body is { ValueKind: not JsonValueKind.Object and not JsonValueKind.Undefined and not JsonValueKind.Null })
            return ApiErrors.Problem(400, ChainErrorCodes.InvalidArgument, "The body must be a JSON object of the tool's arguments.");
        try
        {
            var args = method.GetParameters().Select(p => Bind(p, body)).ToArray();
            var task = (Task)method.Invoke(tools, args)!;
            await task;
            return TypedResults.Ok(task.GetType().GetProperty("Result")!.GetValue(task));
        }
        catch (ChainToolException e)
        {
            return e.ToProblem();
        }
    }

    /// <summary>An argument by its snake_case or schema name; as forgiving as the MCP face (a number for a string is its text).</summary>
    private static object? Bind(ParameterInfo parameter, JsonElement? body)
    {
        var field = parameter.Name!;
        if (body is { ValueKind: JsonValueKind.Object } obj
            && (obj.TryGetProperty(JsonNamingPolicy.SnakeCaseLower.ConvertName(field), out var value) || obj.TryGetProperty(field, out value))
            && value.ValueKind != JsonValueKind.Null)
        {
            if (parameter.ParameterType == typeof(string) && value.ValueKind is JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False)
                return value.GetRawText();
            try
            {
                return value.Deserialize(parameter.ParameterType, OpenMcpChainJson.Options);
            }
            catch (JsonException)
            {
                throw Arguments.Invalid(field, $"{field} has the wrong type.");
            }
        }
        return parameter.HasDefaultValue ? parameter.DefaultValue : throw Arguments.Invalid(field, $"{field} is required.");
    }
}
