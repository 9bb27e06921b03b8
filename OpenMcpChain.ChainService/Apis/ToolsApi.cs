using System.Reflection;
using System.Text.Json;
using ModelContextProtocol.Server;
using OpenMcpChain.ChainService.Tools;
using OpenMcpChain.Sdk;

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
            return ToProblem(e);
        }
    }

    public static IResult ToProblem(ChainToolException e)
    {
        var problem = ApiErrors.Problem(e.HttpStatus, e.Code, e.Detail);
        if (e.Details is not null) problem.ProblemDetails.Extensions["details"] = e.Details;
        return problem;
    }

    private static object? Bind(ParameterInfo parameter, JsonElement? body)
    {
        var snake = JsonNamingPolicy.SnakeCaseLower.ConvertName(parameter.Name!);
        if (body is { ValueKind: JsonValueKind.Object } obj
            && (obj.TryGetProperty(snake, out var value) || obj.TryGetProperty(parameter.Name!, out value))
            && value.ValueKind != JsonValueKind.Null)
        {
            try
            {
                return value.Deserialize(parameter.ParameterType, OpenMcpChainJson.Options);
            }
            catch (JsonException)
            {
                throw new ChainToolException(ChainErrorCodes.InvalidArgument, $"{snake} has the wrong type.");
            }
        }
        return parameter.HasDefaultValue
            ? parameter.DefaultValue
            : throw new ChainToolException(ChainErrorCodes.InvalidArgument, $"{snake} is required.");
    }
}
