using System.Globalization;
using Verification.Api.Contracts;

namespace Verification.Api.Delivery;

/// <summary>
/// Incident ids are <c>{service}-{n}</c>, n counting from 1 per service, so that an id alone finds the service grain
/// that owns the incident: the service is everything before the last '-'.
/// </summary>
public static class IncidentIds
{
    public static string Format(string service, long number) => $"{service}-{number.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The service and number of an id; <see cref="InputException"/> on "id" when it is not of that form.</summary>
    public static (string Service, long Number) Parse(string id)
    {
        var dash = id?.LastIndexOf('-') ?? -1;
        if (dash <= 0 || !long.TryParse(id.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number < 1)
        {
            throw new InputException("id", $"'{id}' is not an incident id ('<service>-<number>')");
        }

        return (id![..dash], number);
    }
}
