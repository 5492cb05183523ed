using Backprop.Data;
using Backprop.Data.Formats.Mat;
using Backprop.Data.Preprocessing;
using Backprop.Layers;
using Backprop.Networks;

namespace Backprop.Models;

/// <summary>
/// A <see cref="Model"/> as a MATLAB/Octave .mat file in the course's layout: <c>Theta1</c>, <c>Theta2</c>, … (double,
/// [units, 1 + inputs], bias in column 1 — what ex4's predict.m takes), the row <c>activations</c> (e.g.
/// <c>'relu,softmax'</c>; predict.m assumes sigmoid everywhere), the char matrix <c>classes</c> (row k = the name of
/// output unit k, padded with blanks as MATLAB's <c>char</c> does) and, when the model scales its inputs, the scaler as
/// 1 x n rows: MinMax <c>x_scale</c>, <c>x_offset</c> (X_prepared = X .* x_scale + x_offset), Standardize
/// <c>x_mean</c>, <c>x_std</c> (X_prepared = (X - x_mean) ./ x_std, a 0 std already replaced by 1).
/// </summary>
public static class MatlabExport
{
    /// <summary>The variables written, in file order.</summary>
    public static IReadOnlyList<NDArray> Variables(Model model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var network = model.Precision == Precision.Float64 ? model.Network<double>() : model.Network<float>().Convert<double>();
        var list = new List<NDArray>();
        var thetas = MatlabTheta.Export(network);
        for (int l = 0; l < thetas.Length; l++)
            list.Add(new NDArray($"Theta{l + 1}", "double", [thetas[l].Rows, thetas[l].Cols], thetas[l].Span.ToArray()));
        string acts = string.Join(",", model.Spec.Activations.Select(Activations.Name));
        list.Add(new NDArray("activations", "char", [1, acts.Length], acts.ToCharArray()));
        int width = model.ClassNames.Max(c => c.Length);
        var names = new char[model.ClassNames.Count * width];
        Array.Fill(names, ' ');
        for (int k = 0; k < model.ClassNames.Count; k++) model.ClassNames[k].CopyTo(names.AsSpan(k * width));
        if (width > 0) list.Add(new NDArray("classes", "char", [model.ClassNames.Count, width], names));
        if (model.Preprocessor is { Kind: not PreprocessorKind.Identity } pre)
        {
            int n = pre.FeatureCount;
            if (pre.Kind == PreprocessorKind.MinMax)
            {
                list.Add(new NDArray("x_scale", "double", [1, n], pre.ApplyScale.ToArray()));
                list.Add(new NDArray("x_offset", "double", [1, n], pre.ApplyOffset.ToArray()));
            }
            else
            {
                list.Add(new NDArray("x_mean", "double", [1, n], pre.ApplyOffset.ToArray()));
                list.Add(new NDArray("x_std", "double", [1, n], pre.ApplyScale.ToArray()));
            }
        }
        return list;
    }

    /// <summary>Writes <see cref="Variables"/> to <paramref name="path"/> (level 5, zlib-compressed as <c>save -v7</c>), atomically.</summary>
    public static IReadOnlyList<NDArray> Save(Model model, string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var variables = Variables(model);
        AtomicFile.Write(path, s => MatFile.Write(s, variables, compress: true));
        return variables;
    }
}
