using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;
using OpenMcpChain.Sdk;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// How a service describes its endpoints at <c>/openapi/v1.json</c>: every error answer is the API's problem shape with
/// its stable codes listed (and one example each), so the Gateway can publish the public part as the API reference.
/// </summary>
public static class ApiDocs
{
    /// <summary>The error codes a route can answer with one status, declared on the endpoint.</summary>
    public sealed record ErrorCodesMetadata(int Status, string[] Codes);

    public static TBuilder AddApiDocs<TBuilder>(this TBuilder builder, string documentName = "v1") where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddOpenApi(documentName, o =>
        {
            o.AddSchemaTransformer((schema, context, _) =>
            {
                if (context.JsonTypeInfo.Type == typeof(ProblemDetails) || context.JsonTypeInfo.Type == typeof(HttpValidationProblemDetails))
                    DescribeProblem(schema);
                return Task.CompletedTask;
            });
            o.AddOperationTransformer((operation, context, _) =>
            {
                foreach (var errors in context.Description.ActionDescriptor.EndpointMetadata.OfType<ErrorCodesMetadata>())
                    DescribeErrors(operation, errors);
                return Task.CompletedTask;
            });
        });
        return builder;
    }

    /// <summary>Declares that the route answers <paramref name="status"/> with one of <paramref name="codes"/> in the problem shape.</summary>
    public static TBuilder ProducesErrors<TBuilder>(this TBuilder builder, int status, params string[] codes) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ProducesResponseTypeMetadata(status, typeof(ProblemDetails), ["application/problem+json"]),
            new ErrorCodesMetadata(status, codes));

    /// <summary>An example of the answer with <paramref name="status"/>, written as the API writes it (snake_case).</summary>
    public static TBuilder ResponseExample<TBuilder>(this TBuilder builder, int status, object example) where TBuilder : IEndpointConventionBuilder =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            if (operation.Responses?.TryGetValue(status.ToString(), out var response) == true && response.Content is { } content)
                foreach (var media in content.Values.OfType<OpenApiMediaType>())
                    media.Example = ToNode(example);
            return Task.CompletedTask;
        });

    /// <summary>A query parameter the handler reads itself (and so the framework cannot see).</summary>
    public static TBuilder WithQuery<TBuilder>(this TBuilder builder, string name, string description, JsonSchemaType type = JsonSchemaType.Integer)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.Parameters ??= [];
            if (!operation.Parameters.Any(p => p.Name == name))
                operation.Parameters.Add(new OpenApiParameter
                {
                    Name = name, In = ParameterLocation.Query, Description = description, Schema = new OpenApiSchema { Type = type },
                });
            return Task.CompletedTask;
        });

    /// <summary>An example request body.</summary>
    public static TBuilder RequestExample<TBuilder>(this TBuilder builder, object example) where TBuilder : IEndpointConventionBuilder =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            if (operation.RequestBody?.Content is { } content)
                foreach (var media in content.Values.OfType<OpenApiMediaType>())
                    media.Example = ToNode(example);
            return Task.CompletedTask;
        });

    private static JsonNode? ToNode(object example) => JsonSerializer.SerializeToNode(example, OpenMcpChainJson.Options);

    private static void DescribeProblem(OpenApiSchema schema)
    {
        schema.Description = "The body of every error (an RFC 9457 problem): a stable `code` to act on and a `message` for people.";
        schema.Properties ??= new Dictionary<string, IOpenApiSchema>();
        schema.Properties["code"] = new OpenApiSchema
        {
            Type = JsonSchemaType.String,
            Description = "The stable error code (ErrorCodes and ChainErrorCodes in OpenMcpChain.Sdk.Contracts); each operation lists the ones it can answer.",
        };
        schema.Properties["message"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "What went wrong, in words; it may change between versions." };
        schema.Required ??= new HashSet<string>();
        schema.Required.Add("code");
        schema.Required.Add("message");
    }

    /// <summary>Lists <paramref name="errors"/>' codes, their meanings and an example each on the operation's answer of that status.</summary>
    public static void DescribeErrors(OpenApiOperation operation, ErrorCodesMetadata errors)
    {
        operation.Responses ??= [];
        if (!operation.Responses.TryGetValue(errors.Status.ToString(), out var found) || found is not OpenApiResponse response) return;
        response.Description = ErrorCodeDocs.Describe(errors.Codes);
        foreach (var media in response.Content?.Values.OfType<OpenApiMediaType>() ?? [])
        {
            media.Examples ??= new Dictionary<string, IOpenApiExample>();
            foreach (var code in errors.Codes)
                media.Examples[code] = new OpenApiExample
                {
                    Summary = code,
                    Value = new JsonObject
                    {
                        ["status"] = errors.Status, ["code"] = code, ["message"] = ErrorCodeDocs.Describe(code), ["detail"] = ErrorCodeDocs.Describe(code),
                    },
                };
        }
    }
}
