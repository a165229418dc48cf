/**
 * Test support for the integration tests: starts the real {@code server} command from the
 * built distribution as a separate process, speaks to it over real sockets, and cleans up
 * every process it started.
 */
module dev.starling.it {
    exports dev.starling.it;
}
