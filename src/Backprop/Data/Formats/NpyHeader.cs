using System.Globalization;
using System.Text;

namespace Backprop.Data.Formats;

/// <summary>
/// The header of an .npy file: the Python dict literal
/// <c>{'descr': '&lt;f8', 'fortran_order': False, 'shape': (3, 4), }</c> after the magic and version.
/// </summary>
internal sealed record NpyHeader(string Descr, bool FortranOrder, long[] Shape, int Major, int Minor, long HeaderBytes)
{
    /// <summary>"\x93NUMPY".</summary>
    public static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Headers longer than this are refused (NumPy itself refuses more than 10 000 bytes by default).</summary>
    public const int MaxHeaderLength = 1 << 20;

    /// <summary>Reads magic, version, length and the dict from <paramref name="stream"/>.</summary>
    public static NpyHeader Read(Stream stream, string where)
    {
        Span<byte> prefix = stackalloc byte[8];
        ReadPrefix(stream, prefix, where, "the magic string and version");
        if (!prefix[..6].SequenceEqual(Magic))
            throw new InvalidDataException($"{where}: not an .npy file (it does not start with the magic bytes \\x93NUMPY).");
        int major = prefix[6], minor = prefix[7];
        long headerLength;
        int lengthBytes;
        if (major == 1)
        {
            Span<byte> len = stackalloc byte[2];
            ReadPrefix(stream, len, where, "the header length");
            headerLength = len[0] | (len[1] << 8);
            lengthBytes = 2;
        }
        else if (major is 2 or 3)
        {
            Span<byte> len = stackalloc byte[4];
            ReadPrefix(stream, len, where, "the header length");
            headerLength = (uint)(len[0] | (len[1] << 8) | (len[2] << 16) | (len[3] << 24));
            lengthBytes = 4;
        }
        else
            throw new InvalidDataException($"{where}: .npy format version {major}.{minor} is not supported (1.0, 2.0 and 3.0 are).");
        if (headerLength > MaxHeaderLength)
            throw new InvalidDataException($"{where}: the header claims {headerLength} bytes; at most {MaxHeaderLength} are accepted.");
        if (stream.CanSeek && headerLength > stream.Length - stream.Position)
            throw new InvalidDataException($"{where}: the header claims {headerLength} bytes but only {stream.Length - stream.Position} remain; the file is truncated.");
        var bytes = new byte[headerLength];
        ReadPrefix(stream, bytes, where, "the header");
        string text;
        try
        {
            text = major == 3
                ? new UTF8Encoding(false, true).GetString(bytes)
                : Encoding.Latin1.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new InvalidDataException($"{where}: the version 3 header is not valid UTF-8.");
        }
        var (descr, fortran, shape) = new DictParser(text, where).ParseHeader();
        return new NpyHeader(descr, fortran, shape, major, minor, 6 + 2 + lengthBytes + headerLength);
    }

    /// <summary>The full header bytes (magic through padding) NumPy writes for this array, 64-byte aligned.</summary>
    public static byte[] Format(string descr, bool fortranOrder, IReadOnlyList<int> shape)
    {
        var sb = new StringBuilder();
        sb.Append("{'descr': '").Append(descr).Append("', 'fortran_order': ").Append(fortranOrder ? "True" : "False").Append(", 'shape': (");
        for (int i = 0; i < shape.Count; i++)
        {
            sb.Append(shape[i].ToString(CultureInfo.InvariantCulture));
            if (shape.Count == 1 || i < shape.Count - 1) sb.Append(',');
            if (i < shape.Count - 1) sb.Append(' ');
        }
        sb.Append("), }");
        string dict = sb.ToString();
        int major = 1, lengthBytes = 2;
        int total = Align(6 + 2 + lengthBytes + dict.Length + 1);
        if (total - 10 > ushort.MaxValue)
        {
            major = 2;
            lengthBytes = 4;
            total = Align(6 + 2 + lengthBytes + dict.Length + 1);
        }
        int headerLength = total - (6 + 2 + lengthBytes);
        var result = new byte[total];
        Magic.CopyTo(result);
        result[6] = (byte)major;
        result[7] = 0;
        for (int i = 0; i < lengthBytes; i++) result[8 + i] = (byte)(headerLength >> (8 * i));
        int at = 8 + lengthBytes;
        Encoding.Latin1.GetBytes(dict, result.AsSpan(at));
        for (int i = at + dict.Length; i < total - 1; i++) result[i] = (byte)' ';
        result[total - 1] = (byte)'\n';
        return result;
    }

    private static int Align(int n) => (n + 63) / 64 * 64;

