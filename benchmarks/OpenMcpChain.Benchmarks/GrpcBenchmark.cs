using Grpc.Core;
using Grpc.Net.Client;
using OpenMcpChain.Sdk;
using OpenMcpChain.Sdk.Contracts;
using OpenMcpChain.Sdk.Grpc;

namespace OpenMcpChain.Benchmarks;

/// <summary>
/// The gRPC API against REST on the same finished task, in one run: a unary read (GetTask against GET /api/v1/tasks/{id})
/// and the task's whole event stream (WatchTask against the server-sent events of /api/v1/tasks/{id}/events). The Gateway
/// answers gRPC by calling its own REST API, so the ratio is the price of that translation and of HTTP/2 framing.
/// </summary>
public static class GrpcBenchmark
{
    public static async Task RunAsync(Uri gateway, Uri grpc, string operatorPassword, int sequential, TimeSpan duration)
    {
        using var http = new HttpClient { BaseAddress = gateway };
        var rest = new OpenMcpChainClient(http);
        var token = await rest.AuthenticateAsync("operator", operatorPassword);
        var auth = new Metadata { { "authorization", $"Bearer {token.AccessToken}" } };
        using var channel = GrpcChannel.ForAddress(grpc);
        var tasks = new TaskService.TaskServiceClient(channel);

        var accepted = await rest.CreateTaskAsync(new CreateTaskRequest("What is the latest block number?"));
        var done = await rest.WaitForTaskAsync(accepted.TaskId, TimeSpan.FromMinutes(2));
        if (done.Status != TaskStatuses.Succeeded) throw new InvalidOperationException($"the task ended {done.Status}");
        var id = done.TaskId;

        async Task RestGetAsync() => await rest.GetTaskAsync(id);
        async Task GrpcGetAsync() => await tasks.GetTaskAsync(new GetTaskRequest { TaskId = id }, auth);
        async Task SseAsync()
        {
            await foreach (var _ in rest.StreamTaskEventsAsync(id)) { }
        }
        async Task GrpcStreamAsync()
        {
            using var call = tasks.WatchTask(new WatchTaskRequest { TaskId = id }, auth);
            while (await call.ResponseStream.MoveNext(default)) { }
        }

        var events = 0;
        await foreach (var _ in rest.StreamTaskEventsAsync(id)) events++;
        Console.WriteLine($"One finished task ({events} events); {sequential} sequential calls and {duration.TotalSeconds:0} s at concurrency 8 for each path.");
        var restGet = await Measure.RunAsync("REST GET task", RestGetAsync, sequential, duration, concurrency: 8);
        var grpcGet = await Measure.RunAsync("gRPC GetTask", GrpcGetAsync, sequential, duration, concurrency: 8);
        var sse = await Measure.RunAsync("REST SSE events", SseAsync, sequential, duration, concurrency: 8);
        var stream = await Measure.RunAsync("gRPC WatchTask", GrpcStreamAsync, sequential, duration, concurrency: 8);
        Console.WriteLine();
        Console.WriteLine($"ratio gRPC/REST unary get: p50 latency {grpcGet.P50 / restGet.P50:0.00}x, throughput {grpcGet.Throughput / restGet.Throughput:0.00}x");
        Console.WriteLine($"ratio gRPC/SSE whole stream: p50 latency {stream.P50 / sse.P50:0.00}x, throughput {stream.Throughput / sse.Throughput:0.00}x");
    }
}
