namespace Backprop.Tests;

public class AtomicFileTests
{
    [Fact]
    public void TheNextSaveRemovesTemporaryFilesLeftByAKilledSave()
    {
        using var dir = new Backprop.Tests.Cli.TempDir();
        string target = dir.File("model.json");
        string dead = dir.File($".model.json.{int.MaxValue}.{Guid.NewGuid():N}.tmp");   // no process has that id
        string live = dir.File($".model.json.1.{Guid.NewGuid():N}.tmp");                // pid 1 runs: maybe a save in progress
        string other = dir.File($".other.json.{int.MaxValue}.{Guid.NewGuid():N}.tmp");  // another file's: not ours to judge now
        string user = dir.File(".model.json.notes.tmp");                                // not named like ours
        foreach (var f in new[] { dead, live, other, user }) File.WriteAllText(f, "partial");
        AtomicFile.WriteAllText(target, "saved");
        Assert.Equal("saved", File.ReadAllText(target));
        Assert.False(File.Exists(dead));
        Assert.True(File.Exists(live));
        Assert.True(File.Exists(other));
        Assert.True(File.Exists(user));
    }

    [Fact]
    public void EnsureWritableFindsAnUnwritablePlaceAndLeavesNothingBehind()
    {
        Assert.ThrowsAny<IOException>(() => AtomicFile.EnsureWritable("/proc/backprop-x"));
        using var dir = new Backprop.Tests.Cli.TempDir();
        var nested = Path.Combine(dir.Path, "a", "b", "model.json");
        AtomicFile.EnsureWritable(nested);            // the folders do not exist yet: their nearest existing parent is probed
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "a")));
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }
}
