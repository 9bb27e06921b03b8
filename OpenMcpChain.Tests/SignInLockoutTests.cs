using System.Net;
using System.Net.Http.Json;

namespace OpenMcpChain.Tests;

/// <summary>Password guessing is slowed down: a few failures lock the user, or the address, for a while (429 + Retry-After).</summary>
[Collection(SystemCollection.Name)]
public sealed class SignInLockoutTests(SystemFixture system)
{
    private static Task<HttpResponseMessage> PasswordAsync(HttpClient http, string user, string password) =>
        http.PostAsJsonAsync("/api/v1/auth/token", new { grant_type = "password", username = user, password });

    /// <summary>Waits out a lock: the Retry-After it was given, plus a little.</summary>
    private static Task WaitOutAsync(HttpResponseMessage locked) =>
        Task.Delay(locked.Headers.RetryAfter!.Delta!.Value + TimeSpan.FromMilliseconds(500));

    [Fact]
    public async Task WrongPasswordsLockTheUserAndEvenTheRightPasswordWaitsUntilTheLockEnds()
    {
        using var http = OAuthClient.Anonymous(system);
        for (var i = 1; i <= 5; i++)
        {
            using var wrong = await PasswordAsync(http, "guessed", $"guess-{i}");
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
            Assert.Equal("INVALID_CREDENTIALS", await OAuthClient.CodeAsync(wrong));
        }
        using var locked = await PasswordAsync(http, "guessed", "guess-6");
        Assert.Equal(HttpStatusCode.TooManyRequests, locked.StatusCode);
        Assert.Equal("RATE_LIMITED", await OAuthClient.CodeAsync(locked));
        Assert.InRange(locked.Headers.RetryAfter!.Delta!.Value, TimeSpan.FromSeconds(1), SystemFixture.LockFor);
        using var right = await PasswordAsync(http, "guessed", SystemFixture.GuessedPassword);
        Assert.Equal(HttpStatusCode.TooManyRequests, right.StatusCode);

        // The sign-in page shares the lock.
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new() }) { BaseAddress = http.BaseAddress };
        var (field, token) = OAuthClient.Antiforgery(await browser.GetStringAsync("/account/signin"));
        using var page = await browser.PostFormAsync("/account/signin", (field, token), ("username", "guessed"), ("password", SystemFixture.GuessedPassword));
        Assert.Equal(HttpStatusCode.TooManyRequests, page.StatusCode);
        Assert.NotNull(page.Headers.RetryAfter);

        // Others are not locked out, and once the lock ends the right password works again.
        using var other = await PasswordAsync(http, "reader", SystemFixture.ReaderPassword);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        await WaitOutAsync(right);
        using var after = await PasswordAsync(http, "guessed", SystemFixture.GuessedPassword);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task GuessingManyUsersFromOneAddressLocksTheAddress()
    {
        using var http = OAuthClient.Anonymous(system);
        HttpResponseMessage? locked = null;
        for (var i = 0; i <= SystemFixture.AddressFailures && locked is null; i++)
        {
            var response = await PasswordAsync(http, $"sprayed-{i}-{Guid.NewGuid():N}", "password1");
            if (response.StatusCode == HttpStatusCode.TooManyRequests) locked = response;
            else Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
        Assert.NotNull(locked); // at most AddressFailures failures (earlier tests' failures count too)
        using var right = await PasswordAsync(http, "reader", SystemFixture.ReaderPassword);
        Assert.Equal(HttpStatusCode.TooManyRequests, right.StatusCode);
        await WaitOutAsync(right);
        using var after = await PasswordAsync(http, "reader", SystemFixture.ReaderPassword);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        locked.Dispose();
    }
}
