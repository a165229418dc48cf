package dev.starling.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The JVM options a worker gets from what the manager sees of the machine. */
class WorkerCommandTest {

    @Test
    void aWorkerOnOneCpuGetsTwoCarrierThreads() {
        assertEquals(List.of("-Djdk.virtualThreadScheduler.parallelism=2"), Server.schedulerOptions(1));
    }

    @Test
    void aWorkerOnSeveralCpusKeepsTheJdkDefault() {
        assertEquals(List.of(), Server.schedulerOptions(2));
        assertEquals(List.of(), Server.schedulerOptions(64));
    }
}
