// The suite shares one stack and the machine has two cores: run test classes one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
