namespace Backprop.Data.Formats;

/// <summary>
/// Reads the data lines of a delimited text file: skips blank lines and lines starting with '#',
/// reports 1-based line numbers, refuses lines longer than a limit, and splits lines into cells.
/// </summary>
internal sealed class CsvLineReader(TextReader reader, string file, int maxLineLength)
{
    private readonly System.Text.StringBuilder _line = new();
    private int _lineNumber;

    /// <summary>The next data line and its 1-based line number, or null at the end.</summary>
    public (int LineNumber, string Text)? Next()
    {
        while (true)
        {
            _line.Clear();
            int c;
            bool any = false;
            while ((c = reader.Read()) >= 0)
            {
                any = true;
                if (c == '\n') break;
                if (_line.Length >= maxLineLength)
                    throw new InvalidDataException($"{file}: row {_lineNumber + 1} is longer than {maxLineLength} characters; this is not a text table.");
                if (c == '\0')
                    throw new InvalidDataException($"{file}: row {_lineNumber + 1} contains a NUL character; this is a binary file, not a text table.");
                _line.Append((char)c);
            }
            if (!any) return null;
            _lineNumber++;
            if (_line.Length > 0 && _line[^1] == '\r') _line.Length--;
            string text = _line.ToString();
            string trimmed = text.Trim();
            if (trimmed.Length == 0 || trimmed[0] == '#') continue;
            return (_lineNumber, text);
        }
    }

    /// <summary>Splits a line; <see cref="CsvOptions.Whitespace"/> splits on runs of spaces/tabs. Double quotes group cells ("" is a quote).</summary>
    public static string[] Split(string line, char delimiter)
    {
        if (delimiter == CsvOptions.Whitespace)
            return line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (!line.Contains('"'))
        {
            var parts = line.Split(delimiter);
            for (int i = 0; i < parts.Length; i++) parts[i] = parts[i].Trim();
            return parts;
        }
        var cells = new List<string>();
        var cell = new System.Text.StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char ch = line[i];
            if (quoted)
            {
                if (ch == '"' && i + 1 < line.Length && line[i + 1] == '"') { cell.Append('"'); i++; }
                else if (ch == '"') quoted = false;
                else cell.Append(ch);
            }
            else if (ch == '"' && cell.ToString().Trim().Length == 0) { cell.Clear(); quoted = true; }
            else if (ch == delimiter) { cells.Add(cell.ToString().Trim()); cell.Clear(); }
            else cell.Append(ch);
        }
        cells.Add(cell.ToString().Trim());
        return cells.ToArray();
    }

    /// <summary>
    /// Picks the delimiter for sample lines: among ',', ';' and tab, those present on every line qualify, and the one
    /// most frequent on the first line wins (ties in that order); with none, whitespace.
    /// </summary>
    public static char Detect(IReadOnlyList<string> lines)
    {
        char best = CsvOptions.Whitespace;
        int bestCount = 0;
        foreach (char d in new[] { ',', ';', '\t' })
        {
            if (lines.Count == 0 || lines.Any(l => Split(l, d).Length < 2)) continue;
            int count = Split(lines[0], d).Length - 1;
            if (count > bestCount) { best = d; bestCount = count; }
        }
        return best;
    }
}
