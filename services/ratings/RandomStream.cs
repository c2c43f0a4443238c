using System.Numerics;

namespace CommunityEvals.Ratings;

/// <summary>
/// xoshiro256** (Blackman and Vigna), seeded through SplitMix64. Written out rather than taken from
/// <see cref="Random"/> because the intervals must be the same on every runtime and every release:
/// <see cref="Random"/>'s algorithm behind a seed is an implementation detail that has changed before.
/// </summary>
internal sealed class RandomStream
{
    private ulong _s0, _s1, _s2, _s3;

    /// <summary>An independent stream for each (seed, stream) pair: the bootstrap uses one per round so no round depends on another or on the thread it ran on.</summary>
    public RandomStream(ulong seed, ulong stream)
    {
        var state = seed ^ Mix(stream + 0xA0761D6478BD642FUL);
        _s0 = SplitMix(ref state);
        _s1 = SplitMix(ref state);
        _s2 = SplitMix(ref state);
        _s3 = SplitMix(ref state);
    }

    public ulong NextUInt64()
    {
        var result = BitOperations.RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = BitOperations.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform on the open interval (0, 1): the samplers take logarithms and divide by distances to the ends.</summary>
    public double NextOpenUnit() => ((NextUInt64() >> 11) + 0.5) * (1.0 / (1UL << 53));

    private static ulong SplitMix(ref ulong state)
    {
        state += 0x9E3779B97F4A7C15UL;
        return Mix(state);
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
