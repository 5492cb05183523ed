namespace Backprop.Data.Formats.Mat;

/// <summary>One data element: its type, where its data starts in the buffer and how many bytes it holds.</summary>
internal readonly record struct MatElement(MiType Type, int TagOffset, int DataOffset, int Size, bool IsSmall)
{
    /// <summary>Offset just past the data and its padding to the next 8-byte boundary.</summary>
    public int End => IsSmall ? TagOffset + 8 : DataOffset + Size;
}
