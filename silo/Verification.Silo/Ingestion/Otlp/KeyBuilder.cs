namespace Verification.Silo.Ingestion.Otlp;

/// <summary>
/// Text built in one reusable buffer and read back as a span, so that a key which already exists elsewhere costs no new
/// string (a <see cref="System.Text.StringBuilder"/> gives its text only as a new string or as chunks).
/// </summary>
internal sealed class KeyBuilder
{
    private char[] _buffer = new char[256];
    private int _length;

    public ReadOnlySpan<char> Chars => _buffer.AsSpan(0, _length);

    public void Clear() => _length = 0;

    public KeyBuilder Append(char value)
    {
        Reserve(1);
        _buffer[_length++] = value;
        return this;
    }

    public KeyBuilder Append(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        Reserve(value.Length);
        value.CopyTo(_buffer.AsSpan(_length));
        _length += value.Length;
        return this;
    }

    private void Reserve(int count)
    {
        if (_buffer.Length - _length < count)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + count));
        }
    }
}
