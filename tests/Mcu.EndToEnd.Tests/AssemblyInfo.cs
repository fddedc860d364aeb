// Each class runs real servers, bots and browsers that measure frame rates: one at a time,
// so they measure the server rather than the competition for the machine's two cores.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
