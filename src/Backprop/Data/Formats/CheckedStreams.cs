using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;

namespace Backprop.Data.Formats;

/// <summary>A stream read once from start to end: no seeking, no length, no writing. Subclasses implement <see cref="Stream.Read(Span{byte})"/>.</summary>
internal abstract class ForwardReadStream : Stream
{
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));
    public abstract override int Read(Span<byte> buffer);
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>
/// Decompresses a gzip file and, at its end, checks that the stream was complete, as gzip and Python's gzip module do.
/// zlib itself checks the trailer's CRC-32 and length when it reaches them, but .NET's GZipStream ends silently when
/// the file is cut before them; here the trailer's length (ISIZE, the uncompressed size mod 2^32) must match what
/// was decompressed. A file of several concatenated gzip members is checked against its last member only, and
/// refused if that does not add up: recompress it as one member.
/// </summary>
internal sealed class CheckedGzipStream(Stream compressed, string file) : ForwardReadStream
{
    private readonly GZipStream _gzip = new(compressed, CompressionMode.Decompress, leaveOpen: true);
    private long _total;
    private bool _checked;

    public override int Read(Span<byte> buffer)
    {
        int n = _gzip.Read(buffer);
        _total += n;
        if (n == 0 && buffer.Length > 0 && !_checked)
        {
            _checked = true;
            CheckTrailer();
        }
        return n;
    }

    private void CheckTrailer()
    {
        var trailer = new byte[8];
        long length = compressed.Length;
        if (length >= 18)
        {
            compressed.Seek(length - 8, SeekOrigin.Begin);
            compressed.ReadExactly(trailer);
            if (BinaryPrimitives.ReadUInt32LittleEndian(trailer.AsSpan(4)) == (uint)_total) return;
        }
        throw new InvalidDataException($"{file}: the gzip stream ends before its end-of-stream marker ({_total} bytes decompressed, and the trailer's length field does not match): the file is truncated.");
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) { _gzip.Dispose(); compressed.Dispose(); }
        base.Dispose(disposing);
    }
}

/// <summary>Passes a zip member's bytes through while computing their CRC-32, to compare with the one the archive records.</summary>
internal sealed class Crc32Stream(Stream inner) : ForwardReadStream
{
    private readonly Crc32 _crc = new();

    public long BytesRead { get; private set; }
    public uint Crc => _crc.GetCurrentHashAsUInt32();


    public override int Read(Span<byte> buffer)
    {
        int n = inner.Read(buffer);
        _crc.Append(buffer[..n]);
        BytesRead += n;
        return n;
    }

    /// <summary>Reads (and hashes) whatever is left, up to <paramref name="limit"/> more bytes; false if more remain.</summary>
    public bool Drain(long limit)
    {
        var buffer = new byte[1 << 16];
        long start = BytesRead;
        int n;
        while ((n = Read(buffer)) > 0)
            if (BytesRead - start > limit) return false;
        return true;
    }

}
