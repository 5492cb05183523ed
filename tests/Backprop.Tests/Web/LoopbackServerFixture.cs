using Microsoft.AspNetCore.Builder;

namespace Backprop.Tests.Web;

/// <summary>A web app started on 127.0.0.1 (a free port) and an HttpClient for it, disposed together.</summary>
public abstract class LoopbackServerFixture : IAsyncLifetime
{
    private WebApplication? app;

    public Uri BaseAddress { get; private set; } = null!;
    public HttpClient Client { get; private set; } = null!;

    /// <summary>The app to start, listening on http://127.0.0.1:0.</summary>
    protected abstract WebApplication Build();

    public async Task InitializeAsync()
    {
        app = Build();
        await app.StartAsync();
        BaseAddress = new Uri(app.Urls.Single());
        Client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public async Task DisposeAsync()
    {
        Client?.Dispose();
        if (app is not null) await app.DisposeAsync();
    }
}