    private static void ReadPrefix(Stream stream, Span<byte> buffer, string where, string what)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = stream.Read(buffer[total..]);
            if (n == 0)
                throw new InvalidDataException($"{where}: the file ends inside {what} (after {total} of {buffer.Length} bytes); it is truncated or not an .npy file.");
            total += n;
        }
    }

    /// <summary>A minimal parser for the Python literal NumPy writes: a dict of str → str | bool | tuple of int.</summary>
    private sealed class DictParser(string text, string where)
    {
        private int _pos;

        public (string Descr, bool Fortran, long[] Shape) ParseHeader()
        {
            string? descr = null;
            bool? fortran = null;
            long[]? shape = null;
            Expect('{');
            while (true)
            {
                SkipSpace();
                if (Peek() == '}') { _pos++; break; }
                string key = ParseString();
                Expect(':');
                SkipSpace();
                switch (key)
                {
                    case "descr":
                        if (Peek() is '[' or '(' or '{')
                            throw UnsupportedArrayType.Error($"{where}: the array has a structured (record) type; only plain numeric and boolean arrays can be read.", "structured");
                        descr = ParseString();
                        break;
                    case "fortran_order":
                        fortran = ParseBool();
                        break;
                    case "shape":
                        shape = ParseShape();
                        break;
                    default:
                        throw Bad($"unexpected key '{key}' (expected 'descr', 'fortran_order' and 'shape')");
                }
                SkipSpace();
                if (Peek() == ',') { _pos++; continue; }
                if (Peek() == '}') { _pos++; break; }
                throw Bad("expected ',' or '}'");
            }
            SkipSpace();
            if (_pos != text.Length)
                throw Bad("unexpected text after the closing '}'");
            if (descr is null || fortran is null || shape is null)
                throw new InvalidDataException($"{where}: the header lacks {string.Join(", ", new[] { descr is null ? "'descr'" : null, fortran is null ? "'fortran_order'" : null, shape is null ? "'shape'" : null }.Where(s => s is not null))}.");
            return (descr, fortran.Value, shape);
        }

        private long[] ParseShape()
        {
            Expect('(');
            var dims = new List<long>();
            while (true)
            {
                SkipSpace();
                if (Peek() == ')') { _pos++; break; }
                dims.Add(ParseInt());
                if (dims.Count > 64) throw Bad("the shape has more than 64 dimensions");
                SkipSpace();
                if (Peek() == ',') { _pos++; continue; }
                if (Peek() == ')') { _pos++; break; }
                throw Bad("expected ',' or ')' in the shape");
            }
            return dims.ToArray();
        }

        private long ParseInt()
        {
            int start = _pos;
            while (_pos < text.Length && char.IsAsciiDigit(text[_pos])) _pos++;
            if (_pos == start)
                throw Bad(Peek() == '-' ? "a negative dimension in the shape" : "expected a dimension (a non-negative integer)");
            if (_pos - start > 18 || !long.TryParse(text.AsSpan(start, _pos - start), NumberStyles.None, CultureInfo.InvariantCulture, out long value))
                throw Bad($"dimension {text[start.._pos]} is absurdly large");
            if (_pos < text.Length && text[_pos] is 'L' or 'l') _pos++; // Python 2 long suffix
            return value;
        }

        private bool ParseBool()
        {
            if (string.CompareOrdinal(text, _pos, "True", 0, 4) == 0) { _pos += 4; return true; }
            if (string.CompareOrdinal(text, _pos, "False", 0, 5) == 0) { _pos += 5; return false; }
            throw Bad("expected True or False for 'fortran_order'");
        }

        private string ParseString()
        {
            SkipSpace();
            char quote = Peek();
            if (quote is not ('\'' or '"')) throw Bad("expected a quoted string");
            int start = ++_pos;
            while (_pos < text.Length && text[_pos] != quote)
            {
                if (text[_pos] == '\\') throw Bad("escape sequences are not expected in the header");
                _pos++;
            }
            if (_pos >= text.Length) throw Bad("a string is not closed");
            return text[start.._pos++];
        }

        private void Expect(char c)
        {
            SkipSpace();
            if (Peek() != c) throw Bad($"expected '{c}'");
            _pos++;
        }

        private void SkipSpace()
        {
            while (_pos < text.Length && char.IsWhiteSpace(text[_pos])) _pos++;
        }

        private char Peek() => _pos < text.Length ? text[_pos] : '\0';

        private InvalidDataException Bad(string what)
        {
            string shown = text.Length > 200 ? text[..200] + "…" : text;
            return new InvalidDataException($"{where}: malformed header at character {_pos}: {what}. Header: {shown.TrimEnd()}");
        }
    }
}
