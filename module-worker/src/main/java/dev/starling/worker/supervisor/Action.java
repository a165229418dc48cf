package dev.starling.worker.supervisor;

/** What the {@link Supervisor} asks the manager to do. Worker ids are the policy's; the manager maps them to processes. */
sealed interface Action {
    /** Start a worker process for {@code slot}; report {@link Supervisor#started} or {@link Supervisor#spawnFailed}. */
    record Spawn(long worker, int slot, int generation) implements Action {
    }

    /** Ask a worker to drain and exit (SIGTERM). */
    record Stop(long worker) implements Action {
    }

    /** End a worker now (SIGKILL). */
    record Kill(long worker) implements Action {
    }

    /** Ask a worker's JVM for a thread dump on its stderr (SIGQUIT). */
    record DumpThreads(long worker) implements Action {
    }

    /** Close the manager's own copies of the listening sockets: no worker will take over from the last ones. */
    record CloseListeners() implements Action {
    }

    /** Write a line to the manager's log. */
    record Log(System.Logger.Level level, String message) implements Action {
    }
}
