using Yarp.ReverseProxy.Transforms;

namespace OpenMcpChain.Gateway.Edge;

/// <summary>
/// A service's error that arrives with an empty body (say, Kestrel's own refusal in that service) is given the API's
/// coded body at the Gateway, so no error a caller sees lacks <c>code</c> and <c>message</c>.
/// </summary>
public static class EmptyErrorBodies
{
    public static IReverseProxyBuilder AddCodedEmptyErrors(this IReverseProxyBuilder proxy) =>
        proxy.AddTransforms(context => context.AddResponseTransform(async transform =>
        {
            if (transform.ProxyResponse is not { } response || (int)response.StatusCode < 400 || response.Content.Headers.ContentLength != 0
                || HttpMethods.IsHead(transform.HttpContext.Request.Method))
                return;
            var status = (int)response.StatusCode;
            var http = transform.HttpContext;
            transform.SuppressResponseBody = true;
            http.Response.Headers.ContentLength = null;
            await ApiErrors.Problem(status, ApiErrors.CodeFor(status),
                $"The service behind {http.Request.Path} refused the request: {status} {ReasonPhrases(status)}.").ExecuteAsync(http);
        }));

    private static string ReasonPhrases(int status) => Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status);
}
