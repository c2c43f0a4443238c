using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("CommunityEvals.UnitTests")]
