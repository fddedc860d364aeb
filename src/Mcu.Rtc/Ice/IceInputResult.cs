namespace Mcu.Rtc.Ice;

/// <summary>What <see cref="IceLiteAgent.HandleStun"/> did with a datagram.</summary>
public enum IceInputResult
{
    /// <summary>Not for this agent, not a Binding request, or failed FINGERPRINT: ignored, nothing to send.</summary>
    Dropped,

    /// <summary>Missing USERNAME, MESSAGE-INTEGRITY or PRIORITY: answered with 400.</summary>
    BadRequest,

    /// <summary>MESSAGE-INTEGRITY did not verify with the local password: answered with 401.</summary>
    Unauthorized,

    /// <summary>The peer also claims the controlled role: answered with 487.</summary>
    RoleConflict,

    /// <summary>A valid check: answered with a Binding success response.</summary>
    Responded,

    /// <summary>A valid check with USE-CANDIDATE that (re)selected the remote address: answered with success.</summary>
    Nominated,
}
