using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using OpenMcpChain.Sdk.Contracts;
using OpenMcpChain.Sdk.Grpc;

namespace OpenMcpChain.Gateway.Grpc;

/// <summary>
/// A request message that is not valid protobuf is the caller's INVALID_ARGUMENT. Grpc.AspNetCore parses it before any
/// service code or interceptor runs and reports the failure as a handler exception (UNKNOWN), so it is parsed here first.
/// </summary>
public static class MalformedMessages
{
    /// <summary>The request parser of each of our methods, by its path (<c>/openmcpchain.v1.TaskService/GetTask</c>).</summary>
    private static readonly Dictionary<string, MessageParser> Parsers =
        new[] { TasksReflection.Descriptor, ApprovalsReflection.Descriptor, AuditReflection.Descriptor }
            .SelectMany(file => file.Services).SelectMany(service => service.Methods)
            .ToDictionary(m => $"/{m.Service.FullName}/{m.Name}", m => m.InputType.Parser, StringComparer.Ordinal);

    public static WebApplication UseMalformedMessageCheck(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            if (!Parsers.TryGetValue(context.Request.Path.Value ?? "", out var parser)
                || context.Request.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) != true)
            {
                await next(context);
                return;
            }
            // Read once into memory (Kestrel bounds it: SizeLimits.DefaultBodyBytes) and handed on as it is.
            var body = new MemoryStream();
            context.Response.RegisterForDispose(body);
            await context.Request.Body.CopyToAsync(body, context.RequestAborted);
            body.Position = 0;
            context.Request.Body = body;
            if (Problem(body.GetBuffer(), (int)body.Length, parser) is { } problem)
            {
                // A trailers-only answer, as gRPC itself sends an error before any message.
                context.Response.ContentType = "application/grpc";
                context.Response.Headers["grpc-status"] = ((int)StatusCode.InvalidArgument).ToString();
                context.Response.Headers["grpc-message"] = Uri.EscapeDataString(problem);
                context.Response.Headers[GrpcErrors.CodeTrailer] = ErrorCodes.InvalidArgument;
                return;
            }
            await next(context);
        });
        return app;
    }

    /// <summary>
    /// What is wrong with the framed messages in the first <paramref name="size"/> bytes of <paramref name="body"/>; null
    /// when each parses (or is compressed: gRPC checks those).
    /// </summary>
    private static string? Problem(byte[] body, int size, MessageParser parser)
    {
        var offset = 0;
        while (offset < size)
        {
            if (size - offset < 5) return "The request ends inside a message header.";
            if (body[offset] != 0) return null;
            var length = (body[offset + 1] << 24) | (body[offset + 2] << 16) | (body[offset + 3] << 8) | body[offset + 4];
            if (length < 0 || length > size - offset - 5) return "The request ends inside a message.";
            try
            {
                parser.ParseFrom(body, offset + 5, length);
            }
            catch (InvalidProtocolBufferException e)
            {
                return $"The request message is not a valid protobuf message: {e.Message}";
            }
            offset += 5 + length;
        }
        return null;
    }
}
